// `eccsim sweep --slurm` on a real one-node Slurm cluster (scripts/slurm-local): the merged table of a
// 9-point sweep in 3 array tasks equals the same sweep run locally with -j 2, byte for byte; and
// after one array task is cancelled mid-run and resubmitted (submit.sh K), it still does. Needs
// root to start slurmd; skips with a warning otherwise (CI runs as root).
#include <catch2/catch.hpp>

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;
using eccsim::testing::run_eccsim;
using eccsim::testing::run_process;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kJobTimeout = std::chrono::minutes(5);

// The cluster of scripts/slurm-local in the build tree, on ports of its own; stopped at scope exit.
class LocalCluster {
 public:
  LocalCluster() : dir_(fs::path(ECCSIM_TEST_OUTPUT_DIR) / "slurm-cluster") {
    ::setenv("ECCSIM_SLURM_PORT", "6827", 1);
    ::setenv("SLURM_CONF", (dir_ / "slurm.conf").c_str(), 1);
    script({"stop"});  // daemons a killed earlier run left behind
    const ProcessResult started = script({"start"});
    INFO(started.out << started.err);
    REQUIRE(started.exit_code == 0);
  }
  ~LocalCluster() { script({"stop"}); }

 private:
  ProcessResult script(const std::vector<std::string>& args) {
    std::vector<std::string> argv{std::string(ECCSIM_SOURCE_DIR) + "/scripts/slurm-local"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(dir_.string());
    return run_process(argv, {std::chrono::minutes(10), {}});
  }
  fs::path dir_;
};

// The job id printed on the line of `role` ("training", "array", "merge") by eccsim sweep --slurm.
std::string job_id(const std::string& out, const std::string& role) {
  std::smatch match;
  const bool found = std::regex_search(out, match, std::regex(role + " +job ([0-9]+)"));
  INFO(out);
  REQUIRE(found);
  return match[1];
}

// JobState of a job (or "12_1", one array task) as scontrol shows it.
std::string job_state(const std::string& job) {
  const ProcessResult shown = run_process({"scontrol", "show", "job", "-o", job});
  std::smatch match;
  return std::regex_search(shown.out, match, std::regex("JobState=([A-Z_]+)")) ? std::string(match[1]) : "";
}

// Waits until the job leaves the queue; its final state.
std::string wait_for_end(const std::string& job) {
  const auto deadline = Clock::now() + kJobTimeout;
  std::string state;
  while (Clock::now() < deadline) {
    state = job_state(job);
    if (state != "PENDING" && state != "RUNNING" && state != "CONFIGURING" && state != "COMPLETING") return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  FAIL("job " << job << " still " << state << " after 5 minutes");
  return state;
}

bool wait_for_file(const fs::path& file) {
  const auto deadline = Clock::now() + kJobTimeout;
  while (Clock::now() < deadline) {
    if (fs::exists(file)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

TEST_CASE("a sweep on a one-node Slurm cluster merges to the local sweep's table, also after a cancelled task",
          "[sim][slurm]") {
  if (::geteuid() != 0) {
    WARN("skipped: a one-node Slurm cluster needs root (slurmd starts jobs as their owner)");
    return;
  }
  LocalCluster cluster;
  const fs::path dir = eccsim::testing::fresh_output_dir("slurm");
  fs::create_directories(dir);
  const eccsim::Scenario scenario = eccsim::load_scenario(
      eccsim::testing::tiny_scenario(),
      {std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR,
       "sweep={platform.devices: [1, 2, 3], policy.offload.threshold: [0.3, 0.6, 0.9]}"});
  const fs::path sweep = dir / "sweep.yaml";
  std::ofstream(sweep) << eccsim::to_yaml(scenario);

  const ProcessResult local = run_eccsim({"sweep", sweep.string(), "--out", (dir / "local").string(), "-j", "2"});
  INFO(local.err);
  REQUIRE(local.exit_code == 0);
  const std::string expected = file_bytes(dir / "local" / "summary.csv");

  // Submitted, run as an array of 3, merged: the table one machine writes.
  auto start = Clock::now();
  const ProcessResult submitted =
      run_eccsim({"sweep", sweep.string(), "--slurm", "--shards", "3", "--out", (dir / "cluster").string()});
  INFO(submitted.err);
  REQUIRE(submitted.exit_code == 0);
  CHECK_THAT(submitted.out, Catch::Contains("9 points in 3 array tasks, 1 model configuration submitted"));
  REQUIRE(wait_for_end(job_id(submitted.out, "merge")) == "COMPLETED");
  std::cout << fmt::format("slurm: 9 points in 3 tasks, submission to merged table {:.1f} s\n", seconds_since(start));
  CHECK(file_bytes(dir / "cluster" / "summary.csv") == expected);
  CHECK(file_bytes(dir / "cluster" / "sweep.json").find("\"shard\": \"0/1\"") != std::string::npos);

  // Task 1 (points 1, 4, 7) cancelled once its first point is done: the merge never runs.
  start = Clock::now();
  const fs::path cancelled = dir / "cancelled";
  const ProcessResult again = run_eccsim({"sweep", sweep.string(), "--slurm", "--shards", "3", "--out", cancelled.string()});
  REQUIRE(again.exit_code == 0);
  const std::string task = job_id(again.out, "array") + "_1";
  REQUIRE(wait_for_file(cancelled / "shards" / "1" / "points" / "0001" / "run.json"));
  REQUIRE(run_process({"scancel", task}).exit_code == 0);
  REQUIRE(wait_for_end(task) == "CANCELLED");
  CHECK(wait_for_end(job_id(again.out, "merge")) == "CANCELLED");  // --kill-on-invalid-dep
  INFO("task 1 was to be cancelled mid-run, before its last point");
  REQUIRE_FALSE(fs::exists(cancelled / "shards" / "1" / "points" / "0007" / "run.json"));
  CHECK_FALSE(fs::exists(cancelled / "summary.csv"));

  // Resubmitted alone: it resumes after its finished point, and the merged table is whole.
  const ProcessResult resubmitted = run_process({"/bin/bash", (cancelled / "slurm" / "submit.sh").string(), "1"});
  INFO(resubmitted.err);
  REQUIRE(resubmitted.exit_code == 0);
  std::smatch merge;
  REQUIRE(std::regex_search(resubmitted.out, merge, std::regex("merge ([0-9]+)")));
  REQUIRE(wait_for_end(merge[1]) == "COMPLETED");
  std::cout << fmt::format("slurm: with task 1 cancelled and resubmitted, submission to merged table {:.1f} s\n",
                           seconds_since(start));
  CHECK(file_bytes(cancelled / "summary.csv") == expected);
  bool resumed = false;
  for (const auto& log : fs::directory_iterator(cancelled / "slurm" / "logs")) {
    const std::string text = file_bytes(log.path());
    if (log.path().filename().string().rfind("shard-1-", 0) == 0 && text.find("1 resumed") != std::string::npos) {
      resumed = true;
    }
  }
  CHECK(resumed);
  fs::remove_all(dir);
}

TEST_CASE("sweep --slurm: bad flags, no sbatch on PATH, and --dry-run's scripts", "[sim][slurm]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("slurm-flags");
  fs::create_directories(dir);
  const eccsim::Scenario scenario =
      eccsim::load_scenario(eccsim::testing::tiny_scenario(),
                            {std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR,
                             "sweep={platform.devices: [1, 2], policy.offload.threshold: [0.3, 0.6]}"});
  const std::string sweep = (dir / "sweep.yaml").string();
  std::ofstream(sweep) << eccsim::to_yaml(scenario);
  const std::string out = (dir / "out").string();

  struct Refused {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Refused> refused{
      {{"--shards", "2"}, "--shards requires --slurm"},
      {{"--dry-run"}, "--dry-run requires --slurm"},
      {{"--slurm", "--shard", "0/2"}, "--shard: --slurm splits the sweep itself (--shards N)"},
      {{"--slurm", "--shards", "5"}, "--shards 5: expected 1 to 4 (the sweep's points)"},
      {{"--slurm", "--sbatch-option", "partition=long"},
       "--sbatch-option partition=long: expected one sbatch option, e.g. --partition=long"},
  };
  for (const Refused& c : refused) {
    std::vector<std::string> args{"sweep", sweep, "--out", out};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const ProcessResult result = run_eccsim(args);
    CAPTURE(c.message);
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains(c.message));
  }

  const std::string path = std::getenv("PATH");
  ::setenv("PATH", "/nonexistent", 1);
  const ProcessResult no_sbatch = run_eccsim({"sweep", sweep, "--slurm", "--out", out});
  ::setenv("PATH", path.c_str(), 1);
  CHECK(no_sbatch.exit_code == 2);
  CHECK_THAT(no_sbatch.err, Catch::Contains("sweep --slurm: sbatch is not on PATH"));

  // --dry-run: one task per point by default, scripts bash can read, nothing run.
  const ProcessResult dry = run_eccsim({"sweep", sweep, "--slurm", "--dry-run", "--out", out, "-j", "2",
                                        "--sbatch-option=--time=00:10:00"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK_THAT(dry.out, Catch::Contains("4 points in 4 array tasks, 1 model configuration") &&
                          Catch::Contains("not submitted (--dry-run)"));
  for (const char* script : {"train.sbatch", "array.sbatch", "merge.sbatch", "submit.sh"}) {
    CAPTURE(script);
    CHECK(run_process({"/bin/bash", "-n", (dir / "out" / "slurm" / script).string()}).exit_code == 0);
  }
  CHECK_THAT(file_bytes(dir / "out" / "slurm" / "array.sbatch"),
             Catch::Contains("#SBATCH --array=0-3\n") && Catch::Contains("#SBATCH --time=00:10:00\n") &&
                 Catch::Contains("-j 2 --resume"));
  CHECK(fs::exists(dir / "out" / "training" / "0" / "scenario.yaml"));
  CHECK_FALSE(fs::exists(dir / "out" / "training" / "1"));
  CHECK_FALSE(fs::exists(dir / "out" / "shards"));
  fs::remove_all(dir);
}
