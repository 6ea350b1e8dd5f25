// Unit tests of offloading by budget: thresholds drawn at a weighted share of scores (ties split),
// the held-out calibration images, the expected class mix, and the online budget controller. No
// engine runs here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "core/random.hpp"
#include "sim/policy/budget_controller.hpp"
#include "sim/policy/calibration.hpp"
#include "sim/workload/workload.hpp"

using namespace eccsim;

namespace {

// The share of `scores` (weighted) the threshold offloads, ties counted at their tie share.
double offloaded_share(OffloadFilter filter, const std::vector<WeightedScore>& scores, const Threshold& t) {
  double offloaded = 0, total = 0;
  for (const WeightedScore& s : scores) {
    total += s.weight;
    if (beyond(filter, s.score, t.value)) offloaded += s.weight;
    if (s.score == t.value) offloaded += s.weight * t.tie_share;
  }
  return offloaded / total;
}

std::vector<WeightedScore> uniform_scores(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<WeightedScore> scores;
  for (int i = 0; i < n; ++i) scores.push_back({uniform01(rng), 1.0});
  return scores;
}

TaskSplit five_tasks_of_ten_classes() {
  TaskSplitOptions options;
  options.num_classes = 10;
  options.tasks = 5;
  return make_task_split(options);
}

}  // namespace

TEST_CASE("a calibrated threshold offloads exactly its share of the weighted scores", "[calibration]") {
  const std::vector<WeightedScore> scores = uniform_scores(1000, 3);
  for (const OffloadFilter filter : {OffloadFilter::Entropy, OffloadFilter::MaxProb, OffloadFilter::Margin}) {
    for (double share = 0.05; share < 1; share += 0.1) {
      const Threshold t = threshold_for_share(filter, scores, share);
      CAPTURE(name_of(filter), share, t.value, t.tie_share);
      CHECK(offloaded_share(filter, scores, t) == Approx(share).margin(1e-12));
      // The line sits at the share's quantile: high scores are in doubt for entropy, low ones otherwise.
      CHECK(t.value == Approx(filter == OffloadFilter::Entropy ? 1 - share : share).margin(0.05));
    }
  }
}

TEST_CASE("weights stand for classes, and saturated scores are split at their tie", "[calibration]") {
  // Nine tenths of the weight on a class whose max_prob is saturated at exactly 1, one tenth on a
  // class in doubt: half of the traffic can only be offloaded by splitting the tie.
  std::vector<WeightedScore> scores;
  for (int i = 0; i < 100; ++i) scores.push_back({1.0, 0.9 / 100});
  for (int i = 0; i < 50; ++i) scores.push_back({0.5 + i * 0.001, 0.1 / 50});
  const Threshold half = threshold_for_share(OffloadFilter::MaxProb, scores, 0.5);
  CHECK(half.value == 1.0);
  CHECK(half.tie_share == Approx(0.4 / 0.9));
  CHECK(offloaded_share(OffloadFilter::MaxProb, scores, half) == Approx(0.5));
  const Threshold tenth = threshold_for_share(OffloadFilter::MaxProb, scores, 0.1);
  CHECK(offloaded_share(OffloadFilter::MaxProb, scores, tenth) == Approx(0.1));
  CHECK(tenth.value < 1.0);
}

TEST_CASE("target shares 0 and 1 offload nothing and everything, whatever the scores", "[calibration]") {
  const std::vector<WeightedScore> saturated{{0.0, 1}, {1.0, 1}, {0.3, 1}};
  for (const OffloadFilter filter : {OffloadFilter::Entropy, OffloadFilter::MaxProb, OffloadFilter::Margin}) {
    OffloadConfig config;
    config.filter = filter;
    for (const double share : {0.0, 1.0}) {
      const Threshold t = threshold_for_share(filter, saturated, share);
      OffloadPolicy policy(config, 1);
      for (const float score : {0.0f, 0.3f, 1.0f}) {
        EdgePrediction edge;
        edge.entropy_score = edge.max_prob = edge.margin = score;
        CAPTURE(name_of(filter), share, score);
        CHECK(policy.should_offload(edge, t) == (share == 1.0));
      }
    }
  }
}

TEST_CASE("a target share with exploration leaves the filter the rest", "[calibration]") {
  CHECK(filter_share(0.2, 0) == Approx(0.2));
  CHECK(filter_share(0.28, 0.1) == Approx(0.2));  // 0.2 + 0.8 x 0.1
  CHECK(filter_share(0.05, 0.1) == 0);
  CHECK(filter_share(1, 0.2) == 1);
}

TEST_CASE("held-out calibration images: a seeded share of every class, never requested", "[calibration]") {
  std::vector<int32_t> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10);
  const std::vector<int64_t> held = held_out_samples(labels, 0.2, 11);
  REQUIRE(held.size() == 200);
  CHECK(std::is_sorted(held.begin(), held.end()));
  std::vector<int> per_class(10, 0);
  for (int64_t sample : held) ++per_class[labels[sample]];
  CHECK(std::all_of(per_class.begin(), per_class.end(), [](int n) { return n == 20; }));
  CHECK(held_out_samples(labels, 0.2, 11) == held);
  CHECK(held_out_samples(labels, 0.2, 12) != held);
  // A second held-out set drawn around the first: disjoint, the same share of every class.
  const std::vector<int64_t> second = held_out_samples(labels, 0.1, 11, held);
  REQUIRE(second.size() == 100);
  for (int64_t sample : second) CHECK_FALSE(std::binary_search(held.begin(), held.end(), sample));

  const TaskSplit split = five_tasks_of_ten_classes();
  WorkloadConfig workload;
  workload.classes = ClassMix::Cumulative;
  const SamplePools pools(workload, split, labels, held);
  for (int phase = 0; phase < pools.phases(); ++phase) {
    for (int64_t sample : pools.pool(phase)) CHECK_FALSE(std::binary_search(held.begin(), held.end(), sample));
  }
}

TEST_CASE("the expected class mix follows the phases' requests and pools", "[calibration]") {
  std::vector<int32_t> labels;
  for (int i = 0; i < 1000; ++i) labels.push_back(i % 10);
  const TaskSplit split = five_tasks_of_ten_classes();
  WorkloadConfig workload;
  workload.classes = ClassMix::Cumulative;
  const SamplePools pools(workload, split, labels);
  const auto shares = phase_class_shares(pools, split, labels);
  // Three quarters of the requests in phase 0 (task 0's two classes), a quarter in phase 1 (four classes).
  const std::vector<double> mix = expected_class_mix(shares, {300, 100, 0, 0, 0});
  double total = 0;
  for (double m : mix) total += m;
  CHECK(total == Approx(1));
  for (int32_t c : split.task_classes[0]) CHECK(mix[c] == Approx(0.75 / 2 + 0.25 / 4));
  for (int32_t c : split.task_classes[1]) CHECK(mix[c] == Approx(0.25 / 4));
  for (int32_t c : split.task_classes[2]) CHECK(mix[c] == 0);

  const std::vector<int32_t> held_labels{split.task_classes[0][0], split.task_classes[0][0], split.task_classes[1][0]};
  const std::vector<double> weights = calibration_weights(held_labels, mix);
  CHECK(weights[0] == Approx(mix[held_labels[0]] / 2));
  CHECK(weights[2] == Approx(mix[held_labels[2]]));
}

TEST_CASE("the budget controller holds its share while the score distribution shifts", "[calibration]") {
  // Entropy scores uniform on [0, 1) for 600 s, then squeezed into [0, 0.2): a fixed threshold
  // calibrated on the first phase would offload nothing in the second. Whole phases count: the
  // shortfall while the window still holds the old scores is paid back later in the phase.
  const double budget = 0.2, window_s = 30;
  BudgetController controller(OffloadFilter::Entropy, window_s, {0.8, 0});
  std::mt19937_64 rng(5), draws(6);
  int64_t offloaded[2] = {0, 0}, inputs[2] = {0, 0};
  for (int i = 0; i < 24000; ++i) {
    const double t_s = i * 0.05;
    const int phase = t_s < 600 ? 0 : 1;
    const double score = phase == 0 ? uniform01(rng) : 0.2 * uniform01(rng);
    const Threshold t = controller.threshold(t_s, budget, 0);
    const bool offload = score > t.value || (score == t.value && uniform01(draws) < t.tie_share);
    controller.observe(t_s, score, offload);
    offloaded[phase] += offload;
    ++inputs[phase];
  }
  for (int phase = 0; phase < 2; ++phase) {
    CAPTURE(phase);
    CHECK(static_cast<double>(offloaded[phase]) / inputs[phase] == Approx(budget).margin(0.01));
  }
  CHECK(controller.window_inputs(1200) == 600);
  CHECK(controller.window_offloaded_share(1200) == Approx(budget).margin(0.05));

  controller.restart({0.5, 0});
  CHECK(controller.threshold(1200, budget, 0).value == 0.5);  // too few scores yet: the start stands
}

TEST_CASE("the budget controller pays back what a window lag offloads too much or too little", "[calibration]") {
  // Phases of one minute alternate between scores uniform on [0, 1) and on [0.6, 1): after each
  // change the window still holds the other phase's scores for 30 s. A pure windowed quantile
  // overshoots there by 3.5-6 points a phase; the feedback on the window's realised share pays it back.
  const double budget = 0.2, window_s = 30, phase_s = 60;
  BudgetController controller(OffloadFilter::Entropy, window_s, {0.8, 0});
  std::mt19937_64 rng(7);
  std::vector<int64_t> offloaded(10, 0), inputs(10, 0);
  for (int i = 0; i < 12000; ++i) {
    const double t_s = i * 0.05;
    const auto phase = static_cast<size_t>(t_s / phase_s);
    const double score = phase % 2 == 0 ? uniform01(rng) : 0.6 + 0.4 * uniform01(rng);
    const bool offload = score > controller.threshold(t_s, budget, 0).value;
    controller.observe(t_s, score, offload);
    offloaded[phase] += offload;
    ++inputs[phase];
  }
  for (size_t phase = 1; phase < 10; ++phase) {
    CAPTURE(phase);
    CHECK(static_cast<double>(offloaded[phase]) / inputs[phase] == Approx(budget).margin(0.03));
  }
}
