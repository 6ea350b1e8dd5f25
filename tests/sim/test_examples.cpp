// The examples of scenarios/ as a new user runs them: the real binary, the shipped models
// (checkpoints/fmnist, no training), from the repository root. The demo's sweep must reproduce
// the paper's headline in kind (ECC more accurate than the edge alone, cheaper and faster than
// the cloud alone), the incremental examples must learn every later task, the sensitivity sweep
// cover 0-100 % CUR, and the budget example hold its budget.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;
using eccsim::testing::max_deviation;
using eccsim::testing::ProcessResult;

namespace {

const std::string kScenarios = std::string(ECCSIM_SOURCE_DIR) + "/scenarios/";

ProcessResult eccsim_in_source_dir(std::vector<std::string> args) {
  return eccsim::testing::run_eccsim(std::move(args), eccsim::testing::kEccsimTimeout, ECCSIM_SOURCE_DIR);
}

fs::path run_example(const std::string& example, const std::string& name, const std::vector<std::string>& sets) {
  // As a user runs it, from the source directory on the models the example names.
  eccsim::testing::SimRun run(kScenarios + example, sets);
  run.models_dir.clear();
  run.working_dir = ECCSIM_SOURCE_DIR;
  return eccsim::testing::run_sim_ok(name, run);
}

// `eccsim sweep` of an example into a fresh directory, which it returns once the sweep succeeded.
fs::path sweep_example(const std::string& example, const std::string& name, const std::vector<std::string>& extra = {}) {
  const fs::path out = eccsim::testing::fresh_output_dir(name);
  std::vector<std::string> args{"sweep", kScenarios + example, "--out", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const ProcessResult sweep = eccsim_in_source_dir(args);
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  return out;
}

// Whether updates.csv holds an installed update of every head 1..4, which together learned every
// class the initial model lacked (2..9).
void check_every_task_learned(const fs::path& run, const std::string& mode) {
  const CsvTable updates(run / "updates.csv");
  std::vector<bool> learned(5, false);
  std::vector<bool> classes(10, false);
  for (size_t u = 0; u < updates.rows(); ++u) {
    CHECK(updates.text(u, "mode") == mode);
    if (updates.text(u, "status") != "installed") continue;
    learned[static_cast<size_t>(updates.number(u, "task"))] = true;
    std::istringstream labels(updates.text(u, "classes"));
    for (int label = 0; labels >> label;) classes[static_cast<size_t>(label)] = true;
  }
  for (int task = 1; task < 5; ++task) {
    INFO("head " << task);
    CHECK(learned[static_cast<size_t>(task)]);
  }
  for (int label = 2; label < 10; ++label) {
    INFO("class " << label);
    CHECK(classes[static_cast<size_t>(label)]);
  }
}

// Against the same scenario without updates (and without exploration, which only feeds updates),
// the last phase's edge alone is far better and the collaboration answers better. (Not fewer
// offloads: without updates the shipped edge model is confident on classes it never learned and
// offloads almost nothing, while exploration keeps offloading a share of what the filter keeps
// until every class is learned.)
void check_example_learns(const std::string& example, const std::string& mode) {
  const fs::path out = run_example(example, "example-" + mode, {});
  const fs::path none =
      run_example(example, "example-" + mode + "-none", {"policy.update.mode=none", "policy.offload.explore=0"});
  check_every_task_learned(out, mode);
  const CsvTable tasks(out / "tasks.csv");
  const CsvTable baseline(none / "tasks.csv");
  REQUIRE(tasks.rows() == 5);
  REQUIRE(baseline.rows() == 5);
  CHECK(tasks.number(4, "edge_only_accuracy") > baseline.number(4, "edge_only_accuracy") + 0.2);
  CHECK(tasks.number(4, "accuracy") > baseline.number(4, "accuracy") + 0.1);
  CHECK(CsvTable(none / "updates.csv").rows() == 0);
}

}  // namespace

TEST_CASE("the demo: paper-headline.yaml's three filters give the paper's headline in kind", "[sim][examples]") {
  const fs::path out = eccsim::testing::fresh_output_dir("demo-headline");
  const ProcessResult sweep = eccsim_in_source_dir(
      {"sweep", kScenarios + "paper-headline.yaml", "--out", out.string(), "--set",
       "sweep={policy.offload.filter: [edge_only, entropy, cloud_only]}"});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  check_every_task_learned(out / "points" / "0001", "on_device");
  CHECK(CsvTable(out / "points" / "0000" / "summary.csv").number(0, "cur") == 0);
  CHECK(CsvTable(out / "points" / "0002" / "summary.csv").number(0, "cur") == 1);

  const ProcessResult headline = eccsim::testing::run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/analysis/headline.py", out.string()});
  INFO(headline.err);
  REQUIRE(headline.exit_code == 0);
  CHECK_THAT(headline.out, Catch::Contains("paper, 4 datasets"));
  const CsvTable table(out / "headline.csv");
  REQUIRE(table.rows() == 6);   // five phases and their mean, for the one ECC point
  const size_t mean = 5;
  CHECK(table.text(mean, "phase") == "mean");
  CHECK(table.text(mean, "filter") == "entropy");
  CHECK(table.number(mean, "accuracy_gain_pts") > 3);
  // Inference, radio and cloud alone: ECC saves most of cloud-only's energy. With the updates'
  // energy (mostly the trained model's upload to the cloud at 5.48 W, for the fleet) the saving is
  // far smaller (docs/studies.md, "The paper's headline").
  CHECK(table.number(mean, "energy_saving_no_updates_pct") > 50);
  CHECK(table.number(mean, "energy_saving_pct") < table.number(mean, "energy_saving_no_updates_pct") - 10);
  CHECK(table.number(mean, "latency_saving_pct") > 20);
  CHECK(table.number(mean, "cur_pct") > 5);
  CHECK(table.number(mean, "cur_pct") < 50);
  CHECK(fs::file_size(out / "headline.png") > 1000);

  // The ECC run's plots, as the demo draws them: the phase plot marks the four installed updates.
  const ProcessResult plots = eccsim::testing::run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/analysis/plot.py", (out / "points" / "0001").string()});
  INFO(plots.err);
  REQUIRE(plots.exit_code == 0);
  CHECK_THAT(plots.out, Catch::Contains("(4 task updates marked)"));
  for (const char* png : {"phase_accuracy.png", "latency_cdf.png", "energy_split.png"}) {
    CAPTURE(png);
    CHECK(fs::file_size(out / "points" / "0001" / "plots" / png) > 1000);
  }

  // A directory that is not such a sweep is refused in one line, exit 2.
  const ProcessResult refused = eccsim::testing::run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/analysis/headline.py", (out / "points").string()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::StartsWith("headline.py: ") && Catch::Contains("summary.csv: not found"));
}

TEST_CASE("scenarios/incremental-on-device.yaml learns every later task on the device", "[sim][examples]") {
  check_example_learns("incremental-on-device.yaml", "on_device");
}

TEST_CASE("scenarios/incremental-cloud.yaml learns every later task in the cloud", "[sim][examples]") {
  check_example_learns("incremental-cloud.yaml", "cloud");
}

TEST_CASE("scenarios/sweep-sensitivity.yaml covers 0-100 % CUR and every score filter beats random", "[sim][examples]") {
  const fs::path out = sweep_example("sweep-sensitivity.yaml", "example-sensitivity", {"-j", "2"});
  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 44);
  for (size_t i = 0; i < summary.rows(); ++i) {
    const double target = summary.number(i, "policy.offload.target_cur");
    CAPTURE(summary.text(i, "policy.offload.filter"), target);
    CHECK(std::abs(summary.number(i, "cur") - target) <= 0.1);  // 600 requests per point
  }
  const ProcessResult plot = eccsim::testing::run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/analysis/plot_sweep.py", out.string()});
  INFO(plot.err);
  REQUIRE(plot.exit_code == 0);
  CHECK(fs::file_size(out / "plots" / "acci_vs_cur.png") > 1000);
  // "area under AccI(CUR), <filter>: A (CUR 0.0-100.0 %)", one line per filter.
  std::map<std::string, double> area;
  std::istringstream lines(plot.out);
  for (std::string line; std::getline(lines, line);) {
    const std::string prefix = "area under AccI(CUR), ";
    if (line.rfind(prefix, 0) != 0) continue;
    CHECK_THAT(line, Catch::EndsWith("(CUR 0.0-100.0 %)"));
    const size_t colon = line.find(':', prefix.size());
    area[line.substr(prefix.size(), colon - prefix.size())] = std::stod(line.substr(colon + 1));
  }
  REQUIRE(area.size() == 4);
  for (const char* filter : {"entropy", "max_prob", "margin"}) {
    CAPTURE(filter);
    CHECK(area.at(filter) > area.at("random") + 0.02);
  }
}

TEST_CASE("scenarios/offload-budget.yaml holds 20 % CUR in every phase, a fixed calibration does not", "[sim][examples]") {
  const fs::path budget = run_example("offload-budget.yaml", "example-budget", {"output.requests=false"});
  const CsvTable tasks(budget / "tasks.csv");
  REQUIRE(tasks.rows() == 5);
  CHECK(max_deviation(tasks, "cur", 0.2) <= 0.03);  // every phase
  const CsvTable thresholds(budget / "thresholds.csv");
  CHECK(thresholds.rows() == 10 + 10 * 19);  // a calibration per device, then one row per device and 30 s window
  const fs::path fixed =
      run_example("offload-budget.yaml", "example-budget-fixed", {"output.requests=false", "policy.offload.target_cur=0.2"});
  CHECK(max_deviation(CsvTable(fixed / "tasks.csv"), "cur", 0.2) > 0.1);  // some phase
}

TEST_CASE("scenarios/wifi-cell.yaml: far stations upload slower, and a fuller cell slows everyone", "[sim][examples]") {
  const fs::path out = sweep_example("wifi-cell.yaml", "example-wifi-cell");
  // Mean upload time per level in a point, from its requests and its devices' levels.
  const auto mean_upload = [&](const char* point, int level) {
    const CsvTable devices(out / "points" / point / "devices.csv");
    const CsvTable requests(out / "points" / point / "requests.csv");
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < requests.rows(); ++i) {
      if (devices.number(static_cast<size_t>(requests.number(i, "device")), "wifi_level") != level) continue;
      sum += requests.number(i, "uplink_s");
      ++n;
    }
    REQUIRE(n > 0);
    return sum / n;
  };
  CHECK(mean_upload("0000", 2) > mean_upload("0000", 0) + 0.8e-3);   // 6 vs 54 Mbps, alone
  CHECK(mean_upload("0002", 0) > mean_upload("0000", 0) + 0.5e-3);   // 50 stations per level
  CHECK(mean_upload("0002", 2) > mean_upload("0002", 0));

  const std::string script = std::string(ECCSIM_SOURCE_DIR) + "/analysis/wifi_cell.py";
  const ProcessResult table = eccsim::testing::run_process({"/usr/bin/python3", script, out.string()});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("| 150 | ") && Catch::Contains("| 2 | 50 |"));
  CHECK(fs::file_size(out / "plots" / "wifi_cell.png") > 1000);
  // A wired run is refused in one line, exit 2.
  const fs::path wired = run_example("quickstart.yaml", "example-wifi-cell-wired", {"workload.duration=5s"});
  const ProcessResult refused = eccsim::testing::run_process({"/usr/bin/python3", script, wired.string()});
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::StartsWith("wifi_cell.py: ") && Catch::Contains("not a Wi-Fi run"));
}

TEST_CASE("scenarios/mixed-fleet.yaml: cloud-only drains the sensors' batteries, ECC keeps them alive", "[sim][examples]") {
  const fs::path out = sweep_example("mixed-fleet.yaml", "example-mixed-fleet");
  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 6);
  for (size_t point = 0; point < summary.rows(); ++point) {
    INFO("point " << point);
    const CsvTable groups(out / "points" / summary.text(point, "point") / "groups.csv");
    REQUIRE(groups.rows() == 3);
    CHECK(groups.text(0, "group") == "sensors");
    // The sensors' share of the 50 devices as swept; the desks take what the others leave.
    const double share = summary.number(point, "platform.groups[0].share");
    CHECK(groups.number(0, "devices") == std::round(share * 50));
    CHECK(groups.number(0, "devices") + groups.number(1, "devices") + groups.number(2, "devices") == 50);
    // The field site's 5 Mbps, 40 ms backhaul against the campus's 100 Mbps, 10 ms.
    if (summary.text(point, "policy.offload.filter") == "cloud_only") {
      CHECK(groups.number(1, "latency_p95_s") > groups.number(2, "latency_p95_s") + 0.03);
      CHECK(groups.number(0, "deaths") == groups.number(0, "devices"));   // every sensor's battery empties
      CHECK(groups.number(0, "median_death_s") < 200);
    } else {
      CHECK(groups.number(0, "deaths") == 0);                              // ECC: they outlive the run
    }
    CHECK(groups.number(1, "deaths") == 0);  // mains powered
  }
  const std::string script = std::string(ECCSIM_SOURCE_DIR) + "/analysis/mixed_fleet.py";
  const ProcessResult table = eccsim::testing::run_process({"/usr/bin/python3", script, out.string()});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("| 0.5 | cloud_only | sensors | field | 25 |"));
  CHECK(fs::file_size(out / "plots" / "mixed_fleet.png") > 1000);
  const ProcessResult unknown = eccsim::testing::run_process({"/usr/bin/python3", script, out.string(), "--group", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK_THAT(unknown.err, Catch::StartsWith("mixed_fleet.py: no group 'nope'"));
}

// Energy per request of each group under ECC and cloud-only, from a device-profiles sweep.
std::map<std::string, std::pair<double, double>> ecc_and_cloud_only_J(const fs::path& out) {
  const CsvTable summary(out / "summary.csv");
  REQUIRE(summary.rows() == 2);
  REQUIRE(summary.text(0, "policy.offload.filter") == "entropy");
  const CsvTable ecc(out / "points" / summary.text(0, "point") / "groups.csv");
  const CsvTable cloud_only(out / "points" / summary.text(1, "point") / "groups.csv");
  std::map<std::string, std::pair<double, double>> energy;
  for (size_t g = 0; g < ecc.rows(); ++g) {
    REQUIRE(cloud_only.text(g, "group") == ecc.text(g, "group"));
    CHECK(cloud_only.number(g, "edge_energy_per_request_J") == 0);
    energy[ecc.text(g, "group")] = {ecc.number(g, "energy_per_request_J"), cloud_only.number(g, "energy_per_request_J")};
  }
  return energy;
}

TEST_CASE("scenarios/device-profiles.yaml: inferences cost each profile's time and power; ECC saves on each, on the MCU "
          "only while the cloud pays for lone inputs",
          "[sim][examples]") {
  const fs::path out = sweep_example("device-profiles.yaml", "example-device-profiles");
  const CsvTable summary(out / "summary.csv");
  const fs::path ecc = out / "points" / summary.text(0, "point");
  // Each profile's speed (op/s) and busy power (W): per-op chips are busy at e x speed.
  const std::map<std::string, std::pair<double, double>> profile{{"loihi", {128 / 3.5e-9, 23.6e-12 * 128 / 3.5e-9}},
                                                                 {"truenorth", {72e-3 / 26e-12, 72e-3}},
                                                                 {"jetson-nano", {236e9, 10}},
                                                                 {"stm32f407", {168e6, 238e-6 * 168 * 3.3}}};
  const CsvTable requests(ecc / "requests.csv");
  std::map<int64_t, std::map<std::string, double>> ops_of_sample;  // sample -> group -> ops of its inference
  size_t inferences = 0;
  for (size_t r = 0; r < requests.rows(); ++r) {
    const double compute_s = requests.number(r, "edge_compute_s");
    if (compute_s <= 0) continue;
    ++inferences;
    const auto& [speed_ops, busy_W] = profile.at(requests.text(r, "group"));
    INFO("request " << r << " of " << requests.text(r, "group"));
    CHECK(requests.number(r, "edge_energy_J") == Approx(busy_W * compute_s).epsilon(2e-3));
    ops_of_sample[static_cast<int64_t>(requests.number(r, "sample"))][requests.text(r, "group")] = compute_s * speed_ops;
  }
  CHECK(inferences > 2000);
  // The same image costs the same ops on every hardware: only the profile's speed differs.
  size_t shared = 0;
  for (const auto& [sample, by_group] : ops_of_sample) {
    if (by_group.size() < 2) continue;
    ++shared;
    for (const auto& [group, ops] : by_group) CHECK(ops == Approx(by_group.begin()->second).epsilon(2e-3));
  }
  CHECK(shared > 20);
  // The what-if of docs/studies.md: ECC saves energy many times over on the neuromorphic chips and the
  // Jetson; on the microcontroller, whose inference costs about as much as sending the image over
  // its 5.48 W radio, it saves only because the cloud's lone inputs cost 7.7 x the flops bound
  // (the measured profile); priced at the flops bound, cloud-only is the cheaper one there.
  const auto energy = ecc_and_cloud_only_J(out);
  REQUIRE(energy.size() == 4);
  for (const auto& [group, ecc_and_cloud] : energy) {
    INFO(group);
    REQUIRE(profile.count(group) == 1);
    const auto [ecc_J, cloud_J] = ecc_and_cloud;
    if (group == "stm32f407") {
      CHECK(ecc_J < cloud_J);
      CHECK(ecc_J > cloud_J / 2);
    } else {
      CHECK(ecc_J < cloud_J / 5);
    }
  }
  const auto at_flops_bound = ecc_and_cloud_only_J(sweep_example(
      "device-profiles.yaml", "example-device-profiles-flops", {"--set", "platform.cloud.latency.model=flops"}));
  CHECK(at_flops_bound.at("stm32f407").first > at_flops_bound.at("stm32f407").second);
  const std::string script = std::string(ECCSIM_SOURCE_DIR) + "/analysis/device_profiles.py";
  const ProcessResult table = eccsim::testing::run_process({"/usr/bin/python3", script, out.string()});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("| entropy | stm32f407 | 5 |"));
  CHECK_THAT(table.out, Catch::Contains("| cloud_only | loihi | 5 | - | 100.0 % |"));
  const ProcessResult missing = eccsim::testing::run_process({"/usr/bin/python3", script, (out / "nope").string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::StartsWith("device_profiles.py: "));
}

namespace {

// compare.csv's paired difference (plugin minus entropy) of `metric`: its mean and 95 % half-width.
struct PairedDifference {
  double mean = 0;
  double half_width = 0;
};

PairedDifference plugin_minus_entropy(const fs::path& sweep, const std::string& metric) {
  const CsvTable compare(sweep / "compare.csv");
  REQUIRE(compare.rows() == 1);
  REQUIRE(compare.text(0, "policy.offload.filter") == "plugin");
  REQUIRE(compare.number(0, "n") == 5);
  return {compare.number(0, metric + "_diff_mean"), compare.number(0, metric + "_diff_hw95")};
}

}  // namespace

TEST_CASE("scenarios/plugin-queue-aware.yaml: the rule cuts latency, timeouts and radio energy against entropy",
          "[sim][examples][plugins]") {
  const fs::path scenario = kScenarios + "plugin-queue-aware.yaml";
  std::vector<std::string> extra;
  for (const std::string& set : eccsim::testing::example_plugin_sets(scenario))
    extra.insert(extra.end(), {"--set", set});
  const fs::path out = sweep_example("plugin-queue-aware.yaml", "example-plugin-queue-aware", extra);
  // Each difference's whole 95 % interval lies below zero (docs/policies.md quotes them).
  for (const char* metric : {"latency_mean_s", "latency_p95_s", "radio_energy_per_request_J", "fallbacks"}) {
    INFO(metric);
    const PairedDifference d = plugin_minus_entropy(out, metric);
    CHECK(d.mean + d.half_width < 0);
  }
  // About as many offloads, and no worse answers.
  CHECK(std::abs(plugin_minus_entropy(out, "cur").mean) < 0.03);
  const PairedDifference accuracy = plugin_minus_entropy(out, "accuracy");
  CHECK(accuracy.mean + accuracy.half_width > 0);
}

TEST_CASE("scenarios/plugin-bandit.yaml: the bandit, learning online, matches entropy calibrated on held-out images",
          "[sim][examples][plugins]") {
  const fs::path scenario = kScenarios + "plugin-bandit.yaml";
  std::vector<std::string> extra;
  for (const std::string& set : eccsim::testing::example_plugin_sets(scenario))
    extra.insert(extra.end(), {"--set", set});
  const fs::path out = sweep_example("plugin-bandit.yaml", "example-plugin-bandit", extra);
  // The same offload share within 5 points, and the same accuracy within the interval (docs/policies.md).
  const PairedDifference cur = plugin_minus_entropy(out, "cur");
  CHECK(std::abs(cur.mean) < 0.05);
  const PairedDifference accuracy = plugin_minus_entropy(out, "accuracy");
  CHECK(accuracy.mean - accuracy.half_width < 0);
  CHECK(accuracy.mean + accuracy.half_width > 0);
  // It learned: far above the edge model alone on the same requests.
  const CsvTable summary(out / "summary.csv");
  for (size_t row = 0; row < summary.rows(); ++row) {
    if (summary.text(row, "policy.offload.filter") != "plugin") continue;
    CHECK(summary.number(row, "accuracy") > summary.number(row, "edge_only_accuracy") + 0.1);
  }
}

TEST_CASE("scenarios/own-snn.yaml: the user's SNN is more accurate at the same offload share, for less edge energy",
          "[sim][examples][own-models]") {
  const fs::path out = sweep_example("own-snn.yaml", "example-own-snn");
  const CsvTable compare(out / "compare.csv");
  REQUIRE(compare.rows() == 1);
  REQUIRE(compare.text(0, "models.edge.format") == "torchscript");
  REQUIRE(compare.number(0, "n") == 5);
  const auto difference = [&](const std::string& metric) {
    return PairedDifference{compare.number(0, metric + "_diff_mean"), compare.number(0, metric + "_diff_hw95")};
  };
  const PairedDifference cur = difference("cur");   // calibrated to the same share (docs/own-models.md)
  CHECK(std::abs(cur.mean) < 0.03);
  const PairedDifference accuracy = difference("accuracy");
  CHECK(accuracy.mean - accuracy.half_width > 0);
  const PairedDifference edge_energy = difference("edge_energy_per_request_J");
  CHECK(edge_energy.mean + edge_energy.half_width < 0);
}

TEST_CASE("examples/models/fmnist_snn.py trains a spiking network in PyTorch and exports one eccsim runs",
          "[sim][examples][own-models]") {
  const fs::path dir = eccsim::testing::fresh_output_dir("example-fmnist-snn");
  const fs::path model = dir / "edge.pt";
  const ProcessResult trained = eccsim::testing::run_process(
      {"/usr/bin/python3", std::string(ECCSIM_SOURCE_DIR) + "/examples/models/fmnist_snn.py", "--quick", "--threads",
       "1", "--out", model.string()});
  INFO(trained.out << trained.err);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.out, Catch::Contains("contract ok"));
  // It learned: the quick run's test accuracy on its two classes is well above chance (50 %).
  const size_t at = trained.out.rfind("test accuracy");
  REQUIRE(at != std::string::npos);
  const std::string figure = trained.out.substr(trained.out.find_first_of("0123456789", at));
  CHECK(std::stod(figure) > 80);
  const fs::path run = run_example(
      "quickstart.yaml", "example-fmnist-snn-run",
      {"models.edge.format=torchscript", "models.edge.path=" + model.string(), "workload.duration=10s"});
  const CsvTable requests(run / "requests.csv");
  REQUIRE(requests.rows() > 100);
  for (size_t i = 0; i < requests.rows(); ++i) {   // the model knows classes 3 and 5, as labels 0 and 1
    const double edge = requests.number(i, "edge_pred");
    REQUIRE((edge == 0 || edge == 1));
  }
}
