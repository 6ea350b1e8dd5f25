// Simulation tests of offloading by budget: thresholds calibrated to a target CUR on held-out
// images, their recalibration after updates, and the online budget controller. The real binary
// on tiny scenarios with the test models; invariants checked on summary.csv, tasks.csv and
// thresholds.csv.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::max_deviation;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();

// `eccsim ARGS --set SETS... --set models.dir=<test models>`.
ProcessResult eccsim_on_test_models(std::vector<std::string> args, const std::vector<std::string>& sets) {
  for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
  args.insert(args.end(), {"--set", std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR});
  return eccsim::testing::run_eccsim(args);
}

fs::path run_ok(const std::string& name, const std::vector<std::string>& sets) {
  return eccsim::testing::run_sim_ok(name, eccsim::testing::SimRun(kTiny, sets));
}

}  // namespace

TEST_CASE("target_cur: the calibrated threshold gives each CUR from 0 to 1 on the test stream", "[sim][budget]") {
  // 4,000 requests per point (CUR's standard error about 0.7 points), the class mix of the
  // calibration set (all classes throughout); one sweep, one process per point.
  const fs::path dir = eccsim::testing::fresh_output_dir("target-cur");
  fs::create_directories(dir);
  const eccsim::Scenario scenario = eccsim::load_scenario(
      kTiny, {std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "platform.devices=10",
              "workload.requests_per_device=400", "policy.offload.target_cur=0.5", "output.requests=false",
              "sweep={policy.offload.filter: [entropy, max_prob], "
              "policy.offload.target_cur: [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1]}"});
  std::ofstream(dir / "sweep.yaml") << eccsim::to_yaml(scenario);
  const ProcessResult sweep =
      eccsim_on_test_models({"sweep", (dir / "sweep.yaml").string(), "--out", (dir / "out").string(), "-j", "2"}, {});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const CsvTable summary(dir / "out" / "summary.csv");
  REQUIRE(summary.rows() == 14);
  std::map<std::string, double> previous_threshold;
  for (size_t i = 0; i < summary.rows(); ++i) {
    REQUIRE(summary.text(i, "status") == "ok");
    const std::string filter = summary.text(i, "policy.offload.filter");
    const double target = summary.number(i, "policy.offload.target_cur");
    const double cur = summary.number(i, "cur");
    CAPTURE(filter, target, cur);
    CHECK(summary.number(i, "requests") == 4000);
    if (target == 0 || target == 1) {
      CHECK(cur == target);  // exactly: nothing or everything, whatever the scores
    } else {
      CHECK(std::abs(cur - target) <= 0.03);
    }
    // A larger share needs a threshold deeper in the confident scores.
    const double threshold = summary.number(i, "threshold");
    if (previous_threshold.count(filter) != 0) {
      if (filter == "entropy") CHECK(threshold <= previous_threshold[filter]);
      else CHECK(threshold >= previous_threshold[filter]);
    }
    previous_threshold[filter] = threshold;
  }
  // Each point's run.json reports the calibrated threshold and the held-out images.
  std::ifstream manifest(dir / "out" / "points" / "0003" / "run.json");
  const std::string text((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("\"calibrated\": true") && Catch::Contains("\"calibration_samples\": 2000"));
  fs::remove_all(dir);
}

TEST_CASE("the budget controller holds its CUR in every phase while the class mix changes", "[sim][budget]") {
  // Each phase brings other classes (workload.classes current) and the edge never learns them, so
  // its scores shift at every phase: a threshold calibrated for the whole run misses the budget
  // phase by phase, the controller holds it.
  const std::vector<std::string> stream{"platform.devices=10", "workload.requests_per_device=1000",
                                        "workload.classes=current", "workload.phase_length=40s"};
  std::vector<std::string> budget = stream;
  budget.insert(budget.end(), {"policy.offload.budget={cur: 0.3, window: 8s}"});
  const fs::path out = run_ok("budget", budget);
  const CsvTable summary(out / "summary.csv");
  CHECK(std::abs(summary.number(0, "cur") - 0.3) <= 0.03);
  const CsvTable tasks(out / "tasks.csv");
  REQUIRE(tasks.rows() == 5);
  CHECK(max_deviation(tasks, "cur", 0.3) <= 0.03);  // every phase
  // The threshold over time: a calibration row per device, then a row per device and window.
  const CsvTable thresholds(out / "thresholds.csv");
  std::set<std::string> values;
  int calibrations = 0, windows = 0;
  for (size_t i = 0; i < thresholds.rows(); ++i) {
    if (thresholds.text(i, "source") == "calibration") ++calibrations;
    if (thresholds.text(i, "source") == "budget") {
      ++windows;
      values.insert(thresholds.text(i, "threshold"));
    }
  }
  CHECK(calibrations == 10);
  CHECK(windows >= 10 * 20);
  CHECK(values.size() > 10);

  std::vector<std::string> fixed = stream;
  fixed.push_back("policy.offload.target_cur=0.3");
  CHECK(max_deviation(CsvTable(run_ok("budget-fixed", fixed) / "tasks.csv"), "cur", 0.3) > 0.1);  // what the controller corrects
}

TEST_CASE("an installed update is recalibrated for its own scores, unless switched off", "[sim][budget][updates]") {
  const std::vector<std::string> updates{"workload.requests_per_device=0", "workload.duration=60s",
                                         "workload.rate=3/s", "workload.phase_length=12s",
                                         "workload.classes=cumulative", "policy.update.mode=on_device",
                                         "policy.update.trigger=12", "policy.update.scope=fleet",
                                         "policy.offload.target_cur=0.7"};
  const fs::path out = run_ok("recalibrate", updates);
  const CsvTable installed(out / "updates.csv");
  REQUIRE(installed.rows() >= 1);
  const CsvTable thresholds(out / "thresholds.csv");
  // Every install sets its device's threshold again, at the install's time.
  std::set<std::pair<std::string, std::string>> calibrated;
  for (size_t i = 0; i < thresholds.rows(); ++i)
    calibrated.insert({thresholds.text(i, "device"), thresholds.text(i, "t_s")});
  for (size_t u = 0; u < installed.rows(); ++u) {
    if (installed.text(u, "status") != "installed") continue;
    CAPTURE(u);
    CHECK(calibrated.count({installed.text(u, "device"), installed.text(u, "t_end_s")}) == 1);
  }
  std::vector<std::string> off = updates;
  off.push_back("policy.offload.recalibrate=false");
  CHECK(CsvTable(run_ok("recalibrate-off", off) / "thresholds.csv").rows() == 2);  // the start, per device
}

TEST_CASE("a target share with a threshold, or with a baseline filter, is refused before the run", "[sim][budget]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("budget-refused");
  fs::create_directories(dir);
  const fs::path file = dir / "both.yaml";
  std::ofstream(file) << "name: both\npolicy:\n  offload: {filter: entropy, threshold: 0.5,\n"
                         "            target_cur: 0.2}\n";
  const ProcessResult both = eccsim_on_test_models({"validate", file.string()}, {});
  CHECK(both.exit_code == 2);
  CHECK_THAT(both.err, Catch::StartsWith(file.string() + ":4: policy.offload.target_cur: give "
                                         "policy.offload.threshold or policy.offload.target_cur, not both "
                                         "(policy.offload.threshold on line 3)"));
  // An override wins over the file: --set target_cur on a file with a threshold calibrates.
  const ProcessResult baseline =
      eccsim_on_test_models({"validate", kTiny}, {"policy.offload.filter=edge_only", "policy.offload.target_cur=0.2"});
  CHECK(baseline.exit_code == 2);
  CHECK_THAT(baseline.err, Catch::Contains("policy.offload.target_cur: the edge_only baseline offloads nothing"));
  fs::remove_all(dir);
}
