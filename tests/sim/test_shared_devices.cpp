// Devices driven as state (platform.device_actors: shared) against one actor per device: the real
// binary on the test scenario, both ways, compared byte for byte.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::file_bytes;

namespace {

fs::path run_tiny_as(const std::string& name, const std::string& device_actors, std::vector<std::string> sets) {
  sets.insert(sets.begin(), {"platform.devices=4", "workload.requests_per_device=0", "workload.duration=30s",
                             "workload.rate=3/s", "platform.device_actors=" + device_actors});
  return eccsim::testing::run_sim_ok(name + "-" + device_actors,
                                     eccsim::testing::SimRun(eccsim::testing::tiny_scenario(), std::move(sets)));
}

}  // namespace

TEST_CASE("devices driven as state give the per-device actors' outputs byte for byte", "[sim][shared]") {
  // Phases, a cloud outage (fallbacks), a backhaul outage (uploads lost on the way), Wi-Fi radios.
  const std::vector<std::string> sets{"workload.phase_length=6s", "workload.classes=cumulative",
                                      "faults=[{at: 8s, for: 4s, target: cloud}, {at: 15s, for: 3s, target: backhaul}]"};
  const fs::path actors = run_tiny_as("identical", "per_device", sets);
  const fs::path shared = run_tiny_as("identical", "shared", sets);
  for (const char* file : {"requests.csv", "devices.csv", "tasks.csv", "links.csv", "outages.csv", "accuracy_matrix.csv"}) {
    INFO(file);
    REQUIRE(fs::exists(actors / file));
    CHECK(file_bytes(actors / file) == file_bytes(shared / file));
  }
  const CsvTable requests(shared / "requests.csv");
  int fallbacks = 0;
  int answered_by_cloud = 0;
  for (size_t r = 0; r < requests.rows(); ++r) {
    fallbacks += requests.text(r, "outcome") == "fallback";
    answered_by_cloud += requests.text(r, "outcome") == "cloud";
  }
  CHECK(fallbacks > 0);   // the faults did cut offloads
  CHECK(answered_by_cloud > 0);
}

TEST_CASE("a device going down cuts its upload then when driven as state, at the transfer's end with its own actor",
          "[sim][shared]") {
  // The per-device actor sends a detached mailbox message, which SimGrid fails only when it would have
  // ended; a courier's host-to-host transfer fails when its source host turns off. Every other field
  // of every request is the same; the cut upload's radio energy is lower (charged until the failure).
  const std::vector<std::string> sets{"faults=[{at: 5s, for: 4s, target: 'device[1]'}]"};
  const CsvTable actors(run_tiny_as("device-down", "per_device", sets) / "requests.csv");
  const CsvTable shared(run_tiny_as("device-down", "shared", sets) / "requests.csv");
  REQUIRE(actors.rows() == shared.rows());
  int differing = 0;
  for (size_t r = 0; r < actors.rows(); ++r) {
    for (const std::string& column : actors.header()) {
      if (actors.text(r, column) == shared.text(r, column)) continue;
      INFO("request " << actors.text(r, "request_id") << ", " << column);
      REQUIRE(column == "radio_energy_J");
      CHECK(actors.text(r, "outcome") == "dropped");
      CHECK(shared.number(r, column) < actors.number(r, column));
      ++differing;
    }
  }
  CHECK(differing <= 1);   // at most the upload in flight when the device went down
}
