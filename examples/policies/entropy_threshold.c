/* The smallest offload policy plugin: the built-in entropy filter, rewritten as a plugin. It offloads
 * an input whose normalised entropy is above the threshold eccsim tells it (policy.offload.threshold,
 * or the one calibrated for policy.offload.target_cur), so a run with it makes the same decisions as
 * `filter: entropy` (the test suite checks this, and scripts/bench-plugin times the call against the
 * built-in filter). A tie split between 0 and 1 draws from the plugin's own stream, not the filter's.
 * It takes no parameters. Start your own policy from this file. */
#include <eccsim/policy.h>

static void* create(const eccsim_policy_setup* setup, char* error) {
  static const char* const known[] = {NULL};
  if (eccsim_policy_check_params(setup, known, error) != 0) return NULL;
  uint64_t* random_state = malloc(sizeof *random_state);
  if (random_state == NULL) {
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "out of memory");
    return NULL;
  }
  *random_state = setup->seed;
  return random_state;
}

static int decide(void* instance, const eccsim_policy_request* request, char* error) {
  (void)error;
  if (request->entropy > request->threshold) return ECCSIM_OFFLOAD;
  if (request->entropy < request->threshold || request->threshold_tie_share <= 0) return ECCSIM_KEEP;
  return request->threshold_tie_share >= 1 || eccsim_policy_uniform(instance) < request->threshold_tie_share
             ? ECCSIM_OFFLOAD
             : ECCSIM_KEEP;
}

static void destroy(void* instance) { free(instance); }

const eccsim_policy_api* eccsim_offload_policy(void) {
  static const eccsim_policy_api policy = {ECCSIM_POLICY_API_VERSION, "entropy_threshold", create, decide, NULL,
                                           destroy};
  return &policy;
}
