// Replications without processes: the sweep block's replications and compare keys (reading, bounds,
// messages, round trip), replication points and seeds, and the statistics of aggregate.csv and
// compare.csv against values computed by hand.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "app/point_scenario.hpp"
#include "app/sweep/slurm_scripts.hpp"
#include "app/sweep/sweep_grid.hpp"
#include "app/sweep/sweep_stats.hpp"
#include "app/sweep/sweep_table.hpp"
#include "app/sweep_command.hpp"
#include "core/csv.hpp"
#include "core/input_error.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::testing::TempDir;
using namespace eccsim;

namespace {

using eccsim::testing::input_error_of;

// SplitMix64 written out from Steele et al. (2014), independently of core/random.cpp: the k-th
// output of the generator whose state starts at `seed`.
uint64_t splitmix_step(uint64_t seed, uint64_t k) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * k;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<std::string> fields(const std::string& line) { return split_csv_record(line); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string field_of(const std::string& text, size_t row, const std::string& column) {
  const std::vector<std::string> lines = lines_of(text);
  const std::vector<std::string> header = fields(lines.at(0));
  const auto it = std::find(header.begin(), header.end(), column);
  REQUIRE(it != header.end());
  return fields(lines.at(row + 1)).at(static_cast<size_t>(it - header.begin()));
}

// A layout of filter grid points x 3 replications, each filter compared with random.
SweepStatsLayout filters_by_3_replications(std::vector<std::string> metrics) {
  SweepStatsLayout layout;
  layout.table.keys = {"policy.offload.filter"};
  layout.table.metrics = std::move(metrics);
  layout.table.replicated = true;
  layout.replications = 3;
  layout.compare_key = "policy.offload.filter";
  layout.compare_value = "random";
  return layout;
}

}  // namespace

TEST_CASE("replications: seed of replication k", "[replications]") {
  CHECK(replication_seed(2025, 0) == 2025);
  CHECK(replication_seed(2025, 1) == splitmix_step(2025, 1));
  CHECK(replication_seed(2025, 7) == splitmix_step(2025, 7));
  CHECK(replication_seed(7, 3) == splitmix_step(7, 3));
  std::set<uint64_t> seeds;
  for (int k = 0; k < 1000; ++k) seeds.insert(replication_seed(2025, k));
  CHECK(seeds.size() == 1000);
}

TEST_CASE("replications: points are grid index x n + k, values of their grid point", "[replications]") {
  SweepConfig sweep;
  sweep.grid.push_back({"platform.devices", {"1", "10"}});
  sweep.grid.push_back({"policy.offload.filter", {"entropy", "random", "margin"}});
  const std::vector<SweepPoint> plain = expand_sweep(sweep);
  sweep.replications.n = 5;
  const std::vector<SweepPoint> points = expand_sweep(sweep);
  REQUIRE(points.size() == 30);
  for (const SweepPoint& point : points) {
    CHECK(point.index == point.grid_index * 5 + point.replication);
    CHECK(point.values == plain.at(static_cast<size_t>(point.grid_index)).values);
    CHECK(point.id == fmt::format("{:04}", point.index));
  }
  CHECK(points[7].grid_index == 1);
  CHECK(points[7].replication == 2);

  // n = 1: the points of an unreplicated sweep.
  sweep.replications.n = 1;
  const std::vector<SweepPoint> again = expand_sweep(sweep);
  REQUIRE(again.size() == plain.size());
  for (size_t i = 0; i < again.size(); ++i) {
    CHECK(again[i].id == plain[i].id);
    CHECK(again[i].replication == 0);
  }

  // Replications alone: one grid point with no values.
  SweepConfig alone;
  alone.replications.n = 3;
  const std::vector<SweepPoint> single = expand_sweep(alone);
  REQUIRE(single.size() == 3);
  CHECK(single[2].values.empty());
  CHECK(single[2].grid_index == 0);
  // Sequential stopping reserves max slots per grid point.
  alone.replications.metric = "accuracy";
  alone.replications.max = 6;
  CHECK(expand_sweep(alone).size() == 6);
}

TEST_CASE("replications: a replication's scenario derives its seeds from the point's", "[replications]") {
  TempDir dir("replication-seeds");
  const fs::path file = dir.write("s.yaml", "name: s\nseed: 11\nmodels: {seed: 5}\nsweep:\n  seed: [11, 12]\n"
                                            "  replications: {n: 3, models_seed: true}\n");
  const Scenario base = load_scenario(file);
  const std::vector<SweepPoint> points = expand_sweep(base.sweep);
  REQUIRE(points.size() == 6);
  std::vector<Scenario> scenarios;
  for (const SweepPoint& point : points) {
    std::vector<std::string> overrides;
    scenarios.push_back(
        sweep_point_scenario(read_without_sweep(file), base.sweep, overrides, point, dir.path() / point.id, true));
    if (point.replication == 0) CHECK(overrides.size() == 1);  // only the grid value
  }
  CHECK(scenarios[0].seed == 11);
  CHECK(scenarios[0].models.seed == 5);
  CHECK(scenarios[1].seed == splitmix_step(11, 1));
  CHECK(scenarios[1].models.seed == splitmix_step(5, 1));
  CHECK(scenarios[1].models.dir == fmt::format("checkpoints/fmnist/seed-{}", splitmix_step(5, 1)));
  CHECK(scenarios[0].models.dir == "checkpoints/fmnist");
  CHECK(scenarios[2].seed == splitmix_step(11, 2));
  CHECK(scenarios[3].seed == 12);
  CHECK(scenarios[4].seed == splitmix_step(12, 1));  // a swept seed is the one replications derive from
  CHECK(scenarios[4].models.seed == splitmix_step(5, 1));
  CHECK(scenarios[1].sweep.grid.empty());
}

TEST_CASE("replications: Student t quantile, mean, sd and half-width", "[replications]") {
  CHECK(t_quantile_975(4) == Approx(2.776445).epsilon(1e-6));
  CHECK(t_quantile_975(1) == Approx(12.706205).epsilon(1e-6));
  CHECK(t_quantile_975(29) == Approx(2.045230).epsilon(1e-6));
  const SampleStats stats = sample_stats({1, 2, 3, 4, 5});
  CHECK(stats.n == 5);
  CHECK(stats.mean == Approx(3));
  CHECK(stats.sd == Approx(std::sqrt(2.5)));                        // 1.5811388
  CHECK(stats.hw95 == Approx(2.776445 * std::sqrt(2.5) / std::sqrt(5.0)).epsilon(1e-6));  // 1.9632432
  CHECK(stats.hw95 == Approx(1.963243).epsilon(1e-6));
  const SampleStats one = sample_stats({0.25});
  CHECK(one.mean == 0.25);
  CHECK(std::isinf(one.hw95));
  CHECK(sample_stats({}).n == 0);
}

TEST_CASE("replications: bootstrap interval of the mean is seeded and brackets it", "[replications]") {
  const std::vector<double> values{0.10, 0.12, 0.11, 0.20, 0.09};
  const Interval a = bootstrap_mean_interval(values, 42);
  const Interval b = bootstrap_mean_interval(values, 42);
  CHECK(a.lo == b.lo);
  CHECK(a.hi == b.hi);
  CHECK(a.lo < 0.124);
  CHECK(a.hi > 0.124);
  CHECK(a.lo >= 0.09);
  CHECK(a.hi <= 0.20);
  const Interval constant = bootstrap_mean_interval({0.5, 0.5, 0.5}, 1);
  CHECK(constant.lo == 0.5);
  CHECK(constant.hi == 0.5);
}

TEST_CASE("replications: aggregate.csv and compare.csv from a summary table", "[replications]") {
  // Two grid points (filter entropy, random) x 3 replications; entropy's replication 1 failed.
  const SweepStatsLayout layout = filters_by_3_replications({"accuracy", "latency_p95_s", "first_death_s"});
  const std::string summary =
      "point,status,policy.offload.filter,replication,seed,accuracy,latency_p95_s,first_death_s,error\n"
      "0000,ok,entropy,0,2025,0.800000,0.010000000,,\n"
      "0001,failed,entropy,1,77,,,,boom\n"
      "0002,ok,entropy,2,78,0.900000,0.030000000,,\n"
      "0003,ok,random,0,2025,0.500000,0.020000000,,\n"
      "0004,ok,random,1,77,0.600000,0.020000000,,\n"
      "0005,ok,random,2,78,0.700000,0.050000000,,\n";
  const std::string aggregate = aggregate_table(layout, summary);
  INFO(aggregate);
  const std::vector<std::string> header = fields(lines_of(aggregate).at(0));
  CHECK(header.at(0) == "policy.offload.filter");
  CHECK(header.at(1) == "n");
  CHECK(header.at(2) == "accuracy_mean");
  CHECK(std::find(header.begin(), header.end(), "latency_p95_s_boot_lo") != header.end());
  CHECK(std::find(header.begin(), header.end(), "accuracy_boot_lo") == header.end());
  REQUIRE(lines_of(aggregate).size() == 3);
  CHECK(field_of(aggregate, 0, "policy.offload.filter") == "entropy");
  CHECK(field_of(aggregate, 0, "n") == "2");
  CHECK(std::stod(field_of(aggregate, 0, "accuracy_mean")) == Approx(0.85));
  CHECK(std::stod(field_of(aggregate, 0, "accuracy_sd")) == Approx(std::sqrt(0.005)));  // 0.0707107
  // t(0.975, 1) x sd / sqrt(2) = 12.706205 x 0.0707107 / 1.4142136 = 0.6353102
  CHECK(std::stod(field_of(aggregate, 0, "accuracy_hw95")) == Approx(0.635310).epsilon(1e-5));
  CHECK(field_of(aggregate, 0, "accuracy_mean") == "0.850000000");  // the column's decimals + 3
  CHECK(field_of(aggregate, 1, "n") == "3");
  CHECK(std::stod(field_of(aggregate, 1, "accuracy_mean")) == Approx(0.6));
  CHECK(std::stod(field_of(aggregate, 1, "accuracy_sd")) == Approx(0.1));
  // t(0.975, 2) = 4.302653: 4.302653 x 0.1 / sqrt(3) = 0.2484138
  CHECK(std::stod(field_of(aggregate, 1, "accuracy_hw95")) == Approx(0.248414).epsilon(1e-5));
  CHECK(std::stod(field_of(aggregate, 1, "latency_p95_s_mean")) == Approx(0.03));
  CHECK(std::stod(field_of(aggregate, 1, "latency_p95_s_boot_lo")) <= 0.03);
  CHECK(std::stod(field_of(aggregate, 1, "latency_p95_s_boot_hi")) >= 0.03);
  CHECK(field_of(aggregate, 1, "first_death_s_mean").empty());  // never defined: no statistics
  CHECK(aggregate == aggregate_table(layout, summary));

  const std::string compare = compare_table(layout, summary);
  INFO(compare);
  REQUIRE(lines_of(compare).size() == 2);  // entropy against random; random itself is the baseline
  CHECK(field_of(compare, 0, "policy.offload.filter") == "entropy");
  CHECK(field_of(compare, 0, "baseline") == "random");
  CHECK(field_of(compare, 0, "n") == "2");  // replications 0 and 2: ok on both sides
  // Differences 0.8 - 0.5 = 0.3 and 0.9 - 0.7 = 0.2: mean 0.25, sd 0.0707107, hw95 0.6353102.
  CHECK(std::stod(field_of(compare, 0, "accuracy_diff_mean")) == Approx(0.25));
  CHECK(std::stod(field_of(compare, 0, "accuracy_diff_sd")) == Approx(std::sqrt(0.005)));
  CHECK(std::stod(field_of(compare, 0, "accuracy_diff_hw95")) == Approx(0.635310).epsilon(1e-5));
  CHECK(std::stod(field_of(compare, 0, "latency_p95_s_diff_mean")) == Approx(-0.015));
}

TEST_CASE("replications: a run's empty cell (a metric over no request) is left out and counted in <metric>_n",
          "[replications]") {
  const SweepStatsLayout layout = filters_by_3_replications({"accuracy", "latency_p95_s"});
  // entropy's replication 1 answered no request: accuracy 0, no latency (an empty cell, not 0).
  const std::string summary =
      "point,status,policy.offload.filter,replication,seed,accuracy,latency_p95_s,error\n"
      "0000,ok,entropy,0,2025,0.800000,0.010000000,\n"
      "0001,ok,entropy,1,77,0.000000,,\n"
      "0002,ok,entropy,2,78,0.900000,0.030000000,\n"
      "0003,ok,random,0,2025,0.500000,0.020000000,\n"
      "0004,ok,random,1,77,0.600000,0.020000000,\n"
      "0005,ok,random,2,78,0.700000,0.050000000,\n";
  const std::string aggregate = aggregate_table(layout, summary);
  INFO(aggregate);
  CHECK(field_of(aggregate, 0, "n") == "3");
  CHECK(field_of(aggregate, 0, "accuracy_n") == "3");
  CHECK(field_of(aggregate, 0, "latency_p95_s_n") == "2");
  CHECK(std::stod(field_of(aggregate, 0, "latency_p95_s_mean")) == Approx(0.02));   // not (0.01 + 0 + 0.03) / 3
  CHECK(field_of(aggregate, 1, "latency_p95_s_n") == "3");
  const std::string compare = compare_table(layout, summary);
  INFO(compare);
  CHECK(field_of(compare, 0, "n") == "3");
  CHECK(field_of(compare, 0, "latency_p95_s_diff_n") == "2");   // pairs 0 and 2 only
  CHECK(std::stod(field_of(compare, 0, "latency_p95_s_diff_mean")) == Approx(-0.015));
}

TEST_CASE("replications: the summary table gains replication and seed columns only when replicated",
          "[replications]") {
  SweepTableLayout layout{{"platform.devices"}, {"accuracy"}, false};
  CHECK(sweep_table_header(layout) == "point,status,platform.devices,accuracy,error\n");
  layout.replicated = true;
  CHECK(sweep_table_header(layout) == "point,status,platform.devices,replication,seed,accuracy,error\n");
  SweepPoint point;
  point.id = "0003";
  point.index = 3;
  point.grid_index = 1;
  point.replication = 1;
  point.values = {"10"};
  PointResult result;
  result.status = PointStatus::Ok;
  result.metrics = {"0.5"};
  result.seed = "123";
  CHECK(sweep_table_row(layout, point, result) == "0003,ok,10,1,123,0.5,\n");
  result.status = PointStatus::Unneeded;
  CHECK(sweep_table_row(layout, point, result) == "0003,unneeded,10,1,123,,\n");
}

TEST_CASE("replications: sweep block keys read, printed and read back", "[replications]") {
  TempDir dir("replications-keys");
  const fs::path plain = dir.write("plain.yaml", "sweep:\n  policy.offload.filter: [entropy, random]\n"
                                                 "  replications: 5\n  compare: {policy.offload.filter: random}\n");
  const Scenario s = load_scenario(plain);
  CHECK(s.sweep.replications.n == 5);
  CHECK_FALSE(s.sweep.replications.models_seed);
  CHECK_FALSE(s.sweep.replications.sequential());
  CHECK(s.sweep.grid.size() == 1);
  CHECK(s.sweep.compare.key == "policy.offload.filter");
  CHECK(s.sweep.compare.value == "random");
  CHECK(s.key_lines.at("sweep.replications") == 3);
  const Scenario back = load_scenario(dir.write("back.yaml", to_yaml(s)));
  CHECK(back.sweep.replications.n == 5);
  CHECK(back.sweep.compare.value == "random");

  const fs::path rich = dir.write("rich.yaml", "sweep:\n  seed: [1, 2]\n  replications:\n    min: 3\n    max: 12\n"
                                               "    until: {metric: accuracy, half_width: 0.005}\n");
  const Scenario r = load_scenario(rich);
  CHECK(r.sweep.replications.sequential());
  CHECK(r.sweep.replications.min == 3);
  CHECK(r.sweep.replications.max == 12);
  CHECK(r.sweep.replications.metric == "accuracy");
  CHECK(r.sweep.replications.half_width == 0.005);
  CHECK(r.key_lines.at("sweep.replications.until.metric") == 6);
  const Scenario r2 = load_scenario(dir.write("rich-back.yaml", to_yaml(r)));
  CHECK(r2.sweep.replications.max == 12);
  CHECK(r2.sweep.replications.half_width == 0.005);
  CHECK(to_yaml(r2) == to_yaml(r));

  const Scenario m = load_scenario(dir.write("models.yaml", "sweep:\n  replications: {n: 4, models_seed: true}\n"));
  CHECK(m.sweep.replications.n == 4);
  CHECK(m.sweep.replications.models_seed);
  CHECK(load_scenario(dir.write("models-back.yaml", to_yaml(m))).sweep.replications.models_seed);
}

TEST_CASE("replications: bad sweep keys name file, line and key", "[replications]") {
  TempDir dir("replications-errors");
  struct Case {
    const char* what;
    const char* yaml;
    int line;
    const char* key;
    const char* message;
  };
  const std::vector<Case> cases{
      {"zero", "sweep:\n  seed: [1, 2]\n  replications: 0\n", 3, "sweep.replications", "must be in [1, 1000], got 0"},
      {"above the bound", "sweep:\n  seed: [1, 2]\n  replications: 1001\n", 3, "sweep.replications",
       "must be in [1, 1000], got 1001"},
      {"not a number", "sweep:\n  replications: five\n", 2, "sweep.replications", "expected an integer, got 'five'"},
      {"a list", "sweep:\n  replications: [1, 2]\n", 2, "sweep.replications", "expected a count (1 to 1000)"},
      {"n zero in a map", "sweep:\n  replications:\n    n: 0\n", 3, "sweep.replications.n", "must be in [1, 1000]"},
      {"unknown key", "sweep:\n  replications: {n: 3, model_seed: true}\n", 2, "sweep.replications.model_seed",
       "did you mean 'models_seed'?"},
      {"n with until", "sweep:\n  replications:\n    n: 3\n    until: {metric: accuracy, half_width: 0.01}\n", 3,
       "sweep.replications.n", "n and until exclude each other"},
      {"max without until", "sweep:\n  replications:\n    max: 9\n", 3, "sweep.replications.max",
       "min and max need until"},
      {"min above max", "sweep:\n  replications:\n    min: 5\n    max: 4\n    until: {metric: cur, half_width: 1}\n", 3,
       "sweep.replications.min", "min 5 is above max 4"},
      {"until without a half width", "sweep:\n  replications:\n    until: {metric: accuracy}\n", 3,
       "sweep.replications.until.half_width", "missing"},
      {"half width zero", "sweep:\n  replications:\n    until:\n      metric: accuracy\n      half_width: 0\n", 5,
       "sweep.replications.until.half_width", "must be > 0, got 0"},
      {"compare value not on its axis",
       "sweep:\n  policy.offload.filter: [entropy, margin]\n  compare: {policy.offload.filter: random}\n", 3,
       "sweep.compare.policy.offload.filter", "value random is not on the axis (its values: entropy, margin)"},
      {"compare key not swept", "sweep:\n  platform.devices: [1, 2]\n  compare:\n    policy.offload.filter: random\n", 4,
       "sweep.compare.policy.offload.filter", "not a grid key of this sweep (grid keys: platform.devices)"},
      {"compare two keys", "sweep:\n  platform.devices: [1, 2]\n  compare: {platform.devices: 1, seed: 2}\n", 3,
       "sweep.compare", "expected one grid key and its baseline value"},
      {"compare on a one-value axis", "sweep:\n  platform.devices: [1]\n  compare: {platform.devices: 1}\n", 3,
       "sweep.compare.platform.devices", "the axis has one value: nothing to compare with"},
      {"compare a zip key", "sweep:\n  zip: {platform.devices: [1, 2], seed: [3, 4]}\n  compare: {seed: 3}\n", 3,
       "sweep.compare.seed", "not a grid key of this sweep (grid keys: none)"},
      {"n as a list", "sweep:\n  replications: {n: [1]}\n", 2, "sweep.replications.n",
       "expected a single value, got a list"},
      {"until not a mapping", "sweep:\n  replications:\n    until: accuracy\n", 3, "sweep.replications.until",
       "expected a mapping like {metric: accuracy, half_width: 0.005}"},
      {"unknown key in until", "sweep:\n  replications:\n    until:\n      metric: cur\n      width: 0.1\n", 5,
       "sweep.replications.until.width", "unknown key 'width' (expected metric, half_width)"},
  };
  int index = 0;
  for (const Case& c : cases) {
    const fs::path file = dir.write(fmt::format("case{}.yaml", index++), c.yaml);
    const std::string message = input_error_of([&] { load_scenario(file); });
    INFO(c.what << "\n" << c.yaml << "-> " << message);
    CHECK_THAT(message, Catch::StartsWith(fmt::format("{}:{}: {}: ", file.string(), c.line, c.key)));
    CHECK_THAT(message, Catch::Contains(c.message));
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("replications: --replications and the sweep command's own checks", "[replications]") {
  TempDir dir("replications-command");
  const fs::path file = dir.write("s.yaml", "sweep:\n  seed: [1, 2]\n  replications:\n    until:\n"
                                            "      metric: acuracy\n      half_width: 0.01\n");
  const Scenario base = load_scenario(file);
  SweepCommandOptions options;
  options.scenario_file = file;
  CHECK(input_error_of([&] { checked_sweep_config(base, options); }) ==
        file.string() + ":5: sweep.replications.until.metric: unknown metric 'acuracy' (expected a summary.csv "
                        "column, e.g. accuracy, latency_p95_s, energy_per_request_J)");
  options.replications = 4;  // replaces the block: no until any more
  const SweepConfig four = checked_sweep_config(base, options);
  CHECK(four.replications.n == 4);
  CHECK_FALSE(four.replications.sequential());
  options.replications = 0;
  CHECK(input_error_of([&] { checked_sweep_config(base, options); }) == "--replications 0: expected 1 to 1000");
  options.replications = 1001;
  CHECK(input_error_of([&] { checked_sweep_config(base, options); }) == "--replications 1001: expected 1 to 1000");

  const fs::path good = dir.write("good.yaml", "sweep:\n  seed: [1, 2]\n  replications:\n"
                                               "    until: {metric: accuracy, half_width: 0.01}\n");
  const fs::path trained = dir.write("trained.yaml", "sweep:\n  seed: [1, 2]\n  replications:\n    models_seed: true\n"
                                                     "    until: {metric: accuracy, half_width: 0.01}\n");
  CHECK(input_error_of([&] { checked_sweep_config(load_scenario(trained), SweepCommandOptions{}); }) ==
        trained.string() + ":4: sweep.replications.models_seed: models_seed with until is not supported (it would "
                           "train max model sets up front; give n instead)");

  SweepCommandOptions sharded;
  sharded.shard = "0/2";
  CHECK_THAT(input_error_of([&] { checked_sweep_config(load_scenario(good), sharded); }),
             Catch::StartsWith(good.string() + ":4: sweep.replications.until: sequential stopping needs every "
                                               "replication of a grid point in one sweep process"));
}

TEST_CASE("replications: --slurm's array tasks get the sweep's --replications", "[replications][slurm]") {
  SlurmSweepPlan plan;
  plan.name = "grid";
  plan.executable = "/opt/eccsim/eccsim";
  plan.work_dir = "/home/me";
  plan.scenario_file = "/home/me/s.yaml";
  plan.out_dir = "/home/me/out";
  plan.shards = 4;
  CHECK(slurm_scripts(plan).array.find("--replications") == std::string::npos);
  plan.replications = 5;
  CHECK_THAT(slurm_scripts(plan).array,
             Catch::Contains("sweep /home/me/s.yaml --replications 5 --out /home/me/out/shards/\"$shard\" --shard"));
}
