// The packet network model (SimGrid's ns-3 binding) against the flow model on the same
// platform: a small message on an idle route pays TCP's round trips under packet and only the
// latency under flow; a large one costs the same bytes give or take TCP's headers; the requests'
// predictions do not depend on the model; a packet run is deterministic.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
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
constexpr double kImageBytes = 28 * 28;
constexpr double kAccessBps = 20e6 / 8;
constexpr double kRouteLatency_s = 0.002 + 0.010;  // tiny.yaml: access 2 ms + backhaul 10 ms

// One device uploading every request (cloud_only) at 1, 2, 3 s: each upload finds the route idle.
fs::path run_idle_uploads(const std::string& model, const std::string& calibration = "") {
  const fs::path out = eccsim::testing::fresh_output_dir("packet-" + model + (calibration.empty() ? "" : "-calibrated"));
  fs::create_directories(out.parent_path());
  const fs::path trace = out.string() + "-trace.txt";
  std::ofstream(trace) << "1\n2\n3\n";
  std::vector<std::string> sets{"platform.devices=1", "policy.offload.filter=cloud_only", "workload.arrival=trace",
                                "workload.trace=" + trace.string(), "workload.requests_per_device=0",
                                "workload.duration=4s", "platform.network.model=" + model};
  if (!calibration.empty()) sets.push_back("platform.network.calibration=" + calibration);
  const ProcessResult result = eccsim::testing::run_sim(eccsim::testing::SimRun(kTiny, sets), out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return out;
}

// Latency of one message of `bytes` over one 20 Mbps, 10 ms link (eccsim-netcheck).
double single_link_latency_s(const std::string& model, double bytes, double bandwidth_factor = 1) {
  const ProcessResult result = eccsim::testing::run_process(
      {ECCSIM_NETCHECK_BINARY, "--model", model, "--case", "single", "--sizes", fmt::format("{:.0f}", bytes),
       "--rate", "20Mbps", "--delay", "10ms", "--reps", "1", "--bandwidth-factor", fmt::format("{}", bandwidth_factor)},
      {std::chrono::minutes(5), {}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const fs::path csv = eccsim::testing::fresh_output_dir("packet-netcheck-" + model);
  fs::create_directories(csv.parent_path());
  std::ofstream(csv) << result.out;
  const CsvTable table(csv);
  REQUIRE(table.rows() == 1);
  return table.number(0, "latency_s");
}

}  // namespace

TEST_CASE("a 784-B upload on an idle route: latency + size / bandwidth under flow, TCP's round trips under packet",
          "[sim][network][packet]") {
  const CsvTable flow(run_idle_uploads("flow") / "requests.csv");
  const CsvTable packet(run_idle_uploads("packet") / "requests.csv");
  REQUIRE(flow.rows() == 3);
  REQUIRE(packet.rows() == 3);
  for (size_t r = 0; r < 3; ++r) {
    CHECK(flow.number(r, "uplink_s") == Approx(kRouteLatency_s + kImageBytes / kAccessBps).epsilon(1e-9));
    // SimGrid's ns-3 binding opens a connection per transfer and ends it when the sender's socket
    // closes: SYN, SYN-ACK, the data, then the receiver's FIN back, four crossings of the route,
    // plus each packet's transmission on every link.
    const double uplink_s = packet.number(r, "uplink_s");
    CHECK(uplink_s > 4 * kRouteLatency_s);
    CHECK(uplink_s < 4 * kRouteLatency_s + 0.002);
    CHECK(packet.number(r, "downlink_s") > 4 * kRouteLatency_s);
    // The network model changes times, not answers.
    CHECK(packet.text(r, "final_pred") == flow.text(r, "final_pred"));
    CHECK(packet.text(r, "outcome") == "cloud");
  }
}

TEST_CASE("a large transfer costs the same under both models, once flow pays TCP's headers", "[sim][network][packet]") {
  const double bytes = 10e6;
  const double flow_s = single_link_latency_s("flow", bytes);
  const double packet_s = single_link_latency_s("packet", bytes);
  CHECK(flow_s == Approx(0.010 + bytes / kAccessBps).epsilon(1e-9));
  // ns-3 carries 1,000 bytes of data per packet under 42 bytes of IP, TCP and point-to-point
  // headers (SimGrid's setting): +4.2 % over flow's bare bytes; slow start adds a few round trips.
  CHECK(packet_s / flow_s > 1.042);
  // Flow with the headers' share of the bandwidth (platform.network.bandwidth_factor) is within 2 %.
  const double headers_paid_s = single_link_latency_s("flow", bytes, 1000.0 / 1042.0);
  CHECK(headers_paid_s == Approx(0.010 + bytes / (kAccessBps * 1000.0 / 1042.0)).epsilon(1e-9));
  CHECK(std::abs(packet_s / headers_paid_s - 1) < 0.02);
}

TEST_CASE("a packet run is deterministic", "[sim][network][packet]") {
  const std::vector<std::string> sets{"platform.network.model=packet", "platform.devices=3"};
  std::vector<fs::path> outs;
  for (int k = 0; k < 2; ++k) {
    const eccsim::testing::SimRun run(kTiny, sets);
    outs.push_back(eccsim::testing::run_sim_ok(fmt::format("packet-determinism-{}", k), run));
  }
  for (const char* file : {"requests.csv", "devices.csv", "links.csv", "summary.csv"})
    CHECK(eccsim::testing::file_bytes(outs[0] / file) == eccsim::testing::file_bytes(outs[1] / file));
}

TEST_CASE("eccsim calibrate fits flow to packet on the scenario's messages, and a run reads its file",
          "[sim][network][packet]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("packet-calibrate");
  fs::create_directories(dir);
  const fs::path file = dir / "calibration.yaml";
  const ProcessResult result = eccsim::testing::run_process(
      {eccsim::testing::eccsim_binary(), "calibrate", kTiny, "--out", file.string()}, {std::chrono::minutes(5), {}});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("written to") != std::string::npos);
  // Small messages: SYN, SYN-ACK, data and FIN back, four crossings, so a factor of about 4.
  const CsvTable packet(run_idle_uploads("packet") / "requests.csv");
  const CsvTable calibrated(run_idle_uploads("flow", file.string()) / "requests.csv");
  REQUIRE(calibrated.rows() == packet.rows());
  for (size_t r = 0; r < packet.rows(); ++r) {
    CHECK(calibrated.number(r, "uplink_s") == Approx(packet.number(r, "uplink_s")).epsilon(0.02));
    CHECK(calibrated.number(r, "downlink_s") == Approx(packet.number(r, "downlink_s")).epsilon(0.02));
  }
}

TEST_CASE("a calibration file's latency factor by size applies to each message by its size", "[sim][network]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("network-factor-table");
  fs::create_directories(dir);
  const fs::path file = dir / "calibration.yaml";
  std::ofstream(file) << "latency_factor: {0: 2, 500: 3}\nbandwidth_factor: 0.5\n";
  const CsvTable requests(run_idle_uploads("flow", file.string()) / "requests.csv");
  REQUIRE(requests.rows() == 3);
  for (size_t r = 0; r < 3; ++r) {
    CHECK(requests.number(r, "uplink_s") == Approx(3 * kRouteLatency_s + kImageBytes / (0.5 * kAccessBps)).epsilon(1e-9));
    CHECK(requests.number(r, "downlink_s") == Approx(2 * kRouteLatency_s + 40 / (0.5 * kAccessBps)).epsilon(1e-9));
  }
}

TEST_CASE("an upload's radio transmits for its bytes, not for a protocol's round trips", "[sim][network][packet]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("network-radio-round-trips");
  fs::create_directories(dir);
  const fs::path file = dir / "calibration.yaml";
  std::ofstream(file) << "latency_factor: 3\nbandwidth_factor: 1\n";
  const CsvTable flow(run_idle_uploads("flow") / "requests.csv");
  const CsvTable handshake(run_idle_uploads("flow", file.string()) / "requests.csv");
  const CsvTable packet(run_idle_uploads("packet") / "requests.csv");
  for (size_t r = 0; r < flow.rows(); ++r) {
    const double energy_J = flow.number(r, "radio_energy_J");
    REQUIRE(energy_J > 0);
    CHECK(handshake.number(r, "uplink_s") == Approx(flow.number(r, "uplink_s") + 2 * kRouteLatency_s).epsilon(1e-9));
    CHECK(handshake.number(r, "radio_energy_J") == Approx(energy_J).epsilon(1e-6));
    CHECK(packet.number(r, "radio_energy_J") == Approx(energy_J * 1042.0 / 1000.0).epsilon(1e-6));  // its headers
  }
}

TEST_CASE("a bad calibration file is refused with its own file, line and key", "[sim][network]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("packet-bad-calibration");
  fs::create_directories(dir);
  const fs::path file = dir / "calibration.yaml";
  const auto refused = [&](const std::string& text, std::vector<std::string> extra = {}) {
    std::ofstream(file) << text;
    std::vector<std::string> argv{eccsim::testing::eccsim_binary(), "validate", kTiny, "--set",
                                  "platform.network.calibration=" + file.string()};
    for (const std::string& set : extra) argv.insert(argv.end(), {"--set", set});
    const ProcessResult result = eccsim::testing::run_process(argv, {std::chrono::minutes(1), {}});
    CHECK(result.exit_code == 2);
    return result.err;
  };
  CHECK_THAT(refused("latency_factor: 4\nbandwidth_factor: -1\n"),
             Catch::StartsWith(file.string() + ":2: bandwidth_factor: must be a number > 0, got '-1'"));
  CHECK_THAT(refused("latency_factor: 4\n"), Catch::StartsWith(file.string() + ":1: bandwidth_factor: missing"));
  CHECK_THAT(refused("latency_factor: 4\nbandwidth_factor: 1\nlatency: 2\n"),
             Catch::StartsWith(file.string() + ":3: latency: unknown key"));
  CHECK_THAT(refused("latency_factor:\n  0: 4\n  900: 5\n  100: 6\nbandwidth_factor: 1\n"),
             Catch::StartsWith(file.string() + ":4: latency_factor.100: sizes must start at 0 and increase"));
  CHECK_THAT(refused("latency_factor: 4\nbandwidth_factor: 1\n", {"platform.network.latency_factor=2"}),
             Catch::Contains("platform.network.latency_factor: give platform.network.calibration or the factors"));
}
