// Unit tests of the simulation's pure pieces: request schedules, offload filters, cost
// model, metrics. No engine runs here.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"
#include "core/random.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/policy/head_classes.hpp"
#include "sim/policy/offload_policy.hpp"
#include "sim/policy/update_buffer.hpp"
#include "sim/report/metrics.hpp"
#include "sim/workload/workload.hpp"

using namespace eccsim;

namespace {

TaskSplit five_tasks() {
  TaskSplitOptions options;
  options.num_classes = 10;
  options.tasks = 5;
  options.seed = 7;
  return make_task_split(options);
}

std::vector<int32_t> round_robin_labels(int n) {
  std::vector<int32_t> labels;
  for (int i = 0; i < n; ++i) labels.push_back(i % 10);
  return labels;
}

EdgePrediction prediction(float entropy, float max_prob, float margin) {
  EdgePrediction p;
  p.entropy_score = entropy;
  p.max_prob = max_prob;
  p.margin = margin;
  p.predicted = 0;
  return p;
}

// The scenario's fixed threshold for the config's filter.
Threshold fixed(const OffloadConfig& config) { return given_threshold(config.filter, config.threshold); }

}  // namespace

TEST_CASE("schedules are deterministic per seed and device, and differ across both", "[workload]") {
  const TaskSplit split = five_tasks();
  const auto labels = round_robin_labels(1000);
  Scenario scenario;
  scenario.workload.rate_per_s = 5;
  scenario.workload.duration_s = 20;
  const SamplePools pools(scenario.workload, split, labels);
  const auto a = device_schedule(scenario.workload, scenario.seed, 0, pools, split, labels, {});
  const auto b = device_schedule(scenario.workload, scenario.seed, 0, pools, split, labels, {});
  const auto other_device = device_schedule(scenario.workload, scenario.seed, 1, pools, split, labels, {});
  scenario.seed += 1;
  const auto other_seed = device_schedule(scenario.workload, scenario.seed, 0, pools, split, labels, {});
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].t_arrival_s == b[i].t_arrival_s);
    CHECK(a[i].sample == b[i].sample);
  }
  CHECK(a.front().t_arrival_s != other_device.front().t_arrival_s);
  CHECK(a.front().t_arrival_s != other_seed.front().t_arrival_s);
}

TEST_CASE("poisson arrivals have the configured rate", "[workload]") {
  const TaskSplit split = five_tasks();
  const auto labels = round_robin_labels(1000);
  Scenario scenario;
  scenario.workload.rate_per_s = 10;
  scenario.workload.duration_s = 2000;
  const SamplePools pools(scenario.workload, split, labels);
  const auto schedule = device_schedule(scenario.workload, scenario.seed, 3, pools, split, labels, {});
  CHECK(static_cast<double>(schedule.size()) / 2000 == Approx(10).epsilon(0.03));
  for (size_t i = 1; i < schedule.size(); ++i) CHECK(schedule[i].t_arrival_s >= schedule[i - 1].t_arrival_s);
  CHECK(schedule.back().t_arrival_s <= 2000);
}

TEST_CASE("requests_per_device bounds the stream and periodic arrivals are evenly spaced", "[workload]") {
  const TaskSplit split = five_tasks();
  const auto labels = round_robin_labels(1000);
  Scenario scenario;
  scenario.workload.arrival = Arrival::Periodic;
  scenario.workload.rate_per_s = 4;
  scenario.workload.requests_per_device = 25;
  const SamplePools pools(scenario.workload, split, labels);
  const auto schedule = device_schedule(scenario.workload, scenario.seed, 0, pools, split, labels, {});
  REQUIRE(schedule.size() == 25);
  for (size_t i = 1; i < schedule.size(); ++i)
    CHECK(schedule[i].t_arrival_s - schedule[i - 1].t_arrival_s == Approx(0.25));
}

TEST_CASE("phases draw from the classes the workload allows", "[workload]") {
  const TaskSplit split = five_tasks();
  const auto labels = round_robin_labels(1000);
  Scenario scenario;
  scenario.workload.rate_per_s = 20;
  scenario.workload.duration_s = 50;
  scenario.workload.phase_length_s = 10;
  for (const ClassMix classes : {ClassMix::Cumulative, ClassMix::Current, ClassMix::All}) {
    scenario.workload.classes = classes;
    const SamplePools pools(scenario.workload, split, labels);
    const auto schedule = device_schedule(scenario.workload, scenario.seed, 0, pools, split, labels, {});
    bool saw_older_task_late = false;
    for (const ScheduledRequest& r : schedule) {
      CHECK(r.phase == phase_at(scenario.workload, 5, r.t_arrival_s));
      const int task = split.task_of(r.label);
      CHECK(r.label == split.new_label_of[labels[r.sample]]);
      if (classes == ClassMix::Current) CHECK(task == r.phase);
      if (classes == ClassMix::Cumulative) CHECK(task <= r.phase);
      if (r.phase == 4 && task < 4) saw_older_task_late = true;
    }
    if (classes != ClassMix::Current) CHECK(saw_older_task_late);
  }
}

TEST_CASE("trace files give the arrival times and reject bad lines", "[workload]") {
  const auto dir = std::filesystem::temp_directory_path() / "eccsim-trace-test";
  std::filesystem::create_directories(dir);
  const auto good = dir / "good.txt";
  std::ofstream(good) << "# arrivals\n0.5\n1.0\n1.0\n2.25\n";
  CHECK(read_trace(good.string()) == std::vector<double>{0.5, 1.0, 1.0, 2.25});
  const auto unsorted = dir / "unsorted.txt";
  std::ofstream(unsorted) << "1.0\n0.5\n";
  CHECK_THROWS_WITH(read_trace(unsorted.string()), Catch::Contains("unsorted.txt:2: workload.trace") &&
                                                        Catch::Contains("non-decreasing"));
  const auto negative = dir / "negative.txt";
  std::ofstream(negative) << "-1\n";
  CHECK_THROWS_WITH(read_trace(negative.string()), Catch::Contains("negative.txt:1") && Catch::Contains("negative"));
  const auto junk = dir / "junk.txt";
  std::ofstream(junk) << "1.0\nsoon\n";
  CHECK_THROWS_AS(read_trace(junk.string()), InputError);
  CHECK_THROWS_WITH(read_trace((dir / "missing.txt").string()), Catch::Contains("cannot read"));
}

TEST_CASE("offload filters follow the paper's rules and their end points are exact", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Entropy;
  config.threshold = 0.7;
  OffloadPolicy entropy(config, 1);
  CHECK(entropy.should_offload(prediction(0.8f, 0.5f, 0.1f), fixed(config)));
  CHECK_FALSE(entropy.should_offload(prediction(0.6f, 0.5f, 0.1f), fixed(config)));
  config.threshold = 0;
  OffloadPolicy everything(config, 1);
  CHECK(everything.should_offload(prediction(0.0f, 1.0f, 1.0f), fixed(config)));
  config.threshold = 1;
  OffloadPolicy nothing(config, 1);
  CHECK_FALSE(nothing.should_offload(prediction(1.0f, 0.1f, 0.0f), fixed(config)));

  config.filter = OffloadFilter::MaxProb;
  config.threshold = 0.9;
  OffloadPolicy max_prob(config, 1);
  CHECK(max_prob.should_offload(prediction(0.1f, 0.8f, 0.7f), fixed(config)));
  CHECK_FALSE(max_prob.should_offload(prediction(0.1f, 0.95f, 0.9f), fixed(config)));
  CHECK(max_prob.score(prediction(0.1f, 0.8f, 0.7f)) == Approx(0.8));

  config.filter = OffloadFilter::Margin;
  config.threshold = 0.5;
  OffloadPolicy margin(config, 1);
  CHECK(margin.should_offload(prediction(0.1f, 0.6f, 0.3f), fixed(config)));
  CHECK_FALSE(margin.should_offload(prediction(0.1f, 0.9f, 0.8f), fixed(config)));

  config.filter = OffloadFilter::EdgeOnly;
  CHECK_FALSE(OffloadPolicy(config, 1).should_offload(prediction(1, 0, 0), fixed(config)));
  config.filter = OffloadFilter::CloudOnly;
  OffloadPolicy cloud_only(config, 1);
  CHECK(cloud_only.should_offload(prediction(0, 1, 1), fixed(config)));
  CHECK_FALSE(cloud_only.runs_edge_model());
}

TEST_CASE("the random filter offloads its rate of inputs, reproducibly", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Random;
  config.rate = 0.3;
  OffloadPolicy a(config, 42), b(config, 42);
  int offloaded = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool decision = a.should_offload(prediction(0, 1, 1), fixed(config));
    CHECK(decision == b.should_offload(prediction(0, 1, 1), fixed(config)));
    offloaded += decision;
  }
  CHECK(offloaded / 10000.0 == Approx(0.3).epsilon(0.05));
}

TEST_CASE("exploration offloads its share of what the filter keeps, on its own seeded stream", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Entropy;
  config.threshold = 0.7;
  config.explore = 0.2;
  OffloadPolicy a(config, 1, 99), b(config, 1, 99), other_seed(config, 1, 100);
  int kept = 0, explored = 0, differs = 0;
  for (int i = 0; i < 20000; ++i) {
    // Every fourth input is ambiguous: the filter offloads it, and it is never marked explored.
    const EdgePrediction p = prediction(i % 4 == 0 ? 0.9f : 0.1f, 0.5f, 0.1f);
    const OffloadDecision d = a.decide(p, fixed(config));
    const OffloadDecision same = b.decide(p, fixed(config));
    CHECK((d.offload == same.offload && d.explored == same.explored));
    differs += other_seed.decide(p, fixed(config)).explored != d.explored;
    if (i % 4 == 0) {
      CHECK((d.offload && !d.explored));
    } else {
      ++kept;
      explored += d.explored;
      CHECK(d.offload == d.explored);
    }
  }
  CHECK(static_cast<double>(explored) / kept == Approx(0.2).epsilon(0.05));
  CHECK(differs > 0);

  config.explore = 1;
  for (const OffloadFilter baseline : {OffloadFilter::EdgeOnly, OffloadFilter::CloudOnly}) {
    config.filter = baseline;
    OffloadPolicy policy(config, 1, 99);
    const OffloadDecision d = policy.decide(prediction(0.1f, 0.9f, 0.9f), fixed(config));
    CHECK_FALSE(d.explored);
    CHECK(d.offload == (config.filter == OffloadFilter::CloudOnly));
  }
}

TEST_CASE("exploration never changes which inputs the random filter picks", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Random;
  config.rate = 0.3;
  OffloadPolicy plain(config, 42, 7);
  config.explore = 0.5;
  OffloadPolicy exploring(config, 42, 7);
  for (int i = 0; i < 2000; ++i) {
    const bool picked = plain.should_offload(prediction(0, 1, 1), fixed(config));
    const OffloadDecision d = exploring.decide(prediction(0, 1, 1), fixed(config));
    CHECK(picked == (d.offload && !d.explored));
  }
}

TEST_CASE("the update buffer keeps every class's share when full, or the newest samples", "[update]") {
  UpdateConfig update;
  update.buffer = 12;
  std::deque<BufferedSample> buffer;
  // Class 0 floods the buffer first; classes 1 and 2 arrive later and still get their share.
  for (int i = 0; i < 30; ++i) keep_in_buffer(buffer, {i, 0}, update);
  for (int i = 30; i < 40; ++i) keep_in_buffer(buffer, {i, 1}, update);
  for (int i = 40; i < 44; ++i) keep_in_buffer(buffer, {i, 2}, update);
  REQUIRE(buffer.size() == 12);
  CHECK(count_in_classes(buffer, {0}) == 4);
  CHECK(count_in_classes(buffer, {1}) == 4);
  CHECK(count_in_classes(buffer, {2}) == 4);
  CHECK(count_in_classes(buffer, {1, 2}) == 8);
  // Within a class the oldest go first: class 0 keeps its four newest.
  std::vector<int64_t> class0;
  for (const BufferedSample& b : buffer)
    if (b.cloud_label == 0) class0.push_back(b.sample);
  CHECK(class0 == std::vector<int64_t>{26, 27, 28, 29});

  update.buffer_policy = BufferPolicy::Fifo;
  std::deque<BufferedSample> fifo;
  for (int i = 0; i < 30; ++i) keep_in_buffer(fifo, {i, i < 25 ? 0 : 1}, update);
  REQUIRE(fifo.size() == 12);
  CHECK(fifo.front().sample == 18);
  CHECK(count_in_classes(fifo, {1}) == 5);

  const ImageSet images;
  const LabelledSamples samples = buffer_samples(fifo, &images);
  CHECK(samples.images == &images);
  CHECK(samples.indices.size() == 12);
  CHECK(samples.labels.back() == 1);
}

namespace {

// `count` samples of `label` appended to `buffer` (and to the cloud's label order), ids from `next`.
void label_samples(std::deque<BufferedSample>& buffer, LabelOrder& order, int32_t label, int count, int64_t& next) {
  for (int k = 0; k < count; ++k) {
    buffer.push_back({next++, label});
    order.note(label);
  }
}

}  // namespace

TEST_CASE("the next head: the split's next task, or the classes the cloud labelled first", "[update]") {
  const TaskSplit split = five_tasks();   // re-indexed tasks {0, 1}, {2, 3}, ..., {8, 9}
  REQUIRE(split.task_classes[1] == std::vector<int32_t>{2, 3});
  UpdateConfig update;
  update.trigger = 10;
  const LearnedClasses base{1, {0, 1}};
  std::deque<BufferedSample> buffer;
  LabelOrder order;
  int64_t id = 0;

  // The cloud labels 7 first, then an old class, then 4 and 2: a later task before the split's next one.
  label_samples(buffer, order, 7, 5, id);
  label_samples(buffer, order, 0, 30, id);
  label_samples(buffer, order, 4, 4, id);
  label_samples(buffer, order, 2, 6, id);
  CHECK(order.labels() == std::vector<int32_t>{7, 0, 4, 2});

  update.classes = UpdateClasses::TaskOrder;
  CHECK_FALSE(next_head(update, split, base, buffer, order));   // 6 of task 1's classes, trigger 10
  update.classes = UpdateClasses::CloudLabels;
  // Two classes (task 1's size), each with ceil(10 / 2) = 5 samples: 7 and 2 (4 has four), sorted.
  std::optional<NextHead> next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 1);
  CHECK(next->classes == std::vector<int32_t>{2, 7});
  // A fifth 4: it was labelled before 2, so the head takes 7 and 4.
  label_samples(buffer, order, 4, 1, id);
  next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->classes == std::vector<int32_t>{4, 7});

  // Task order waits for task 1's classes whatever the cloud labelled first.
  update.classes = UpdateClasses::TaskOrder;
  CHECK_FALSE(next_head(update, split, base, buffer, order));
  label_samples(buffer, order, 3, 4, id);
  next = next_head(update, split, base, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 1);
  CHECK(next->classes == std::vector<int32_t>{2, 3});

  // Classes already learned never count, and the next head's size is the split's next task's.
  update.classes = UpdateClasses::CloudLabels;
  const LearnedClasses two_heads{2, {0, 1, 7, 4}};
  CHECK_FALSE(next_head(update, split, two_heads, buffer, order));   // 2 has six, 3 only four
  label_samples(buffer, order, 3, 1, id);
  next = next_head(update, split, two_heads, buffer, order);
  REQUIRE(next);
  CHECK(next->head == 2);
  CHECK(next->classes == std::vector<int32_t>{2, 3});
  CHECK_FALSE(next_head(update, split, LearnedClasses{5, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, buffer, order));
}

TEST_CASE("the next head: when the cloud's order is the split's, both rules pick the same classes", "[update]") {
  const TaskSplit split = five_tasks();
  UpdateConfig update;
  update.trigger = 10;
  std::deque<BufferedSample> buffer;
  LabelOrder order;
  int64_t id = 0;
  label_samples(buffer, order, 3, 5, id);
  label_samples(buffer, order, 2, 5, id);
  for (const UpdateClasses rule : {UpdateClasses::TaskOrder, UpdateClasses::CloudLabels}) {
    update.classes = rule;
    const std::optional<NextHead> next = next_head(update, split, LearnedClasses{1, {0, 1}}, buffer, order);
    REQUIRE(next);
    CHECK(next->classes == std::vector<int32_t>{2, 3});   // ascending within the head
  }
  // Unequal tasks: a head of three classes needs ceil(10 / 3) = 4 samples of each.
  CHECK(per_class_trigger(10, 3) == 4);
  CHECK(per_class_trigger(20, 2) == 10);
  CHECK(per_class_trigger(1, 2) == 1);
  TaskSplitOptions uneven;
  uneven.tasks = 3;
  uneven.base_classes = 4;   // tasks of 4, 3 and 3 classes
  const TaskSplit three = make_task_split(uneven);
  REQUIRE(three.task_classes[1].size() == 3);
  update.classes = UpdateClasses::CloudLabels;
  std::deque<BufferedSample> held;
  LabelOrder labelled;
  label_samples(held, labelled, 9, 4, id);
  label_samples(held, labelled, 5, 4, id);
  label_samples(held, labelled, 8, 3, id);
  const LearnedClasses four{1, {0, 1, 2, 3}};
  CHECK_FALSE(next_head(update, three, four, held, labelled));
  label_samples(held, labelled, 8, 1, id);
  const std::optional<NextHead> next = next_head(update, three, four, held, labelled);
  REQUIRE(next);
  CHECK(next->classes == std::vector<int32_t>{5, 8, 9});
}

TEST_CASE("a deferred generator draws what its seed's generator draws, and copies go their own way", "[workload]") {
  std::mt19937_64 plain(42);
  DeferredGenerator deferred(42);
  for (int k = 0; k < 5; ++k) CHECK(deferred.get()() == plain());
  DeferredGenerator copy = deferred;  // taken mid-stream: continues from there, independently
  const uint64_t next = plain();
  CHECK(copy.get()() == next);
  CHECK(deferred.get()() == next);
  DeferredGenerator unused(7);
  DeferredGenerator unused_copy = unused;  // never drawn: both start from the seed
  CHECK(unused.get()() == unused_copy.get()());
}

TEST_CASE("seeded subsets draw without replacement, reproducibly", "[workload]") {
  std::vector<int64_t> items(100);
  for (int i = 0; i < 100; ++i) items[i] = i * 3;
  const auto a = seeded_subset(items, 30, 5);
  CHECK(a == seeded_subset(items, 30, 5));
  CHECK(a != seeded_subset(items, 30, 6));
  REQUIRE(a.size() == 30);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  for (int64_t v : a) CHECK(v % 3 == 0);
  CHECK(seeded_subset(items, 500, 5).size() == 100);
}

TEST_CASE("cloud cost: a batch-latency curve, linear between its points, scaled by speed", "[cost]") {
  const BatchLatencyCurve curve({{1, 10e-3}, {4, 16e-3}, {32, 72e-3}}, /*speed=*/2);
  CHECK(curve.largest_batch() == 32);
  CHECK(curve.seconds(1) == Approx(5e-3));
  CHECK(curve.seconds(2) == Approx(6e-3));    // (10 + 6 / 3) ms / 2
  CHECK(curve.seconds(4) == Approx(8e-3));
  CHECK(curve.seconds(18) == Approx(22e-3));  // halfway from 16 to 72 ms, / 2
  CHECK(curve.seconds(40) == Approx(44e-3));  // the last slope (2 ms per sample) goes on
  CHECK(BatchLatencyCurve({{1, 3e-3}}).seconds(4) == Approx(12e-3));
  CloudConfig cloud;
  cloud.cores = 4;
  cloud.power_idle_W = 0;
  cloud.power_busy_W = 400;
  const Cost one = cloud_batch_cost(cloud, curve, {1e9});
  const Cost four = cloud_batch_cost(cloud, curve, {1e9, 1e9, 1e9, 1e9});
  CHECK(four.duration_s == Approx(8e-3));
  // A core's dynamic power x batch time, split over the batch: batching lowers the energy per request.
  CHECK(one.energy_J == Approx(100 * 5e-3));
  CHECK(four.energy_J == Approx(100 * 8e-3 / 4));
}

TEST_CASE("cloud cost: a measured profile scaled to the declared core keeps its shape", "[cost]") {
  // 1e6 MACs per input: batch 4 is the best throughput, 4 x 2e6 flop in 2 ms = 4 Gflop/s.
  const std::vector<BatchLatencyPoint> profile{{1, 1e-3}, {4, 2e-3}, {16, 16e-3}};
  const double speed = declared_core_speed_factor(profile, 1e6, 40e9);
  CHECK(speed == Approx(10));
  const BatchLatencyCurve curve(profile, speed);
  // At the best batch size the declared core runs at its declared speed (the flops model's time) ...
  CHECK(curve.seconds(4) == Approx(4 * 2e6 / 40e9));
  // ... and every other size keeps its measured ratio to it.
  CHECK(curve.seconds(1) / curve.seconds(4) == Approx(0.5));
  CHECK(curve.seconds(16) / curve.seconds(4) == Approx(8));
}

TEST_CASE("cloud cost: the stored serving profile round-trips, malformed ones name file and line", "[cost]") {
  const std::vector<BatchLatencyPoint> points{{1, 0.00683}, {2, 0.0022}, {256, 0.38}};
  CHECK(parse_latency_profile(latency_profile_csv(points), "p.csv") == points);
  const auto refused = [](const std::string& text) {
    try {
      parse_latency_profile(text, "p.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("") == "p.csv:1: expected the header batch,latency_s,samples_per_s");
  CHECK(refused("batch,latency_s,samples_per_s\n1,0.01,100\nx,0.02,100\n") ==
        "p.csv:3: expected a batch size and a time in seconds, got 'x,0.02,100'");
  CHECK(refused("batch,latency_s,samples_per_s\n1,0.01,100\n1,0.02,50\n") ==
        "p.csv:3: batch sizes must ascend from 1 with positive times, got '1,0.02,50'");
  CHECK(refused("batch,latency_s,samples_per_s\n2,0.01,200\n") == "p.csv: the profile must start with batch size 1");
}

TEST_CASE("summary: accuracy, CUR, AccI and percentiles", "[metrics]") {
  std::vector<RequestRecord> records(4);
  for (int i = 0; i < 4; ++i) {
    records[i].request_id = i;
    records[i].label = 1;
    records[i].latency_s = i + 1;
    records[i].edge_energy_J = 1;
  }
  records[0].final_pred = 1, records[0].edge_only_pred = 1, records[0].cloud_only_pred = 1;
  records[1].final_pred = 1, records[1].edge_only_pred = 0, records[1].cloud_only_pred = 1, records[1].offloaded = true;
  records[2].final_pred = 0, records[2].edge_only_pred = 0, records[2].cloud_only_pred = 1;
  records[3].final_pred = 0, records[3].edge_only_pred = 0, records[3].cloud_only_pred = 0;
  const Summary s = summarise(records);
  CHECK(s.accuracy == Approx(0.5));
  CHECK(s.edge_only_accuracy == Approx(0.25));
  CHECK(s.cloud_only_accuracy == Approx(0.75));
  CHECK(s.acci == Approx(0.5));
  CHECK(s.cur == Approx(0.25));
  CHECK(s.latency_mean_s == Approx(2.5));
  CHECK(s.latency_p50_s == Approx(2.5));
  CHECK(s.energy_per_request_J == Approx(1));
  CHECK(s.offloaded_latency_p50_s == Approx(2));   // the one offloaded request
  CHECK(s.answered == 4);
  CHECK(s.availability == Approx(1));
  CHECK(percentile({1, 2, 3, 4, 5}, 0.95) == Approx(4.8));
  CHECK(percentile({}, 0.5) == 0);
}

TEST_CASE("summary: dropped and held-back requests count against accuracy, not in latency or accuracy_answered",
          "[metrics]") {
  std::vector<RequestRecord> records(4);
  for (int i = 0; i < 4; ++i) {
    records[i].request_id = i;
    records[i].label = 1;
    records[i].final_pred = 1;
    records[i].latency_s = 1;
    records[i].edge_energy_J = 1;
  }
  records[2].outcome = Outcome::Dropped, records[2].final_pred = -1, records[2].latency_s = 9;
  records[3].outcome = Outcome::HeldBack, records[3].final_pred = -1, records[3].latency_s = 0;
  const Summary s = summarise(records);
  CHECK(s.answered == 2);
  CHECK(s.availability == Approx(0.5));
  CHECK(s.dropped == 1);
  CHECK(s.held_back == 1);
  CHECK(s.accuracy == Approx(0.5));
  CHECK(s.accuracy_answered == Approx(1));
  CHECK(s.latency_p95_s == Approx(1));
  CHECK(s.energy_per_request_J == Approx(1));
  CHECK(s.energy_per_answered_request_J == Approx(2));
}
