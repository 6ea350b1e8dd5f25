/* The smallest offload policy plugin: the built-in entropy filter, rewritten as a plugin. It offloads
 * an input whose normalised entropy is above `threshold`, so a run with it makes the same decisions
 * as `filter: entropy` with the same threshold (the test suite checks this, and scripts/bench-plugin
 * times the call against the built-in filter). Start your own policy from this file. */
#include <eccsim/policy.h>

typedef struct {
  double threshold;
} entropy_threshold;

static void* create(const eccsim_policy_setup* setup, char* error) {
  static const char* const known[] = {"threshold", NULL};
  entropy_threshold config = {0.7};
  if (eccsim_policy_check_params(setup, known, error) != 0 ||
      eccsim_policy_number_param(setup, "threshold", 0, 1, &config.threshold, error) != 0)
    return NULL;
  entropy_threshold* instance = malloc(sizeof *instance);
  if (instance == NULL) {
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "out of memory");
    return NULL;
  }
  *instance = config;
  return instance;
}

static int decide(void* instance, const eccsim_policy_request* request, char* error) {
  (void)error;
  const entropy_threshold* self = instance;
  return request->entropy > self->threshold ? ECCSIM_OFFLOAD : ECCSIM_KEEP;
}

static void destroy(void* instance) { free(instance); }

const eccsim_policy_api* eccsim_offload_policy(void) {
  static const eccsim_policy_api policy = {ECCSIM_POLICY_API_VERSION, "entropy_threshold", create, decide, NULL,
                                               destroy};
  return &policy;
}
