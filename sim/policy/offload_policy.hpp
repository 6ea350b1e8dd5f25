// Offload filters (ECC-SNN's execution stage): given the edge model's output on an input,
// decide whether the cloud should classify it. Exploration offloads a seeded share of what the
// filter keeps on the edge, so that the update stage gets cloud labels for inputs the edge is
// confidently wrong about (classes it has never seen). Pure, no SimGrid.
#pragma once

#include <cstdint>
#include <random>

#include "models/nets/model_api.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct OffloadDecision {
  bool offload = false;
  bool explored = false;               // offloaded although the filter kept it on the edge
};

class OffloadPolicy {
 public:
  // `filter_seed` drives the random filter, `explore_seed` exploration: two streams, so that the
  // share explored never changes which inputs the random filter picks, and vice versa.
  OffloadPolicy(const OffloadConfig& config, uint64_t filter_seed, uint64_t explore_seed = 0);

  // The filter's score for this input (what requests.csv records as `score`).
  double score(const EdgePrediction& edge) const;
  // True when the filter sends the input to the cloud. Draws from the filter's generator for `random`.
  bool should_offload(const EdgePrediction& edge);
  // The filter's decision, then exploration: one exploration draw per input whatever the filter
  // says (the stream stays aligned across filters); the baselines edge_only and cloud_only never explore.
  OffloadDecision decide(const EdgePrediction& edge);
  // cloud_only: the edge model is not run at all (the paper's cloud-only baseline).
  bool runs_edge_model() const { return filter_ != OffloadFilter::CloudOnly; }

 private:
  OffloadFilter filter_;
  double threshold_;
  double rate_;
  double explore_;
  std::mt19937_64 rng_;
  std::mt19937_64 explore_rng_;
};

}  // namespace eccsim
