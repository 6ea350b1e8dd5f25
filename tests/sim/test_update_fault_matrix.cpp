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
#include "tests/support/eccsim_runs.hpp"
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

// The sets of one fault kind: a device, its access link or the cloud down over the first phase
// change (4 s, where updates start), or one device's battery empty by then.
std::vector<std::string> fault_sets(const std::string& fault) {
  if (fault == "device") return {"faults=[{at: 1s, for: 4s, target: \"device[0]\"}]"};
  if (fault == "access") return {"faults=[{at: 1s, for: 4s, target: \"access[0]\"}]"};
  if (fault == "cloud") return {"faults=[{at: 3s, for: 2s, target: cloud}]"};
  // battery: device 0 empties its battery at about 3 s, device 1 is mains powered.
  return {"platform.groups=[{name: weak, count: 1, device: {battery: 0.15J}}, {name: mains, count: 1}]"};
}

}  // namespace

TEST_CASE("every update mode and scope survives device, access, cloud and battery faults, losing no request",
          "[sim][faults][updates]") {
  const std::string tiny = eccsim::testing::tiny_scenario();
  std::vector<Case> cases;
  std::vector<std::vector<std::string>> commands;
  for (const std::string mode : {"on_device", "cloud", "oracle"}) {
    for (const std::string scope : {"device", "fleet"}) {
      for (const std::string fault : {"device", "access", "cloud", "battery"}) {
        Case c{mode, scope, fault, eccsim::testing::fresh_output_dir(fmt::format("matrix-{}-{}-{}", mode, scope, fault))};
        // Two devices, 6 s, one phase change at 4 s; training one epoch on few samples, simulated on
        // a fast processor so that updates end within the run (about 3 to 7 s of wall time each).
        std::vector<std::string> sets{"platform.devices=2", "workload.requests_per_device=0", "workload.duration=6s",
                                      "workload.rate=5/s", "workload.phase_length=4s", "workload.classes=cumulative",
                                      "policy.offload.explore=0.5", "platform.device.speed=100Gf",
                                      "dataset.evaluation_share=0",
                                      fmt::format("policy.update={{mode: {}, buffer: 30, trigger: 3, epochs: 1, "
                                                  "scope: {}, oracle_samples: 30}}", mode, scope)};
        for (const std::string& set : fault_sets(fault)) sets.push_back(set);
        cases.push_back(c);
        commands.push_back(eccsim::testing::sim_argv(eccsim::testing::SimRun(tiny, sets), c.out));
      }
    }
  }
  const std::vector<ProcessResult> results =
      eccsim::testing::run_processes(commands, {std::chrono::minutes(5), {}}, 2);

  std::map<std::string, size_t> updates_of_mode;
  std::map<std::string, size_t> reasons;   // abandoned updates by reason, over the matrix
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
    // An abandoned update says why, and the reason is the fault's: its own kind, or the trainer's
    // model never reaching the cloud for the devices that were to download it.
    const std::map<std::string, std::string> reason_of_fault{
        {"device", "device_down"}, {"access", "transfer_failed"}, {"cloud", "cloud_down"}, {"battery", "battery"}};
    const CsvTable updates(c.out / "updates.csv");
    for (size_t u = 0; u < updates.rows(); ++u) {
      const std::string status = updates.text(u, "status");
      const std::string reason = updates.text(u, "reason");
      CHECK((status == "installed" || status == "abandoned"));
      if (status == "installed") CHECK(reason.empty());
      if (status == "abandoned") {
        CHECK((reason == reason_of_fault.at(c.fault) || reason == "model_upload_failed"));
        ++reasons[reason];
      }
    }
    updates_of_mode[c.mode] += updates.rows();
  }
  // Not vacuous: every mode updated somewhere in the matrix, and device faults abandoned updates.
  for (const std::string mode : {"on_device", "cloud", "oracle"}) {
    INFO(mode);
    CHECK(updates_of_mode[mode] > 0);
  }
  // (Link and cloud faults abandon updates in test_faults_updates.cpp and test_energy_ledger.cpp.)
  for (const std::string reason : {"device_down", "battery"}) {
    INFO(reason);
    CHECK(reasons[reason] > 0);
  }
}
