// Offload policy plugins through the real binary: a plugin deciding as the entropy filter does gives
// the same CSVs; a sweep reaches the plugin's params; a plugin failing during the run ends it with
// exit 1 and one line, publishing nothing; a broken library is refused before anything runs (exit 2).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::example_policy;
using eccsim::testing::faulty_policy;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;
using eccsim::testing::SimRun;

namespace {

std::vector<std::string> with_plugin(const std::string& path, std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), {"policy.offload.filter=plugin", "policy.offload.plugin.path=" + path});
  return sets;
}

}  // namespace

TEST_CASE("a plugin that decides as the entropy filter does gives byte-identical CSVs", "[sim][plugins]") {
  for (const std::vector<std::string>& policy : {std::vector<std::string>{"policy.offload.threshold=0.5"},
                                                 std::vector<std::string>{"policy.offload.target_cur=0.3"}}) {
    INFO(policy.front());
    std::vector<std::string> sets{"platform.devices=3"};
    sets.insert(sets.end(), policy.begin(), policy.end());
    const fs::path builtin =
        eccsim::testing::run_sim_ok("plugin-same-builtin", SimRun(eccsim::testing::tiny_scenario(), sets));
    const fs::path plugin = eccsim::testing::run_sim_ok(
        "plugin-same-plugin",
        SimRun(eccsim::testing::tiny_scenario(), with_plugin(example_policy("entropy_threshold"), sets)));
    for (const char* file :
         {"requests.csv", "devices.csv", "summary.csv", "thresholds.csv", "links.csv", "tasks.csv"}) {
      INFO(file);
      CHECK(file_bytes(builtin / file) == file_bytes(plugin / file));
    }
    REQUIRE(CsvTable(plugin / "summary.csv").number(0, "cur") > 0.05);  // decisions made both ways
    std::ifstream manifest(plugin / "run.json");
    const nlohmann::json run = nlohmann::json::parse(manifest);
    CHECK(run["offload"]["filter"] == "plugin");
    CHECK(run["offload"]["plugin"]["name"] == "entropy_threshold");
    CHECK(run["offload"]["plugin"]["api_version"] == 1);
  }
}

TEST_CASE("eccsim sweep reaches a plugin's params: the bandit offloads less as an offload costs more",
          "[sim][plugins]") {
  const fs::path out = eccsim::testing::fresh_output_dir("plugin-sweep");
  std::vector<std::string> args{"sweep", eccsim::testing::tiny_scenario(),
                                "--out", out.string(),
                                "-j",    "2",
                                "--set", std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR,
                                "--set", "platform.devices=4",
                                "--set", "sweep={policy.offload.plugin.params.offload_cost: [0.05, 0.95]}"};
  for (const std::string& set : with_plugin(example_policy("bandit"), {"policy.offload.plugin.params.epsilon=0"}))
    args.insert(args.end(), {"--set", set});
  const ProcessResult sweep = eccsim::testing::run_eccsim(args);
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 2);
  CHECK(summary.text(0, "policy.offload.plugin.params.offload_cost") == "0.05");
  const double cheap_cur = summary.number(0, "cur");
  const double dear_cur = summary.number(1, "cur");
  CHECK(cheap_cur > dear_cur + 0.2);
  // The cheap bandit offloads wherever the cloud disagreed with the edge: it answers better.
  CHECK(summary.number(0, "accuracy") > summary.number(1, "accuracy"));
  for (const char* point : {"0000", "0001"}) {
    std::ifstream manifest(out / "points" / point / "run.json");
    const nlohmann::json run = nlohmann::json::parse(manifest);
    CHECK(run["offload"]["plugin"]["params"]["offload_cost"] == (std::string(point) == "0000" ? "0.05" : "0.95"));
    CHECK(run["offload"]["plugin"]["params"]["epsilon"] == "0");
  }
}

TEST_CASE("a plugin failing during the run ends it: exit 1, one line naming it, nothing published", "[sim][plugins]") {
  const fs::path out = eccsim::testing::run_sim_ok("plugin-failure", SimRun(eccsim::testing::tiny_scenario()));
  const std::string published = file_bytes(out / "summary.csv");
  struct Case {
    std::string fault;
    std::string says;
  };
  for (const Case& c : {Case{"decide_throws", "threw an exception: decide gave up"},
                        Case{"bad_answer", "answered 7 (expected ECCSIM_KEEP 0 or ECCSIM_OFFLOAD 1)"},
                        Case{"learn_error", "cannot learn from request"}}) {
    INFO(c.fault);
    const ProcessResult run =
        eccsim::testing::run_sim(SimRun(eccsim::testing::tiny_scenario(),
                                        with_plugin(faulty_policy(c.fault), {"policy.offload.plugin.params.after=5"})),
                                 out);
    INFO(run.err);
    CHECK(run.exit_code == 1);
    CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
    CHECK(run.err.rfind("eccsim: policy plugin " + faulty_policy(c.fault) + " (faulty) failed: ", 0) == 0);
    CHECK(run.err.find(c.says) != std::string::npos);
    CHECK(file_bytes(out / "summary.csv") == published);
  }
}

TEST_CASE("a broken plugin is refused before the run starts: exit 2 and one line, from run and validate",
          "[sim][plugins]") {
  struct Case {
    std::vector<std::string> sets;
    std::string message;
  };
  const std::string where = "--set policy.offload.plugin.path: plugin ";
  for (const Case& c :
       {Case{with_plugin("build/no-such-plugin.so"),
             where + "build/no-such-plugin.so: no such file (build the examples with scripts/build, or give the path "
                     "to your library, relative to the working directory)"},
        Case{with_plugin(faulty_policy("no_entry")),
             where + faulty_policy("no_entry") + ": does not export eccsim_offload_policy (see include/eccsim/policy.h)"},
        Case{with_plugin(faulty_policy("wrong_version")),
             where + faulty_policy("wrong_version") +
                 ": built for policy interface version 2, eccsim speaks version 1 (rebuild it against this "
                 "include/eccsim/policy.h)"},
        Case{with_plugin(example_policy("queue_aware"), {"policy.offload.plugin.params.queue_weight=-1"}),
             "--set policy.offload.plugin.params: plugin " + example_policy("queue_aware") +
                 " (queue_aware): refused its parameters: parameter 'queue_weight' must be a number in [0, 100], "
                 "got '-1'"}}) {
    INFO(c.message);
    const fs::path out = eccsim::testing::fresh_output_dir("plugin-refused");
    const ProcessResult run = eccsim::testing::run_sim(SimRun(eccsim::testing::tiny_scenario(), c.sets), out);
    CHECK(run.exit_code == 2);
    CHECK(run.err == c.message + "\n");
    CHECK_FALSE(fs::exists(out / "summary.csv"));
    std::vector<std::string> validate{"validate", eccsim::testing::tiny_scenario()};
    for (const std::string& set : c.sets) validate.insert(validate.end(), {"--set", set});
    const ProcessResult checked = eccsim::testing::run_eccsim(validate);
    CHECK(checked.exit_code == 2);
    CHECK(checked.err == c.message + "\n");
  }
}

TEST_CASE("a sweep point whose params the plugin refuses stops the sweep before it starts", "[sim][plugins]") {
  const fs::path out = eccsim::testing::fresh_output_dir("plugin-sweep-refused");
  std::vector<std::string> sets = with_plugin(example_policy("bandit"));
  sets.push_back("sweep={policy.offload.plugin.params.offload_cost: [0.3, 7]}");
  for (const std::string command : {"sweep", "validate"}) {
    INFO(command);
    std::vector<std::string> args{command, eccsim::testing::tiny_scenario()};
    if (command == "sweep") args.insert(args.end(), {"--out", out.string()});
    for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
    const ProcessResult refused = eccsim::testing::run_eccsim(args);
    CHECK(refused.exit_code == 2);
    CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
    CHECK(refused.err.find("point 0001 (policy.offload.plugin.params.offload_cost=7) cannot run") != std::string::npos);
    CHECK(refused.err.find("refused its parameters: parameter 'offload_cost' must be a number in [0, 1], got '7'") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(out / "summary.csv"));
  }
}
