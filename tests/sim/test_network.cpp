// The network on SimGrid's own models: Wi-Fi cells (per-station rate levels sharing the cell's
// airtime) and link energy (SimGrid's link_energy plugin on wired links, the radios' states on
// the cell), checked against hand-computed cases; and runs with every energy plugin on, faults
// and updates pending at the end, which must exit cleanly.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();
constexpr double kImageBytes = 28 * 28;  // one offloaded Fashion-MNIST image
constexpr double kLogitsBytes = 4 * 10;  // one reply

ProcessResult run(const fs::path& out, std::vector<std::string> sets) {
  return eccsim::testing::run_sim(eccsim::testing::SimRun(kTiny, std::move(sets)), out);
}

fs::path run_ok(const std::string& name, std::vector<std::string> sets) {
  return eccsim::testing::run_sim_ok("network-" + name, eccsim::testing::SimRun(kTiny, std::move(sets)));
}

// Every device requests at the same instants (a trace shared by all), uploads without running
// the edge model (cloud_only), behind a backhaul that never limits: only the cell shares.
std::vector<std::string> synchronous_uploads(const fs::path& trace, int devices) {
  fs::create_directories(trace.parent_path());
  std::ofstream(trace) << "1\n2\n3\n";
  return {fmt::format("platform.devices={}", devices), "platform.access.kind=wifi",
          "platform.access.rates=[54Mbps, 24Mbps, 6Mbps]", "platform.access.latency=1ms",
          "platform.backhaul.bandwidth=10Gbps", "platform.backhaul.latency=0ms", "policy.offload.filter=cloud_only",
          "workload.arrival=trace", "workload.trace=" + trace.string(), "workload.requests_per_device=0",
          "workload.duration=4s"};
}

double sum_of(const std::vector<double>& values) {
  double total = 0;
  for (const double v : values) total += v;
  return total;
}

}  // namespace

TEST_CASE("a lone Wi-Fi station at each rate level uploads in latency + bytes / rate", "[sim][network]") {
  const double rates_Bps[] = {54e6 / 8, 24e6 / 8, 6e6 / 8};
  for (int level = 0; level < 3; ++level) {
    INFO("level " << level);
    const fs::path dir = eccsim::testing::fresh_output_dir(fmt::format("network-input-level-{}", level));
    std::vector<std::string> sets = synchronous_uploads(dir / "trace.txt", 1);
    sets.insert(sets.end(), {"platform.access.stations=fixed", fmt::format("platform.access.level={}", level)});
    const fs::path out = run_ok(fmt::format("lone-{}", level), sets);
    const CsvTable requests(out / "requests.csv");
    REQUIRE(requests.rows() == 3);
    CHECK(eccsim::testing::max_deviation(requests, "uplink_s", 1e-3 + kImageBytes / rates_Bps[level]) < 1e-9);
    const CsvTable devices(out / "devices.csv");
    CHECK(devices.number(0, "wifi_level") == level);
    // The cell's airtime: three uploads and three replies at this station's rate.
    const CsvTable links(out / "links.csv");
    REQUIRE(links.text(0, "link") == "wifi-cell");
    CHECK(links.number(0, "busy_s") == Approx(3 * (kImageBytes + kLogitsBytes) / rates_Bps[level]).epsilon(1e-6));
  }
}

TEST_CASE("stations of different levels share the cell's airtime as SimGrid's Wi-Fi model says", "[sim][network]") {
  // Three stations at 54, 24 and 6 Mbps start an upload of b bytes together. The cell gives each
  // flow the same rate r with r/54 + r/24 + r/6 = 1 (in Mbps): all three end together after
  // b (1/R0 + 1/R1 + 1/R2) s, the slow station holding the others back.
  const fs::path dir = eccsim::testing::fresh_output_dir("network-input-sharing");
  const fs::path out = run_ok("sharing", synchronous_uploads(dir / "trace.txt", 3));
  const double shared_s = kImageBytes * (8 / 54e6 + 8 / 24e6 + 8 / 6e6);
  const CsvTable requests(out / "requests.csv");
  REQUIRE(requests.rows() == 9);
  CHECK(eccsim::testing::max_deviation(requests, "uplink_s", 1e-3 + shared_s) < 1e-9);
}

TEST_CASE("a far station's uploads are slower than a near one's in the same run", "[sim][network]") {
  const std::vector<std::string> sets{"platform.devices=6", "platform.access.kind=wifi",
                                      "platform.access.rates=[54Mbps, 6Mbps]", "platform.access.stations=random",
                                      "platform.access.shares=[0.5, 0.5]", "platform.access.latency=0ms",
                                      "platform.backhaul.latency=0ms", "policy.offload.filter=cloud_only",
                                      "workload.rate=2/s", "workload.requests_per_device=10"};
  const fs::path out = run_ok("far-near", sets);
  const CsvTable devices(out / "devices.csv");
  const CsvTable requests(out / "requests.csv");
  std::vector<double> near, far;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const auto device = static_cast<size_t>(requests.number(i, "device"));
    (devices.number(device, "wifi_level") == 0 ? near : far).push_back(requests.number(i, "uplink_s"));
  }
  REQUIRE(!near.empty());
  REQUIRE(!far.empty());
  CHECK(sum_of(far) / far.size() > 3 * sum_of(near) / near.size());
  // The seeded draw of levels is part of the scenario: the same seed gives the same cell.
  const fs::path again = run_ok("far-near-again", sets);
  CHECK(file_bytes(out / "devices.csv") == file_bytes(again / "devices.csv"));
  CHECK(file_bytes(out / "links.csv") == file_bytes(again / "links.csv"));
}

TEST_CASE("link energy of known transfers: idle power over the run plus the plugin's busy share", "[sim][network]") {
  // One wired device offloads three images at 1, 2 and 3 s over a 1 Mbps backhaul with 10 ms
  // latency. SimGrid's link_energy integrates idle + (busy - idle) x usage / bandwidth between
  // transfer events, so a link alone carrying a transfer counts as busy from the transfer's start
  // to its end, latency included.
  const fs::path dir = eccsim::testing::fresh_output_dir("network-input-link-energy");
  fs::create_directories(dir);
  std::ofstream(dir / "trace.txt") << "1\n2\n3\n";
  const fs::path out = run_ok(
      "link-energy", {"platform.devices=1", "platform.backhaul.bandwidth=1Mbps", "platform.backhaul.latency=10ms",
                      "platform.backhaul.power_idle=2W", "platform.backhaul.power_busy=12W",
                      "platform.access.bandwidth=1Gbps", "platform.access.latency=0ms",
                      "platform.access.power_idle=0.5W", "platform.access.power_busy=0.5W",
                      "policy.offload.filter=cloud_only", "workload.arrival=trace",
                      "workload.trace=" + (dir / "trace.txt").string(), "workload.requests_per_device=0",
                      "workload.duration=4s"});
  const double run_s = CsvTable(out / "summary.csv").number(0, "simulated_s");
  const CsvTable links(out / "links.csv");
  std::map<std::string, size_t> row;
  for (size_t i = 0; i < links.rows(); ++i) row[links.text(i, "link")] = i;
  const double up_s = 10e-3 + kImageBytes / (1e6 / 8);
  const double down_s = 10e-3 + kLogitsBytes / (1e6 / 8);
  CHECK(links.number(row.at("backhaul-up"), "energy_J") == Approx(2 * run_s + 10 * 3 * up_s).epsilon(1e-6));
  CHECK(links.number(row.at("backhaul-down"), "energy_J") == Approx(2 * run_s + 10 * 3 * down_s).epsilon(1e-6));
  CHECK(links.number(row.at("backhaul-up"), "bytes") == 3 * kImageBytes);
  CHECK(links.number(row.at("backhaul-up"), "busy_s") == Approx(3 * kImageBytes / (1e6 / 8)));
  CHECK(links.number(row.at("access-0-up"), "energy_J") == Approx(0.5 * run_s).epsilon(1e-6));
  double total_J = 0;
  for (size_t i = 0; i < links.rows(); ++i) total_J += links.number(i, "energy_J");
  const CsvTable summary(out / "summary.csv");
  CHECK(summary.number(0, "network_energy_J") == Approx(total_J).epsilon(1e-9));
  CHECK(summary.number(0, "network_energy_per_request_J") == Approx(total_J / 3).epsilon(1e-9));
}

TEST_CASE("the Wi-Fi radios' idle, transmit and receive states: the requests hold the station's transfers",
          "[sim][network]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("network-input-wifi-energy");
  std::vector<std::string> sets = synchronous_uploads(dir / "trace.txt", 1);
  sets.insert(sets.end(), {"platform.access.stations=fixed", "platform.access.level=2",
                           "platform.access.wifi_power={idle: 1W, tx: 3W, rx: 2W}",
                           "platform.device.radio_energy=wifi_states"});
  const fs::path out = run_ok("wifi-energy", sets);
  const double run_s = CsvTable(out / "summary.csv").number(0, "simulated_s");
  const double tx_s = 3 * kImageBytes / (6e6 / 8), rx_s = 3 * kLogitsBytes / (6e6 / 8);
  // The station sends what the access point receives and receives what it sends.
  const double station_J = 1 * (run_s - tx_s - rx_s) + 3 * tx_s + 2 * rx_s;
  const double access_point_J = 1 * (run_s - tx_s - rx_s) + 3 * rx_s + 2 * tx_s;
  CHECK(CsvTable(out / "devices.csv").number(0, "wifi_radio_energy_J") == Approx(station_J).epsilon(1e-9));
  // The cell's row: the access point and the station's idle time; its transfers are the requests'.
  const double station_idle_J = 1 * (run_s - tx_s - rx_s);
  CHECK(CsvTable(out / "links.csv").number(0, "energy_J") == Approx(station_idle_J + access_point_J).epsilon(1e-9));
  // radio_energy wifi_states: each request's radio energy is its station's transmit and receive
  // states, in place of the paper's transmit power x upload time.
  const CsvTable requests(out / "requests.csv");
  REQUIRE(requests.rows() == 3);
  CHECK(eccsim::testing::max_deviation(requests, "radio_energy_J", (3 * kImageBytes + 2 * kLogitsBytes) / (6e6 / 8)) <
        1e-12);
}

TEST_CASE("every energy plugin on, with faults and updates pending at the end, exits cleanly", "[sim][network]") {
  // Hosts failing kill servers waiting for messages, links failing lose transfers, and the run
  // ends with daemons still waiting: with the link energy plugin on, none of it may crash.
  const std::string faults =
      "faults=[{at: 0.5s, for: 0.4s, target: cloud}, {at: 1s, for: 0.5s, target: 'device[1]'}, "
      "{at: 1.5s, for: 0.3s, target: backhaul}, {at: 2s, for: 0.3s, target: 'access[0]'}, "
      "{rate: 2/s, for: 0.1s, target: 'device[0]'}]";
  for (const std::string kind : {"wired", "wifi"}) {
    INFO(kind);
    const fs::path out = run_ok(fmt::format("plugins-{}", kind),
                                {"platform.access.kind=" + kind, "platform.access.power_idle=0.1W",
                                 "platform.access.power_busy=0.3W", "platform.backhaul.power_idle=5W",
                                 "platform.backhaul.power_busy=9W", "policy.offload.filter=cloud_only",
                                 "policy.update={mode: on_device, trigger: 5, epochs: 1}", faults,
                                 "workload.requests_per_device=40"});
    const CsvTable summary(out / "summary.csv");
    CHECK(summary.number(0, "network_energy_J") > 2 * 5 * summary.number(0, "simulated_s"));
    CHECK(CsvTable(out / "faults.csv").rows() > 4);
  }
}

TEST_CASE("eccsim run prints the network's energy only when links draw power", "[sim][network]") {
  const ProcessResult quiet = run(eccsim::testing::fresh_output_dir("network-print-none"), {});
  INFO(quiet.err);
  REQUIRE(quiet.exit_code == 0);
  CHECK_THAT(quiet.out, !Catch::Contains("  network "));
  const ProcessResult powered = run(eccsim::testing::fresh_output_dir("network-print-powered"),
                                    {"platform.backhaul.power_idle=1W", "platform.backhaul.power_busy=2W"});
  INFO(powered.err);
  REQUIRE(powered.exit_code == 0);
  CHECK_THAT(powered.out, Catch::Contains("  network ") && Catch::Contains("J per request") &&
                              Catch::Contains("links.csv"));
}
