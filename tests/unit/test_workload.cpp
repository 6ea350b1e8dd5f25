// Request schedules (sim/workload): arrivals, phases and their class pools, traces, and the seeded
// draws they are built from.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"
#include "core/random.hpp"
#include "sim/workload/workload.hpp"
#include "tests/support/task_splits.hpp"

using namespace eccsim;
using eccsim::testing::five_tasks;

namespace {

std::vector<int32_t> round_robin_labels(int n) {
  std::vector<int32_t> labels;
  for (int i = 0; i < n; ++i) labels.push_back(i % 10);
  return labels;
}

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
