// Replicated sweeps with the real binary: a 2-point x 5-replication sweep whose aggregate.csv and
// compare.csv are checked against the per-run rows, common random numbers across grid points,
// shards merged byte for byte, n = 1 unchanged, sequential stopping, and bad input with exit 2.
// Base scenario: tests/scenarios/tiny.yaml on the models the ctest fixture trained once.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "app/sweep/sweep_grid.hpp"
#include "core/file_io.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/sweep_runs.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;
using eccsim::testing::run_eccsim;
using eccsim::testing::sweep_ok;
using eccsim::testing::write_sweep_scenario;

namespace {

const std::string kFilters = "{policy.offload.filter: [entropy, random], replications: 5, "
                             "compare: {policy.offload.filter: random}}";
constexpr double kT975Df4 = 2.776445;  // Student t, 0.975 quantile, 4 degrees of freedom

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = eccsim::testing::fresh_output_dir("replications-" + name);
  fs::create_directories(dir);
  return dir;
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double hw95_of(const std::vector<double>& values) {  // five values
  const double mean = mean_of(values);
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return kT975Df4 * std::sqrt(squares / 4.0) / std::sqrt(5.0);
}

}  // namespace

TEST_CASE("a 2-point x 5-replication sweep: aggregates and paired differences from its runs",
          "[sim][sweep][replications]") {
  const fs::path dir = fresh_dir("filters");
  const fs::path scenario = write_sweep_scenario(dir, kFilters);
  const fs::path out = dir / "out";
  const ProcessResult sweep = sweep_ok(scenario, out, {"-j", "2"});
  CHECK_THAT(sweep.out, Catch::Contains("10 points (10 ok, 0 failed"));

  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 10);
  CHECK_THAT(file_bytes(out / "summary.csv"),
             Catch::StartsWith("point,status,policy.offload.filter,replication,seed,requests,"));
  std::map<std::string, std::vector<size_t>> rows_of;  // filter -> summary rows, by replication
  for (size_t row = 0; row < summary.rows(); ++row) {
    CAPTURE(row);
    CHECK(summary.text(row, "status") == "ok");
    CHECK(summary.number(row, "replication") == static_cast<double>(row % 5));
    CHECK(summary.text(row, "policy.offload.filter") == (row < 5 ? "entropy" : "random"));
    rows_of[summary.text(row, "policy.offload.filter")].push_back(row);
  }
  // Seeds: replication 0 runs the scenario's own, replication k the same derived seed at both points.
  for (size_t k = 0; k < 5; ++k) {
    CAPTURE(k);
    const std::string seed = summary.text(k, "seed");
    CHECK(seed == std::to_string(eccsim::replication_seed(2025, static_cast<int>(k))));
    CHECK(summary.text(5 + k, "seed") == seed);
    // Common random numbers: replication k of both filters has the same arrivals and samples.
    const CsvTable entropy(out / "points" / fmt::format("{:04}", k) / "requests.csv");
    const CsvTable random(out / "points" / fmt::format("{:04}", 5 + k) / "requests.csv");
    CHECK(entropy.numbers("t_arrival_s") == random.numbers("t_arrival_s"));
    CHECK(entropy.numbers("sample") == random.numbers("sample"));
    if (k > 0) CHECK(entropy.numbers("t_arrival_s") != CsvTable(out / "points" / "0000" / "requests.csv").numbers("t_arrival_s"));
  }

  // aggregate.csv: one row per filter; mean and half-width recomputed from the five runs' rows.
  const CsvTable aggregate(out / "aggregate.csv");
  REQUIRE(aggregate.rows() == 2);
  const std::vector<std::string> metrics{"accuracy", "cur", "latency_mean_s", "latency_p95_s", "energy_per_request_J"};
  for (size_t g = 0; g < 2; ++g) {
    const std::string filter = aggregate.text(g, "policy.offload.filter");
    CAPTURE(filter);
    CHECK(filter == (g == 0 ? "entropy" : "random"));
    CHECK(aggregate.number(g, "n") == 5);
    for (const std::string& metric : metrics) {
      CAPTURE(metric);
      std::vector<double> values;
      for (const size_t row : rows_of[filter]) values.push_back(summary.number(row, metric));
      CHECK(aggregate.number(g, metric + "_mean") == Approx(mean_of(values)).epsilon(1e-6).margin(1e-12));
      CHECK(aggregate.number(g, metric + "_hw95") == Approx(hw95_of(values)).epsilon(1e-5).margin(1e-12));
    }
    CHECK(aggregate.number(g, "latency_p95_s_boot_lo") <= aggregate.number(g, "latency_p95_s_mean"));
    CHECK(aggregate.number(g, "latency_p95_s_boot_hi") >= aggregate.number(g, "latency_p95_s_mean"));
  }
  // The filters differ somewhere, so the test can tell a mix-up of grid points.
  CHECK(aggregate.number(0, "cur_mean") != aggregate.number(1, "cur_mean"));

  // compare.csv: entropy - random, replication by replication.
  const CsvTable compare(out / "compare.csv");
  REQUIRE(compare.rows() == 1);
  CHECK(compare.text(0, "policy.offload.filter") == "entropy");
  CHECK(compare.text(0, "baseline") == "random");
  CHECK(compare.number(0, "n") == 5);
  for (const std::string& metric : metrics) {
    CAPTURE(metric);
    std::vector<double> differences;
    for (size_t k = 0; k < 5; ++k) {
      differences.push_back(summary.number(rows_of["entropy"][k], metric) - summary.number(rows_of["random"][k], metric));
    }
    CHECK(compare.number(0, metric + "_diff_mean") == Approx(mean_of(differences)).epsilon(1e-6).margin(1e-12));
    CHECK(compare.number(0, metric + "_diff_hw95") == Approx(hw95_of(differences)).epsilon(1e-5).margin(1e-12));
  }

  // Shards of the same sweep (resumed from copies: nothing re-run) merge into the same bytes.
  std::vector<std::string> merge{"merge"};
  for (int k = 0; k < 2; ++k) {
    const fs::path shard = dir / fmt::format("shard-{}", k);
    fs::copy(out, shard, fs::copy_options::recursive);
    const ProcessResult resumed = sweep_ok(scenario, shard, {"--shard", fmt::format("{}/2", k), "--resume"});
    CHECK_THAT(resumed.out, Catch::Contains("5 resumed"));
    merge.push_back(shard.string());
  }
  merge.insert(merge.end(), {"--out", (dir / "merged").string()});
  const ProcessResult merged = run_eccsim(merge);
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  for (const char* file : {"summary.csv", "aggregate.csv", "compare.csv"}) {
    CAPTURE(file);
    CHECK(file_bytes(dir / "merged" / file) == file_bytes(out / file));
  }

  // n = 1 (--replications 1): today's table, no replication columns; its runs are replication 0's.
  const ProcessResult single = sweep_ok(scenario, dir / "single", {"--replications", "1", "-j", "2"});
  CHECK_THAT(single.out, Catch::Contains("2 points (2 ok, 0 failed"));
  const std::string single_table = file_bytes(dir / "single" / "summary.csv");
  CHECK_THAT(single_table, Catch::StartsWith("point,status,policy.offload.filter,requests,"));
  CHECK(single_table.find("seed") == std::string::npos);
  CHECK(file_bytes(dir / "single" / "sweep.json").find("\"replications\":") == std::string::npos);
  const CsvTable one(dir / "single" / "summary.csv");
  REQUIRE(one.rows() == 2);
  for (const std::string& metric : metrics) {
    CHECK(one.text(0, metric) == summary.text(0, metric));
    CHECK(one.text(1, metric) == summary.text(5, metric));
  }
  const CsvTable one_aggregate(dir / "single" / "aggregate.csv");
  CHECK(one_aggregate.number(0, "n") == 1);
  CHECK(one_aggregate.text(0, "accuracy_mean") == summary.text(0, "accuracy") + "000");
  CHECK(one_aggregate.text(0, "accuracy_hw95").empty());
  fs::remove_all(dir);
}

TEST_CASE("sequential stopping runs min replications, then only while the interval is wide",
          "[sim][sweep][replications]") {
  const fs::path dir = fresh_dir("sequential");
  // Any interval is narrower than 10: two replications per point, the other two unneeded.
  const fs::path scenario = write_sweep_scenario(
      dir, "{policy.offload.filter: [entropy, random], replications: {min: 2, max: 4, "
           "until: {metric: accuracy, half_width: 10}}}");
  const ProcessResult sweep = sweep_ok(scenario, dir / "out");
  CHECK_THAT(sweep.out, Catch::Contains("8 points (4 ok, 0 failed, 4 unneeded"));
  const CsvTable summary(dir / "out" / "summary.csv");
  REQUIRE(summary.rows() == 8);
  for (size_t row = 0; row < 8; ++row) {
    CAPTURE(row);
    CHECK(summary.text(row, "status") == (row % 4 < 2 ? "ok" : "unneeded"));
  }
  CHECK_FALSE(fs::exists(dir / "out" / "points" / "0002" / "summary.csv"));
  const CsvTable aggregate(dir / "out" / "aggregate.csv");
  REQUIRE(aggregate.rows() == 2);
  CHECK(aggregate.number(0, "n") == 2);
  CHECK(aggregate.number(1, "n") == 2);

  // No interval of a mean latency reaches 1 ns: every grid point runs up to max, one at a time.
  const fs::path wide = fresh_dir("sequential-wide");
  const ProcessResult all = sweep_ok(
      write_sweep_scenario(wide, "{policy.offload.filter: [entropy], replications: {min: 2, max: 3, "
                                 "until: {metric: latency_mean_s, half_width: 1e-9}}}"),
      wide / "out", {"-j", "2"});
  CHECK_THAT(all.out, Catch::Contains("3 points (3 ok, 0 failed, 0 resumed"));
  CHECK(CsvTable(wide / "out" / "aggregate.csv").number(0, "n") == 3);
  fs::remove_all(wide);
  fs::remove_all(dir);
}

TEST_CASE("bad replications, compare and until input: one line with file:line and key, exit 2",
          "[sim][sweep][replications]") {
  const fs::path dir = fresh_dir("bad-input");
  struct Case {
    const char* what;
    std::string sweep;
    std::vector<std::string> flags;
    std::string message;  // after "<file>:<line>: " or as the whole line for a flag
  };
  const std::vector<Case> cases{
      {"zero", "sweep:\n  seed: [1, 2]\n  replications: 0\n", {}, ":3: sweep.replications: must be in [1, 1000], got 0"},
      {"above the bound", "sweep:\n  seed: [1, 2]\n  replications: 1001\n", {},
       ":3: sweep.replications: must be in [1, 1000], got 1001"},
      {"compare value not on its axis",
       "sweep:\n  policy.offload.filter: [entropy, margin]\n  compare: {policy.offload.filter: random}\n", {},
       ":3: sweep.compare.policy.offload.filter: value random is not on the axis (its values: entropy, margin)"},
      {"unknown until metric",
       "sweep:\n  seed: [1, 2]\n  replications:\n    until: {metric: acuracy, half_width: 0.01}\n", {},
       ":4: sweep.replications.until.metric: unknown metric 'acuracy'"},
      {"--replications 0", "sweep:\n  seed: [1, 2]\n", {"--replications", "0"}, "--replications 0: expected 1 to 1000"},
      {"a combination of values the reader refuses",
       "sweep:\n  policy.offload.filter: [entropy, edge_only]\n  policy.offload.target_cur: [0.5]\n", {},
       ":1: sweep: point 0001 (policy.offload.filter=edge_only, policy.offload.target_cur=0.5) cannot run: "
       "policy.offload.target_cur: the edge_only baseline offloads nothing"},
  };
  int index = 0;
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const fs::path file = dir / fmt::format("case{}.yaml", index++);
    std::ofstream(file) << c.sweep;
    std::vector<std::string> args{"sweep", file.string(), "--out", (dir / "out").string()};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    const ProcessResult result = run_eccsim(args);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::StartsWith(c.flags.empty() ? file.string() + c.message : c.message));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    CHECK_FALSE(fs::exists(dir / "out" / "points"));  // refused before anything ran
    if (!c.flags.empty()) continue;
    const ProcessResult validate = run_eccsim({"validate", file.string()});   // validate agrees
    CHECK(validate.exit_code == 2);
    CHECK(validate.err == result.err);
  }
  fs::remove_all(dir);
}
