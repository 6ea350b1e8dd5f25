/* eccsim offload policy plugins: the interface a shared library implements to decide, request by
 * request, whether an edge device offloads its input to the cloud (policy.offload.filter: plugin).
 * Plain C, so any compiler or language with a C FFI can implement it. docs/policies.md explains it
 * with two worked examples (examples/policies/).
 *
 * The library exports one symbol, ECCSIM_POLICY_ENTRY ("eccsim_offload_policy"), a function returning
 * a pointer to a static eccsim_policy_api. eccsim creates one instance per device before the run
 * (a device knows only what it sees itself), asks it `decide` for every request the device serves and,
 * if `learn` is given, tells it how each offload ended. Every call comes from one thread, in simulated
 * time order. The version below changes whenever a struct's layout or a call's meaning changes; a
 * library built against another version is refused. */
#ifndef ECCSIM_POLICY_H
#define ECCSIM_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ECCSIM_POLICY_API_VERSION 1
#define ECCSIM_POLICY_ENTRY "eccsim_offload_policy"
#define ECCSIM_POLICY_RECENT 8        /* offloads remembered in eccsim_policy_request.recent_* */
#define ECCSIM_POLICY_ERROR_SIZE 256  /* bytes of the `error` buffer every call may write into */

/* decide's answers; any other value is a failure of the plugin (a negative one with a message). */
#define ECCSIM_KEEP 0
#define ECCSIM_OFFLOAD 1

/* How an offload ended, in eccsim_policy_feedback.outcome. */
#define ECCSIM_REPLY 0    /* the cloud's answer came before the deadline (policy.offload.timeout) */
#define ECCSIM_TIMEOUT 1  /* it did not: the device fell back to its own prediction */

/* What a plugin instance is created with. */
typedef struct eccsim_policy_setup {
  int32_t api_version;        /* ECCSIM_POLICY_API_VERSION of the eccsim calling */
  int32_t device;             /* this instance's device, 0-based */
  int32_t devices;            /* devices in the run */
  uint64_t seed;              /* the instance's own random stream (eccsim_policy_uniform), from the scenario's seed */
  /* policy.offload.plugin.params, flattened: nested mappings joined by dots ("arm.alpha"), every
   * value as its YAML text ("0.5", "fast", "[1, 2]"), in the scenario's order. */
  size_t param_count;
  const char* const* param_keys;
  const char* const* param_values;
} eccsim_policy_setup;

/* What the device knows when an input has been classified by its edge model, before it decides. */
typedef struct eccsim_policy_request {
  double time_s;              /* simulated time now */
  int64_t request_id;         /* unique in the run (requests.csv's request_id) */
  /* The edge model's output on this input (the built-in filters' scores). */
  double entropy;             /* normalised entropy, the minimum over heads, in [0, 1] (filter entropy) */
  double max_prob;            /* top softmax probability over all classes (filter max_prob) */
  double margin;              /* top-1 minus top-2 probability (filter margin) */
  /* The entropy filter's threshold for this device now: policy.offload.threshold, or calibrated on
   * held-out images for the model serving (policy.offload.target_cur). filter: entropy offloads an
   * input with entropy above it, and one exactly on it with probability threshold_tie_share. */
  double threshold;
  double threshold_tie_share;
  int32_t predicted;          /* the edge model's label */
  int32_t classes;            /* classes the edge model knows */
  int32_t heads;              /* its task heads: entries of head_entropy */
  const double* head_entropy; /* each head's normalised entropy, in the order the heads were learned */
  int64_t model_version;      /* 0 for the initial model, +1 per installed update */
  /* The device. */
  int32_t queue_length;       /* requests that arrived and wait behind this one */
  int32_t awaiting_replies;   /* offloaded requests whose reply has not come yet */
  double battery_level;       /* charge left as a share of capacity, in [0, 1]; 1 on mains power */
  int32_t on_mains;           /* 1 when the device has no battery */
  int32_t cloud_offline;      /* 1 while the device backs off after repeated timeouts: an offload is not sent */
  /* Its last offloads, oldest first (at most ECCSIM_POLICY_RECENT of them). */
  int32_t recent_count;
  const double* recent_round_trip_s;  /* upload start to reply; to the deadline for a timeout */
  const int32_t* recent_timed_out;    /* 1 for a timeout */
  /* What the device has done so far (this request excluded). */
  int64_t served;             /* requests decided */
  int64_t offloaded;          /* of them, offloaded (exploration included) */
} eccsim_policy_request;

/* How one offloaded request ended: given to `learn` when its reply comes or its deadline passes. */
typedef struct eccsim_policy_feedback {
  double time_s;              /* simulated time now */
  int64_t request_id;
  int32_t outcome;            /* ECCSIM_REPLY or ECCSIM_TIMEOUT */
  int32_t explored;           /* 1: offloaded by policy.offload.explore although decide said keep */
  int32_t edge_label;         /* the edge model's prediction at decide */
  int32_t cloud_label;        /* the cloud's answer; -1 on a timeout */
  double round_trip_s;        /* upload start to reply, or to the deadline */
  double entropy;             /* the scores decide saw */
  double max_prob;
  double margin;
} eccsim_policy_feedback;

typedef struct eccsim_policy_api {
  int32_t api_version;        /* ECCSIM_POLICY_API_VERSION the library was built against */
  const char* name;           /* shown in messages and run.json */
  /* A new instance, or NULL with a one-line reason in `error` (e.g. an unknown or invalid param). */
  void* (*create)(const eccsim_policy_setup* setup, char* error);
  /* ECCSIM_KEEP or ECCSIM_OFFLOAD; a negative value with a message in `error` fails the run. */
  int (*decide)(void* instance, const eccsim_policy_request* request, char* error);
  /* Optional (NULL): 0, or a negative value with a message in `error` to fail the run. */
  int (*learn)(void* instance, const eccsim_policy_feedback* feedback, char* error);
  void (*destroy)(void* instance);
} eccsim_policy_api;

/* The symbol a plugin defines (declared here so that a C++ plugin gets C linkage for it). */
const eccsim_policy_api* eccsim_offload_policy(void);
typedef const eccsim_policy_api* (*eccsim_offload_policy_entry)(void);

/* A uniform draw in [0, 1) from a stream started at eccsim_policy_setup.seed (SplitMix64): keep a
 * uint64_t state, set it to the seed, and pass it here. Same scenario and seed, same draws. */
static inline double eccsim_policy_uniform(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

/* Helpers for create: parameters by name, with the refusal message eccsim shows (exit 2). */

/* 0 when every parameter is one of the NULL-terminated `known` names; else -1 and a message. */
static inline int eccsim_policy_check_params(const eccsim_policy_setup* setup, const char* const* known, char* error) {
  for (size_t i = 0; i < setup->param_count; ++i) {
    const char* const* name = known;
    while (*name != NULL && strcmp(*name, setup->param_keys[i]) != 0) ++name;
    if (*name == NULL) {
      snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "unknown parameter '%s'", setup->param_keys[i]);
      return -1;
    }
  }
  return 0;
}

/* Parameter `key` as a number in [lo, hi] into *value (left as it is when not given): 0, or -1 and a message. */
static inline int eccsim_policy_number_param(const eccsim_policy_setup* setup, const char* key, double lo, double hi,
                                             double* value, char* error) {
  for (size_t i = 0; i < setup->param_count; ++i) {
    if (strcmp(setup->param_keys[i], key) != 0) continue;
    const char* text = setup->param_values[i];
    char* end = NULL;
    const double parsed = strtod(text, &end);
    if (end == text || *end != '\0' || !(parsed >= lo && parsed <= hi)) {
      snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "parameter '%s' must be a number in [%g, %g], got '%s'", key, lo, hi,
               text);
      return -1;
    }
    *value = parsed;
  }
  return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* ECCSIM_POLICY_H */
