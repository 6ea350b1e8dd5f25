// Offload filters (PAPER.md, Execution stage): given the edge model's output on an input,
// decide whether the cloud should classify it. Pure, no SimGrid.
#pragma once

#include <cstdint>
#include <random>

#include "models/model_api.hpp"
#include "sim/scenario.hpp"

namespace eccsim {

enum class OffloadFilter { Entropy, MaxProb, Margin, Random, EdgeOnly, CloudOnly };

OffloadFilter parse_offload_filter(const std::string& name);

class OffloadPolicy {
 public:
  OffloadPolicy(const OffloadConfig& config, uint64_t seed);

  // The filter's score for this input (what requests.csv records as `score`).
  double score(const EdgePrediction& edge) const;
  // True when the input goes to the cloud. Draws from the policy's generator for `random`.
  bool should_offload(const EdgePrediction& edge);
  // cloud_only: the edge model is not run at all (the paper's cloud-only baseline).
  bool runs_edge_model() const { return filter_ != OffloadFilter::CloudOnly; }

 private:
  OffloadFilter filter_;
  double threshold_;
  double rate_;
  std::mt19937_64 rng_;
};

}  // namespace eccsim
