// The simulator against queueing theory (docs/modelling.md, Validation): each case runs the real binary on
// tests/scenarios/queueing.yaml, takes the realised arrival rate, and compares a mean from
// requests.csv with its closed form. Tolerance: 4 standard errors from 20 batch means over the
// run (consecutive stretches of arrival time), and the run must be long enough that this is
// under 10 % of the theoretical value. The shipped models' serving profile then gives the curve
// that makes batching matter: p95 latency against batch.max has an interior minimum.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::max_deviation;
using eccsim::testing::ProcessResult;
using eccsim::testing::run_process;

namespace {

const std::string kQueueing = std::string(ECCSIM_SOURCE_DIR) + "/tests/scenarios/queueing.yaml";
constexpr double kImageBits = 28 * 28 * 8;  // one offloaded Fashion-MNIST image

fs::path run_queueing(const std::string& name, std::vector<std::string> sets) {
  return eccsim::testing::run_sim_ok("queueing-" + name, eccsim::testing::SimRun(kQueueing, std::move(sets)));
}

struct Estimate {
  double mean = 0;
  double standard_error = 0;
  double arrival_rate_per_s = 0;    // requests that reached the cloud / run length
};

// Mean of `column` over the requests, its standard error from 20 batch means over arrival time.
Estimate estimate(const fs::path& out, const std::string& column, double duration_s) {
  const CsvTable requests(out / "requests.csv");
  constexpr int kBatches = 20;
  std::vector<double> sum(kBatches, 0);
  std::vector<double> count(kBatches, 0);
  double total = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    REQUIRE(requests.text(i, "outcome") == "cloud");
    const int b = std::min(kBatches - 1, static_cast<int>(requests.number(i, "t_arrival_s") / duration_s * kBatches));
    const double value = requests.number(i, column);
    sum[b] += value;
    count[b] += 1;
    total += value;
  }
  Estimate e;
  e.mean = total / static_cast<double>(requests.rows());
  double spread = 0;
  for (int b = 0; b < kBatches; ++b) spread += std::pow(sum[b] / count[b] - e.mean, 2);
  e.standard_error = std::sqrt(spread / (kBatches - 1) / kBatches);
  e.arrival_rate_per_s = static_cast<double>(requests.rows()) / duration_s;
  return e;
}

void check_against(const std::string& what, const Estimate& simulated, double theory) {
  std::cout << fmt::format("validation: {}: theory {:.4f} ms, simulated {:.4f} ms (standard error {:.4f} ms, "
                           "error {:+.2f} %)\n",
                           what, 1e3 * theory, 1e3 * simulated.mean, 1e3 * simulated.standard_error,
                           100 * (simulated.mean / theory - 1));
  INFO(what << ": theory " << theory << " s, simulated " << simulated.mean << " s, standard error "
            << simulated.standard_error << " s");
  CHECK(std::abs(simulated.mean - theory) <= 4 * simulated.standard_error);
  CHECK(4 * simulated.standard_error < 0.1 * theory);  // the run is long enough to tell
}

// M/D/1 (Pollaczek-Khinchine): mean wait before service rho S / (2 (1 - rho)).
void check_md1(double rate_per_device, double duration_s, const std::string& name) {
  constexpr double kService_s = 10e-3;
  const fs::path out = run_queueing(name, {fmt::format("workload.rate={}/s", rate_per_device),
                                           fmt::format("workload.duration={}s", duration_s)});
  const Estimate wait = estimate(out, "cloud_queue_s", duration_s);
  const double rho = wait.arrival_rate_per_s * kService_s;
  check_against(fmt::format("M/D/1 cloud queue, rho {:.3f}", rho), wait, rho * kService_s / (2 * (1 - rho)));
  const Estimate service = estimate(out, "cloud_compute_s", duration_s);
  CHECK(service.mean == Approx(kService_s));
}

}  // namespace

TEST_CASE("validation: the cloud queue is M/D/1 at rho = 0.5", "[sim][validation]") { check_md1(1.0, 2000, "md1-50"); }

TEST_CASE("validation: the cloud queue is M/D/1 at rho = 0.8", "[sim][validation]") { check_md1(1.6, 3000, "md1-80"); }

TEST_CASE("validation: uploads on a shared 1 Mbps backhaul are processor sharing, S / (1 - rho)",
          "[sim][validation]") {
  constexpr double kBandwidth_bps = 1e6;
  constexpr double kDuration_s = 1000;
  const double upload_s = kImageBits / kBandwidth_bps;
  // rho = 0.5: 50 devices at 0.5 / (upload_s * 50) requests/s each; a fast cloud behind.
  const double rate = 0.5 / upload_s / 50;
  const fs::path out = run_queueing("ps", {fmt::format("workload.rate={:.6f}/s", rate),
                                           fmt::format("workload.duration={}s", kDuration_s),
                                           "platform.backhaul.bandwidth=1Mbps",
                                           "platform.cloud.latency.table={1: 100us}"});
  const Estimate upload = estimate(out, "uplink_s", kDuration_s);
  const double rho = upload.arrival_rate_per_s * upload_s;
  check_against(fmt::format("processor-sharing backhaul, rho {:.3f}", rho), upload, upload_s / (1 - rho));
}

// Batches of any size (batch.max never reached), each a constant D, no waiting for a batch to
// fill: an input that arrives while a batch runs waits for the rest of it, D / 2 on average (every
// batch lasts D), one that finds the core idle starts at once. Busy periods are runs of batches
// that each saw an arrival: e^(lambda D) of them on average, so P(busy) = D e^(lambda D) /
// (D e^(lambda D) + 1 / lambda) and, arrivals seeing time averages, W = P(busy) D / 2.
TEST_CASE("validation: batch service of constant duration waits P(busy) D / 2", "[sim][validation]") {
  constexpr double kBatch_s = 10e-3;
  constexpr double kDuration_s = 1000;
  const fs::path out = run_queueing("batch", {"workload.rate=2/s", fmt::format("workload.duration={}s", kDuration_s),
                                              "platform.cloud.batch={max: 256, wait: 0ms}",
                                              "platform.cloud.latency.table={1: 10ms, 256: 10ms}"});
  const Estimate wait = estimate(out, "cloud_queue_s", kDuration_s);
  const double lambda = wait.arrival_rate_per_s;
  const double busy_s = kBatch_s * std::exp(lambda * kBatch_s);
  const double p_busy = busy_s / (busy_s + 1 / lambda);
  check_against(fmt::format("batch service, lambda D {:.3f}, P(busy) {:.3f}", lambda * kBatch_s, p_busy), wait,
                p_busy * kBatch_s / 2);
  // At lambda D = 1, batches of one could not keep up (rho = 1): batching does.
  CHECK(lambda * kBatch_s > 0.95);
}

TEST_CASE("eccsim profile measures what latency model profile reads; without it a run is refused",
          "[sim][validation]") {
  const fs::path models = eccsim::testing::fresh_output_dir("profile-models");
  fs::create_directories(models);
  for (const char* file : {"cloud.pt", "edge.pt", "models.yaml"}) {
    fs::copy_file(fs::path(ECCSIM_TEST_MODELS_DIR) / file, models / file);
  }
  const auto eccsim = [&](const std::string& command, std::vector<std::string> sets) {
    std::vector<std::string> args{eccsim::testing::eccsim_binary(), command, kQueueing, "--set",
                                  "models.dir=" + models.string(), "--set", "platform.cloud.latency.model=profile",
                                  "--set", "workload.duration=10s"};
    if (command == "run") args.insert(args.end(), {"--out", (models / "run").string()});
    for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
    return run_process(args, {std::chrono::minutes(5), {}});
  };
  const ProcessResult missing = eccsim("run", {});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("platform.cloud.latency.model: profile, but " +
                                          (models / "cloud_latency.csv").string() + " does not exist (eccsim profile"));

  // Before it is measured, validate cannot check batch.max against it, and does not refuse.
  CHECK(eccsim("validate", {"platform.cloud.batch.max=512"}).exit_code == 0);

  const ProcessResult measured = eccsim("profile", {});
  INFO(measured.err);
  REQUIRE(measured.exit_code == 0);
  const CsvTable profile(models / "cloud_latency.csv");
  REQUIRE(profile.rows() == 9);
  CHECK(profile.number(0, "batch") == 1);
  CHECK(profile.number(8, "batch") == 256);
  // A batch of 256 takes longer than one of 1, and costs less per input than 256 of them.
  CHECK(profile.number(8, "latency_s") > profile.number(0, "latency_s"));
  CHECK(profile.number(8, "latency_s") < 256 * profile.number(0, "latency_s"));

  const ProcessResult too_large = eccsim("run", {"platform.cloud.batch.max=512"});
  CHECK(too_large.exit_code == 2);
  CHECK_THAT(too_large.err, Catch::Contains("--set platform.cloud.batch.max: 512 is beyond the profile's largest "
                                            "batch (256"));
  // validate refuses it as run does, once the profile exists.
  const ProcessResult validated = eccsim("validate", {"platform.cloud.batch.max=512"});
  CHECK(validated.exit_code == 2);
  CHECK(validated.err == too_large.err);
  const auto batch_one_seconds = [&](std::vector<std::string> sets) {
    sets.push_back("platform.cloud.batch={max: 1, wait: 0ms}");
    const ProcessResult ran = eccsim("run", sets);
    INFO(ran.err);
    REQUIRE(ran.exit_code == 0);
    const CsvTable requests(models / "run" / "requests.csv");
    REQUIRE(requests.rows() > 100);
    const double first = requests.number(0, "cloud_compute_s");
    CHECK(max_deviation(requests, "cloud_compute_s", first) < 1e-9);
    return first;
  };
  // With speed 1, batches of one take the profile's batch-1 time as measured.
  CHECK(batch_one_seconds({"platform.cloud.latency.speed=1"}) == Approx(profile.number(0, "latency_s")));
  // Without speed, the profile is scaled to the declared core: twice the core speed, half the time,
  // and on the default 20 Tflop/s core far less than this machine's measured time.
  const double declared = batch_one_seconds({"platform.cloud.speed=20Tf"});
  CHECK(batch_one_seconds({"platform.cloud.speed=40Tf"}) == Approx(declared / 2).margin(1e-9));  // 9 decimals in the CSV
  CHECK(declared < profile.number(0, "latency_s") / 10);
}

TEST_CASE("validation: with the cloud model's profile, p95 against batch.max has an interior minimum",
          "[sim][validation]") {
  const fs::path out = eccsim::testing::fresh_output_dir("queueing-profile");
  const std::string scenario = std::string(ECCSIM_SOURCE_DIR) + "/scenarios/sweep-cloud-batching.yaml";
  const ProcessResult result = run_process(
      {eccsim::testing::eccsim_binary(), "sweep", scenario, "--out", out.string(), "-j", "2", "--set",
       "sweep={platform.cloud.batch.max: [1, 2, 4, 8, 256]}", "--set", "workload.rate=6/s"},
      {std::chrono::minutes(10), ECCSIM_SOURCE_DIR});  // as a user runs the example: models.dir is relative
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 5);
  std::vector<double> p95;
  for (size_t i = 0; i < summary.rows(); ++i) {
    p95.push_back(summary.number(i, "latency_p95_s"));
    std::cout << fmt::format("validation: profile, 600 inputs/s, batch.max {}: p95 {:.1f} ms\n",
                             summary.text(i, "platform.cloud.batch.max"), 1e3 * p95.back());
  }
  const double best = *std::min_element(p95.begin() + 1, p95.end() - 1);
  CAPTURE(p95);
  CHECK(p95.front() > 2 * best);   // batches of one cannot keep up: the queue grows
  CHECK(p95.back() > 1.3 * best);  // the largest batches cost more per input on this model
}
