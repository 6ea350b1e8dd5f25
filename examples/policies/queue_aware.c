/* A queue- and latency-aware offload rule. Entropy decides, as in ECC-SNN, but the line it draws
 * moves with what the device sees: it offloads less when its recent uploads were slow or timed out
 * (the network is congested: an offload is likely to come back late and fall back anyway, after its
 * radio has paid for the upload), and more when requests queue behind this one (the answer is late
 * already: a cloud round trip adds little to it, and buys accuracy). Offload when entropy is above
 *
 *   line = threshold * exp( latency_weight * max(0, mean recent round trip / latency_ref - 1)
 *                         + timeout_weight * (share of recent offloads that timed out)
 *                         - queue_weight   * (requests waiting behind this one) ),  at most 1,
 *
 * where threshold is the entropy filter's (given, or calibrated for policy.offload.target_cur). The
 * factor is multiplicative so the rule works at any entropy scale: a well-trained SNN's entropies span
 * decades. Parameters (policy.offload.plugin.params) and defaults: latency_ref 0.1 (s),
 * latency_weight 2, timeout_weight 5, queue_weight 0.5. */
#include <eccsim/policy.h>

#include <math.h>

typedef struct {
  double latency_ref_s;
  double latency_weight;
  double timeout_weight;
  double queue_weight;
} queue_aware;

static void* create(const eccsim_policy_setup* setup, char* error) {
  static const char* const known[] = {"latency_ref", "latency_weight", "timeout_weight", "queue_weight", NULL};
  queue_aware config = {0.1, 2, 5, 0.5};
  if (eccsim_policy_check_params(setup, known, error) != 0 ||
      eccsim_policy_number_param(setup, "latency_ref", 1e-6, 1e6, &config.latency_ref_s, error) != 0 ||
      eccsim_policy_number_param(setup, "latency_weight", 0, 100, &config.latency_weight, error) != 0 ||
      eccsim_policy_number_param(setup, "timeout_weight", 0, 100, &config.timeout_weight, error) != 0 ||
      eccsim_policy_number_param(setup, "queue_weight", 0, 100, &config.queue_weight, error) != 0)
    return NULL;
  queue_aware* instance = malloc(sizeof *instance);
  if (instance == NULL) {
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "out of memory");
    return NULL;
  }
  *instance = config;
  return instance;
}

static int decide(void* instance, const eccsim_policy_request* request, char* error) {
  (void)error;
  const queue_aware* self = instance;
  double exponent = -self->queue_weight * request->queue_length;
  if (request->recent_count > 0) {
    double round_trips_s = 0;
    int timeouts = 0;
    for (int32_t k = 0; k < request->recent_count; ++k) {
      round_trips_s += request->recent_round_trip_s[k];
      timeouts += request->recent_timed_out[k];
    }
    const double slowdown = round_trips_s / request->recent_count / self->latency_ref_s - 1;
    exponent += self->latency_weight * (slowdown > 0 ? slowdown : 0);
    exponent += self->timeout_weight * timeouts / request->recent_count;
  }
  const double line = fmin(1.0, request->threshold * exp(exponent));
  return request->entropy > line ? ECCSIM_OFFLOAD : ECCSIM_KEEP;
}

static void destroy(void* instance) { free(instance); }

const eccsim_policy_api* eccsim_offload_policy(void) {
  static const eccsim_policy_api policy = {ECCSIM_POLICY_API_VERSION, "queue_aware", create, decide, NULL, destroy};
  return &policy;
}
