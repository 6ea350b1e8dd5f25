// Heterogeneous fleets: device groups with their own hardware, access and arrivals behind sites
// with their own backhauls, in one run. Checked against what each group's settings imply
// (speed, bandwidth, latency), per group in groups.csv, and against the single-fleet form.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();
constexpr double kImageBytes = 28 * 28;  // one offloaded Fashion-MNIST image

// Runs tiny.yaml with `sets`; `out_text` (if given) receives what eccsim printed on stdout.
fs::path run_ok(const std::string& name, std::vector<std::string> sets, std::string* out_text = nullptr) {
  return eccsim::testing::run_sim_ok("fleet-" + name, eccsim::testing::SimRun(kTiny, std::move(sets)), out_text);
}

// Values of `column` over the rows whose `key` column is `value`.
std::vector<double> where(const CsvTable& table, const std::string& key, const std::string& value,
                          const std::string& column) {
  std::vector<double> values;
  for (size_t row = 0; row < table.rows(); ++row)
    if (table.text(row, key) == value) values.push_back(table.number(row, column));
  return values;
}

double mean(const std::vector<double>& values) {
  double total = 0;
  for (const double v : values) total += v;
  return values.empty() ? 0 : total / static_cast<double>(values.size());
}

}  // namespace

TEST_CASE("two groups of different speeds compute at their own speeds in one run", "[sim][fleet]") {
  const fs::path out = run_ok("speeds", {"platform.devices=5", "platform.groups=[{name: fast, count: 2, device: {speed: 10Gf}}, "
                                         "{name: slow, count: 3, device: {speed: 100Mf}}]",
                                         "policy.offload.filter=edge_only"});
  const CsvTable requests(out / "requests.csv");
  REQUIRE(requests.rows() == 5 * 20);
  const std::vector<double> fast = where(requests, "group", "fast", "edge_compute_s");
  const std::vector<double> slow = where(requests, "group", "slow", "edge_compute_s");
  REQUIRE(fast.size() == 2 * 20);
  REQUIRE(slow.size() == 3 * 20);
  // The same network on other samples: a hundredfold speed gives about a hundredth of the time.
  CHECK(mean(slow) / mean(fast) == Approx(100).epsilon(0.3));
  CHECK(*std::max_element(fast.begin(), fast.end()) < *std::min_element(slow.begin(), slow.end()));
  // Devices are numbered group by group; devices.csv and groups.csv say which is which.
  const CsvTable devices(out / "devices.csv");
  CHECK(devices.text(1, "group") == "fast");
  CHECK(devices.text(2, "group") == "slow");
  const CsvTable groups(out / "groups.csv");
  REQUIRE(groups.rows() == 2);
  CHECK(groups.text(0, "group") == "fast");
  CHECK(groups.number(0, "devices") == 2);
  CHECK(groups.number(1, "requests") == 60);
  CHECK(groups.number(0, "edge_energy_per_request_J") > 0);
}

TEST_CASE("a group on a slow site uploads slower than one on a fast site", "[sim][fleet]") {
  const fs::path out = run_ok(
      "sites", {"platform.devices=6",
                "platform.sites=[{name: far, backhaul: {bandwidth: 1Mbps, latency: 50ms}}, "
                "{name: near, backhaul: {bandwidth: 1Gbps, latency: 1ms}}]",
                "platform.groups=[{name: remote, share: 0.5, site: far}, {name: local, share: 0.5, site: near}]",
                "platform.access.bandwidth=100Mbps", "platform.access.latency=1ms", "policy.offload.filter=cloud_only",
                "workload.rate=1/s"});
  const CsvTable requests(out / "requests.csv");
  const std::vector<double> far = where(requests, "site", "far", "uplink_s");
  const std::vector<double> near = where(requests, "site", "near", "uplink_s");
  REQUIRE(far.size() == 3 * 20);
  REQUIRE(near.size() == 3 * 20);
  // The lower bound of each route: both latencies plus the image over the slowest link.
  CHECK(*std::min_element(far.begin(), far.end()) >= 0.051 + kImageBytes / (1e6 / 8) - 1e-9);
  CHECK(*std::max_element(near.begin(), near.end()) < 0.01);
  const CsvTable links(out / "links.csv");
  std::vector<std::string> names;
  for (size_t row = 0; row < links.rows(); ++row) names.push_back(links.text(row, "link"));
  CHECK(std::count(names.begin(), names.end(), "backhaul-far-up") == 1);
  CHECK(where(links, "link", "backhaul-near-up", "bytes") == std::vector<double>{3 * 20 * kImageBytes});
}

TEST_CASE("a fault on one site's backhaul leaves the other site's requests alone", "[sim][fleet]") {
  const fs::path out =
      run_ok("site-fault", {"platform.devices=4", "platform.sites=[{name: a}, {name: b}]",
                            "platform.groups=[{name: ga, count: 2, site: a}, {name: gb, count: 2, site: b}]",
                            "policy.offload.filter=cloud_only", "workload.rate=10/s", "policy.offload.timeout=200ms",
                            "policy.offload.backoff_after=0",
                            "faults=[{at: 0s, for: 100s, target: \"backhaul[a]\"}]"});
  const CsvTable groups(out / "groups.csv");
  REQUIRE(groups.rows() == 2);
  CHECK(groups.number(0, "cur") == 1);
  CHECK(groups.number(0, "fallbacks") == 40);  // every upload of site a is lost
  CHECK(groups.number(1, "fallbacks") == 0);
  const CsvTable faults(out / "faults.csv");
  CHECK(faults.text(0, "target") == "backhaul[a]");
}

TEST_CASE("Wi-Fi and wired groups share a site; a single fleet equals its one-group form", "[sim][fleet]") {
  const fs::path mixed = run_ok("mixed-access", {"platform.devices=4",
                                                 "platform.groups=[{name: air, count: 2, access: {kind: wifi, "
                                                 "rates: [54Mbps, 6Mbps]}}, {name: wire, count: 2}]",
                                                 "policy.offload.filter=cloud_only"});
  const CsvTable devices(mixed / "devices.csv");
  CHECK(devices.text(0, "wifi_level") == "0");
  CHECK(devices.text(1, "wifi_level") == "1");
  CHECK(devices.text(2, "wifi_level").empty());
  const CsvTable links(mixed / "links.csv");
  CHECK(where(links, "link", "wifi-air", "bytes") == std::vector<double>{2 * 20 * (kImageBytes + 40)});

  // The tiny fleet as written, and the same fleet as one explicit group behind one explicit site:
  // every value but the names is the same.
  const fs::path single = run_ok("single", {});
  const fs::path explicit_form = run_ok(
      "explicit", {"platform.sites=[{name: hq}]", "platform.groups=[{name: all, count: 2, site: hq}]"});
  const CsvTable a(single / "requests.csv");
  const CsvTable b(explicit_form / "requests.csv");
  REQUIRE(a.rows() == b.rows());
  for (const std::string column : {"t_done_s", "latency_s", "uplink_s", "downlink_s", "edge_energy_J",
                                   "radio_energy_J", "cloud_energy_J", "final_pred", "outcome"}) {
    INFO(column);
    for (size_t row = 0; row < a.rows(); ++row) CHECK(a.text(row, column) == b.text(row, column));
  }
  CHECK(a.text(0, "group") == "fleet");
  CHECK(b.text(0, "group") == "all");
  CHECK(b.text(0, "site") == "hq");
  CHECK(eccsim::testing::file_bytes(single / "summary.csv") == eccsim::testing::file_bytes(explicit_form / "summary.csv"));
}

TEST_CASE("a battery sized for ten inferences serves ten and drops the rest", "[sim][fleet][battery]") {
  // 1 mJ per inference, no idle drain: 10.5 mJ last ten inferences; the eleventh empties it.
  const fs::path out = run_ok("battery-steps", {"platform.device.energy=constant", "platform.device.constant_energy=1mJ",
                                                "platform.device.power_idle=0W", "platform.device.battery=10.5mJ",
                                                "policy.offload.filter=edge_only"});
  const CsvTable requests(out / "requests.csv");
  const CsvTable devices(out / "devices.csv");
  for (size_t device = 0; device < 2; ++device) {
    INFO("device " << device);
    std::vector<std::string> outcomes;
    for (size_t row = 0; row < requests.rows(); ++row)
      if (requests.number(row, "device") == static_cast<double>(device)) outcomes.push_back(requests.text(row, "outcome"));
    REQUIRE(outcomes.size() == 20);
    CHECK(std::count(outcomes.begin(), outcomes.begin() + 10, "edge") == 10);
    CHECK(std::count(outcomes.begin() + 10, outcomes.end(), "dropped") == 10);
    CHECK(devices.number(device, "battery_left_J") == 0);
    CHECK(devices.number(device, "death_s") > 0);
  }
  CHECK(where(requests, "reason", "battery", "edge_energy_J").size() == 20);
  const CsvTable summary(out / "summary.csv");
  CHECK(summary.number(0, "deaths") == 2);
  CHECK(summary.number(0, "first_death_s") <= summary.number(0, "median_death_s"));
}

TEST_CASE("idle power drains a battery to the second; mains-powered groups live on", "[sim][fleet][battery]") {
  // 1 J at 1 W idle and nothing else spent: the battery group dies at exactly 1 s.
  std::string printed;
  const fs::path out = run_ok("battery-idle", {"platform.devices=4", "platform.device.energy=constant",
                                               "platform.device.constant_energy=0J", "platform.device.power_idle=1W",
                                               "platform.device.power_busy=1W", "policy.offload.filter=edge_only",
                                               "platform.groups=[{name: cell, count: 2, device: {battery: 1J}}, "
                                               "{name: mains, count: 2}]"},
                              &printed);
  // eccsim run's summary names the deaths and gives a line per group.
  CHECK_THAT(printed, Catch::Contains("batteries     2 devices died, the first at 1.000 s, half the battery-powered "
                                      "ones by 1.000 s") &&
                          Catch::Contains("group cell     2 devices at site: ") &&
                          Catch::Contains("group mains    2 devices at site: "));
  const CsvTable devices(out / "devices.csv");
  CHECK(devices.number(0, "death_s") == 1);
  CHECK(devices.number(1, "death_s") == 1);
  CHECK(devices.text(2, "death_s").empty());
  CHECK(devices.text(2, "battery_left_J").empty());
  CHECK(devices.number(0, "idle_energy_J") == Approx(1));
  const CsvTable requests(out / "requests.csv");
  for (size_t row = 0; row < requests.rows(); ++row) {
    const bool dead_by_then = requests.text(row, "group") == "cell" && requests.number(row, "t_arrival_s") >= 1;
    CHECK((requests.text(row, "outcome") == "dropped") == dead_by_then);
  }
  const CsvTable groups(out / "groups.csv");
  CHECK(groups.number(0, "deaths") == 2);
  CHECK(groups.number(0, "median_death_s") == 1);
  CHECK(groups.number(1, "deaths") == 0);
  CHECK(groups.text(1, "first_death_s").empty());
  const CsvTable summary(out / "summary.csv");
  CHECK(summary.number(0, "median_death_s") == 1);  // both battery-powered devices died at 1 s
}
