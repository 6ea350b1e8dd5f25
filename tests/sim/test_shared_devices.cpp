// Devices driven as state (platform.device_actors: shared) against one actor per device: the real
// binary on the test scenario both ways. The outcomes are the same; a time may differ by SimGrid's
// timing precision (surf/precision, 1 ns: an activity ending within it of an engine step ends at that
// step), because one actor's waits put the engine's steps at dates that differ in their last bits.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;

namespace {

fs::path run_tiny_as(const std::string& name, const std::string& device_actors, std::vector<std::string> sets) {
  sets.insert(sets.begin(), {"platform.devices=4", "workload.requests_per_device=0", "workload.duration=30s",
                             "workload.rate=3/s", "platform.device_actors=" + device_actors});
  return eccsim::testing::run_sim_ok(name + "-" + device_actors,
                                     eccsim::testing::SimRun(eccsim::testing::tiny_scenario(), std::move(sets)));
}

// The same table up to the timing precision: every text field equal, every number within 1e-7
// (relative above 1). Returns the first difference beyond that, or "".
std::string difference(const fs::path& a_file, const fs::path& b_file) {
  const CsvTable a(a_file);
  const CsvTable b(b_file);
  if (a.header() != b.header() || a.rows() != b.rows()) return "header or row count";
  for (size_t r = 0; r < a.rows(); ++r) {
    for (const std::string& column : a.header()) {
      const std::string& x = a.text(r, column);
      const std::string& y = b.text(r, column);
      if (x == y) continue;
      char* end_x = nullptr;
      char* end_y = nullptr;
      const double u = std::strtod(x.c_str(), &end_x);
      const double v = std::strtod(y.c_str(), &end_y);
      const bool numbers = !x.empty() && !y.empty() && *end_x == '\0' && *end_y == '\0';
      if (numbers && std::fabs(u - v) <= 1e-7 * std::max(1.0, std::fabs(u))) continue;
      return "row " + std::to_string(r) + ", " + column + ": " + x + " against " + y;
    }
  }
  return "";
}

void require_same_outputs(const fs::path& actors, const fs::path& shared) {
  for (const char* file : {"requests.csv", "devices.csv", "summary.csv", "tasks.csv", "links.csv", "faults.csv",
                           "accuracy_matrix.csv"}) {
    REQUIRE(fs::exists(actors / file));
    const std::string found = difference(actors / file, shared / file);
    INFO(file << ": " << found);
    CHECK(found.empty());
  }
}

int count_outcome(const CsvTable& requests, const std::string& outcome) {
  int n = 0;
  for (size_t r = 0; r < requests.rows(); ++r) n += requests.text(r, "outcome") == outcome;
  return n;
}

}  // namespace

TEST_CASE("devices driven as state give the per-device actors' outputs", "[sim][shared]") {
  // Phases, a cloud outage (fallbacks), a backhaul outage (uploads lost on the way).
  const std::vector<std::string> sets{"workload.phase_length=6s", "workload.classes=cumulative",
                                      "faults=[{at: 8s, for: 4s, target: cloud}, {at: 15s, for: 3s, target: backhaul}]"};
  const fs::path actors = run_tiny_as("identical", "per_device", sets);
  const fs::path shared = run_tiny_as("identical", "shared", sets);
  require_same_outputs(actors, shared);
  const CsvTable requests(shared / "requests.csv");
  CHECK(count_outcome(requests, "fallback") > 0);   // the faults did cut offloads
  CHECK(count_outcome(requests, "cloud") > 0);
  std::ifstream manifest(shared / "run.json");
  const std::string text((std::istreambuf_iterator<char>(manifest)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"device_actors\": \"shared\"") != std::string::npos);
}

TEST_CASE("devices going down or out of battery: the same outputs both ways, a cut upload charged until the failure",
          "[sim][shared]") {
  const std::vector<std::string> sets{"faults=[{at: 5s, for: 4s, target: 'device[1]'}, {rate: 0.3/s, for: 1s, target: 'device[2]'}]",
                                      "platform.device.battery=2J"};
  const fs::path actors = run_tiny_as("device-down", "per_device", sets);
  const fs::path shared = run_tiny_as("device-down", "shared", sets);
  require_same_outputs(actors, shared);
  // A request lost with its device costs the radio no more than a whole request's transfers.
  const CsvTable requests(shared / "requests.csv");
  double least_answered_J = 1e9;
  for (size_t r = 0; r < requests.rows(); ++r)
    if (requests.text(r, "outcome") == "cloud") least_answered_J = std::min(least_answered_J, requests.number(r, "radio_energy_J"));
  int cut = 0;
  for (size_t r = 0; r < requests.rows(); ++r) {
    if (requests.text(r, "outcome") != "dropped" || requests.number(r, "radio_energy_J") <= 0) continue;
    CHECK(requests.number(r, "radio_energy_J") <= least_answered_J);
    ++cut;
  }
  CHECK(cut > 0);
  CHECK(count_outcome(requests, "dropped") > cut);   // and what arrived while devices were down
}
