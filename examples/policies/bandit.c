/* A small online learner: a contextual bandit that learns, on the device, which inputs are worth
 * offloading. The context is the input's entropy on a log scale, `bins_per_decade` bins per decade
 * below 1 (a well-trained SNN's entropies span decades), `bins` bins in all; the two arms are keep
 * (reward 0) and offload (reward 1 if the cloud's answer differs from the edge model's, i.e. the
 * offload fixed a mistake, minus `offload_cost`, the accuracy one offload must buy to be worth its
 * bytes and joules). Only an offload reveals its reward, so each bin keeps the share of its
 * offloads on which the cloud disagreed (starting from `prior` as one pseudo-observation), and:
 *
 *   offload with probability `epsilon` (exploration, the plugin's own random stream),
 *   otherwise offload when the bin's disagreement share is above offload_cost.
 *
 * Every reply in time (explored ones included) updates its bin; a timeout teaches nothing. A bin's
 * share is an unbiased estimate whichever arm the greedy rule picks there: its offloads are all of
 * its inputs or a random share of them. Parameters and defaults: offload_cost 0.2, epsilon 0.05,
 * bins 16, bins_per_decade 2, prior 0.5. */
#include <eccsim/policy.h>

#include <math.h>

#define MAX_BINS 100

typedef struct {
  double offload_cost;
  double epsilon;
  int bins;
  double bins_per_decade;
  uint64_t random_state;
  double disagreed[MAX_BINS];   /* pseudo-counts: prior + replies on which the cloud disagreed */
  double replies[MAX_BINS];     /* 1 + replies */
} bandit;

static int bin_of(const bandit* self, double entropy) {
  const double decades = entropy > 0 ? -log10(entropy) * self->bins_per_decade : self->bins;
  return decades < 0 ? 0 : decades >= self->bins - 1 ? self->bins - 1 : (int)decades;
}

static void* create(const eccsim_policy_setup* setup, char* error) {
  static const char* const known[] = {"offload_cost", "epsilon", "bins", "bins_per_decade", "prior", NULL};
  double offload_cost = 0.2, epsilon = 0.05, bins = 16, bins_per_decade = 2, prior = 0.5;
  if (eccsim_policy_check_params(setup, known, error) != 0 ||
      eccsim_policy_number_param(setup, "offload_cost", 0, 1, &offload_cost, error) != 0 ||
      eccsim_policy_number_param(setup, "epsilon", 0, 1, &epsilon, error) != 0 ||
      eccsim_policy_number_param(setup, "bins", 1, MAX_BINS, &bins, error) != 0 ||
      eccsim_policy_number_param(setup, "bins_per_decade", 0.01, 100, &bins_per_decade, error) != 0 ||
      eccsim_policy_number_param(setup, "prior", 0, 1, &prior, error) != 0)
    return NULL;
  if (bins != (int)bins) {
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "parameter 'bins' must be a whole number, got %g", bins);
    return NULL;
  }
  bandit* self = calloc(1, sizeof *self);
  if (self == NULL) {
    snprintf(error, ECCSIM_POLICY_ERROR_SIZE, "out of memory");
    return NULL;
  }
  self->offload_cost = offload_cost;
  self->epsilon = epsilon;
  self->bins = (int)bins;
  self->bins_per_decade = bins_per_decade;
  self->random_state = setup->seed;
  for (int b = 0; b < self->bins; ++b) {
    self->disagreed[b] = prior;
    self->replies[b] = 1;
  }
  return self;
}

static int decide(void* instance, const eccsim_policy_request* request, char* error) {
  (void)error;
  bandit* self = instance;
  if (eccsim_policy_uniform(&self->random_state) < self->epsilon) return ECCSIM_OFFLOAD;
  const int bin = bin_of(self, request->entropy);
  return self->disagreed[bin] / self->replies[bin] > self->offload_cost ? ECCSIM_OFFLOAD : ECCSIM_KEEP;
}

static int learn(void* instance, const eccsim_policy_feedback* feedback, char* error) {
  (void)error;
  bandit* self = instance;
  if (feedback->outcome != ECCSIM_REPLY) return 0;
  const int bin = bin_of(self, feedback->entropy);
  self->replies[bin] += 1;
  self->disagreed[bin] += feedback->cloud_label != feedback->edge_label;
  return 0;
}

static void destroy(void* instance) { free(instance); }

const eccsim_policy_api* eccsim_offload_policy(void) {
  static const eccsim_policy_api policy = {ECCSIM_POLICY_API_VERSION, "bandit", create, decide, learn, destroy};
  return &policy;
}
