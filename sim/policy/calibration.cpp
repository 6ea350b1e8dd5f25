// Weighted quantiles of filter scores. The tie split makes any share reachable: with scores
// saturated at one value (max_prob exactly 1 on most inputs of a well-trained 2-class head)
// no threshold between distinct scores could offload, say, half of them.
#include "sim/policy/calibration.hpp"

#include <algorithm>
#include <map>

#include "core/random.hpp"

namespace eccsim {

Threshold threshold_for_share(OffloadFilter filter, std::vector<WeightedScore> scores, double share) {
  // Scores that offload nothing / everything: beyond every score, or on the one score in most doubt.
  const double none = scores_entropy(filter) ? 1.0 : 0.0;
  const double all = scores_entropy(filter) ? 0.0 : 1.0;
  double total = 0;
  for (const WeightedScore& s : scores) total += s.weight;
  if (share <= 0 || total <= 0) return {none, 0};
  if (share >= 1) return {all, 1};
  // Most in doubt first; equal scores form one group.
  std::sort(scores.begin(), scores.end(),
            [&](const WeightedScore& a, const WeightedScore& b) { return beyond(filter, a.score, b.score); });
  const double wanted = share * total;
  double before = 0;  // weight of the groups more in doubt than the current one
  for (size_t i = 0; i < scores.size();) {
    size_t end = i;
    double group = 0;
    while (end < scores.size() && scores[end].score == scores[i].score) group += scores[end++].weight;
    if (before + group >= wanted) return {scores[i].score, group > 0 ? (wanted - before) / group : 0};
    before += group;
    i = end;
  }
  return {all, 1};  // rounding left the last group short of the share
}

std::vector<int64_t> held_out_samples(const std::vector<int32_t>& test_labels, double share, uint64_t seed,
                                      const std::vector<int64_t>& taken) {
  std::map<int32_t, std::vector<int64_t>> by_class;
  std::map<int32_t, size_t> class_size;
  for (int64_t i = 0; i < static_cast<int64_t>(test_labels.size()); ++i) {
    ++class_size[test_labels[i]];
    if (!std::binary_search(taken.begin(), taken.end(), i)) by_class[test_labels[i]].push_back(i);
  }
  std::vector<int64_t> samples;
  for (auto& [label, indices] : by_class) {
    const auto wanted = std::max<size_t>(1, static_cast<size_t>(share * static_cast<double>(class_size[label])));
    const size_t count = std::min(wanted, indices.size());
    const std::vector<int64_t> drawn =
        seeded_subset(std::move(indices), count, derive_seed(seed, static_cast<uint64_t>(label)));
    samples.insert(samples.end(), drawn.begin(), drawn.end());
  }
  std::sort(samples.begin(), samples.end());
  return samples;
}

std::vector<std::vector<double>> phase_class_shares(const SamplePools& pools, const TaskSplit& split,
                                                    const std::vector<int32_t>& test_labels) {
  std::vector<std::vector<double>> shares;
  for (int phase = 0; phase < pools.phases(); ++phase) {
    std::vector<double> share(split.new_label_of.size(), 0.0);
    const std::vector<int64_t>& pool = pools.pool(phase);
    for (int64_t sample : pool) share[split.new_label_of.at(test_labels[sample])] += 1.0 / static_cast<double>(pool.size());
    shares.push_back(std::move(share));
  }
  return shares;
}

std::vector<double> expected_class_mix(const std::vector<std::vector<double>>& phase_shares,
                                       const std::vector<int64_t>& phase_requests) {
  std::vector<double> mix(phase_shares.empty() ? 0 : phase_shares.front().size(), 0.0);
  int64_t total = 0;
  for (int64_t n : phase_requests) total += n;
  for (size_t phase = 0; phase < phase_shares.size() && phase < phase_requests.size() && total > 0; ++phase) {
    const double weight = static_cast<double>(phase_requests[phase]) / static_cast<double>(total);
    for (size_t c = 0; c < mix.size(); ++c) mix[c] += weight * phase_shares[phase][c];
  }
  return mix;
}

std::vector<double> calibration_weights(const std::vector<int32_t>& labels, const std::vector<double>& class_mix) {
  std::vector<int64_t> held(class_mix.size(), 0);
  for (int32_t label : labels) ++held.at(label);
  std::vector<double> weights;
  weights.reserve(labels.size());
  for (int32_t label : labels) weights.push_back(class_mix[label] / static_cast<double>(held[label]));
  return weights;
}

}  // namespace eccsim
