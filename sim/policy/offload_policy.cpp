// Offload filters: entropy offloads ambiguous inputs (normalised entropy above the threshold);
// max_prob and margin offload unconfident ones (score below the threshold); random offloads
// with a fixed probability (the target share, when the scenario gives one); edge_only and
// cloud_only are the two baselines.
#include "sim/policy/offload_policy.hpp"

#include <algorithm>

#include "core/random.hpp"

namespace eccsim {

Threshold given_threshold(OffloadFilter filter, double threshold) {
  const bool everything = scores_entropy(filter) ? threshold <= 0 : threshold >= 1;
  return {threshold, everything ? 1.0 : 0.0};
}

double filter_score(OffloadFilter filter, const EdgePrediction& edge) {
  switch (filter) {
    case OffloadFilter::MaxProb: return edge.max_prob;
    case OffloadFilter::Margin: return edge.margin;
    default: return edge.entropy_score;
  }
}

bool beyond(OffloadFilter filter, double score, double threshold) {
  return scores_entropy(filter) ? score > threshold : score < threshold;
}

double filter_share(double target, double explore) {
  if (explore >= 1) return 0;
  return std::clamp((target - explore) / (1 - explore), 0.0, 1.0);
}

OffloadPolicy::OffloadPolicy(const OffloadConfig& config, uint64_t filter_seed, uint64_t explore_seed)
    : filter_(config.filter),
      rate_(config.calibrates() ? filter_share(config.target_share(), config.explore) : config.rate),
      explore_(config.explore),
      rng_(filter_seed),
      explore_rng_(explore_seed) {}

bool OffloadPolicy::should_offload(const EdgePrediction& edge, const Threshold& threshold) {
  switch (filter_) {
    case OffloadFilter::Entropy:
    case OffloadFilter::MaxProb:
    case OffloadFilter::Margin: {
      const double s = score(edge);
      if (beyond(filter_, s, threshold.value)) return true;
      if (s != threshold.value || threshold.tie_share <= 0) return false;
      return threshold.tie_share >= 1 || uniform01(rng_.get()) < threshold.tie_share;
    }
    case OffloadFilter::Random: return uniform01(rng_.get()) < rate_;
    case OffloadFilter::EdgeOnly: return false;
    case OffloadFilter::CloudOnly: return true;
    case OffloadFilter::Plugin: return false;
  }
  return false;
}

OffloadDecision OffloadPolicy::explore(bool filter_offloads) {
  OffloadDecision decision{filter_offloads, false};
  if (filter_ == OffloadFilter::EdgeOnly || filter_ == OffloadFilter::CloudOnly || explore_ <= 0) return decision;
  const bool draw = uniform01(explore_rng_.get()) < explore_;
  if (!decision.offload && draw) decision = {true, true};
  return decision;
}

}  // namespace eccsim
