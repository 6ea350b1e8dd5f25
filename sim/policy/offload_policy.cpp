// Offload filters: entropy offloads ambiguous inputs (normalised entropy above the threshold);
// max_prob and margin offload unconfident ones (score below the threshold); random offloads
// with a fixed probability; edge_only and cloud_only are the two baselines.
#include "sim/policy/offload_policy.hpp"

#include "core/random.hpp"

namespace eccsim {

OffloadPolicy::OffloadPolicy(const OffloadConfig& config, uint64_t filter_seed, uint64_t explore_seed)
    : filter_(config.filter),
      threshold_(config.threshold),
      rate_(config.rate),
      explore_(config.explore),
      rng_(filter_seed),
      explore_rng_(explore_seed) {}

double OffloadPolicy::score(const EdgePrediction& edge) const {
  switch (filter_) {
    case OffloadFilter::MaxProb: return edge.max_prob;
    case OffloadFilter::Margin: return edge.margin;
    default: return edge.entropy_score;
  }
}

bool OffloadPolicy::should_offload(const EdgePrediction& edge) {
  switch (filter_) {
    // The end points are exact even for saturated scores (a probability of exactly 1.0):
    // entropy threshold 0 offloads everything, max_prob / margin threshold 1 likewise.
    case OffloadFilter::Entropy: return threshold_ <= 0 || edge.entropy_score > threshold_;
    case OffloadFilter::MaxProb: return threshold_ >= 1 || edge.max_prob < threshold_;
    case OffloadFilter::Margin: return threshold_ >= 1 || edge.margin < threshold_;
    case OffloadFilter::Random: return uniform01(rng_) < rate_;
    case OffloadFilter::EdgeOnly: return false;
    case OffloadFilter::CloudOnly: return true;
  }
  return false;
}

OffloadDecision OffloadPolicy::decide(const EdgePrediction& edge) {
  OffloadDecision decision{should_offload(edge), false};
  if (filter_ == OffloadFilter::EdgeOnly || filter_ == OffloadFilter::CloudOnly || explore_ <= 0) return decision;
  const bool draw = uniform01(explore_rng_) < explore_;
  if (!decision.offload && draw) decision = {true, true};
  return decision;
}

}  // namespace eccsim
