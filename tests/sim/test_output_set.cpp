// The output set of `eccsim run` is all or nothing: runs killed (SIGKILL) at random moments of
// their write phase leave the previous run's complete set or the new one's, byte for byte; a full
// disk leaves the previous set untouched with a one-line error; an earlier eccsim's plain files and
// what killed runs left are cleaned. Runs the real binary on tests/scenarios/tiny.yaml.
#include <catch2/catch.hpp>

#include <fmt/core.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/content_hash.hpp"
#include "core/spawn.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/sweep_runs.hpp"

namespace fs = std::filesystem;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();
const std::vector<std::string> kRunFiles{
    "requests.csv", "devices.csv", "groups.csv", "updates.csv", "trained_samples.csv", "held_out.csv",
    "accuracy_matrix.csv", "links.csv", "faults.csv", "thresholds.csv", "tasks.csv", "summary.csv", "run.json"};

std::vector<std::string> run_argv(const fs::path& out, const std::vector<std::string>& sets) {
  return eccsim::testing::sim_argv(eccsim::testing::SimRun(kTiny, sets), out);
}

ProcessResult run(const fs::path& out, const std::vector<std::string>& sets) {
  return eccsim::testing::run_sim(eccsim::testing::SimRun(kTiny, sets), out);
}

// Two runs that differ in every file: A (the tiny scenario) and B (more requests, another seed).
const std::vector<std::string> kA{};
const std::vector<std::string> kB{"seed=7", "workload.requests_per_device=400", "policy.offload.threshold=0.3"};

// What a reader sees in `dir`: each output name's bytes, through whatever links the directory holds.
std::map<std::string, std::string> visible_set(const fs::path& dir) {
  std::map<std::string, std::string> set;
  for (const std::string& name : kRunFiles) {
    std::error_code error;
    if (fs::exists(dir / name, error)) set[name] = file_bytes(dir / name);
  }
  return set;
}

// Why `seen` is not the complete set `reference` (run.json aside: wall time and --out differ): the
// same CSVs byte for byte, and a run.json that lists exactly those bytes. Empty when it is.
std::string not_the_set(const std::map<std::string, std::string>& seen, const std::map<std::string, std::string>& reference) {
  if (seen.size() != reference.size()) return fmt::format("{} files, expected {}", seen.size(), reference.size());
  for (const auto& [name, bytes] : reference) {
    const auto found = seen.find(name);
    if (found == seen.end()) return name + " missing";
    if (name != "run.json" && found->second != bytes) return name + " differs";
  }
  const nlohmann::json manifest = nlohmann::json::parse(seen.at("run.json"), nullptr, false);
  if (!manifest.is_object() || !manifest.contains("files")) return "run.json unreadable";
  for (const auto& file : manifest["files"]) {
    const std::string name = file["name"].get<std::string>();
    const std::string& bytes = seen.at(name);
    if (file["bytes"].get<size_t>() != bytes.size() || file["fnv1a64"].get<std::string>() != eccsim::ContentHash().add(bytes).hex())
      return "run.json does not match " + name;
  }
  if (manifest["files"].size() + 1 != seen.size()) return "run.json lists another set";
  return "";
}

// Entries in `dir` that a finished writer must not leave: temporaries, set directories other than
// the current one.
std::vector<std::string> leftovers(const fs::path& dir) {
  std::vector<std::string> found;
  const fs::path current = fs::read_symlink(dir / ".eccsim-current");
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == ".eccsim-current" || fs::path(name) == current) continue;
    if (name[0] == '.') found.push_back(name);
  }
  return found;
}

}  // namespace

TEST_CASE("a run killed at any moment of its write phase leaves the old set or the new one, whole", "[sim][output]") {
  const fs::path refs = eccsim::testing::fresh_output_dir("output-set-refs");
  const fs::path dir = eccsim::testing::fresh_output_dir("output-set-kill");
  std::map<std::string, std::map<std::string, std::string>> reference;
  for (const auto& [name, sets] : {std::pair{"A", kA}, std::pair{"B", kB}}) {
    const ProcessResult result = run(refs / name, sets);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    reference[name] = visible_set(refs / name);
  }
  REQUIRE(reference["A"]["summary.csv"] != reference["B"]["summary.csv"]);
  REQUIRE(run(dir, kA).exit_code == 0);
  std::string current = "A";
  REQUIRE(not_the_set(visible_set(dir), reference[current]).empty());

  // Each round runs the other set's scenario into `dir` and kills it a random delay after its write
  // phase began (its first staged file appeared): odd rounds up to 1.2 x the time to the switch,
  // even ones up to 1.5 x the time to the process's exit, both as measured in round 0.
  std::mt19937_64 rng(41);
  double switch_us = 0, exit_us = 0;
  std::map<std::string, int> outcomes;
  const int rounds = 20;
  const fs::path logs = refs / "logs";
  fs::create_directories(logs);
  for (int round = 0; round < rounds; ++round) {
    const std::string next = current == "A" ? "B" : "A";
    const pid_t pid = eccsim::spawn_process({run_argv(dir, next == "A" ? kA : kB), {logs / "out.log", -1},
                                             {logs / "err.log", -1}, {}});
    const std::string staged = fmt::format(".eccsim-set.{}.0", pid);
    const fs::path first_file = dir / staged / "requests.csv";
    const double delay_us =
        round == 0 ? -1 : std::uniform_real_distribution<double>(0, round % 2 ? 1.2 * switch_us : 1.5 * exit_us)(rng);
    int status = 0;
    bool exited = false;
    std::chrono::steady_clock::time_point began;
    bool writing = false;
    const auto since_began_us = [&] {
      return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - began).count();
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    while (!exited && std::chrono::steady_clock::now() < deadline) {
      // Exit read before the checks: a run that ended between two polls still has them see its files.
      exited = ::waitpid(pid, &status, WNOHANG) == pid;
      if (!writing && ::access(first_file.c_str(), F_OK) == 0) {
        writing = true;
        began = std::chrono::steady_clock::now();
      }
      if (writing && round == 0 && switch_us == 0) {
        std::error_code error;
        if (fs::read_symlink(dir / ".eccsim-current", error) == staged) switch_us = since_began_us();
      }
      if (writing && !exited && delay_us >= 0 && since_began_us() >= delay_us) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        exited = true;
      }
    }
    if (!exited) ::kill(pid, SIGKILL), ::waitpid(pid, &status, 0);
    REQUIRE(writing);   // its write phase was seen (polling is fast enough)
    const bool completed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (round == 0) {
      REQUIRE(completed);
      REQUIRE(switch_us > 0);   // the switch was seen
      exit_us = std::max(2000.0, since_began_us());   // floors: a loaded machine can hide the phases
      switch_us = std::max(1000.0, switch_us);
    }
    const auto seen = visible_set(dir);
    const std::string why_old = not_the_set(seen, reference[current]), why_new = not_the_set(seen, reference[next]);
    const bool old_set = why_old.empty(), new_set = why_new.empty();
    INFO("round " << round << ", delay " << delay_us << " us: not the old set (" << why_old << "), not the new set ("
                  << why_new << ")");
    REQUIRE((old_set || new_set));
    if (completed) CHECK(new_set);
    ++outcomes[completed ? "completed" : (new_set ? "killed, new set" : "killed, old set")];
    if (new_set) current = next;
  }
  WARN(fmt::format("{} rounds, switch {:.0f} us and exit {:.0f} us after the first staged file: {} completed, {} "
                   "killed leaving the new set, {} killed leaving the old set",
                   rounds, switch_us, exit_us, outcomes["completed"], outcomes["killed, new set"],
                   outcomes["killed, old set"]));
  CHECK(outcomes["killed, old set"] > 0);

  // The next run cleans what the killed ones left.
  const ProcessResult last = run(dir, current == "A" ? kB : kA);
  REQUIRE(last.exit_code == 0);
  CHECK(leftovers(dir).empty());
  CHECK(not_the_set(visible_set(dir), reference[current == "A" ? "B" : "A"]).empty());
}

TEST_CASE("outputs of an earlier eccsim (plain files) and stale temporaries are replaced, other files kept",
          "[sim][output]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("output-set-legacy");
  fs::create_directories(dir);
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
  };
  write("summary.csv", "old summary\n");
  write("requests.csv", "old requests\n");
  write("run.json", "{}\n");
  write("scenario.yaml", "kept: true\n");   // a sweep point's, say: not an output of the run
  write(".requests.csv.4194999.partial", "");   // a killed earlier eccsim's temporary (no such process)
  fs::create_directories(dir / ".eccsim-set.4194999.0");   // a killed run's staged set

  const ProcessResult result = run(dir, {"output.requests=false"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(file_bytes(dir / "scenario.yaml") == "kept: true\n");
  CHECK(!fs::exists(dir / "requests.csv"));   // the new set has none: the old one is not left beside it
  CHECK(!fs::is_symlink(dir / "requests.csv"));
  CHECK(file_bytes(dir / "summary.csv").rfind("scenario,requests,", 0) == 0);
  CHECK(fs::is_symlink(dir / "summary.csv"));
  CHECK(leftovers(dir).empty());
}

TEST_CASE("a full disk leaves the previous set untouched and says so in one line, exit 2", "[sim][output]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("output-set-full");
  fs::create_directories(dir);
  // A 1 MiB tmpfs: room for the tiny run's set (~0.4 MB), not for a second one beside it.
  const ProcessResult mounted = eccsim::testing::run_process({"mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.string()});
  if (mounted.exit_code != 0) {
    WARN("skipped: cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): " << mounted.err);
    return;
  }
  struct Unmount {
    fs::path dir;
    ~Unmount() { eccsim::testing::run_process({"umount", dir.string()}); }
  } unmount{dir};

  const ProcessResult first = run(dir, kA);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto before = visible_set(dir);
  const ProcessResult full = run(dir, {"workload.requests_per_device=3000"});   // requests.csv alone ~1.6 MB
  INFO(full.err);
  CHECK(full.exit_code == 2);
  CHECK(std::count(full.err.begin(), full.err.end(), '\n') == 1);
  CHECK_THAT(full.err, Catch::Contains("No space left on device") &&
                           Catch::Contains("(the previous outputs are unchanged)"));
  CHECK(visible_set(dir) == before);
  CHECK(leftovers(dir).empty());
}

TEST_CASE("a run without requests has empty cells where a metric needs one, the same on a rerun, and a 1 bps "
          "link is 0.125 B/s in links.csv",
          "[sim][output]") {
  // No offloads (edge_only): a 1 bps link that nothing crosses is admitted.
  const std::vector<std::string> none{"workload.requests_per_device=0", "workload.duration=1s",
                                      "workload.rate=0.001/s", "platform.access.bandwidth=1bps",
                                      "policy.offload.filter=edge_only"};
  const fs::path first = eccsim::testing::fresh_output_dir("output-empty-1");
  const fs::path second = eccsim::testing::fresh_output_dir("output-empty-2");
  for (const fs::path& out : {first, second}) {
    const ProcessResult result = run(out, none);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("accuracy          none   (edge only none, cloud only none, AccI none)"));
  }
  const eccsim::testing::CsvTable summary(first / "summary.csv");
  CHECK(summary.text(0, "requests") == "0");
  for (const char* column : {"accuracy", "cur", "acci", "latency_mean_s", "latency_p95_s", "offloaded_latency_p50_s",
                             "energy_per_request_J", "network_energy_per_request_J"}) {
    INFO(column);
    CHECK(summary.text(0, column).empty());
  }
  CHECK(summary.text(0, "total_energy_J") == "0.000000000000");
  const eccsim::testing::CsvTable groups(first / "groups.csv");
  CHECK(groups.text(0, "accuracy").empty());
  CHECK(groups.text(0, "latency_p95_s").empty());
  const eccsim::testing::CsvTable devices(first / "devices.csv");
  CHECK(devices.text(0, "accuracy").empty());
  const eccsim::testing::CsvTable links(first / "links.csv");
  CHECK(links.text(0, "link") == "access-0-up");
  CHECK(links.text(0, "bandwidth_Bps") == "0.125");
  for (const std::string& name : kRunFiles) {
    if (name == "run.json") continue;
    INFO(name);
    CHECK(file_bytes(first / name) == file_bytes(second / name));
  }
}

TEST_CASE("a sweep whose point has no request: empty cells in its table, left out of the statistics and counted "
          "in <metric>_n; the sweep's files are one published set",
          "[sim][output]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("output-set-sweep");
  fs::create_directories(dir);
  const fs::path scenario = eccsim::testing::write_sweep_scenario(
      dir, "{workload.rate: [5/s, 0.001/s], replications: 2}",
      {"workload.requests_per_device=0", "workload.duration=2s"});
  eccsim::testing::sweep_ok(scenario, dir / "out");
  const eccsim::testing::CsvTable summary(dir / "out" / "summary.csv");
  REQUIRE(summary.rows() == 4);
  CHECK(summary.text(2, "requests") == "0");
  CHECK(summary.text(2, "latency_p95_s").empty());
  const eccsim::testing::CsvTable aggregate(dir / "out" / "aggregate.csv");
  REQUIRE(aggregate.rows() == 2);
  CHECK(aggregate.text(0, "latency_p95_s_n") == "2");
  CHECK(aggregate.text(1, "n") == "2");
  CHECK(aggregate.text(1, "latency_p95_s_n") == "0");
  CHECK(aggregate.text(1, "latency_p95_s_mean").empty());
  CHECK(aggregate.text(1, "requests_mean") == "0.000");
  for (const char* name : {"summary.csv", "aggregate.csv", "sweep.json"}) {
    INFO(name);
    CHECK(fs::read_symlink(dir / "out" / name) == fs::path(".eccsim-current") / name);
  }
  CHECK(leftovers(dir / "out").empty());
}
