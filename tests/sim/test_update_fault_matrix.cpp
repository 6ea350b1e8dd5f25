// Simulation test of every update mode x scope under every fault kind (issue #41, item 1: a
// fleet update while a device was down used to abort with "Cannot launch actor on failed host"):
// the real binary on tiny runs, one simulation per process, each run required to finish with
// every generated request accounted for once and every update row given a status.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::ProcessResult;

namespace {

struct Case {
  std::string mode;
  std::string scope;
  std::string fault;
  fs::path out;
};

// The sets of one fault kind: a device, its access link or the cloud down for a while, or every
// device on a battery that empties mid-run.
std::vector<std::string> fault_sets(const std::string& fault) {
  if (fault == "device") return {"faults=[{at: 1s, for: 8s, target: \"device[0]\"}]"};
  if (fault == "access") return {"faults=[{at: 1s, for: 8s, target: \"access[0]\"}]"};
  if (fault == "cloud") return {"faults=[{at: 3s, for: 4s, target: cloud}]"};
  return {"platform.device.battery=1.2J", "platform.device.power_idle=0.05W"};   // battery
}

}  // namespace

TEST_CASE("every update mode and scope survives device, access, cloud and battery faults, losing no request",
          "[sim][faults][updates]") {
  const std::string tiny = std::string(ECCSIM_SOURCE_DIR) + "/tests/scenarios/tiny.yaml";
  std::vector<Case> cases;
  std::vector<std::vector<std::string>> commands;
  for (const std::string mode : {"on_device", "cloud", "oracle"}) {
    for (const std::string scope : {"device", "fleet"}) {
      for (const std::string fault : {"device", "access", "cloud", "battery"}) {
        Case c{mode, scope, fault, eccsim::testing::fresh_output_dir(fmt::format("matrix-{}-{}-{}", mode, scope, fault))};
        std::vector<std::string> argv{eccsim::testing::eccsim_binary(), "run", tiny, "--out", c.out.string(),
                                      "--set", std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR};
        std::vector<std::string> sets{"platform.devices=3", "workload.requests_per_device=0", "workload.duration=12s",
                                      "workload.rate=4/s", "workload.phase_length=3s", "workload.classes=cumulative",
                                      "policy.offload.explore=0.4",
                                      fmt::format("policy.update={{mode: {}, buffer: 40, trigger: 4, epochs: 1, "
                                                  "scope: {}, oracle_samples: 100}}", mode, scope)};
        for (const std::string& set : fault_sets(fault)) sets.push_back(set);
        for (const std::string& set : sets) {
          argv.push_back("--set");
          argv.push_back(set);
        }
        cases.push_back(c);
        commands.push_back(argv);
      }
    }
  }
  const std::vector<ProcessResult> results =
      eccsim::testing::run_processes(commands, {std::chrono::minutes(5), {}}, 2);

  std::map<std::string, size_t> updates_of_mode;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    INFO(fmt::format("mode {}, scope {}, {} fault: {}", c.mode, c.scope, c.fault, results[k].err));
    REQUIRE(results[k].exit_code == 0);
    // One row per generated request, ids 0 ... n-1 each once, each with an outcome.
    const CsvTable requests(c.out / "requests.csv");
    const CsvTable summary(c.out / "summary.csv");
    REQUIRE(requests.rows() > 0);
    CHECK(static_cast<double>(requests.rows()) == summary.number(0, "requests"));
    std::vector<int> seen(requests.rows(), 0);
    for (size_t i = 0; i < requests.rows(); ++i) {
      const double id = requests.number(i, "request_id");
      REQUIRE(id >= 0);
      REQUIRE(id < static_cast<double>(requests.rows()));
      ++seen[static_cast<size_t>(id)];
      const std::string outcome = requests.text(i, "outcome");
      CHECK((outcome == "edge" || outcome == "cloud" || outcome == "fallback" || outcome == "dropped"));
    }
    for (size_t id = 0; id < seen.size(); ++id) CHECK(seen[id] == 1);
    const CsvTable updates(c.out / "updates.csv");
    for (size_t u = 0; u < updates.rows(); ++u) {
      const std::string status = updates.text(u, "status");
      CHECK((status == "installed" || status == "abandoned"));
    }
    updates_of_mode[c.mode] += updates.rows();
  }
  // Not vacuous: every mode updated somewhere in the matrix.
  for (const std::string mode : {"on_device", "cloud", "oracle"}) {
    INFO(mode);
    CHECK(updates_of_mode[mode] > 0);
  }
}
