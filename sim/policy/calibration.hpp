// Thresholds calibrated to a share offloaded (policy.offload.target_cur): the paper's percentile
// protocol made deployable. A seeded share of each class's test images is held out from the
// requests; each held-out image weighs as much as its class is expected among the requests to
// come, and the threshold is drawn where the weighted share of scores beyond it equals the
// target. Pure, no SimGrid.
#pragma once

#include <cstdint>
#include <vector>

#include "models/data/task_split.hpp"
#include "sim/policy/offload_policy.hpp"
#include "sim/workload/workload.hpp"

namespace eccsim {

struct WeightedScore {
  double score = 0;
  double weight = 0;
};

// The threshold that offloads `share` of the scores' total weight: scores ordered from most to
// least in doubt, the line drawn where the cumulative weight reaches the share, the tie there split
// (Threshold::tie_share). Share 0 offloads nothing and 1 everything, whatever the scores.
Threshold threshold_for_share(OffloadFilter filter, std::vector<WeightedScore> scores, double share);

// Held-out images (the evaluation or the calibration set): `share` of each class's test images (at
// least one), drawn with `seed` among those not `taken` (sorted), in ascending order. `test_labels`
// are the original class ids.
std::vector<int64_t> held_out_samples(const std::vector<int32_t>& test_labels, double share, uint64_t seed,
                                      const std::vector<int64_t>& taken = {});

// Per phase, each class's (re-indexed label) share of the images its pool draws from.
std::vector<std::vector<double>> phase_class_shares(const SamplePools& pools, const TaskSplit& split,
                                                    const std::vector<int32_t>& test_labels);

// The expected share of each class among requests of which `phase_requests[p]` fall in phase p (a
// phase's requests draw uniformly from its pool).
std::vector<double> expected_class_mix(const std::vector<std::vector<double>>& phase_shares,
                                       const std::vector<int64_t>& phase_requests);

// Weights of held-out images of the given (re-indexed) labels: each class's expected share spread
// over its held-out images, so the set stands for the stream `class_mix` describes.
std::vector<double> calibration_weights(const std::vector<int32_t>& labels, const std::vector<double>& class_mix);

}  // namespace eccsim
