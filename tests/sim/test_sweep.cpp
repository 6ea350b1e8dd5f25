// Sweep tests with the real binary: a 2 x 3 grid against six separate runs, shards merged against
// the unsharded table, a sweep killed mid-way and resumed, a failing point, plots of a sweep.
// Base scenario: tests/scenarios/tiny.yaml on the models the ctest fixture trained once.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/csv.hpp"
#include "core/machine.hpp"
#include "sim/report/csv_report.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/sweep_runs.hpp"

extern char** environ;

namespace fs = std::filesystem;
using eccsim::split_csv_record;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;
using eccsim::testing::run_eccsim;
using eccsim::testing::run_process;
using eccsim::testing::sweep_ok;
using eccsim::testing::write_sweep_scenario;
using eccsim::testing::kEccsimTimeout;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();
const std::string kGrid = "{platform.devices: [1, 2], policy.offload.threshold: [0.3, 0.6, 0.9]}";

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = eccsim::testing::fresh_output_dir("sweep-" + name);
  fs::create_directories(dir);
  return dir;
}

// The records of a CSV file, each split into fields (quotes undone).
std::vector<std::vector<std::string>> records(const fs::path& file) {
  std::vector<std::vector<std::string>> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(split_csv_record(line));
  return out;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

// A sweep process in its own process group, so a test can kill it with its children (as a batch
// system cancelling a job does).
class BackgroundSweep {
 public:
  BackgroundSweep(const fs::path& scenario, const fs::path& out, const fs::path& log) {
    const std::vector<std::string> argv{eccsim::testing::eccsim_binary(), "sweep", scenario.string(), "--out",
                                        out.string()};
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    const int error = posix_spawn(&pid_, args[0], &actions, &attributes, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    REQUIRE(error == 0);
  }
  ~BackgroundSweep() {
    if (pid_ > 0) {
      ::kill(-pid_, SIGKILL);
      wait();
    }
  }

  void signal_group(int signal) const { ::kill(-pid_, signal); }
  void signal_sweep(int signal) const { ::kill(pid_, signal); }
  // The sweep's wait status.
  int wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

// Waits until the sweep's table shows at least one finished point.
bool wait_for_first_point(const fs::path& out) {
  const auto deadline = std::chrono::steady_clock::now() + kEccsimTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (file_bytes(out / "summary.csv").find(",ok,") != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

TEST_CASE("a 2 x 3 sweep has 6 rows matching the grid and six separate runs' numbers, and plots",
          "[sim][sweep]") {
  const fs::path dir = fresh_dir("grid");
  const fs::path scenario = write_sweep_scenario(dir, kGrid);
  ::unsetenv("OMP_WAIT_POLICY");   // the suite's own (tests/CMakeLists.txt): the sweep must set it
  const ProcessResult sweep = sweep_ok(scenario, dir / "out", {"-j", "2"});
  CHECK_THAT(sweep.err, Catch::Contains("6/6 points done, 0 failed"));
  CHECK_THAT(sweep.out, Catch::Contains("6 points (6 ok, 0 failed"));

  const auto table = records(dir / "out" / "summary.csv");
  REQUIRE(table.size() == 7);
  const std::vector<std::string>& header = table[0];
  CHECK(std::vector<std::string>(header.begin(), header.begin() + 5) ==
        std::vector<std::string>{"point", "status", "platform.devices", "policy.offload.threshold", "requests"});
  CHECK(header.back() == "error");
  const std::vector<std::vector<std::string>> grid{{"1", "0.3"}, {"1", "0.6"}, {"1", "0.9"},
                                                   {"2", "0.3"}, {"2", "0.6"}, {"2", "0.9"}};
  for (size_t i = 0; i < grid.size(); ++i) {
    const std::vector<std::string>& row = table[i + 1];
    CAPTURE(i);
    CHECK(row[0] == fmt::format("{:04}", i));
    CHECK(row[1] == "ok");
    CHECK(std::vector<std::string>{row[2], row[3]} == grid[i]);
    CHECK(row.back().empty());
    CHECK(fs::exists(dir / "out" / "points" / row[0] / "scenario.yaml"));
    // Two points at a time share the cores: each infers on cores / 2 threads.
    CHECK_THAT(file_bytes(dir / "out" / "points" / row[0] / "run.json"),
               Catch::Contains(fmt::format("--threads {}", std::max(1, eccsim::available_cores() / 2))));
    // and their OpenMP threads wait without spinning (the sweep ran without OMP_WAIT_POLICY of its own).
    CHECK_THAT(file_bytes(dir / "out" / "points" / row[0] / "run.json"),
               Catch::Contains("\"omp_wait_policy\": \"PASSIVE\""));
    CHECK(file_bytes(dir / "out" / "points" / row[0] / "overrides.txt") ==
          fmt::format("platform.devices={}\npolicy.offload.threshold={}\n", grid[i][0], grid[i][1]));

    // The same point as a separate run: every summary column equal as text, wall time aside.
    const fs::path run_dir = dir / fmt::format("run-{}", i);
    const ProcessResult run = run_eccsim({"run", kTiny, "--out", run_dir.string(), "--set",
                                      std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "--set",
                                      "platform.devices=" + grid[i][0], "--set",
                                      "policy.offload.threshold=" + grid[i][1]});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto single = records(run_dir / "summary.csv");
    REQUIRE(single.size() == 2);
    for (const std::string& name : eccsim::summary_metric_columns()) {
      CAPTURE(name);
      CHECK(row[column(header, name)] == single[1][column(single[0], name)]);
    }
  }
  CHECK(std::stoi(table[4][column(header, "requests")]) == 40);

  // Plots of the sweep: non-empty PNGs; a run directory is refused with exit 2.
  const std::string plot_sweep = std::string(ECCSIM_SOURCE_DIR) + "/analysis/plot_sweep.py";
  const ProcessResult plot =
      run_process({"/usr/bin/python3", plot_sweep, (dir / "out").string()}, {std::chrono::minutes(5), {}});
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  for (const char* png : {"accuracy.png", "energy_per_request.png", "latency_p95.png"}) {
    CAPTURE(png);
    CHECK(fs::file_size(dir / "out" / "plots" / png) > 1000);
  }
  const ProcessResult refused = run_process({"/usr/bin/python3", plot_sweep, (dir / "run-0").string()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::Contains("not a sweep summary") && Catch::Contains("analysis/plot.py"));
  fs::remove_all(dir);
}

TEST_CASE("shards 0/3, 1/3, 2/3 merged equal the unsharded summary.csv", "[sim][sweep]") {
  const fs::path dir = fresh_dir("shards");
  const fs::path scenario = write_sweep_scenario(dir, kGrid);
  sweep_ok(scenario, dir / "whole");
  const std::string whole = file_bytes(dir / "whole" / "summary.csv");

  std::vector<std::string> merge_args{"merge"};
  for (int k = 0; k < 3; ++k) {
    const fs::path shard = dir / fmt::format("shard-{}", k);
    const ProcessResult result = sweep_ok(scenario, shard, {"--shard", fmt::format("{}/3", k)});
    CHECK_THAT(result.err, Catch::Contains(fmt::format("2/2 points done (shard {}/3)", k)));
    CHECK(records(shard / "summary.csv").size() == 3);
    merge_args.push_back(shard.string());
  }
  merge_args.insert(merge_args.end(), {"--out", (dir / "merged").string()});
  const ProcessResult merge = run_eccsim(merge_args);
  INFO(merge.err);
  REQUIRE(merge.exit_code == 0);
  // Separate processes measured their own wall time; everything else is byte-identical.
  CHECK(file_bytes(dir / "merged" / "summary.csv") == whole);

  // Byte for byte: shards that resume from the unsharded sweep's points copy, never recompute.
  std::vector<std::string> copies{"merge"};
  for (int k = 2; k >= 0; --k) {
    const fs::path copy = dir / fmt::format("copy-{}", k);
    fs::copy(dir / "whole", copy, fs::copy_options::recursive);
    const ProcessResult resumed = sweep_ok(scenario, copy, {"--shard", fmt::format("{}/3", k), "--resume"});
    CHECK_THAT(resumed.out, Catch::Contains("2 resumed"));
    copies.push_back(copy.string());
  }
  copies.insert(copies.end(), {"--out", (dir / "merged-copies").string()});
  REQUIRE(run_eccsim(copies).exit_code == 0);
  CHECK(file_bytes(dir / "merged-copies" / "summary.csv") == whole);

  // Mismatches are refused with exit 2 and one line naming the file.
  const ProcessResult twice = run_eccsim({"merge", (dir / "shard-0").string(), (dir / "shard-0").string(), "--out",
                                      (dir / "bad").string()});
  CHECK(twice.exit_code == 2);
  CHECK_THAT(twice.err, Catch::Contains("shard-0/summary.csv:2: point 0000 is also in") &&
                            Catch::Contains("(a shard given twice?)"));
  const ProcessResult missing = run_eccsim({"merge", (dir / "shard-0").string(), (dir / "shard-2").string(), "--out",
                                        (dir / "bad").string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("merge: 2 of the sweep's 6 points are in no directory given (indices 1, 4)"));
  const ProcessResult not_sweep = run_eccsim({"merge", dir.string(), "--out", (dir / "bad").string()});
  CHECK(not_sweep.exit_code == 2);
  CHECK_THAT(not_sweep.err, Catch::Contains("no summary.csv (not an eccsim sweep output directory)"));
  CHECK_FALSE(fs::exists(dir / "bad" / "summary.csv"));
  fs::remove_all(dir);
}

TEST_CASE("a sweep killed mid-way and resumed gives the uninterrupted summary.csv", "[sim][sweep]") {
  const fs::path dir = fresh_dir("resume");
  const fs::path scenario = write_sweep_scenario(dir, kGrid);
  sweep_ok(scenario, dir / "reference");
  const std::string reference = file_bytes(dir / "reference" / "summary.csv");

  {
    INFO("SIGKILL to the sweep and its running point");
    const fs::path out = dir / "killed";
    BackgroundSweep sweep(scenario, out, dir / "killed.log");
    REQUIRE(wait_for_first_point(out));
    sweep.signal_group(SIGKILL);
    sweep.wait();
    const std::string partial = file_bytes(out / "summary.csv");
    CHECK(partial.find(",pending,") != std::string::npos);  // killed before the end
    const ProcessResult resumed = sweep_ok(scenario, out, {"--resume"});
    CHECK_THAT(resumed.out, Catch::Contains("resumed"));
    CHECK(file_bytes(out / "summary.csv") == reference);
  }
  {
    INFO("SIGTERM to the sweep: it stops its points, writes the table and exits 128+15");
    const fs::path out = dir / "stopped";
    BackgroundSweep sweep(scenario, out, dir / "stopped.log");
    REQUIRE(wait_for_first_point(out));
    sweep.signal_sweep(SIGTERM);
    const int status = sweep.wait();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 128 + SIGTERM);
    CHECK_THAT(file_bytes(dir / "stopped.log"), Catch::Contains("stopped by signal 15"));
    const auto table = records(out / "summary.csv");
    REQUIRE(table.size() == 7);
    size_t ok = 0;
    for (size_t i = 1; i < table.size(); ++i) {
      CHECK((table[i][1] == "ok" || table[i][1] == "pending"));
      ok += table[i][1] == "ok" ? 1 : 0;
    }
    CHECK(ok >= 1);
    CHECK(ok < 6);
    const ProcessResult resumed = sweep_ok(scenario, out, {"--resume"});
    CHECK_THAT(resumed.out, Catch::Contains(fmt::format("{} resumed", ok)));
    CHECK(file_bytes(out / "summary.csv") == reference);
  }
  fs::remove_all(dir);
}

TEST_CASE("sweep --set changes the base scenario and can replace the sweep block", "[sim][sweep]") {
  // The demo's use: a sweep file's grid narrowed to one axis, with a base key changed for every point.
  const fs::path dir = fresh_dir("set");
  const fs::path scenario = write_sweep_scenario(dir, kGrid);
  sweep_ok(scenario, dir / "out",
           {"--set", "sweep={policy.offload.filter: [edge_only, cloud_only]}", "--set", "workload.requests_per_device=4"});
  const auto table = records(dir / "out" / "summary.csv");
  REQUIRE(table.size() == 3);
  CHECK(table[0][2] == "policy.offload.filter");
  CHECK(table[1][2] == "edge_only");
  CHECK(table[2][2] == "cloud_only");
  CHECK(table[1][column(table[0], "requests")] == "8");   // 2 devices x 4, from the --set
  CHECK(table[1][column(table[0], "cur")] == "0.000000");
  CHECK(table[2][column(table[0], "cur")] == "1.000000");
  const eccsim::Scenario point = eccsim::load_scenario(dir / "out" / "points" / "0001" / "scenario.yaml");
  CHECK(point.workload.requests_per_device == 4);
  CHECK(point.sweep.grid.empty());
  CHECK_THAT(file_bytes(dir / "out" / "points" / "0001" / "overrides.txt"),
             Catch::Contains("workload.requests_per_device=4\npolicy.offload.filter=cloud_only\n"));
  CHECK_THAT(file_bytes(dir / "out" / "sweep.json"), Catch::Contains("\"workload.requests_per_device=4\""));
  // A --set value that does not fit is bad input, named as a --set.
  const ProcessResult bad = run_eccsim({"sweep", scenario.string(), "--set", "platform.devices=many"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::StartsWith("--set platform.devices"));
  fs::remove_all(dir);
}

TEST_CASE("a failing point is recorded with its error and the others go on", "[sim][sweep]") {
  // The second trace file exists (the scenario validates) but does not parse: that run fails.
  const fs::path dir = fresh_dir("failing");
  std::ofstream(dir / "good.trace") << "0.5\n1.0\n1.5\n";
  std::ofstream(dir / "bad.trace") << "0.5\nsoon\n";
  const fs::path scenario = write_sweep_scenario(
      dir, fmt::format("{{workload.trace: ['{}', '{}']}}", (dir / "good.trace").string(), (dir / "bad.trace").string()),
      {"workload.arrival=trace", "workload.trace=" + (dir / "good.trace").string()});
  const ProcessResult result = run_eccsim({"sweep", scenario.string(), "--out", (dir / "out").string()});
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("1 of 2 points failed"));
  const auto table = records(dir / "out" / "summary.csv");
  REQUIRE(table.size() == 3);
  CHECK(table[1][1] == "ok");
  CHECK(table[1][column(table[0], "requests")] == "6");
  CHECK(table[1].back().empty());
  CHECK(table[2][1] == "failed");
  CHECK(table[2][column(table[0], "requests")].empty());
  CHECK(table[2].back() == (dir / "bad.trace").string() + ":2: workload.trace: not a time in seconds: 'soon'");

  // Resuming runs the failed point again, and only it.
  const ProcessResult again = run_eccsim({"sweep", scenario.string(), "--out", (dir / "out").string(), "--resume"});
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.out, Catch::Contains("2 points (1 ok, 1 failed, 1 resumed)"));

  // Flags and scenarios without a sweep are bad input: exit 2, one line.
  const ProcessResult shard = run_eccsim({"sweep", scenario.string(), "--shard", "3/3"});
  CHECK(shard.exit_code == 2);
  CHECK(shard.err == "--shard 3/3: K must be in 0..N-1 (0 <= K < N), e.g. --shard 0/10\n");
  const ProcessResult jobs = run_eccsim({"sweep", scenario.string(), "-j", "0"});
  CHECK(jobs.exit_code == 2);
  CHECK(jobs.err == "-j 0: expected at least 1 point at a time\n");
  const ProcessResult no_sweep = run_eccsim({"sweep", kTiny});
  CHECK(no_sweep.exit_code == 2);
  CHECK_THAT(no_sweep.err, Catch::StartsWith(kTiny + ": sweep: no sweep block"));
  fs::remove_all(dir);
}

TEST_CASE("sensitivity: the entropy filter's AccI-vs-CUR curve lies above random's, and plots",
          "[sim][sweep]") {
  // A small version of scenarios/sweep-sensitivity.yaml: classes arrive in phases, the edge is not
  // updated, so unseen classes are what a good score must send to the cloud.
  const fs::path dir = fresh_dir("sensitivity");
  const fs::path scenario = write_sweep_scenario(
      dir,
      "{policy.offload.filter: [entropy, random], zip: {policy.offload.threshold: [0.2, 0.5, 0.8, 0.95], "
      "policy.offload.rate: [0.8, 0.6, 0.4, 0.2]}}",
      {"workload.requests_per_device=100", "workload.classes=cumulative", "workload.phase_length=4s"});
  sweep_ok(scenario, dir / "out", {"-j", "2"});
  const auto table = records(dir / "out" / "summary.csv");
  REQUIRE(table.size() == 9);
  const size_t filter = column(table[0], "policy.offload.filter");
  const size_t cur = column(table[0], "cur");
  const size_t acci = column(table[0], "acci");
  // Random's curve, with its end points (rate 0 and 1 give CUR = AccI = 0 and 1 by definition).
  std::vector<std::pair<double, double>> random{{0.0, 0.0}, {1.0, 1.0}};
  std::vector<std::pair<double, double>> entropy;
  for (size_t i = 1; i < table.size(); ++i) {
    REQUIRE(table[i][1] == "ok");
    const std::pair<double, double> point{std::stod(table[i][cur]), std::stod(table[i][acci])};
    (table[i][filter] == "random" ? random : entropy).push_back(point);
  }
  std::sort(random.begin(), random.end());
  const auto random_at = [&](double x) {
    for (size_t i = 1; i < random.size(); ++i) {
      if (x <= random[i].first) {
        const auto [x0, y0] = random[i - 1];
        const auto [x1, y1] = random[i];
        return x1 > x0 ? y0 + (y1 - y0) * (x - x0) / (x1 - x0) : y1;
      }
    }
    return random.back().second;
  };
  for (const auto& [x, y] : entropy) {
    CAPTURE(x, y, random_at(x));
    CHECK(y > random_at(x));
  }

  const ProcessResult plot = run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/analysis/plot_sweep.py", (dir / "out").string(), "--out",
       (dir / "plots").string(), "--x", "policy.offload.threshold"},
      {std::chrono::minutes(5), {}});
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  CHECK(fs::file_size(dir / "plots" / "acci_vs_cur.png") > 1000);
  CHECK(fs::file_size(dir / "plots" / "accuracy.png") > 1000);
  fs::remove_all(dir);
}
