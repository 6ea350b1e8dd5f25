// Offload filters (ECC-SNN's execution stage): given the edge model's output on an input,
// decide whether the cloud should classify it. Exploration offloads a seeded share of what the
// filter keeps on the edge, so that the update stage gets cloud labels for inputs the edge is
// confidently wrong about (classes it has never seen). Pure, no SimGrid.
#pragma once

#include <cstdint>

#include "core/random.hpp"
#include "models/nets/model_api.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// Where a score filter draws the line. Inputs beyond `value` (entropy: above; max_prob, margin:
// below) are offloaded, and an input scoring exactly `value` with probability `tie_share`:
// saturated scores tie (many inputs have max_prob exactly 1), so a share between two distinct
// scores can only be met by splitting a tie.
struct Threshold {
  double value = 0.7;
  double tie_share = 0;
};

// The scenario's fixed policy.offload.threshold. Its end points offload everything even for
// saturated scores: entropy 0, max_prob and margin 1.
Threshold given_threshold(OffloadFilter filter, double threshold);

// The filter's score of an input (what requests.csv records as `score`): the normalised entropy,
// the top probability or the top-1 minus top-2 margin.
double filter_score(OffloadFilter filter, const EdgePrediction& edge);

// True when `score` lies beyond the threshold (ties excluded), i.e. is more in doubt.
bool beyond(OffloadFilter filter, double score, double threshold);

// The share of its inputs the filter must offload so that, with exploration offloading `explore`
// of the rest, `target` of all inputs go to the cloud: (target - explore) / (1 - explore), in [0, 1].
double filter_share(double target, double explore);

struct OffloadDecision {
  bool offload = false;
  bool explored = false;               // offloaded although the filter kept it on the edge
};

class OffloadPolicy {
 public:
  // `filter_seed` drives the random filter and tie splits, `explore_seed` exploration: two streams,
  // so that the share explored never changes which inputs the random filter picks, and vice versa.
  OffloadPolicy(const OffloadConfig& config, uint64_t filter_seed, uint64_t explore_seed = 0);

  double score(const EdgePrediction& edge) const { return filter_score(filter_, edge); }
  // True when the filter sends the input to the cloud under `threshold`. Draws from the filter's
  // generator for `random`, and for a score filter's input exactly on a split tie. A plugin decides
  // in the device (sim/policy/offload_plugin.hpp): false here.
  bool should_offload(const EdgePrediction& edge, const Threshold& threshold);
  // The filter's decision, then exploration: one exploration draw per input whatever the filter
  // says (the stream stays aligned across filters); the baselines edge_only and cloud_only never explore.
  OffloadDecision decide(const EdgePrediction& edge, const Threshold& threshold) {
    return explore(should_offload(edge, threshold));
  }
  // Exploration after a decision made elsewhere (a plugin's), as decide does after the filter's.
  OffloadDecision explore(bool filter_offloads);
  // cloud_only: the edge model is not run at all (the paper's cloud-only baseline).
  bool runs_edge_model() const { return filter_ != OffloadFilter::CloudOnly; }

 private:
  OffloadFilter filter_;
  double rate_;
  double explore_;
  DeferredGenerator rng_;
  DeferredGenerator explore_rng_;
};

}  // namespace eccsim
