// Unit tests of the admission check (sim/scenario/admission.hpp): estimates from the resolved
// scenario, and the one-line refusals naming the key, the estimate and the limit. No engine.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "sim/model_setup.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/dataset_files.hpp"
#include "tests/support/fuzz_seeds.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/temp_dir.hpp"

using eccsim::AdmissionLimits;
using eccsim::admit_run;
using eccsim::admit_sweep;
using eccsim::estimate_run;
using eccsim::load_scenario_text;
using eccsim::Scenario;
using eccsim::testing::input_error_of;

namespace {

const std::string kBase =
    "name: admission\n"
    "platform:\n"
    "  devices: 10\n"
    "  access: {bandwidth: 20Mbps}\n"
    "workload: {rate: 2/s, duration: 60s}\n"
    "policy:\n"
    "  offload: {timeout: 1s}\n";

Scenario scenario(const std::vector<std::string>& sets = {}, const std::string& text = kBase) {
  eccsim::testing::keep_fuzz_seed(text, sets);
  return load_scenario_text(text, "s.yaml", sets);
}

// A 16 GiB machine, the default limits otherwise.
AdmissionLimits limits() {
  AdmissionLimits l;
  l.memory_B = 16.0 * (1 << 30);
  return l;
}

std::string refusal(const Scenario& s) {
  return input_error_of([&] { admit_run(s, limits(), eccsim::offload_message_bytes(s)); });
}

}  // namespace

TEST_CASE("admission: estimates requests, events and horizon from the scenario", "[admission][fuzz-seeds]") {
  const eccsim::AdmissionEstimate e = estimate_run(scenario());
  CHECK(e.requests == Approx(10 * 2 * 60));
  CHECK(e.events == Approx(eccsim::kEventsPerRequest * 1200));
  CHECK(e.horizon_s == Approx(60));
  const eccsim::MemoryModel model;
  CHECK(e.memory_B > model.base_B);
  CHECK(e.memory_B < model.base_B + 1e9);
  const eccsim::AdmissionEstimate by_count = estimate_run(scenario({"workload.requests_per_device=50"}));
  CHECK(by_count.requests == Approx(500));
  CHECK(by_count.horizon_s == Approx(25));
  CHECK(refusal(scenario()) == "(no InputError)");
}

TEST_CASE("admission: a huge duration is refused naming its line, the estimate and the limit", "[admission][fuzz-seeds]") {
  const std::string text =
      "name: admission\n"
      "platform: {devices: 10}\n"
      "workload:\n"
      "  rate: 2/s\n"
      "  duration: 1e300s\n";
  CHECK(refusal(scenario({}, text)) ==
        "s.yaml:5: workload.duration: 1e+300 s gives ~2e+301 requests, more than the 1e+09 a run admits "
        "(--admit-anyway runs it regardless)");
}

TEST_CASE("admission: 2^31-1 devices and 10^8 cloud hosts are refused before anything is built", "[admission][fuzz-seeds]") {
  CHECK(refusal(scenario({"platform.devices=2147483647"})) ==
        "--set platform.devices: 2147483647 devices gives ~2.58e+11 requests, more than the 1e+09 a run admits "
        "(--admit-anyway runs it regardless)");
  const std::string many_devices = refusal(scenario({"platform.devices=10000000", "workload.requests_per_device=1"}));
  CHECK_THAT(many_devices, Catch::StartsWith("--set platform.devices: 10000000 devices need ~"));
  CHECK_THAT(many_devices, Catch::Contains("of memory") && Catch::Contains("more than the 16 GiB this run may take"));
  // 16 GiB less 800 MB and one 4-core cloud host, at 6 KB a device sharing actors and 600 B a request.
  CHECK_THAT(many_devices, Catch::Contains("about 2480000 devices fit at this workload"));
  // With an actor each, 24 KB a device.
  const std::string one_actor_each =
      refusal(scenario({"platform.devices=10000000", "workload.requests_per_device=1", "platform.device_actors=per_device"}));
  CHECK_THAT(one_actor_each, Catch::Contains("about 665000 devices fit at this workload"));
  const std::string hosts = refusal(scenario({"platform.cloud.hosts=100000000"}));
  CHECK_THAT(hosts, Catch::StartsWith("--set platform.cloud.hosts: 100000000 cloud hosts need ~"));
}

TEST_CASE("admission: a random fault of 1e12/s lasting 1 ns is refused instead of hanging", "[admission][fuzz-seeds]") {
  const std::string refused = refusal(scenario({"faults=[{rate: 1e12/s, for: 1ns, target: cloud}]"}));
  CHECK(refused ==
        "--set faults[0].rate: 1e+12/s random outages over 60 s of simulated time give ~1.2e+14 fault events, more "
        "than the 1e+10 a run admits (--admit-anyway runs it regardless)");
}

TEST_CASE("admission: a horizon beyond the clock's resolution is refused", "[admission][fuzz-seeds]") {
  CHECK_THAT(refusal(scenario({"workload.rate=1e-9/s", "workload.duration=1e12s"})),
             Catch::StartsWith("--set workload.duration: a simulated horizon of 1e+12 s, more than the 1e+09 s"));
}

TEST_CASE("admission: a link too slow for one upload within the timeout is refused", "[admission][fuzz-seeds]") {
  const std::string text =
      "name: admission\n"
      "platform:\n"
      "  devices: 10\n"
      "  access: {bandwidth: 1bps}\n"
      "workload: {rate: 2/s, duration: 10s}\n"
      "policy:\n"
      "  offload: {timeout: 1s}\n";
  CHECK(refusal(scenario({}, text)) ==
        "s.yaml:4: platform.access.bandwidth: 1 bit/s takes 6.27e+03 s to carry one request's upload (784 B), longer "
        "than s.yaml:7: policy.offload.timeout (1 s): every offload would time out while its transfer kept the run "
        "going (give more bandwidth, a longer timeout, or filter: edge_only; --admit-anyway runs it regardless)");
  CHECK_THAT(refusal(scenario({"platform.backhaul.bandwidth=100bps"})),
             Catch::StartsWith("--set platform.backhaul.bandwidth: 100 bit/s takes 62.7 s"));
  // Nothing is uploaded on edge_only; a timeout shorter than the latency is a what-if, not a stretch.
  CHECK(refusal(scenario({"policy.offload.filter=edge_only"}, text)) == "(no InputError)");
  CHECK(refusal(scenario({"policy.offload.timeout=15ms"})) == "(no InputError)");
}

TEST_CASE("admission: an npy dataset's own image size decides whether its upload fits the timeout", "[admission]") {
  // 64 kbit/s carries 8000 B/s: a 1x28x28 image (784 B) in 0.1 s, a 3x64x64 one (12,288 B) in 1.5 s.
  eccsim::testing::TempDir tmp;
  // Two images (one of each class) per split.
  const auto write_npy = [&](const std::vector<int64_t>& shape) {
    size_t pixels = 1;
    for (const int64_t d : shape) pixels *= static_cast<size_t>(d);
    for (const std::string split : {"train", "test"}) {
      eccsim::testing::write_bytes(tmp.path() / (split + "_images.npy"),
                                   eccsim::testing::npy("|u1", shape, std::vector<uint8_t>(pixels, 0)));
      eccsim::testing::write_bytes(tmp.path() / (split + "_labels.npy"),
                                   eccsim::testing::npy("<i8", {2}, eccsim::testing::label_bytes({0, 1}, 8)));
    }
  };
  const std::string text = kBase + "dataset: {name: npy, path: " + tmp.path().string() + "}\n";
  const std::vector<std::string> slow{"platform.access.bandwidth=64kbps"};
  write_npy({2, 64, 64, 3});
  CHECK(refusal(scenario(slow, text)) ==
        "--set platform.access.bandwidth: 6.4e+04 bit/s takes 1.54 s to carry one request's upload (12288 B), longer "
        "than s.yaml:7: policy.offload.timeout (1 s): every offload would time out while its transfer kept the run "
        "going (give more bandwidth, a longer timeout, or filter: edge_only; --admit-anyway runs it regardless)");
  write_npy({2, 28, 28});
  CHECK(refusal(scenario(slow, text)) == "(no InputError)");
}

TEST_CASE("admission: --admit-anyway refuses nothing", "[admission][fuzz-seeds]") {
  AdmissionLimits anyway = limits();
  anyway.admit_anyway = true;
  CHECK(input_error_of([&] { admit_run(scenario({"workload.duration=1e300s"}), anyway, {784, 40}); }) == "(no InputError)");
}

TEST_CASE("admission: a sweep grid of 1290^3 points is refused without expanding it", "[admission][fuzz-seeds]") {
  const Scenario base = scenario();
  eccsim::SweepConfig sweep;
  for (const char* key : {"platform.devices", "workload.rate", "seed"})
    sweep.grid.push_back({key, std::vector<std::string>(1290, "1")});
  CHECK(eccsim::sweep_point_count(sweep) == Approx(1290.0 * 1290 * 1290));
  CHECK(input_error_of([&] { admit_sweep(base, sweep, limits()); }) ==
        "s.yaml: sweep: 1290 x 1290 x 1290 = 2.15e+09 points, more than the 1e+05 a sweep admits (each is built and "
        "checked before any runs; --admit-anyway runs it regardless)");
  sweep.grid.resize(1);
  CHECK(input_error_of([&] { admit_sweep(base, sweep, limits()); }) == "(no InputError)");
  // Points are built without reading the sweep's values: a long axis costs no more per point.
  sweep.grid = {{"seed", std::vector<std::string>(9000, "1")}};
  CHECK(input_error_of([&] { admit_sweep(base, sweep, limits()); }) == "(no InputError)");
}

TEST_CASE("reading: a huge scenario or sweep list is refused before YAML builds it", "[admission][scenario]") {
  std::string list = "name: big\nsweep:\n  seed: [";
  for (int i = 0; i < 20000; ++i) list += std::to_string(i) + ",";
  list += "0]\n";
  CHECK(input_error_of([&] { load_scenario_text(list, "s.yaml"); }) ==
        "s.yaml:3: a list or mapping of more than 10000 entries (a sweep axis takes at most 10000 values)");
  const std::string huge = "name: big\n# " + std::string(2 << 20, 'x') + "\n";
  CHECK(input_error_of([&] { load_scenario_text(huge, "s.yaml"); }) ==
        "s.yaml:1: a scenario of " + std::to_string(huge.size()) +
            " bytes (at most 2097152): long lists of values belong in a trace file or several sweeps");
}

// The quick start scaled to 10,000 devices with target_cur 0.78 (issue #45's anomaly): 98 % of the
// 100 Mbps backhaul offered, more in the later phases of a cumulative class mix.
TEST_CASE("admission warns when the offload share asked for loads a shared backhaul to 80 % or more", "[admission]") {
  const eccsim::OffloadMessageBytes fashion{784, 40};
  const std::vector<std::string> fleet{"platform.devices=10000", "platform.backhaul.bandwidth=100Mbps"};
  const auto warnings = [&](std::vector<std::string> sets) {
    sets.insert(sets.begin(), fleet.begin(), fleet.end());
    return eccsim::shared_link_warnings(scenario(sets), fashion);
  };
  const std::vector<std::string> loaded = warnings({"policy.offload.target_cur=0.78"});
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0] ==
        "--set platform.backhaul.bandwidth: offloading 78 % of the requests sends about 97.8 Mbit/s of uploads over "
        "it, 98 % of its 100 Mbit/s: uploads queue, latencies grow, and the simulation slows as transfers pile up "
        "(with classes: cumulative a calibrated share is the run's average: later phases, with more classes the edge "
        "does not know, offload more)");
  CHECK(warnings({"policy.offload.target_cur=0.5"}).empty());                              // 63 %
  CHECK(warnings({"policy.offload.filter=cloud_only", "platform.devices=6000"}).empty());      // 75 %
  CHECK(warnings({"policy.offload.filter=cloud_only", "platform.devices=7000"}).size() == 1);  // 88 %
  CHECK(warnings({"policy.offload.filter=random", "policy.offload.rate=0.9"}).size() == 1);
  CHECK(warnings({"policy.offload.threshold=0.5"}).empty());   // a fixed threshold's share is unknown before the run
  // Per site: only the loaded site's backhaul.
  const std::vector<std::string> sites = warnings(
      {"policy.offload.filter=cloud_only",
       "platform.sites=[{name: a, backhaul: {bandwidth: 10Gbps}}, {name: b, backhaul: {bandwidth: 10Mbps}}]",
       "platform.groups=[{name: x, share: 0.5, site: a}, {name: y, site: b}]"});
  REQUIRE(sites.size() == 1);
  CHECK_THAT(sites[0], Catch::StartsWith("--set platform.sites[1].backhaul.bandwidth: offloading 100 %"));
}
