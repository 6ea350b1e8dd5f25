// Simulation tests: the real eccsim binary on tiny scenarios (one simulation per process),
// with invariants checked on its CSVs. The models come from a directory trained once per
// build by the ctest fixture `eccsim_test_models` (see tests/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();
const std::string kPaper = std::string(ECCSIM_SOURCE_DIR) + "/scenarios/paper-constants.yaml";

fs::path fresh_dir(const std::string& name) { return eccsim::testing::fresh_output_dir(name); }

// Runs `eccsim run scenario --out dir --set models.dir=<models> --set models.train.allow=false --set extra...`.
ProcessResult run_on_models(const fs::path& models, const std::string& scenario, const fs::path& out,
                            std::vector<std::string> sets = {}) {
  sets.insert(sets.begin(), "models.train.allow=false");
  eccsim::testing::SimRun run(scenario, std::move(sets));
  run.models_dir = models.string();
  return eccsim::testing::run_sim(run, out);
}

// The same on the test models.
ProcessResult run_eccsim(const std::string& scenario, const fs::path& out, std::vector<std::string> sets = {}) {
  return run_on_models(ECCSIM_TEST_MODELS_DIR, scenario, out, std::move(sets));
}

ProcessResult run_ok(const std::string& scenario, const fs::path& out, std::vector<std::string> sets = {}) {
  ProcessResult result = run_eccsim(scenario, out, std::move(sets));
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return values.empty() ? 0 : sum / static_cast<double>(values.size());
}

}  // namespace

TEST_CASE("every request is answered once and its latency parts add up", "[sim]") {
  const fs::path out = fresh_dir("invariants");
  run_ok(kTiny, out, {"policy.offload.threshold=0.3"});
  const CsvTable requests(out / "requests.csv");
  REQUIRE(requests.rows() == 40);
  std::set<std::string> ids;
  const double image_bytes = 784, access_Bps = 20e6 / 8, access_latency_s = 2e-3;
  int offloaded = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    ids.insert(requests.text(i, "request_id"));
    double parts = 0;
    for (const char* part : {"edge_queue_s", "edge_compute_s", "edge_wait_s", "uplink_s", "cloud_queue_s",
                             "cloud_compute_s", "downlink_s", "fallback_wait_s", "drop_wait_s"})
      parts += requests.number(i, part);
    CHECK(parts == Approx(requests.number(i, "latency_s")).margin(1e-8));
    CHECK(requests.number(i, "t_done_s") - requests.number(i, "t_arrival_s") ==
          Approx(requests.number(i, "latency_s")).margin(1e-8));
    if (requests.text(i, "outcome") == "cloud") {
      ++offloaded;
      CHECK(requests.number(i, "uplink_s") >= image_bytes / access_Bps + access_latency_s - 1e-9);
      CHECK(requests.text(i, "final_pred") == requests.text(i, "cloud_pred"));
    } else {
      CHECK(requests.text(i, "outcome") == "edge");
      CHECK(requests.text(i, "final_pred") == requests.text(i, "edge_pred"));
    }
  }
  CHECK(ids.size() == 40);
  CHECK(offloaded > 0);
  const CsvTable summary(out / "summary.csv");
  CHECK(summary.number(0, "requests") == 40);
  const CsvTable devices(out / "devices.csv");
  CHECK(devices.rows() == 2);
  CHECK(devices.number(0, "requests") + devices.number(1, "requests") == 40);
  CHECK(fs::exists(out / "run.json"));
}

TEST_CASE("threshold end points give the two baselines, and offloading moves monotonically", "[sim]") {
  const std::vector<std::string> thresholds{"1.0", "0.8", "0.5", "0.2", "0.0"};
  std::vector<double> cur, accuracy, energy;
  for (const std::string& threshold : thresholds) {
    const fs::path out = fresh_dir("threshold-" + threshold);
    run_ok(kTiny, out, {"policy.offload.threshold=" + threshold, "workload.requests_per_device=100"});
    const CsvTable summary(out / "summary.csv");
    cur.push_back(summary.number(0, "cur"));
    accuracy.push_back(summary.number(0, "accuracy"));
    energy.push_back(summary.number(0, "energy_per_request_J"));
    if (threshold == "1.0") {
      CHECK(summary.number(0, "cur") == 0);
      CHECK(summary.number(0, "accuracy") == summary.number(0, "edge_only_accuracy"));
    }
    if (threshold == "0.0") {
      CHECK(summary.number(0, "cur") == 1);
      CHECK(summary.number(0, "accuracy") == summary.number(0, "cloud_only_accuracy"));
    }
  }
  for (size_t i = 1; i < thresholds.size(); ++i) {
    INFO("threshold " << thresholds[i]);
    CHECK(cur[i] >= cur[i - 1]);
    CHECK(energy[i] >= energy[i - 1]);
    CHECK(accuracy[i] >= accuracy[i - 1] - 0.01);  // the cloud model is the stronger one
  }
  CHECK(cur.back() > cur.front());
  CHECK(accuracy.back() > accuracy.front());
}

TEST_CASE("paper-constants reproduces the paper's energy and latency formulas", "[sim]") {
  const fs::path out = fresh_dir("paper");
  run_ok(kPaper, out, {"workload.requests_per_device=300"});
  const CsvTable summary(out / "summary.csv");
  const double cur = summary.number(0, "cur");
  REQUIRE(cur > 0);
  REQUIRE(cur < 1);
  // The paper's constants: edge 2.5 ms / 0.69 mJ, transfer 1.6 ms / 8.77 mJ (5.48 W), cloud 4.3 ms / 15167 mJ.
  const double edge_s = 2.5e-3, transfer_s = 1.6e-3, cloud_s = 4.3e-3;
  const double edge_J = 0.69e-3, comm_J = 5.48 * 1.6e-3, cloud_J = 15.167;
  CHECK(summary.number(0, "energy_per_request_J") ==
        Approx(cur * (edge_J + comm_J + cloud_J) + (1 - cur) * edge_J).epsilon(1e-3));
  CHECK(summary.number(0, "latency_mean_s") ==
        Approx(cur * (edge_s + transfer_s + cloud_s) + (1 - cur) * edge_s).epsilon(1e-3));
  const double acc = summary.number(0, "accuracy"), edge = summary.number(0, "edge_only_accuracy"),
               cloud = summary.number(0, "cloud_only_accuracy");
  CHECK(summary.number(0, "acci") == Approx((acc - edge) / (cloud - edge)).margin(1e-5));
}

TEST_CASE("a shared backhaul slows uploads as devices are added", "[sim]") {
  auto mean_uplink = [](int devices) {
    const fs::path out = fresh_dir(fmt::format("backhaul-{}", devices));
    run_ok(kTiny, out,
           {fmt::format("platform.devices={}", devices), "platform.backhaul.bandwidth=10Mbps",
            "platform.backhaul.latency=1ms", "policy.offload.filter=cloud_only", "workload.rate=40/s",
            "workload.requests_per_device=10"});
    return mean(CsvTable(out / "requests.csv").numbers("uplink_s"));
  };
  const double alone = mean_uplink(1);
  const double crowded = mean_uplink(50);
  CHECK(crowded > 1.2 * alone);
}

TEST_CASE("a Wi-Fi access zone slows down as stations are added", "[sim]") {
  auto mean_uplink = [](int devices) {
    const fs::path out = fresh_dir(fmt::format("wifi-{}", devices));
    run_ok(kTiny, out,
           {fmt::format("platform.devices={}", devices), "platform.access.kind=wifi",
            "platform.access.bandwidth=2Mbps", "platform.backhaul.bandwidth=1Gbps", "policy.offload.filter=cloud_only",
            "workload.rate=20/s", "workload.requests_per_device=10"});
    return mean(CsvTable(out / "requests.csv").numbers("uplink_s"));
  };
  const double alone = mean_uplink(1);
  const double crowded = mean_uplink(20);
  CHECK(crowded > 1.2 * alone);
}

TEST_CASE("same seed gives byte-identical CSVs, another seed other arrivals", "[sim]") {
  const fs::path a = fresh_dir("seed-a"), b = fresh_dir("seed-b"), c = fresh_dir("seed-c");
  run_ok(kTiny, a);
  run_ok(kTiny, b);
  run_ok(kTiny, c, {"seed=8"});  // other arrivals, the same models (models.seed is its own key)
  CHECK(file_bytes(a / "requests.csv") == file_bytes(b / "requests.csv"));
  CHECK(file_bytes(a / "devices.csv") == file_bytes(b / "devices.csv"));
  CHECK(file_bytes(a / "summary.csv") == file_bytes(b / "summary.csv"));   // wall time is in run.json only
  CHECK(file_bytes(a / "tasks.csv") == file_bytes(b / "tasks.csv"));
  CHECK(CsvTable(a / "requests.csv").numbers("t_arrival_s") != CsvTable(c / "requests.csv").numbers("t_arrival_s"));
}

TEST_CASE("a policy change never changes the arrivals or the samples (common random numbers)", "[sim]") {
  const fs::path entropy = fresh_dir("crn-entropy"), random = fresh_dir("crn-random");
  run_ok(kTiny, entropy, {"policy.offload.filter=entropy", "policy.offload.explore=0.3"});
  run_ok(kTiny, random, {"policy.offload.filter=random", "policy.offload.rate=0.8"});
  const CsvTable a(entropy / "requests.csv"), b(random / "requests.csv");
  REQUIRE(a.rows() == b.rows());
  CHECK(a.numbers("t_arrival_s") == b.numbers("t_arrival_s"));
  CHECK(a.numbers("sample") == b.numbers("sample"));
  CHECK(a.numbers("offloaded") != b.numbers("offloaded"));
}

TEST_CASE("memoised and per-request inference give identical CSVs", "[sim]") {
  const fs::path cached = fresh_dir("cache-on"), uncached = fresh_dir("cache-off");
  run_ok(kTiny, cached);
  run_ok(kTiny, uncached, {"models.cache=false"});
  CHECK(file_bytes(cached / "requests.csv") == file_bytes(uncached / "requests.csv"));
}

namespace {

// run.json's inference counts: samples inferred and read from prediction stores.
struct InferenceCounts {
  int64_t edge = 0, cloud = 0, stored_edge = 0, stored_cloud = 0;
};

InferenceCounts inference_counts(const fs::path& out) {
  const auto manifest = nlohmann::json::parse(file_bytes(out / "run.json")).at("inference");
  return {manifest.at("edge_samples").get<int64_t>(), manifest.at("cloud_samples").get<int64_t>(),
          manifest.at("stored_edge_samples").get<int64_t>(), manifest.at("stored_cloud_samples").get<int64_t>()};
}

// A private copy of the test models' checkpoints (no prediction store yet).
fs::path copy_of_test_models(const std::string& name) {
  const fs::path models = fresh_dir(name);
  fs::create_directories(models);
  for (const auto& entry : fs::directory_iterator(ECCSIM_TEST_MODELS_DIR))
    if (entry.is_regular_file()) fs::copy_file(entry.path(), models / entry.path().filename());
  return models;
}

std::vector<fs::path> store_files(const fs::path& models) {
  std::vector<fs::path> files;
  if (fs::exists(models / "predictions"))
    for (const auto& entry : fs::directory_iterator(models / "predictions")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("the prediction store: the first run fills it, later runs read it, with identical CSVs", "[sim]") {
  const fs::path models = copy_of_test_models("store-models");
  const auto run = [&](const std::string& name, std::vector<std::string> sets = {}) {
    const fs::path out = fresh_dir(name);
    const ProcessResult result = run_on_models(models, kTiny, out, std::move(sets));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return std::make_pair(out, result);
  };
  const auto [cold, cold_run] = run("store-cold");
  const InferenceCounts first = inference_counts(cold);
  CHECK(first.edge > 0);
  CHECK(first.cloud > 0);
  CHECK(first.stored_edge == 0);
  REQUIRE(store_files(models).size() == 2);   // edge-<key>.cbor and cloud-<key>.cbor

  const auto [warm, warm_run] = run("store-warm");
  const InferenceCounts second = inference_counts(warm);
  CHECK(second.edge == 0);    // nothing inferred again
  CHECK(second.cloud == 0);
  CHECK(second.stored_edge == first.edge);
  CHECK(second.stored_cloud == first.cloud);
  CHECK(file_bytes(warm / "requests.csv") == file_bytes(cold / "requests.csv"));
  CHECK(file_bytes(warm / "summary.csv") == file_bytes(cold / "summary.csv"));

  const auto [off, off_run] = run("store-off", {"models.persistent_cache=false"});
  CHECK(inference_counts(off).edge == first.edge);
  CHECK(inference_counts(off).stored_edge == 0);
  CHECK(file_bytes(off / "requests.csv") == file_bytes(cold / "requests.csv"));

  SECTION("an unreadable store is inferred again and replaced") {
    const fs::path edge_store = store_files(models).back();   // "edge-" sorts after "cloud-"
    REQUIRE(edge_store.filename().string().rfind("edge-", 0) == 0);
    std::ofstream(edge_store, std::ios::binary | std::ios::trunc) << "garbage";
    const auto [again, again_run] = run("store-garbage");
    CHECK_THAT(again_run.err, Catch::Contains("unreadable prediction store"));
    CHECK(inference_counts(again).edge == first.edge);
    CHECK(file_bytes(again / "requests.csv") == file_bytes(cold / "requests.csv"));
    CHECK(inference_counts(run("store-repaired").first).stored_edge == first.edge);
  }
  SECTION("a changed checkpoint never reads the old one's outputs") {
    // A different edge checkpoint: the same architecture, left untrained (0 epochs).
    fs::remove(models / "edge.pt");
    const ProcessResult train = eccsim::testing::run_process(
        {eccsim::testing::eccsim_binary(), "train", kTiny, "--set", "models.dir=" + models.string(), "--set",
         "models.train.edge_epochs=0"},
        {std::chrono::minutes(5), {}});
    INFO(train.err);
    REQUIRE(train.exit_code == 0);
    const auto [changed, changed_run] = run("store-changed");
    CHECK(inference_counts(changed).edge == first.edge);          // the new model inferred afresh
    CHECK(inference_counts(changed).stored_cloud == first.cloud); // the unchanged cloud model read
    CHECK(file_bytes(changed / "requests.csv") != file_bytes(cold / "requests.csv"));
    CHECK(store_files(models).size() == 3);
  }
}

TEST_CASE("inference on one or two LibTorch threads gives identical CSVs", "[sim]") {
  std::vector<fs::path> outs;
  for (const std::string threads : {"1", "2"}) {
    const fs::path out = fresh_dir("threads-" + threads);
    const ProcessResult result = eccsim::testing::run_process(
        {eccsim::testing::eccsim_binary(), "run", kTiny, "--out", out.string(), "--threads", threads, "--set",
         std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "--set", "models.persistent_cache=false"},
        {std::chrono::minutes(5), {}});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    const auto manifest = nlohmann::json::parse(file_bytes(out / "run.json")).at("inference");
    CHECK(manifest.at("edge_samples").get<int64_t>() > 0);   // really inferred, not read
    if (std::getenv("OMP_NUM_THREADS") == nullptr) CHECK(manifest.at("threads") == std::stoi(threads));
    outs.push_back(out);
  }
  CHECK(file_bytes(outs[0] / "requests.csv") == file_bytes(outs[1] / "requests.csv"));
}

TEST_CASE("bad input to run exits 2 with one clear line and writes nothing", "[sim]") {
  SECTION("unknown filter") {
    const fs::path out = fresh_dir("bad-filter");
    const ProcessResult r = run_eccsim(kTiny, out, {"policy.offload.filter=entropic"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("policy.offload.filter"));
    CHECK(!fs::exists(out / "requests.csv"));
  }
  SECTION("missing checkpoint with training disabled") {
    const fs::path out = fresh_dir("no-models");
    const fs::path empty_models = fresh_dir("empty-models");
    fs::create_directories(empty_models);
    const ProcessResult r = run_eccsim(kTiny, out, {"models.dir=" + empty_models.string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("models.dir") && Catch::Contains("eccsim train"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(!fs::exists(out / "requests.csv"));
  }
  SECTION("unknown context factory") {
    const fs::path out = fresh_dir("bad-context-factory");
    const ProcessResult r = eccsim::testing::run_process(
        {eccsim::testing::eccsim_binary(), "run", kTiny, "--out", out.string(), "--context-factory", "fibers"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--context-factory: fibers not in {raw,ucontext,boost,thread}"));
    CHECK(!fs::exists(out));
  }
  SECTION("no inference threads") {
    const fs::path out = fresh_dir("bad-threads");
    const ProcessResult r = eccsim::testing::run_process(
        {eccsim::testing::eccsim_binary(), "run", kTiny, "--out", out.string(), "--threads", "0"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--threads"));
    CHECK(!fs::exists(out));
  }
  SECTION("a fleet too large for one OS thread per actor") {
    // Thread contexts cost two memory mappings per actor (one actor per device); the run stops
    // before the engine starts.
    std::ifstream limit_file("/proc/sys/vm/max_map_count");
    long limit = 65530;
    limit_file >> limit;
    if (limit > 1'000'000) {
      WARN("vm.max_map_count is " << limit << ": a fleet too large for it would not be tiny; skipped");
      return;
    }
    const fs::path out = fresh_dir("thread-fleet-too-large");
    const ProcessResult r = eccsim::testing::run_process(
        {eccsim::testing::eccsim_binary(), "run", kTiny, "--out", out.string(), "--context-factory", "thread", "--set",
         std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "--set", fmt::format("platform.devices={}", limit / 2 + 1)});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("platform.devices") && Catch::Contains("vm.max_map_count") &&
                          Catch::Contains("--context-factory thread"));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(!fs::exists(out / "requests.csv"));
  }
  SECTION("--out is a file") {
    const fs::path parent = fresh_dir("out-file");
    fs::create_directories(parent);
    const fs::path file = parent / "not-a-dir";
    std::ofstream(file) << "x";
    const ProcessResult r = run_eccsim(kTiny, file);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--out") && Catch::Contains("not-a-dir"));
  }
  SECTION("--out is read-only") {
    // Root writes through permission bits, but not into procfs directories.
    fs::path out = "/proc/self";
    if (::geteuid() != 0) {
      out = fresh_dir("read-only");
      fs::create_directories(out);
      fs::permissions(out, fs::perms::owner_read | fs::perms::owner_exec);
    }
    const ProcessResult r = run_eccsim(kTiny, out);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("not writable"));
  }
}
