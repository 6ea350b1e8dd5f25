// Scenario YAML: defaults, the example scenarios, --set overrides, the to_yaml round trip, and a
// table of malformed scenarios checked in-process and through `eccsim validate` (exit 2, one line
// "file:line: key.path: message" on stderr).
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "sim/scenario/fleet.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/fuzz_seeds.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::InputError;
using eccsim::testing::TempDir;
using eccsim::Scenario;
using eccsim::load_scenario;
using eccsim::to_yaml;

namespace {

std::string load_error(const fs::path& file, const std::vector<std::string>& overrides = {}) {
  if (fs::is_regular_file(file)) {
    std::ifstream in(file, std::ios::binary);
    eccsim::testing::keep_fuzz_seed(std::string(std::istreambuf_iterator<char>(in), {}), overrides);
  }
  try {
    load_scenario(file, overrides);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::vector<fs::path> example_scenarios() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(ECCSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("keys left out take their documented defaults", "[scenario]") {
  TempDir dir("defaults");
  const Scenario s = load_scenario(dir.write("s.yaml", "name: minimal\n"));
  Scenario expected;
  expected.name = "minimal";
  CHECK(to_yaml(s) == to_yaml(expected));
  CHECK(s.platform.access.bandwidth_Bps == 20e6 / 8);
  CHECK(s.platform.backhaul.latency_s == 20e-3);
  CHECK(s.platform.device.e_ac_J == 0.9e-12);
  CHECK(s.policy.offload.filter == eccsim::OffloadFilter::Entropy);
  CHECK(s.faults.empty());
  CHECK(s.sweep.grid.empty());
  CHECK(s.source_file == dir.path() / "s.yaml");
}

TEST_CASE("exploration defaults to 0.2 with buffer-driven updates only, unless given", "[scenario]") {
  TempDir dir("explore");
  CHECK(load_scenario(dir.write("none.yaml", "name: n\n")).policy.offload.explore == 0);
  for (const char* mode : {"on_device", "cloud"}) {
    const Scenario s = load_scenario(dir.write("m.yaml", fmt::format("policy: {{update: {{mode: {}}}}}\n", mode)));
    CHECK(s.policy.offload.explore == eccsim::kBufferExploreDefault);
    CHECK(s.policy.update.method == eccsim::UpdateMethod::ReplayAligned);
    CHECK(s.policy.update.buffer_policy == eccsim::BufferPolicy::Balanced);
    CHECK(s.policy.update.classes == eccsim::UpdateClasses::CloudLabels);
  }
  CHECK(load_scenario(dir.write("order.yaml", "policy: {update: {mode: cloud, classes: task_order}}\n"))
            .policy.update.classes == eccsim::UpdateClasses::TaskOrder);
  CHECK(load_scenario(dir.write("oracle.yaml", "policy: {update: {mode: oracle}}\nworkload: {phase_length: 10s}\n"))
            .policy.offload.explore == 0);
  const fs::path given = dir.write("given.yaml", "policy: {update: {mode: cloud}, offload: {explore: 0}}\n");
  CHECK(load_scenario(given).policy.offload.explore == 0);
  CHECK(load_scenario(dir.write("none.yaml", "name: n\n"), {"policy.update.mode=on_device"}).policy.offload.explore ==
        eccsim::kBufferExploreDefault);
  // The resolved scenario carries the value used, so a point of a sweep reads back the same.
  const Scenario resolved = load_scenario(dir.write("m.yaml", "policy: {update: {mode: on_device}}\n"));
  CHECK(load_scenario(dir.write("r.yaml", to_yaml(resolved))).policy.offload.explore == eccsim::kBufferExploreDefault);
}

TEST_CASE("devices share actors from 20,000 unless platform.device_actors says otherwise", "[scenario]") {
  TempDir dir("device-actors");
  const fs::path file = dir.write("s.yaml", "name: n\n");
  const auto shared = [&](const std::vector<std::string>& sets) {
    return eccsim::devices_share_actors(load_scenario(file, sets).platform);
  };
  CHECK(load_scenario(file).platform.device_actors == eccsim::DeviceActors::Auto);
  CHECK_FALSE(shared({"platform.devices=19999"}));
  CHECK(shared({"platform.devices=20000"}));
  CHECK_FALSE(shared({"platform.devices=1000000", "platform.device_actors=per_device"}));
  CHECK(shared({"platform.devices=1", "platform.device_actors=shared"}));
  const std::string error = eccsim::testing::input_error_of([&] { load_scenario(file, {"platform.device_actors=pooled"}); });
  CHECK_THAT(error, Catch::Contains("platform.device_actors") && Catch::Contains("auto") &&
                        Catch::Contains("per_device") && Catch::Contains("shared"));
}

TEST_CASE("unit strings become SI fields", "[scenario]") {
  TempDir dir("si");
  const Scenario s = load_scenario(dir.write("s.yaml", R"(
platform:
  device: {speed: 1.5Gf, power_idle: 300mW, radio_tx: 5.48W, e_mac: 4.6pJ, constant_energy: 0.69mJ}
  access: {bandwidth: 12.5MBps, latency: 100us}
  cloud: {speed: 20Tf, constant_latency: 4.3ms, batch: {wait: 2ms}}
workload: {rate: 120/min, duration: 1.5min}
policy: {offload: {timeout: 1s}}
)"));
  CHECK(s.platform.device.speed_ops == 1.5e9);
  CHECK(s.platform.device.power_idle_W == Approx(0.3));
  CHECK(s.platform.device.radio_tx_W == 5.48);
  CHECK(s.platform.device.e_mac_J == Approx(4.6e-12));
  CHECK(s.platform.device.constant_energy_J == Approx(0.69e-3));
  CHECK(s.platform.access.bandwidth_Bps == 12.5e6);
  CHECK(s.platform.access.latency_s == Approx(1e-4));
  CHECK(s.platform.cloud.speed_flops == 20e12);
  CHECK(s.platform.cloud.constant_latency_s == Approx(4.3e-3));
  CHECK(s.workload.rate_per_s == 2);
  CHECK(s.workload.duration_s == 90);
}

TEST_CASE("every example scenario validates", "[scenario][cli]") {
  const std::vector<fs::path> files = example_scenarios();
  REQUIRE(files.size() >= 2);
  for (const fs::path& file : files) {
    INFO(file);
    CHECK_NOTHROW(load_scenario(file));
    // From the repository's root, as a user runs them (a plugin's path is relative to it).
    std::vector<std::string> validate{eccsim::testing::eccsim_binary(), "validate", file.string()};
    for (const std::string& set : eccsim::testing::example_plugin_sets(file))
      validate.insert(validate.end(), {"--set", set});
    const auto run = eccsim::testing::run_process(validate, {std::chrono::minutes(1), ECCSIM_SOURCE_DIR});
    CHECK(run.exit_code == 0);
    CHECK(run.err.empty());
  }
}

TEST_CASE("paper-constants reproduces the paper per-input costs", "[scenario]") {
  const Scenario s = load_scenario(fs::path(ECCSIM_SOURCE_DIR) / "scenarios" / "paper-constants.yaml");
  const double image_bytes = 28 * 28;
  const double upload_s = image_bytes / s.platform.access.bandwidth_Bps;
  CHECK(upload_s == Approx(1.6e-3).epsilon(1e-12));
  CHECK(s.platform.device.radio_tx_W * upload_s == Approx(8.7680e-3).epsilon(1e-9));
  CHECK(s.platform.access.latency_s == 0);
  CHECK(s.platform.backhaul.latency_s == 0);
  CHECK(image_bytes / s.platform.backhaul.bandwidth_Bps < 1e-6);
  CHECK(s.platform.devices == 1);
  CHECK(s.platform.device.energy == eccsim::DeviceEnergy::Constant);
  CHECK(s.platform.device.constant_latency_s == Approx(2.5e-3));
  CHECK(s.platform.device.constant_energy_J == Approx(0.69e-3));
  CHECK(s.platform.cloud.energy == eccsim::CloudEnergy::Constant);
  CHECK(s.platform.cloud.constant_latency_s == Approx(4.3e-3));
  CHECK(s.platform.cloud.constant_energy_J == Approx(15.167));
  CHECK(s.platform.cloud.batch.max == 1);
  CHECK(s.platform.cloud.batch.wait_s == 0);
  CHECK(s.policy.offload.filter == eccsim::OffloadFilter::Entropy);
  CHECK(s.policy.offload.threshold == 0.7);
  CHECK(s.policy.update.mode == eccsim::UpdateMode::None);
}

TEST_CASE("set overrides replace scalars lists and maps", "[scenario]") {
  TempDir dir("set");
  const fs::path file = dir.write("s.yaml", R"(name: base
platform:
  devices: 4
  access: {kind: wired, bandwidth: 5Mbps, latency: 1ms}
)");
  const Scenario s = load_scenario(file, {
                                             "platform.devices=100",
                                             "policy.offload.threshold=0.5",
                                             "faults=[{at: 20s, target: cloud, for: 10s}, {at: 1min, for: 1s, "
                                             "target: 'device[99]'}, {rate: 6/min, for: 2s, target: backhaul}]",
                                             "platform.access={kind: wifi, bandwidth: 54Mbps}",
                                             "models.train.distill.enabled=false",
                                             "sweep={seed: [1, 2, 3]}",
                                         });
  CHECK(s.platform.devices == 100);
  CHECK(s.policy.offload.threshold == 0.5);
  REQUIRE(s.faults.size() == 3);
  CHECK(s.faults[0].at_s == 20);
  CHECK(s.faults[0].for_s == 10);
  CHECK(s.faults[0].target == "cloud");
  CHECK(s.faults[1].at_s == 60);
  CHECK(s.faults[1].target == "device[99]");
  CHECK(s.faults[1].rate_per_s == 0);  // scheduled
  CHECK(s.faults[2].rate_per_s == 0.1);  // random, from the start
  CHECK(s.faults[2].at_s == 0);
  // A map replaces the whole section: latency falls back to its default.
  CHECK(s.platform.access.kind == eccsim::AccessKind::Wifi);
  CHECK(s.platform.access.bandwidth_Bps == 54e6 / 8);
  CHECK(s.platform.access.latency_s == 2e-3);
  CHECK_FALSE(s.models.train.distill.enabled);
  REQUIRE(s.sweep.grid.size() == 1);
  CHECK(s.sweep.grid[0].key == "seed");
  CHECK(s.sweep.grid[0].values == std::vector<std::string>{"1", "2", "3"});

  // Where values came from, for later checks.
  CHECK(s.key_lines.at("name") == 1);
  CHECK(s.key_lines.at("platform.devices") == 0);
  CHECK(s.key_lines.at("faults[1].target") == 0);
  CHECK(s.where("name") == file.string() + ":1: name");
  CHECK(s.where("platform.devices") == "--set platform.devices");
  CHECK(s.where("output.dir") == file.string() + ": output.dir");

  // The last --set of a key wins; a section created by --set is fine.
  const Scenario t = load_scenario(file, {"platform.devices=7", "platform.devices=8", "output.dir=out/x"});
  CHECK(t.platform.devices == 8);
  CHECK(t.output.dir == "out/x");
}

TEST_CASE("key lines point at the file", "[scenario]") {
  TempDir dir("lines");
  const fs::path file = dir.write("s.yaml", R"(# comment
name: lines

platform:
  devices: 3
faults:
  - at: 10s
    for: 5s
    target: backhaul
sweep:
  platform.devices: [1, 2]
)");
  const Scenario s = load_scenario(file);
  CHECK(s.key_lines.at("name") == 2);
  CHECK(s.key_lines.at("platform") == 4);
  CHECK(s.key_lines.at("platform.devices") == 5);
  CHECK(s.key_lines.at("faults[0]") == 7);
  CHECK(s.key_lines.at("faults[0].target") == 9);
  CHECK(s.key_lines.at("sweep.platform.devices") == 11);
  CHECK(s.where("faults[0].target") == file.string() + ":9: faults[0].target");
}

TEST_CASE("to_yaml round-trips through load_scenario", "[scenario]") {
  TempDir dir("roundtrip");
  std::vector<fs::path> files = example_scenarios();
  files.push_back(dir.write("defaults.yaml", "name: d\n"));
  files.push_back(dir.write("rich.yaml", R"(name: "yes: no"
seed: 18446744073709551615
dataset: {name: cifar100, path: "", tasks: 10, base_classes: 50}
models: {dir: "models/cache/with space", train: {learning_rate: 3.3e-4, distill: {weight: 0.25}}}
platform:
  devices: 3
  device: {speed: 1.234567Gf, e_ac: 1.1pJ, energy: power}
  access: {kind: wifi, bandwidth: 54Mbps, latency: 1.5ms, rates: [54Mbps, 6.5Mbps], stations: random,
           shares: [0.25, 0.75], wifi_power: {tx: 1.5W}}
  backhaul: {power_idle: 2W, power_busy: 2.5W}
  cloud: {hosts: 2, batch: {max: 8, wait: 0s}}
workload: {arrival: periodic, rate: 0.3/s, trace: "null", duration: 2h, phase_length: 1000ms, classes: current}
policy: {offload: {filter: random, rate: 0.25, timeout: 250ms}, update: {mode: on_device, scope: fleet}}
faults:
  - {at: 0s, for: 1us, target: "cloud[1]"}
  - {at: 1h, for: 30min, target: "access[2]"}
output: {dir: "out dir/~", requests: false}
sweep:
  platform.backhaul.bandwidth: [10Mbps, 1Gbps]
  faults: [[], [{at: 1s, for: 2s, target: backhaul}]]
  zip:
    platform.devices: [3, 4]
    workload.rate: [1/s, 2/s]
)"));
  files.push_back(dir.write("count.yaml", "workload: {requests_per_device: 50}\n"));
  std::ifstream fleet_seed(std::string(ECCSIM_SOURCE_DIR) + "/tests/fuzz/corpus/seed-fleet.yaml");
  files.push_back(dir.write("fleet.yaml", std::string(std::istreambuf_iterator<char>(fleet_seed), {})));
  for (const fs::path& file : files) {
    INFO(file);
    const Scenario first = load_scenario(file);
    const std::string text = to_yaml(first);
    const Scenario second = load_scenario(dir.write("again.yaml", text));
    CHECK(to_yaml(second) == text);
    // to_yaml prints every field exactly, so equal text means equal fields; spot-check a few.
    CHECK(second.platform.access.bandwidth_Bps == first.platform.access.bandwidth_Bps);
    CHECK(second.platform.access.rates_Bps == first.platform.access.rates_Bps);
    CHECK(second.platform.access.shares == first.platform.access.shares);
    CHECK(second.platform.device.e_ac_J == first.platform.device.e_ac_J);
    CHECK(second.models.train.learning_rate == first.models.train.learning_rate);
    CHECK(second.name == first.name);
    CHECK(second.seed == first.seed);
    CHECK(second.faults.size() == first.faults.size());
    CHECK(second.sweep.zip.size() == first.sweep.zip.size());
  }
  const Scenario rich = load_scenario(dir.path() / "rich.yaml");
  CHECK(rich.name == "yes: no");
  CHECK(rich.platform.access.rates_Bps == std::vector<double>{54e6 / 8, 6.5e6 / 8});
  CHECK(rich.platform.access.shares == std::vector<double>{0.25, 0.75});
  CHECK(rich.platform.access.stations == eccsim::StationLevels::Random);
  CHECK(rich.platform.access.wifi_power.tx_W == 1.5);
  CHECK(rich.platform.backhaul.power_busy_W == 2.5);
  CHECK(rich.workload.trace == "null");
  CHECK(rich.output.dir == "out dir/~");
  CHECK(rich.dataset.path.empty());
  CHECK(rich.sweep.grid.at(1).values.at(1) == "[{at: 1s, for: 2s, target: backhaul}]");
}

TEST_CASE("groups take their devices by count, share or the rest, and their blocks from the top level", "[scenario]") {
  TempDir dir("groups");
  const auto devices_of = [&](const std::string& yaml, std::vector<std::string> sets = {}) {
    const Scenario s = load_scenario(dir.write("g.yaml", yaml), sets);
    std::vector<int> devices;
    for (const eccsim::GroupConfig& group : s.platform.groups) devices.push_back(group.devices);
    devices.push_back(s.platform.devices);
    return devices;
  };
  // Shares by largest remainder (ties to the first group), counts alone summed, the rest group.
  CHECK(devices_of("platform: {devices: 7, groups: [{name: a, share: 0.3}, {name: b, share: 0.7}]}\n") ==
        std::vector<int>{2, 5, 7});
  CHECK(devices_of("platform: {devices: 10, groups: [{name: a, share: 0.3333333333}, {name: b, share: 0.3333333333}, "
                   "{name: c, share: 0.3333333334}]}\n") == std::vector<int>{3, 3, 4, 10});
  CHECK(devices_of("platform: {devices: 3, groups: [{name: a, share: 0.5}, {name: b, share: 0.5}]}\n") ==
        std::vector<int>{2, 1, 3});
  CHECK(devices_of("platform: {groups: [{name: a, count: 3}, {name: b, count: 4}]}\n") == std::vector<int>{3, 4, 7});
  CHECK(devices_of("platform: {devices: 10, groups: [{name: a, count: 3}, {name: b, share: 0.5}, {name: c}]}\n") ==
        std::vector<int>{3, 5, 2, 10});
  // A sweep or --set reaches one group's key by index; the rest group follows.
  CHECK(devices_of("platform: {devices: 10, groups: [{name: a, share: 0.5}, {name: b}]}\n",
                   {"platform.groups[0].share=0.2"}) == std::vector<int>{2, 8, 10});

  const Scenario s = load_scenario(dir.write("blocks.yaml", R"(platform:
  device: {speed: 2Gf, power_idle: 0.1W}
  backhaul: {bandwidth: 50Mbps}
  sites: [{name: far, backhaul: {latency: 80ms}}]
  groups:
    - {name: a, count: 1, site: far, device: {speed: 3Gf}, workload: {rate: 7/s}}
    - {name: b, count: 1}
workload: {rate: 1/s}
)"), {"platform.groups[1].device.power_idle=0.2W"});
  const eccsim::GroupConfig& a = s.platform.groups.at(0);
  const eccsim::GroupConfig& b = s.platform.groups.at(1);
  CHECK(a.device.speed_ops == 3e9);
  CHECK(a.device.power_idle_W == 0.1);           // the top level's
  CHECK(b.device.speed_ops == 2e9);
  CHECK(b.device.power_idle_W == 0.2);           // set on the group only
  CHECK(s.platform.device.power_idle_W == 0.1);
  CHECK(a.workload.rate_per_s == 7);
  CHECK(b.workload.rate_per_s == 1);
  CHECK(s.platform.sites.at(0).backhaul.bandwidth_Bps == 50e6 / 8);   // the top level's
  CHECK(s.platform.sites.at(0).backhaul.latency_s == 0.08);
  CHECK(s.key_lines.at("platform.groups[0].device.speed") == 6);
  CHECK(s.key_lines.at("platform.groups[1].device.power_idle") == 0);  // from --set

  const eccsim::Fleet fleet = eccsim::fleet_of(s);
  CHECK(fleet.group_of_device == std::vector<int>{0, 1});
  CHECK(fleet.site_of(1) == 0);                  // no site given: the first
  const eccsim::Fleet single = eccsim::fleet_of(load_scenario(dir.write("single.yaml", "platform: {devices: 3}\n")));
  REQUIRE(single.groups.size() == 1);
  CHECK(single.groups[0].name == "fleet");
  CHECK(single.groups[0].devices == 3);
  CHECK(single.sites.at(0).name == "site");
}

TEST_CASE("a device profile fills speed, busy power, energy mode and per-op energies; explicit keys win", "[scenario]") {
  TempDir dir("profiles");
  const fs::path file = dir.write("p.yaml", R"(platform:
  device: {profile: jetson-nano, power_idle: 50mW}
  groups:
    - {name: chips, count: 1, device: {profile: loihi, e_ac: 10pJ}}
    - {name: mcus, count: 1, device: {profile: stm32f407, speed: 236Gf}}
    - {name: boards, count: 1, device: {speed: 100Gf}}
)");
  const Scenario s = load_scenario(file);
  const eccsim::DeviceConfig& top = s.platform.device;
  CHECK(top.profile == "jetson-nano");
  CHECK(top.energy == eccsim::DeviceEnergy::Power);
  CHECK(top.speed_ops == 236e9);            // 472 GFLOPS FP16, two per MAC
  CHECK(top.power_busy_W == 10);
  CHECK(top.e_mac_J == Approx(10 / 236e9));  // busy power per op
  CHECK(top.power_idle_W == 0.05);           // given: no profile has one
  const eccsim::DeviceConfig& chips = s.platform.groups.at(0).device;
  CHECK(chips.energy == eccsim::DeviceEnergy::Ops);
  CHECK(chips.speed_ops == Approx(128 / 3.5e-9));  // 128 cores, 3.5 ns per synaptic op
  CHECK(chips.e_mac_J == 23.6e-12);
  CHECK(chips.e_ac_J == 10e-12);                   // the group's own key over its profile
  CHECK(chips.power_busy_W == Approx(23.6e-12 * 128 / 3.5e-9));
  CHECK(chips.power_idle_W == 0.05);               // the top level's
  const eccsim::DeviceConfig& mcus = s.platform.groups.at(1).device;
  CHECK(mcus.power_busy_W == Approx(238e-6 * 168 * 3.3));
  CHECK(mcus.speed_ops == 236e9);                  // given, although the top level's profile has it too
  const eccsim::DeviceConfig& boards = s.platform.groups.at(2).device;
  CHECK(boards.profile == "jetson-nano");          // inherited with the block
  CHECK(boards.power_busy_W == 10);
  CHECK(boards.speed_ops == 100e9);
  // The printed scenario reads back to the same fields, the group's speed equal to the top level's included.
  const std::string text = to_yaml(s);
  const Scenario again = load_scenario(dir.write("again.yaml", text));
  CHECK(to_yaml(again) == text);
  CHECK(again.platform.groups.at(1).device.speed_ops == 236e9);
  CHECK(again.platform.groups.at(0).device.e_ac_J == 10e-12);
  // --set reaches a profile like any key.
  CHECK(load_scenario(file, {"platform.groups[2].device.profile=truenorth"}).platform.groups.at(2).device.power_busy_W ==
        Approx(72e-3));
}

TEST_CASE("a target share replaces the threshold, and an override wins over the file", "[scenario]") {
  TempDir dir("target-share");
  const fs::path file = dir.write("s.yaml", "policy: {offload: {filter: margin, threshold: 0.4}}\n");
  const Scenario calibrated = load_scenario(file, {"policy.offload.target_cur=0.3"});
  CHECK(calibrated.policy.offload.target_cur == 0.3);
  CHECK(calibrated.policy.offload.calibrates_threshold());
  // The resolved scenario shows which was given: the threshold as a comment, target_cur as a key.
  const std::string text = to_yaml(calibrated);
  CHECK_THAT(text, Catch::Contains("# threshold: 0.4 (unused: calibrated from the target share)"));
  CHECK_THAT(text, Catch::Contains("target_cur: 0.3"));
  CHECK(load_scenario(dir.write("again.yaml", text)).policy.offload.target_cur == 0.3);

  const fs::path target = dir.write("t.yaml", "policy: {offload: {target_cur: 0.3, budget: {window: 10s}}}\n");
  const Scenario fixed = load_scenario(target, {"policy.offload.threshold=0.6"});
  CHECK_FALSE(fixed.policy.offload.calibrates());
  CHECK(fixed.policy.offload.threshold == 0.6);
  const Scenario budget = load_scenario(target, {"policy.offload.budget.cur=0.25"});
  CHECK(budget.policy.offload.budget_cur == 0.25);
  CHECK(budget.policy.offload.target_cur < 0);
  CHECK(budget.policy.offload.budget_window_s == 10);
  // Not given: one comment per key or section, indented like the keys around it.
  const std::string plain = to_yaml(load_scenario(dir.write("plain.yaml", "name: p\n")));
  CHECK_THAT(plain, Catch::Contains("\n    threshold: 0.7\n    # rate: 0.5 (unused: only the random filter)\n"
                                    "    # target_cur: not given (threshold decides)\n"));
  CHECK_THAT(plain, Catch::Contains("\n    # budget: not given (no online budget)\n"
                                    "    # plugin: (unused: the filter is not plugin)\n    explore: 0\n"));
}

TEST_CASE("validate --print emits the resolved scenario", "[scenario][cli]") {
  TempDir dir("print");
  const fs::path file = dir.write("s.yaml", "platform: {devices: 3}\n");
  const auto run = eccsim::testing::run_process({eccsim::testing::eccsim_binary(), "validate", file.string(),
                                                 "--set", "platform.backhaul.bandwidth=1Gbps", "--print"});
  REQUIRE(run.exit_code == 0);
  CHECK(run.out == to_yaml(load_scenario(file, {"platform.backhaul.bandwidth=1Gbps"})));
  CHECK_THAT(run.out, Catch::Contains("bandwidth: 1Gbps"));
}

TEST_CASE("hostile text: NUL bytes, deep nesting and huge values get a short message that says what is wrong",
          "[scenario][fuzz-seeds]") {
  TempDir dir("hostile-text");
  const fs::path nul = dir.write("nul.yaml", std::string("name: n\nseed: 1\0 2\n", 19));
  CHECK(load_error(nul) == nul.string() + ":2: a NUL byte at byte 16: a scenario is YAML text");
  const fs::path deep = dir.write("deep.yaml", "name: n\nsweep: " + std::string(3000, '[') + std::string(3000, ']') + "\n");
  CHECK(load_error(deep) == deep.string() + ":2: lists and mappings nested deeper than 64 levels");
  // Quoted brackets and comments do not count.
  const fs::path quoted = dir.write("quoted.yaml", "name: '" + std::string(100, '[') + "' # " + std::string(100, '{') + "\n");
  CHECK(load_scenario(quoted).name == std::string(100, '['));
  const fs::path huge = dir.write("huge.yaml", "platform: {devices: " + std::string(1 << 20, '7') + "}\n");
  const std::string message = load_error(huge);
  CHECK_THAT(message, Catch::StartsWith(huge.string() + ":1: platform.devices: a value of 1048576 characters (at most 4096): '7777"));
  CHECK(message.size() < 200);
  CHECK_THAT(load_error(dir.write("short.yaml", "name: n\n"), {"name=" + std::string(5000, 'x')}),
             Catch::StartsWith("--set name: a value of 5000 characters"));
}

TEST_CASE("a key given but unused is a warning that names it, and the run goes on", "[scenario][cli]") {
  TempDir dir("unused");
  const fs::path file = dir.write("unused.yaml", "name: n\npolicy:\n  offload: {filter: entropy, budget: {window: 10s}}\n");
  const Scenario s = load_scenario(file);
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0] == file.string() + ":3: policy.offload.budget.window: given but unused (no online budget)");
  const auto run = eccsim::testing::run_process({eccsim::testing::eccsim_binary(), "validate", file.string()});
  CHECK(run.exit_code == 0);
  CHECK(run.err == "warning: " + s.warnings[0] + "\n");
  // Given together with budget.cur, the window is used: no warning.
  CHECK(load_scenario(file, {"policy.offload.budget.cur=0.2"}).warnings.empty());
  // A --set that the scenario ignores is named as a --set.
  const Scenario wired = load_scenario(file, {"platform.access.level=2", "policy.offload.budget.cur=0.2"});
  REQUIRE(wired.warnings.size() == 1);
  CHECK_THAT(wired.warnings[0], Catch::StartsWith("--set platform.access.level: given but unused ("));
  // The paper's constants fix the cloud's time per inference: a latency model is not used.
  const Scenario constant = load_scenario(file, {"platform.cloud.energy=constant", "platform.cloud.latency.model=flops",
                                                 "policy.offload.budget.cur=0.2"});
  REQUIRE(constant.warnings.size() == 1);
  CHECK(constant.warnings[0] == "--set platform.cloud.latency.model: given but unused (energy constant)");
}

TEST_CASE("a missing or unreadable file is an input error", "[scenario][cli]") {
  TempDir dir("missing");
  const fs::path missing = dir.path() / "nope.yaml";
  CHECK(load_error(missing) == missing.string() + ": cannot read (no such file)");
  CHECK_THAT(load_error(dir.path()), Catch::StartsWith(dir.path().string() + ": cannot read"));
  const auto run = eccsim::testing::run_process({eccsim::testing::eccsim_binary(), "validate", missing.string()});
  CHECK(run.exit_code == 2);
  CHECK(run.err == missing.string() + ": cannot read (no such file)\n");
}

namespace {

// One malformed scenario: the error must start with "<file>:<line>: <key>: " (line 0: "--set <key>: ";
// empty key: "<file>:<line>: ") and contain `message`.
struct Malformed {
  const char* what;
  const char* yaml;
  int line;
  const char* key;
  const char* message;
  std::vector<std::string> overrides = {};
};

const std::vector<Malformed>& malformed_scenarios() {
  static const std::vector<Malformed> cases{
      {"unknown unit", "platform: {access: {bandwidth: 20Mbbps}}\n", 1, "platform.access.bandwidth",
       "unknown unit 'Mbbps' in '20Mbbps'"},
      {"missing unit", "platform:\n  backhaul:\n    bandwidth: 100\n", 3, "platform.backhaul.bandwidth",
       "missing unit in '100' (a bandwidth, e.g. 20Mbps)"},
      {"negative bandwidth", "name: n\nplatform: {access: {bandwidth: -20Mbps}}\n", 2, "platform.access.bandwidth",
       "negative bandwidth '-20Mbps'"},
      {"zero bandwidth", "platform: {backhaul: {bandwidth: 0Mbps}}\n", 1, "platform.backhaul.bandwidth",
       "must be > 0, got '0Mbps'"},
      {"ambiguous minute", "workload:\n  duration: 5m\n", 2, "workload.duration", "ambiguous unit 'm'"},
      {"unknown key with suggestion", "platform:\n  acess: {kind: wired}\n", 2, "platform.acess",
       "unknown key (did you mean 'access'?)"},
      {"unknown nested key", "policy:\n  offload:\n    thresold: 0.5\n", 3, "policy.offload.thresold",
       "unknown key (did you mean 'threshold'?)"},
      {"key at the wrong level", "name: x\ndevices: 3\n", 2, "devices",
       "unknown key (did you mean 'platform.devices'?)"},
      {"unknown key, nothing close", "platform: {zzzzzz: 1}\n", 1, "platform.zzzzzz",
       "unknown key (expected one of: devices, device_actors, device, access, backhaul, network, sites, groups, cloud)"},
      {"string for an integer", "platform: {devices: ten}\n", 1, "platform.devices",
       "expected an integer, got 'ten'"},
      {"fraction for an integer", "dataset: {tasks: 2.5}\n", 1, "dataset.tasks", "expected an integer, got '2.5'"},
      {"integer out of range", "platform: {devices: 99999999999}\n", 1, "platform.devices", "out of range"},
      {"list for a map", "platform: [1, 2]\n", 1, "platform", "expected a mapping with keys devices"},
      {"map for a scalar", "seed:\n  a: 1\n", 1, "seed", "expected an integer, got a mapping"},
      {"unknown update method", "policy:\n  update: {mode: on_device, method: icarl}\n", 2, "policy.update.method",
       "unknown value 'icarl' (expected one of: lwf, replay, replay_wa)"},
      {"exploration above 1", "policy:\n  offload:\n    explore: 1.5\n", 3, "policy.offload.explore", "1.5"},
      {"missing value", "platform:\n  devices:\n", 2, "platform.devices", "missing value (expected an integer)"},
      {"negative seed", "seed: -1\n", 1, "seed", "must be >= 0, got -1"},
      {"empty name", "name: \"\"\n", 1, "name", "must not be empty"},
      {"yes is not a boolean", "output: {requests: yes}\n", 1, "output.requests", "expected true or false"},
      {"empty file", "", 1, "", "empty scenario (expected a mapping of top-level keys: name, seed"},
      {"only comments", "# nothing here\n\n", 1, "", "empty scenario"},
      {"not YAML", "name: x\nplatform: {devices: 3\n", 3, "", "YAML syntax error"},
      {"bad indentation", "name: x\nplatform:\n  devices: 3\n   cloud: 2\n", 4, "", "YAML syntax error"},
      {"plain text", "just some words\n", 1, "", "expected a mapping of top-level keys"},
      {"a list, not a mapping", "- name: x\n- seed: 1\n", 1, "", "got a list"},
      {"two documents", "name: a\n---\nname: b\n", 3, "", "expected one YAML document"},
      // Found by the fuzzer (tests/fuzz): yaml-cpp 0.7's LoadAll looped forever on a stray comma.
      {"stray comma", ",\n", 1, "", "YAML syntax error: unexpected ','"},
      {"stray comma before a key", ", name: x\n", 1, "", "YAML syntax error: unexpected ','"},
      {"stray comma after a list", "[name, seed]\n,\n", 2, "", "YAML syntax error: unexpected ','"},
      {"duplicate key", "name: a\nseed: 1\nname: b\n", 3, "name", "duplicate key (first given on line 1)"},
      {"duplicate nested key", "platform:\n  devices: 1\n  devices: 2\n", 3, "platform.devices",
       "duplicate key (first given on line 2)"},
      {"threshold above 1", "policy: {offload: {threshold: 1.5}}\n", 1, "policy.offload.threshold",
       "must be in [0, 1], got 1.5"},
      {"threshold below 0", "policy:\n  offload:\n    threshold: -0.1\n", 3, "policy.offload.threshold",
       "must be in [0, 1]"},
      {"random rate above 1", "policy: {offload: {filter: random, rate: 2}}\n", 1, "policy.offload.rate",
       "must be in [0, 1]"},
      {"zero timeout", "policy: {offload: {timeout: 0s}}\n", 1, "policy.offload.timeout", "must be > 0"},
      {"zero devices", "platform:\n  devices: 0\n", 2, "platform.devices", "must be >= 1, got 0"},
      {"zero batch", "platform: {cloud: {batch: {max: 0}}}\n", 1, "platform.cloud.batch.max", "must be >= 1"},
      {"zero timesteps", "models: {edge: {timesteps: 0}}\n", 1, "models.edge.timesteps", "must be >= 1"},
      {"zero tasks", "dataset: {tasks: 0}\n", 1, "dataset.tasks", "must be >= 1"},
      {"zero rate", "workload: {rate: 0/s}\n", 1, "workload.rate", "must be > 0"},
      {"unknown filter", "policy: {offload: {filter: entropyy}}\n", 1, "policy.offload.filter",
       "unknown value 'entropyy' (expected one of: entropy, max_prob, margin, random, edge_only, cloud_only, plugin; "
       "did you mean 'entropy'?)"},
      {"unknown dataset", "dataset: {name: fashion_mnist}\n", 1, "dataset.name", "did you mean 'fashion-mnist'?"},
      {"unknown arch", "models: {edge: {arch: resnet}}\n", 1, "models.edge.arch", "unknown value 'resnet'"},
      {"unknown profile", "models: {train: {profile: fast}}\n", 1, "models.train.profile", "unknown value 'fast'"},
      {"unknown arrival", "workload: {arrival: poison}\n", 1, "workload.arrival", "did you mean 'poisson'?"},
      {"unknown classes", "workload: {classes: cumulativ}\n", 1, "workload.classes", "did you mean 'cumulative'?"},
      {"unknown access kind", "platform: {access: {kind: wireless}}\n", 1, "platform.access.kind",
       "unknown value 'wireless' (expected one of: wired, wifi"},
      {"unknown device energy mode", "platform: {device: {energy: joules}}\n", 1, "platform.device.energy",
       "expected one of: ops, power, constant"},
      {"ops is not a cloud energy mode", "platform: {cloud: {energy: ops}}\n", 1, "platform.cloud.energy",
       "expected one of: power, constant"},
      {"unknown update mode", "policy: {update: {mode: ondevice}}\n", 1, "policy.update.mode",
       "did you mean 'on_device'?"},
      {"unknown update scope", "policy: {update: {scope: global}}\n", 1, "policy.update.scope",
       "expected one of: device, fleet"},
      {"unknown update classes", "policy:\n  update: {mode: on_device, classes: cloud_order}\n", 2,
       "policy.update.classes", "unknown value 'cloud_order' (expected one of: cloud_labels, task_order"},
      {"bad fault target", "faults:\n  - {at: 10s, for: 5s, target: gateway}\n", 2, "faults[0].target",
       "unknown fault target 'gateway'"},
      {"fault index out of range", "platform: {devices: 4}\nfaults:\n  - at: 1s\n    for: 1s\n    target: device[4]\n",
       5, "faults[0].target", "fault target 'device[4]' is out of range (platform.devices is 4: indices 0..3)"},
      {"cloud index out of range", "faults: [{at: 1s, for: 1s, target: \"cloud[1]\"}]\n", 1, "faults[0].target",
       "(platform.cloud.hosts is 1: indices 0..0)"},
      {"bad fault index form", "faults:\n  - {at: 1s, for: 1s, target: \"device[-1]\"}\n", 2, "faults[0].target",
       "bad fault target 'device[-1]'"},
      {"fault without an index", "faults:\n  - {at: 1s, for: 1s, target: access}\n", 2, "faults[0].target",
       "with a 0-based index, e.g. access[0]"},
      {"fault without duration", "faults:\n  - {at: 10s, target: cloud}\n", 2, "faults[0]", "missing 'for'"},
      {"fault without a time", "faults:\n  - {for: 1s, target: cloud}\n", 2, "faults[0]",
       "missing 'at' (a fault needs at, for and target; random faults rate, for and target)"},
      {"negative fault rate", "faults:\n  - {rate: -1/min, for: 1s, target: cloud}\n", 2, "faults[0].rate", "negative"},
      {"fault with unknown key", "faults:\n  - {at: 10s, for: 1s, target: cloud, fro: 2s}\n", 2, "faults[0].fro",
       "unknown key (did you mean 'for'?)"},
      {"negative fault time", "faults:\n  - {at: -10s, for: 1s, target: cloud}\n", 2, "faults[0].at",
       "negative time"},
      {"fault after the end", "workload: {duration: 60s}\nfaults:\n  - {at: 60s, for: 1s, target: cloud}\n", 3,
       "faults[0].at", "after the run ends (workload.duration is 60s)"},
      {"faults not a list", "faults: {at: 1s}\n", 1, "faults", "expected a list of faults"},
      {"sweep key unknown", "sweep:\n  platform.acess.bandwidth: [1Mbps]\n", 2, "sweep.platform.acess",
       "unknown key (did you mean 'platform.access'?)"},
      {"sweep key below a value", "sweep:\n  seed.x: [1]\n", 2, "sweep.seed.x", "is a single value"},
      {"sweep value invalid", "sweep:\n  platform.devices:\n    - 10\n    - 0\n", 4, "sweep.platform.devices",
       "must be >= 1, got 0"},
      {"sweep value with a bad unit", "sweep:\n  platform.access.latency: [1ms, 2 ms, 3mss]\n", 2,
       "sweep.platform.access.latency", "unknown unit 'mss'"},
      {"sweep value conflicting with the scenario",
       "name: c\nfaults: [{at: 1s, for: 1s, target: \"device[5]\"}]\nsweep:\n  platform.devices: [10, 3]\n", 4,
       "sweep.platform.devices",
       "value 3 conflicts with the scenario: " /* file */},
      {"sweep value conflicting, inner line",
       "name: c\nfaults: [{at: 1s, for: 1s, target: \"device[5]\"}]\nsweep:\n  platform.devices: [10, 3]\n", 4,
       "sweep.platform.devices", ".yaml:2: faults[0].target: fault target 'device[5]' is out of range"},
      {"sweep values not a list", "sweep:\n  seed: 3\n", 2, "sweep.seed", "expected a non-empty list of values"},
      {"sweep of the sweep", "sweep: {sweep: [1]}\n", 1, "sweep.sweep", "cannot sweep itself"},
      {"zip lists of unequal length", "sweep:\n  zip:\n    platform.devices: [1, 2]\n    seed: [1, 2, 3]\n", 4,
       "sweep.zip.seed", "3 values but platform.devices has 2"},
      {"zip row invalid", "sweep:\n  zip:\n    platform.devices: [1, 2]\n    workload.rate: [1/s, 0/s]\n", 4,
       "sweep.zip.workload.rate", "must be > 0"},
      {"trace arrival without trace", "workload:\n  arrival: trace\n", 2, "workload.arrival",
       "arrival 'trace' needs workload.trace"},
      {"trace file missing", "workload: {arrival: trace, trace: /nonexistent/arrivals.txt}\n", 1, "workload.trace",
       "cannot read trace file '/nonexistent/arrivals.txt'"},
      {"dataset directory missing", "dataset: {path: /nonexistent/fmnist}\n", 1, "dataset.path",
       "no such directory"},
      // A name longer than the file system allows (the fuzzer's find: it used to escape as an exception).
      {"dataset directory name too long", "dataset: {path: /tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}\n", 1, "dataset.path", "no such directory"},
      {"trace file name too long", "workload: {arrival: trace, trace: /tmp/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}\n", 1, "workload.trace", "cannot read trace file"},
      {"base_classes too large", "dataset: {tasks: 5, base_classes: 7}\n", 1, "dataset.base_classes",
       "7 base classes leave fewer than one class for each of the other 4 tasks"},
      {"more tasks than classes", "dataset:\n  name: mnist\n  tasks: 11\n", 3, "dataset.tasks",
       "11 tasks but mnist has 10 classes"},
      {"duration and request count", "workload:\n  duration: 10s\n  requests_per_device: 5\n", 3,
       "workload.requests_per_device", "not both (duration on line 2)"},
      {"trigger above buffer", "policy: {update: {buffer: 10, trigger: 20}}\n", 1, "policy.update.trigger",
       "exceeds the buffer capacity"},
      {"busy below idle power", "platform: {cloud: {power_idle: 100W, power_busy: 50W}}\n", 1,
       "platform.cloud.power_busy", "power_busy (50W) is below power_idle (100W)"},
      {"--set unknown key", "name: x\n", 0, "platform.foo", "unknown key (expected one of: devices", {"platform.foo=1"}},
      {"--set misspelt section", "name: x\n", 0, "platform.acess", "did you mean 'platform.access'?",
       {"platform.acess.bandwidth=1Mbps"}},
      {"--set value out of range", "name: x\n", 0, "platform.devices", "must be >= 1, got 0", {"platform.devices=0"}},
      {"--set list with a bad map", "name: x\n", 0, "faults[0].for", "must be > 0, got '0s'",
       {"faults=[{at: 20s, target: cloud, for: 0s}]"}},
      {"--set without a value", "name: x\n", 0, "platform.devices", "expected key.path=value", {"platform.devices"}},
      {"--set value not YAML", "name: x\n", 0, "platform.devices", "value is not valid YAML", {"platform.devices=[1"}},
      {"--set into a sweep key", "name: x\n", 0, "sweep.seed", "set as a whole", {"sweep.seed=[1, 2]"}},
      {"threshold and target_cur", "policy:\n  offload: {threshold: 0.5,\n            target_cur: 0.2}\n", 3,
       "policy.offload.target_cur",
       "give policy.offload.threshold or policy.offload.target_cur, not both (policy.offload.threshold on line 2)"},
      {"rate and target_cur for random", "policy: {offload: {filter: random, rate: 0.5, target_cur: 0.2}}\n", 1,
       "policy.offload.target_cur", "give policy.offload.rate or policy.offload.target_cur, not both"},
      {"target_cur and a budget", "policy:\n  offload:\n    target_cur: 0.2\n    budget: {cur: 0.3}\n", 4,
       "policy.offload.budget.cur", "give policy.offload.target_cur or policy.offload.budget.cur, not both"},
      {"target_cur for a baseline", "policy: {offload: {filter: cloud_only, target_cur: 0.2}}\n", 1,
       "policy.offload.target_cur", "the cloud_only baseline offloads everything"},
      {"target_cur below exploration", "policy:\n  offload: {target_cur: 0.1}\n  update: {mode: on_device}\n", 2,
       "policy.offload.target_cur",
       "0.1 is below policy.offload.explore (0.2, its default with buffer updates): exploration alone offloads more"},
      {"target_cur above 1", "policy: {offload: {target_cur: 1.5}}\n", 1, "policy.offload.target_cur",
       "must be in [0, 1], got 1.5"},
      {"no calibration images", "policy: {offload: {target_cur: 0.5, calibration_share: 0}}\n", 1,
       "policy.offload.calibration_share", "must be in (0, 0.9], got 0"},
      {"evaluation set too large", "dataset: {evaluation_share: 0.6}\n", 1, "dataset.evaluation_share",
       "must be in [0, 0.5], got 0.6"},
      {"held-out sets leave no stream", "dataset: {evaluation_share: 0.5}\npolicy: {offload: {target_cur: 0.5, "
       "calibration_share: 0.5}}\n", 2, "policy.offload.calibration_share",
       "the evaluation set (0.5) and the calibration set (0.5) leave less than 10 % of the test images to request"},
      {"latency table without batch 1", "platform:\n  cloud:\n    latency: {model: table, table: {2: 10ms}}\n", 3,
       "platform.cloud.latency.table", "must give the time of a batch of 1"},
      {"latency table out of order", "platform:\n  cloud:\n    latency:\n      model: table\n      table: {1: 5ms,\n"
       "              8: 9ms,\n              4: 7ms}\n", 7, "platform.cloud.latency.table[4]",
       "batch sizes must ascend (after 8)"},
      {"latency table with a number for a time", "platform: {cloud: {latency: {model: table, table: {1: 10}}}}\n", 1,
       "platform.cloud.latency.table[1]", "missing unit in '10'"},
      {"latency table as a list", "platform: {cloud: {latency: {model: table, table: [10ms]}}}\n", 1,
       "platform.cloud.latency.table", "expected a mapping of batch sizes to times"},
      {"latency model table without a table", "platform:\n  cloud: {latency: {model: table}}\n", 2,
       "platform.cloud.latency.model", "model table needs platform.cloud.latency.table"},
      {"batch.max beyond the latency table",
       "platform:\n  cloud:\n    batch: {max: 16}\n    latency: {model: table, table: {1: 5ms, 8: 9ms}}\n", 3,
       "platform.cloud.batch.max", "batch.max 16 is beyond the latency table's largest batch (8)"},
      {"latency speed zero", "platform: {cloud: {latency: {model: profile, speed: 0}}}\n", 1,
       "platform.cloud.latency.speed", "must be > 0, got 0"},
      {"wifi rates not a list", "platform:\n  access: {kind: wifi, rates: 54Mbps}\n", 2, "platform.access.rates",
       "expected a non-empty list of bandwidths"},
      {"wifi rate without unit", "platform:\n  access:\n    kind: wifi\n    rates: [54Mbps,\n            6]\n", 5,
       "platform.access.rates[1]", "missing unit in '6'"},
      {"wifi rate zero", "platform: {access: {kind: wifi, rates: [0Mbps]}}\n", 1, "platform.access.rates[0]",
       "must be > 0"},
      {"wifi level beyond the rates", "platform:\n  access: {kind: wifi, rates: [54Mbps, 6Mbps], stations: fixed,\n"
       "           level: 2}\n", 3, "platform.access.level", "level 2 is not a rate level (the cell has 2"},
      {"wifi shares not adding up", "platform:\n  access:\n    kind: wifi\n    rates: [54Mbps, 6Mbps]\n"
       "    stations: random\n    shares: [0.5, 0.6]\n", 6, "platform.access.shares", "shares must add up to 1, got 1.1"},
      {"wifi shares one per level", "platform: {access: {kind: wifi, stations: random, shares: [0.5, 0.5]}}\n", 1,
       "platform.access.shares", "2 shares for 1 rate levels"},
      {"wifi share outside [0, 1]", "platform: {access: {kind: wifi, stations: random, shares: [1.5]}}\n", 1,
       "platform.access.shares[0]", "must be in [0, 1], got 1.5"},
      {"unknown station assignment", "platform: {access: {kind: wifi, stations: nearest}}\n", 1,
       "platform.access.stations", "unknown value 'nearest' (expected one of: round_robin, fixed, random"},
      {"Wi-Fi radio states on wired access", "platform:\n  device: {radio_energy: wifi_states}\n", 2,
       "platform.device.radio_energy", "radio_energy wifi_states needs platform.access.kind wifi"},
      {"radio tail with Wi-Fi radio states",
       "platform:\n  access: {kind: wifi}\n  device: {radio_energy: wifi_states,\n           radio_tail: lte}\n", 4,
       "platform.device.radio_tail", "radio_tail needs radio_energy transmit_power"},
      {"radio tail on a battery", "platform:\n  device: {radio_tail: wifi, battery: 100J}\n", 2,
       "platform.device.radio_tail", "radio_tail is not simulated on battery-powered devices"},
      {"constant radio tail without its time", "platform:\n  device: {radio_tail: constant, radio_tail_power: 1W}\n", 2,
       "platform.device.radio_tail", "radio_tail constant needs radio_tail_power and radio_tail_time"},
      {"unknown radio tail", "platform: {device: {radio_tail: 5g}}\n", 1, "platform.device.radio_tail",
       "unknown value '5g' (expected one of: none, lte, wifi, constant"},
      {"packet network on Wi-Fi", "platform:\n  network: {model: packet}\n  access: {kind: wifi}\n", 3,
       "platform.access.kind", "packet network model: it builds wired access only"},
      {"packet network with a slower downlink",
       "platform:\n  network: {model: packet}\n  access: {downlink_bandwidth: 5Mbps}\n", 3,
       "platform.access.downlink_bandwidth", "an ns-3 point-to-point link has one rate both ways"},
      {"packet network with link power", "platform:\n  network: {model: packet}\n  backhaul: {power_busy: 2W}\n", 3,
       "platform.backhaul.power_busy", "SimGrid's link energy plugin does not run with ns-3"},
      {"packet network with a group's battery",
       "platform:\n  network: {model: packet}\n  groups:\n    - {name: a, count: 2, device: {battery: 50J}}\n", 4,
       "platform.groups[0].device.battery", "an emptied battery turns its host off mid-transfer"},
      {"packet network with faults", "platform: {network: {model: packet}}\nfaults: [{at: 1s, for: 1s, target: cloud}]\n",
       2, "faults", "ns-3 links cannot fail"},
      {"packet network for a large fleet", "platform:\n  network: {model: packet}\n  devices: 5000\n", 3,
       "platform.devices", "packet mode is for fleets of at most 1000"},
      {"unknown network model", "platform: {network: {model: packets}}\n", 1, "platform.network.model",
       "unknown value 'packets' (expected one of: flow, packet; did you mean 'packet'?)"},
      {"link busy power below idle", "platform:\n  backhaul: {power_idle: 5W, power_busy: 2W}\n", 2,
       "platform.backhaul.power_busy", "power_busy (2W) is below power_idle (5W)"},
      {"group without a name", "platform:\n  groups:\n    - {count: 2}\n", 3, "platform.groups[0]", "missing 'name'"},
      {"two groups of one name", "platform:\n  groups:\n    - {name: mcu, count: 1}\n    - {name: mcu, count: 2}\n", 4,
       "platform.groups[1].name", "'mcu' is already the name of platform.groups[0]"},
      {"group with count and share", "platform:\n  groups:\n    - {name: a, count: 2,\n       share: 0.5}\n", 4,
       "platform.groups[0].share", "give count or share, not both"},
      {"group share outside [0, 1]", "platform:\n  groups: [{name: a, share: 1.5}]\n", 2, "platform.groups[0].share",
       "must be in [0, 1], got 1.5"},
      {"group count negative", "platform:\n  groups: [{name: a, count: -1}]\n", 2, "platform.groups[0].count",
       "must be >= 0"},
      {"group counts not adding up", "platform:\n  devices: 10\n  groups: [{name: a, count: 3}, {name: b, count: 4}]\n", 2,
       "platform.devices", "the groups' counts add up to 7, but platform.devices is 10"},
      {"group shares not adding up", "platform:\n  devices: 10\n  groups: [{name: a, share: 0.3}, {name: b, share: 0.5}]\n",
       2, "platform.devices", "add up to 8, but platform.devices is 10"},
      {"two groups taking the rest", "platform:\n  groups:\n    - {name: a}\n    - {name: b}\n", 4, "platform.groups[1]",
       "only one group can take the devices left"},
      {"no device left for the rest group", "platform:\n  devices: 4\n  groups:\n    - {name: a, count: 5}\n    - {name: b}\n",
       5, "platform.groups[1]", "no device left for this group: the others take 5 and platform.devices is 4"},
      {"group naming a missing site",
       "platform:\n  sites: [{name: north}]\n  groups:\n    - {name: a, site: west}\n", 4, "platform.groups[0].site",
       "no site 'west' in platform.sites (north)"},
      {"group naming a site without sites", "platform:\n  groups: [{name: a, site: west}]\n", 2,
       "platform.groups[0].site", "no site 'west': platform.sites is not given"},
      {"two sites of one name", "platform:\n  sites:\n    - {name: north}\n    - {name: north}\n", 4,
       "platform.sites[1].name", "'north' is already the name of platform.sites[0]"},
      {"unknown group key", "platform:\n  groups:\n    - name: a\n      devices: 3\n", 4, "platform.groups[0].devices",
       "unknown key (did you mean 'device'?)"},
      {"unknown group key, nothing close", "platform:\n  groups: [{name: a, zzzz: 3}]\n", 2, "platform.groups[0].zzzz",
       "unknown key (expected one of: name, count, share, site, device, access, workload)"},
      {"group workload key that is the run's", "platform:\n  groups:\n    - name: a\n      workload: {duration: 5s}\n",
       4, "platform.groups[0].workload.duration", "a group's workload gives only arrival, rate, trace"},
      {"group device speed without unit", "platform:\n  groups:\n    - name: a\n      device:\n        speed: 4\n", 5,
       "platform.groups[0].device.speed", "missing unit in '4'"},
      {"unknown group device key", "platform:\n  groups:\n    - name: a\n      device: {sped: 4Gf}\n", 4,
       "platform.groups[0].device.sped", "unknown key (did you mean 'speed'?)"},
      {"group busy power below the top-level idle", "platform:\n  device: {power_idle: 0.1W, power_busy: 2W}\n  groups:\n"
       "    - {name: a, device: {power_busy: 0.05W}}\n", 4, "platform.groups[0].device.power_busy",
       "power_busy (50mW) is below power_idle (100mW)"},
      {"on-device updates on a chip that cannot backpropagate",
       "platform:\n  device: {profile: loihi, power_idle: 0.1W}\npolicy:\n  update: {mode: on_device}\n", 2,
       "platform.device.profile",
       "profile loihi (Intel Loihi (14 nm neuromorphic chip)) cannot train by backpropagation, which update mode "
       "on_device needs on the device; use mode cloud, or give platform.device.e_mac"},
      {"a group's oracle updates on TrueNorth",
       "platform:\n  groups:\n    - {name: a, device: {profile: truenorth, power_idle: 0.01W}}\n"
       "policy:\n  update: {mode: oracle}\nworkload: {phase_length: 10s}\n",
       3, "platform.groups[0].device.profile", "profile truenorth (IBM TrueNorth (28 nm neuromorphic chip)) cannot train"},
      {"group Wi-Fi radio states on wired access", "platform:\n  groups:\n    - {name: a, device: {radio_energy: wifi_states}}\n",
       3, "platform.groups[0].device.radio_energy", "radio_energy wifi_states needs platform.access.kind wifi"},
      {"site backhaul without unit", "platform:\n  sites:\n    - name: north\n      backhaul: {bandwidth: 20}\n", 4,
       "platform.sites[0].backhaul.bandwidth", "missing unit in '20'"},
      {"groups not a list", "platform:\n  groups: {name: a}\n", 2, "platform.groups", "expected a list of groups"},
      {"fault on a site that does not exist", "platform:\n  sites: [{name: north}]\nfaults:\n"
       "  - {at: 1s, for: 1s, target: \"backhaul[south]\"}\n", 4, "faults[0].target",
       "fault target 'backhaul[south]': no such site (platform.sites: north)"},
      {"--set on a group beyond the list", "platform:\n  groups: [{name: a, count: 2}]\n", 0, "platform.groups[3]",
       "platform.groups has 1 elements (platform.groups[0] to platform.groups[0], line 2)", {"platform.groups[3].count=1"}},
      {"--set on an unknown group key", "name: n\n", 0, "platform.groups[0].shar",
       "unknown key (did you mean 'platform.groups[0].share'?)", {"platform.groups[0].shar=1"}},
      {"--set on an unknown key of a group's block", "name: n\n", 0, "platform.groups[0].device.sped",
       "unknown key (did you mean 'platform.groups[0].device.speed'?)", {"platform.groups[0].device.sped=1Gf"}},
      {"unknown device profile", "platform:\n  device: {profile: lohi, power_idle: 0W}\n", 2, "platform.device.profile",
       "unknown value 'lohi' (expected one of: none, loihi, truenorth, jetson-nano, stm32f407"},
      {"device profile without idle power", "platform:\n  device:\n    profile: loihi\n", 3, "platform.device.profile",
       "profile loihi (Intel Loihi (14 nm neuromorphic chip)) gives no idle power (no source publishes one); give "
       "platform.device.power_idle too"},
      {"group device profile without idle power", "platform:\n  groups:\n    - {name: a, device: {profile: stm32f407}}\n",
       3, "platform.groups[0].device.profile", "give platform.groups[0].device.power_idle too"},
      {"negative battery", "platform:\n  device: {battery: -5Wh}\n", 2, "platform.device.battery",
       "negative energy '-5Wh'"},
      {"empty battery", "platform:\n  groups: [{name: a, device: {battery: 0Wh}}]\n", 2,
       "platform.groups[0].device.battery", "must be > 0, got '0Wh'"},
      {"--set conflicting with the file", "platform: {devices: 4}\nfaults:\n  - {at: 1s, for: 1s, target: \"device[3]\"}\n",
       3, "faults[0].target", "'device[3]' is out of range (platform.devices is 3", {"platform.devices=3"}},
      {"a YAML tag", "name: n\nseed: !!str 7\n", 2, "seed",
       "YAML tags are not supported (got 'tag:yaml.org,2002:str'): write the plain value"},
      {"a custom tag in a list", "name: n\nplatform:\n  access: {kind: wifi, rates: [!fast 20Mbps]}\n", 3,
       "platform.access.rates[0]", "YAML tags are not supported (got '!fast')"},
      {"a tag in a --set value", "name: n\n", 0, "platform.devices", "YAML tags are not supported",
       {"platform.devices=!!int 4"}},
      {"a group share too small for one device",
       "platform:\n  devices: 10\n  groups:\n    - {name: a, share: 0.01}\n    - {name: b}\n", 4,
       "platform.groups[0].share", "0.01 of 10 devices is no device (give a larger share, a count, or more devices)"},
      {"a rest group the others leave empty", "platform:\n  devices: 4\n  groups:\n    - {name: a, count: 4}\n    - {name: b}\n",
       5, "platform.groups[1]", "no device left for this group: the others take 4 and platform.devices is 4"},
      {"inverted powers of an access link the Wi-Fi cell does not use",
       "platform:\n  access: {kind: wifi, power_idle: 5W, power_busy: 1W}\n", 2, "platform.access.power_busy",
       "power_busy (1W) is below power_idle (5W)"},
      {"Wi-Fi shares that do not add up, on wired access",
       "platform:\n  access: {kind: wired, rates: [10Mbps, 20Mbps], shares: [0.5, 0.7]}\n", 2,
       "platform.access.shares", "shares must add up to 1, got 1.2"},
  };
  return cases;
}

std::string expected_prefix(const Malformed& c, const fs::path& file) {
  if (c.line == 0) return fmt::format("--set {}: ", c.key);
  if (std::string(c.key).empty()) return fmt::format("{}:{}: ", file.string(), c.line);
  return fmt::format("{}:{}: {}: ", file.string(), c.line, c.key);
}

}  // namespace

TEST_CASE("malformed scenarios are rejected with file line and key", "[scenario][fuzz-seeds]") {
  TempDir dir("malformed");
  REQUIRE(malformed_scenarios().size() >= 30);
  int index = 0;
  for (const Malformed& c : malformed_scenarios()) {
    const fs::path file = dir.write(fmt::format("case{}.yaml", index++), c.yaml);
    const std::string message = load_error(file, c.overrides);
    INFO(c.what << "\n" << c.yaml << "-> " << message);
    CHECK_THAT(message, Catch::StartsWith(expected_prefix(c, file)));
    CHECK_THAT(message, Catch::Contains(c.message));
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("eccsim validate and run exit 2 with the same one-line message", "[scenario][cli]") {
  TempDir dir("malformed-cli");
  // Every case through validate; every fifth through run as well (both read the scenario with the
  // same load_scenario; a process costs about 0.4 s of start-up).
  constexpr size_t kRunEvery = 5;
  std::vector<size_t> case_of;
  std::vector<fs::path> files;
  std::vector<std::vector<std::string>> commands;
  for (size_t i = 0; i < malformed_scenarios().size(); ++i) {
    const Malformed& c = malformed_scenarios()[i];
    files.push_back(dir.write(fmt::format("case{}.yaml", i), c.yaml));
    for (const char* command : {"validate", "run"}) {
      if (std::string(command) == "run" && i % kRunEvery != 0) continue;
      std::vector<std::string> argv{eccsim::testing::eccsim_binary(), command, files.back().string()};
      for (const std::string& o : c.overrides) {
        argv.push_back("--set");
        argv.push_back(o);
      }
      commands.push_back(argv);
      case_of.push_back(i);
    }
  }
  const auto runs = eccsim::testing::run_processes(commands, {std::chrono::seconds(60), {}});
  for (size_t k = 0; k < runs.size(); ++k) {
    const size_t i = case_of[k];
    const Malformed& c = malformed_scenarios()[i];
    INFO(commands[k][1] << ": " << c.what << "\n" << c.yaml << "-> " << runs[k].err);
    CHECK(runs[k].exit_code == 2);
    CHECK(runs[k].out.empty());
    CHECK(runs[k].err == load_error(files[i], c.overrides) + "\n");
  }
}

TEST_CASE("run_process captures exit code and both streams and timeouts", "[scenario]") {
  using eccsim::testing::run_process;
  const auto ok = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(ok.exit_code == 3);
  CHECK(ok.out == "out\n");
  CHECK(ok.err == "err\n");
  CHECK_FALSE(ok.timed_out);
  const auto slow = run_process({"sleep", "5"}, {std::chrono::milliseconds(200), {}});
  CHECK(slow.timed_out);
  CHECK(slow.signal == SIGKILL);
  const auto big = run_process({"sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"});
  CHECK(big.out.size() == 300000);
  CHECK(big.err.size() == 300000);
  CHECK_THROWS(run_process({"/nonexistent/program"}));

  const auto many = eccsim::testing::run_processes({{"sh", "-c", "exit 1"}, {"sh", "-c", "echo two"}, {"true"}}, {}, 2);
  REQUIRE(many.size() == 3);
  CHECK(many[0].exit_code == 1);
  CHECK(many[1].out == "two\n");
  CHECK(many[2].exit_code == 0);
}
