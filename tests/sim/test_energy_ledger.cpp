// Honest cost accounting, checked on the real binary: summary.csv's total energy is the sum of
// every energy the run's files hold (requests, updates, links, idle) and each request's latency
// the sum of its parts, on faulty, Wi-Fi, battery and fleet-update runs and on every scenario in
// scenarios/; work whose answer was not used is still charged; a fleet's model reaches the other
// devices over the network.
#include <catch2/catch.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/ledger_checks.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::column_sum;
using eccsim::testing::CsvTable;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();

fs::path run_ok(const std::string& name, const std::vector<std::string>& sets, bool admit_anyway = false) {
  std::vector<std::string> all{"workload.requests_per_device=0", "workload.duration=30s", "workload.rate=3/s",
                               "workload.phase_length=6s", "workload.classes=cumulative"};
  all.insert(all.end(), sets.begin(), sets.end());
  std::vector<std::string> flags;
  if (admit_anyway) flags.push_back("--admit-anyway");
  return eccsim::testing::run_sim_ok("energy-" + name, eccsim::testing::SimRun(kTiny, all, flags));
}

// Both run-wide checks: latency parts and the energy ledger.
void check_total_is_the_sum_of_its_parts(const fs::path& out) {
  eccsim::testing::check_latency_parts_add_up(out);
  eccsim::testing::check_energy_adds_up(out);
}

}  // namespace

TEST_CASE("the total energy is every request's, update's, link's and idle joule, through faults",
          "[sim][energy]") {
  const fs::path out = run_ok("faults", {"faults=[{at: 8s, for: 6s, target: cloud}, {at: 3s, for: 5s, target: 'device[0]'}]",
                                         "platform.backhaul.power_idle=2W", "platform.backhaul.power_busy=5W"});
  check_total_is_the_sum_of_its_parts(out);
  CHECK(CsvTable(out / "summary.csv").number(0, "dropped") > 0);
}

TEST_CASE("the cloud's idle energy is its idle power over the run: batches are charged their dynamic share",
          "[sim][energy]") {
  const fs::path out = run_ok("cloud-idle", {"platform.cloud.power_idle=80W", "platform.cloud.power_busy=240W",
                                             "policy.offload.filter=cloud_only"});
  const CsvTable summary(out / "summary.csv");
  // SimGrid's host energy plugin minus what the cost model charged: exactly the idle power.
  CHECK(summary.number(0, "cloud_idle_energy_J") == Approx(80 * summary.number(0, "simulated_s")).epsilon(1e-6));
  CHECK(summary.number(0, "cloud_energy_per_request_J") > 0);
  check_total_is_the_sum_of_its_parts(out);
}

TEST_CASE("Wi-Fi radio states: each station's transmit and receive counted once, on its requests",
          "[sim][energy]") {
  const fs::path out = run_ok("wifi", {"platform.devices=3", "platform.access.kind=wifi",
                                       "platform.access.rates=[54Mbps, 6Mbps]", "platform.device.radio_energy=wifi_states",
                                       "policy.offload.filter=cloud_only"});
  check_total_is_the_sum_of_its_parts(out);
  // The requests hold the stations' transmit and receive energy; what the stations' radios spent
  // beyond it (devices.csv) is their idle time: 0.82 W x (3 stations x the run - the cell's airtime).
  const CsvTable devices(out / "devices.csv");
  const CsvTable links(out / "links.csv");
  const double simulated_s = CsvTable(out / "summary.csv").number(0, "simulated_s");
  const double stations_idle_J = column_sum(devices, "wifi_radio_energy_J") -
                                 column_sum(CsvTable(out / "requests.csv"), "radio_energy_J");
  CHECK(stations_idle_J == Approx(0.82 * (3 * simulated_s - links.number(0, "busy_s"))).epsilon(1e-6));
  CHECK(links.number(0, "energy_J") > stations_idle_J);   // and the access point's radio
}

TEST_CASE("batteries: what a dying device spent is in the total", "[sim][energy][battery]") {
  const fs::path out = run_ok("battery", {"platform.device.battery=2J", "platform.device.power_idle=0.1W"});
  check_total_is_the_sum_of_its_parts(out);
  CHECK(CsvTable(out / "summary.csv").number(0, "deaths") == 2);
}

TEST_CASE("batteries under fleet updates: a device that dies mid-update keeps what it spent in the ledger",
          "[sim][energy][battery][updates]") {
  const fs::path out = run_ok("battery-updates", {"platform.devices=4", "policy.offload.explore=0.4",
                                                  "platform.device.battery=2.5J", "platform.device.power_idle=0.01W",
                                                  "policy.update={mode: on_device, buffer: 60, trigger: 6, epochs: 1, scope: fleet}"});
  check_total_is_the_sum_of_its_parts(out);
  CHECK(CsvTable(out / "summary.csv").number(0, "deaths") > 0);
  CHECK(CsvTable(out / "updates.csv").rows() > 0);
}

TEST_CASE("a reply that comes too late still cost its upload and its batch: wasted energy", "[sim][energy]") {
  // 15 ms is shorter than the round trip (24 ms of latency): every offload falls back, yet the cloud
  // answered each one and each device's radio sent it.
  const fs::path out = run_ok("late", {"policy.offload.timeout=15ms", "policy.offload.backoff_after=0",
                                       "policy.offload.filter=cloud_only"});
  const CsvTable requests(out / "requests.csv");
  double wasted_J = 0;
  int late = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    if (requests.text(i, "outcome") != "fallback") continue;
    ++late;
    CHECK(requests.number(i, "radio_energy_J") > 0);
    CHECK(requests.number(i, "cloud_energy_J") > 0);
    wasted_J += requests.number(i, "radio_energy_J") + requests.number(i, "cloud_energy_J");
  }
  REQUIRE(late > 50);
  CHECK(CsvTable(out / "summary.csv").number(0, "wasted_energy_J") == Approx(wasted_J).epsilon(1e-9));
  check_total_is_the_sum_of_its_parts(out);
}

TEST_CASE("an upload cut by a failed link cost its radio until the failure", "[sim][energy][faults]") {
  // 784 bytes at 40 kbit/s take 157 ms: uploads are in flight when the backhaul fails at 8 s. Those
  // sent before the failure and cut by it fall back, never reached the cloud, and still cost radio
  // energy; those sent while it is down fail at once and cost none.
  const fs::path out = run_ok("cut-upload", {"platform.devices=4", "platform.access.bandwidth=40kbps",
                                             "policy.offload.filter=cloud_only", "policy.offload.backoff_after=0",
                                             "faults=[{at: 8s, for: 6s, target: backhaul}]"});
  const CsvTable requests(out / "requests.csv");
  int cut = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    if (requests.text(i, "outcome") != "fallback" || requests.number(i, "cloud_energy_J") > 0) continue;
    if (requests.number(i, "radio_energy_J") == 0) continue;   // sent while the link was down
    ++cut;
    // At most 5.48 W for the whole timeout (1 s): the radio stopped when the transfer failed.
    CHECK(requests.number(i, "radio_energy_J") < 5.48 * 1.0);
  }
  CHECK(cut >= 1);
  check_total_is_the_sum_of_its_parts(out);
}

namespace {

// The first update of device 0 in `out`'s updates.csv: its row.
size_t first_update_of_device_0(const CsvTable& updates) {
  for (size_t u = 0; u < updates.rows(); ++u)
    if (updates.number(u, "device") == 0) return u;
  FAIL("device 0 has no update");
  return 0;
}

// Runs `sets` twice: as given, then with `target` failing about halfway through device 0's first
// training. Returns what the full and the cut training recorded.
struct CutTraining {
  double full_energy_J = 0;
  double full_duration_s = 0;
  double cut_energy_J = 0;
  double cut_duration_s = 0;     // how long it ran before the fault
  std::string cut_status;
  std::string cut_reason;
};

CutTraining cut_first_training(const std::string& name, std::vector<std::string> sets, const std::string& target) {
  const CsvTable full(run_ok(name + "-full", sets) / "updates.csv");
  const size_t row = first_update_of_device_0(full);
  // The training ends when the update does, less the download in cloud mode (a few ms here).
  const double midpoint_s = full.number(row, "t_end_s") - full.number(row, "duration_s") / 2;
  sets.push_back(fmt::format("faults=[{{at: {:.6f}s, for: 3s, target: '{}'}}]", midpoint_s, target));
  const fs::path out = run_ok(name + "-cut", sets);
  check_total_is_the_sum_of_its_parts(out);
  const CsvTable cut(out / "updates.csv");
  const size_t cut_row = first_update_of_device_0(cut);
  return {full.number(row, "train_energy_J"), full.number(row, "duration_s"), cut.number(cut_row, "train_energy_J"),
          cut.number(cut_row, "duration_s"), cut.text(cut_row, "status"), cut.text(cut_row, "reason")};
}

// The cut training was charged the share of the full one's energy that it ran.
void check_charged_for_what_ran(const CutTraining& training) {
  CHECK(training.cut_status == "abandoned");
  const double ran = training.cut_duration_s / training.full_duration_s;
  CHECK(ran > 0.2);
  CHECK(ran < 0.9);
  CHECK(training.cut_energy_J == Approx(training.full_energy_J * ran).epsilon(0.02));
}

}  // namespace

TEST_CASE("a training cut by a fault is charged what it ran, on the device and in the cloud",
          "[sim][energy][faults][updates]") {
  SECTION("on the device: the device fails halfway") {
    const CutTraining training = cut_first_training(
        "cut-device-training", {"policy.offload.explore=0.4", "policy.update={mode: on_device, buffer: 60, trigger: 6, epochs: 1}"},
        "device[0]");
    check_charged_for_what_ran(training);
    CHECK(training.cut_reason == "device_down");
  }
  SECTION("in the cloud: the cloud host fails halfway") {
    // A slow cloud host (2 Gflop/s), so that its training lasts seconds.
    const CutTraining training = cut_first_training(
        "cut-cloud-training", {"policy.offload.explore=0.4", "platform.cloud.speed=2Gf",
                               "policy.update={mode: cloud, buffer: 60, trigger: 6, epochs: 1}"},
        "cloud");
    check_charged_for_what_ran(training);
    CHECK(training.cut_reason == "cloud_down");
  }
}

TEST_CASE("scope fleet on the device: one device trains, the others download its model, down devices miss it",
          "[sim][energy][updates]") {
  // Device 0 is down from 1 s to 29 s: the fleet's updates cannot reach it, and the run completes.
  const fs::path out = run_ok("fleet", {"platform.devices=4", "policy.offload.explore=0.4",
                                        "policy.update={mode: on_device, buffer: 60, trigger: 6, epochs: 1, scope: fleet}",
                                        "faults=[{at: 1s, for: 28s, target: 'device[0]'}]"});
  const CsvTable updates(out / "updates.csv");
  REQUIRE(updates.rows() >= 4);
  int trained = 0, downloaded = 0, missed = 0;
  for (size_t u = 0; u < updates.rows(); ++u) {
    const bool trainer = updates.number(u, "train_ops") > 0;
    if (updates.text(u, "status") == "abandoned") {
      ++missed;
      CHECK(updates.number(u, "device") == 0);
      continue;
    }
    if (trainer) {
      ++trained;
      CHECK(updates.number(u, "train_energy_J") > 0);
      CHECK(updates.number(u, "bytes_down") == 0);
      CHECK(updates.number(u, "bytes_up") > 100000);  // its model, to the cloud for the others
      CHECK(updates.number(u, "radio_energy_J") > 0);
    } else {
      ++downloaded;
      CHECK(updates.number(u, "train_energy_J") == 0);
      CHECK(updates.number(u, "bytes_down") > 100000);
    }
  }
  CHECK(trained >= 1);
  CHECK(downloaded >= 2 * trained);
  CHECK(missed >= 1);
  check_total_is_the_sum_of_its_parts(out);
}

TEST_CASE("scope fleet in the cloud: one upload and training, a download per device", "[sim][energy][updates]") {
  const fs::path out = run_ok("fleet-cloud", {"platform.devices=3", "policy.offload.explore=0.4",
                                              "policy.update={mode: cloud, buffer: 60, trigger: 6, epochs: 1, scope: fleet}"});
  const CsvTable updates(out / "updates.csv");
  REQUIRE(updates.rows() >= 3);
  int trainers = 0;
  for (size_t u = 0; u < updates.rows(); ++u) {
    CHECK(updates.number(u, "bytes_down") > 100000);
    if (updates.number(u, "train_ops") > 0) {
      ++trainers;
      CHECK(updates.number(u, "bytes_up") > 0);
      CHECK(updates.number(u, "train_energy_J") > 0);
    }
  }
  CHECK(trainers * 3 == static_cast<int>(updates.rows()));
  check_total_is_the_sum_of_its_parts(out);
}

TEST_CASE("every scenario in scenarios/, run short: latency parts and energies add up", "[sim][energy][examples]") {
  std::vector<fs::path> scenarios;
  for (const auto& entry : fs::directory_iterator(fs::path(ECCSIM_SOURCE_DIR) / "scenarios"))
    if (entry.path().extension() == ".yaml") scenarios.push_back(entry.path());
  std::sort(scenarios.begin(), scenarios.end());
  REQUIRE(scenarios.size() >= 10);
  std::vector<std::vector<std::string>> commands;
  std::vector<fs::path> outs;
  for (const fs::path& scenario : scenarios) {
    const std::string name = scenario.stem().string();
    outs.push_back(eccsim::testing::fresh_output_dir("every-scenario-" + name));
    // As scripts/record-outputs runs them: a minute of traffic, no sweep, a few devices.
    std::vector<std::string> command{eccsim::testing::eccsim_binary(), "run", scenario.string(), "--out",
                                     outs.back().string(), "--set", "workload.requests_per_device=0",
                                     "--set", "workload.duration=60s", "--set", "workload.phase_length=12s",
                                     "--set", "workload.rate=5/s", "--set", "sweep={}"};
    if (name != "device-profiles") command.insert(command.end(), {"--set", name == "paper-constants" ? "platform.devices=1" : "platform.devices=4"});
    for (const std::string& set : eccsim::testing::example_plugin_sets(scenario))
      command.insert(command.end(), {"--set", set});
    commands.push_back(command);
  }
  const std::vector<ProcessResult> results =
      eccsim::testing::run_processes(commands, {std::chrono::minutes(15), ECCSIM_SOURCE_DIR}, 2);
  for (size_t k = 0; k < scenarios.size(); ++k) {
    INFO(scenarios[k].string() << ": " << results[k].err);
    REQUIRE(results[k].exit_code == 0);
    check_total_is_the_sum_of_its_parts(outs[k]);
  }
}

TEST_CASE("idle power attributed to the work that held it moves joules, and adds none", "[sim][energy][idle]") {
  // The same run twice: idle power the run's, then attributed (output.idle_energy: held), with
  // cloud-mode updates so that a training holds a cloud core.
  const std::vector<std::string> sets{"policy.offload.explore=0.4", "platform.device.power_idle=0.1W",
                                      "policy.update={mode: cloud, buffer: 60, trigger: 6, epochs: 1}"};
  std::vector<std::string> held_sets = sets;
  held_sets.push_back("output.idle_energy=held");
  const fs::path run_out = run_ok("idle-run", sets);
  const fs::path held_out = run_ok("idle-held", held_sets);
  check_total_is_the_sum_of_its_parts(held_out);
  const CsvTable run(run_out / "summary.csv");
  const CsvTable held(held_out / "summary.csv");
  CHECK(held.number(0, "total_energy_J") == Approx(run.number(0, "total_energy_J")).epsilon(1e-9));
  CHECK(run.number(0, "idle_energy_per_request_J") == 0);
  CHECK(column_sum(CsvTable(run_out / "requests.csv"), "idle_energy_J") == 0);

  // A device's share: its idle power over each inference's own time; the cloud's: the rest.
  const CsvTable requests(held_out / "requests.csv");
  double device_share_J = 0, cloud_share_J = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const double device_J = 0.1 * requests.number(i, "edge_compute_s");
    device_share_J += device_J;
    cloud_share_J += requests.number(i, "idle_energy_J") - device_J;
    if (requests.number(i, "cloud_compute_s") > 0) CHECK(requests.number(i, "idle_energy_J") > device_J);
  }
  REQUIRE(device_share_J > 0);
  const CsvTable updates(held_out / "updates.csv");
  REQUIRE(updates.rows() > 0);
  const double trainings_J = column_sum(updates, "idle_energy_J");
  CHECK(trainings_J > 0);
  CHECK(run.number(0, "device_idle_energy_J") - held.number(0, "device_idle_energy_J") ==
        Approx(device_share_J).epsilon(1e-6));
  CHECK(run.number(0, "cloud_idle_energy_J") - held.number(0, "cloud_idle_energy_J") ==
        Approx(cloud_share_J + trainings_J).epsilon(1e-6));
  CHECK(held.number(0, "energy_per_request_J") - run.number(0, "energy_per_request_J") ==
        Approx(held.number(0, "idle_energy_per_request_J")).epsilon(1e-6));
}

TEST_CASE("radio tails: a whole tail after each lone offload, a cut one while it waits for the reply, in the total",
          "[sim][energy][tail]") {
  // Arrivals 5 s apart and a 1 s tail: every reply's tail runs whole before the next upload; the
  // tail between an upload and its reply is cut by the reply, so it lasts less than the request.
  const fs::path trace_dir = eccsim::testing::fresh_output_dir("energy-tail-trace");
  fs::create_directories(trace_dir);
  const fs::path trace = trace_dir / "arrivals.txt";
  {
    std::ofstream arrivals(trace);
    for (int k = 0; k < 5; ++k) arrivals << 1 + 5 * k << "\n";
  }
  const fs::path out = run_ok("tail", {"workload.arrival=trace", "workload.trace=" + trace.string(),
                                       "policy.offload.filter=cloud_only", "platform.device.radio_tail=constant",
                                       "platform.device.radio_tail_power=2W", "platform.device.radio_tail_time=1s"});
  check_total_is_the_sum_of_its_parts(out);
  const CsvTable requests(out / "requests.csv");
  const CsvTable devices(out / "devices.csv");
  REQUIRE(requests.rows() == 10);   // 2 devices x 5 arrivals
  double latency_s = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    REQUIRE(requests.text(i, "outcome") == "cloud");
    latency_s += requests.number(i, "latency_s");
  }
  const double tails_J = column_sum(devices, "radio_tail_energy_J");
  CHECK(tails_J > 2.0 * 10);                   // ten whole tails after the replies
  CHECK(tails_J < 2.0 * (10 + latency_s));     // and the waits for them, shorter than the requests
}

TEST_CASE("uploads still on their way when the run ends are charged what they sent", "[sim][energy]") {
  // A 16 kbps uplink takes 0.4 s per image and the timeout is 50 ms (admitted anyway): every request
  // falls back long before its upload arrives, and the run ends with the last uploads on the link.
  const fs::path out = run_ok("in-flight", {"policy.offload.filter=cloud_only", "policy.offload.timeout=50ms",
                                            "policy.offload.backoff_after=0", "platform.access.bandwidth=16kbps"},
                              /*admit_anyway=*/true);
  check_total_is_the_sum_of_its_parts(out);
  const CsvTable requests(out / "requests.csv");
  for (size_t i = 0; i < requests.rows(); ++i) {
    INFO("request " << i);
    CHECK(requests.number(i, "radio_energy_J") > 0);   // every upload's radio is charged, arrived or not
  }
  // Fewer images crossed the backhaul than were offloaded: the rest were on the access links at the end.
  const CsvTable links(out / "links.csv");
  double arrived = 0;
  for (size_t i = 0; i < links.rows(); ++i)
    if (links.text(i, "link") == "backhaul-up") arrived = links.number(i, "bytes") / 784;
  CHECK(arrived < static_cast<double>(requests.rows()) - 5);
}
