// Simulation tests of the admission check through the real binary: validate, run and sweep refuse
// the same scenarios with the same one line and exit 2, before the engine (or any model) starts.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/sweep_runs.hpp"

namespace fs = std::filesystem;
using eccsim::testing::ProcessResult;
using eccsim::testing::run_eccsim;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();

// `eccsim <command> tiny.yaml --set ...`, required to be refused (exit 2); its one line of stderr.
std::string refused(const std::string& command, const std::vector<std::string>& sets,
                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args{command, kTiny};
  if (command != "validate") {
    args.push_back("--out");
    args.push_back(eccsim::testing::fresh_output_dir("admission-" + command).string());
  }
  for (const std::string& set : sets) {
    args.push_back("--set");
    args.push_back(set);
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult result = run_eccsim(args);
  INFO(result.err);
  CHECK(result.exit_code == 2);
  return result.err;
}

// The message up to its limit (the memory a run may take follows MemAvailable, which moves).
std::string up_to_limit(const std::string& message) { return message.substr(0, message.find(" more than")); }

}  // namespace

TEST_CASE("validate and run refuse what cannot run with the same line, exit 2", "[sim][admission]") {
  const std::vector<std::vector<std::string>> cases{
      {"workload.requests_per_device=0", "workload.duration=1e300s"},
      {"platform.devices=2147483647"},
      {"platform.cloud.hosts=100000000"},
      {"workload.requests_per_device=0", "workload.duration=10s", "faults=[{rate: 1e12/s, for: 1ns, target: cloud}]"},
      {"platform.access.bandwidth=1bps"},
      {"platform.network.model=packet", "workload.requests_per_device=40000"},  // 80,000 transfers
  };
  for (const std::vector<std::string>& sets : cases) {
    const std::string validate = refused("validate", sets);
    CHECK(validate.find("--admit-anyway runs it regardless") != std::string::npos);
    CHECK(up_to_limit(refused("run", sets)) == up_to_limit(validate));
  }
  const ProcessResult anyway = run_eccsim({"validate", kTiny, "--set", "platform.devices=2147483647", "--admit-anyway"});
  CHECK(anyway.exit_code == 0);
}

TEST_CASE("validate and sweep refuse a point that cannot run, and a grid too large to expand", "[sim][admission][sweep]") {
  const std::string sweep = "sweep={platform.devices: [1, 2147483647]}";
  const std::string validate = refused("validate", {sweep});
  CHECK(validate.find("point 0001 (platform.devices=2147483647) cannot run: platform.devices: 2147483647 devices gives") !=
        std::string::npos);
  CHECK(up_to_limit(refused("sweep", {sweep})) == up_to_limit(validate));

  std::string values = "[";
  for (int i = 1; i <= 1290; ++i) values += std::to_string(i) + (i < 1290 ? ", " : "]");
  const std::string grid = "sweep={seed: " + values + ", models.seed: " + values + ", platform.devices: " + values + "}";
  const std::string too_many = refused("validate", {grid});
  CHECK(too_many.find("1290 x 1290 x 1290 = 2.15e+09 points, more than the 1e+05 a sweep admits") != std::string::npos);
}

TEST_CASE("validate warns, and still passes, when the offload share asked for saturates the backhaul", "[sim][admission]") {
  const std::vector<std::string> loaded{"validate", kTiny, "--set", "platform.devices=10000", "--set",
                                        "policy.offload.target_cur=0.78", "--set", "workload.classes=cumulative",
                                        "--set", "workload.rate=2/s"};
  const ProcessResult warned = run_eccsim(loaded);
  INFO(warned.err);
  CHECK(warned.exit_code == 0);
  CHECK_THAT(warned.err, Catch::Contains("warning: ") && Catch::Contains("platform.backhaul.bandwidth: offloading 78 % "
                                                                           "of the requests sends about 97.8 Mbit/s") &&
                             Catch::Contains("later phases, with more classes the edge does not know, offload more"));
  const ProcessResult calm = run_eccsim({"validate", kTiny, "--set", "platform.devices=10000"});   // a fixed threshold
  CHECK(calm.exit_code == 0);
  CHECK_THAT(calm.err, !Catch::Contains("Mbit/s of uploads"));
}
