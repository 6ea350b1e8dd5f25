// Simulation tests of faults and of the update stage: the real binary on tiny scenarios,
// invariants checked on requests.csv, updates.csv and tasks.csv.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <utility>
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

// Runs `scenario` with the test models; fails the test unless the run succeeds.
fs::path run_with_test_models(const std::string& scenario, const std::string& name, std::vector<std::string> sets,
                              std::vector<std::string> flags = {}) {
  return eccsim::testing::run_sim_ok(name, eccsim::testing::SimRun(scenario, std::move(sets), std::move(flags)));
}

fs::path run_tiny(const std::string& name, std::vector<std::string> sets, std::vector<std::string> flags = {}) {
  return run_with_test_models(kTiny, name, std::move(sets), std::move(flags));
}

// A minute of traffic from two devices with phases, the shape the fault and update tests share.
std::vector<std::string> minute(std::vector<std::string> extra) {
  std::vector<std::string> sets{"workload.requests_per_device=0", "workload.duration=60s", "workload.rate=3/s"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return sets;
}

// The space-separated items of a CSV field (updates.csv's classes).
std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> items;
  for (std::string item; in >> item;) items.push_back(item);
  return items;
}

}  // namespace

TEST_CASE("a cloud outage is covered by fallbacks at edge accuracy, and nothing is lost", "[sim][faults]") {
  const fs::path calm = run_tiny("no-outage", minute({}));
  const fs::path outage = run_tiny("outage", minute({"faults=[{at: 20s, for: 10s, target: cloud}]"}));
  const CsvTable baseline(calm / "requests.csv");
  const CsvTable requests(outage / "requests.csv");
  REQUIRE(requests.rows() == baseline.rows());  // same schedule, one row per request
  int during = 0, correct = 0, edge_correct = 0, fallbacks = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const double t = requests.number(i, "t_arrival_s");
    if (t < 20 || t >= 30) continue;
    ++during;
    const std::string outcome = requests.text(i, "outcome");
    CHECK((outcome == "edge" || outcome == "fallback"));
    fallbacks += outcome == "fallback";
    // Answered within the timeout (1 s) after the edge inference.
    CHECK(requests.number(i, "latency_s") <= requests.number(i, "edge_queue_s") +
                                                 requests.number(i, "edge_compute_s") + 1.0 + 1e-9);
    correct += requests.text(i, "correct") == "1";
    edge_correct += requests.text(i, "edge_pred") == requests.text(i, "label");
  }
  REQUIRE(during > 20);
  CHECK(fallbacks > 0);
  CHECK(correct == edge_correct);
  const CsvTable summary(outage / "summary.csv");
  CHECK(summary.number(0, "fallbacks") == fallbacks);
  CHECK(summary.number(0, "dropped") == 0);
}

TEST_CASE("a failed device drops what reaches it and resumes afterwards", "[sim][faults]") {
  const fs::path out = run_tiny("device-down", minute({"faults=[{at: 10s, for: 5s, target: \"device[0]\"}]"}));
  const CsvTable requests(out / "requests.csv");
  int dropped = 0, served_after = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    if (requests.text(i, "device") != "0") continue;
    const double t = requests.number(i, "t_arrival_s");
    if (requests.text(i, "outcome") == "dropped") {
      ++dropped;
      CHECK(requests.text(i, "reason") == "device_down");
      CHECK(t >= 9.0);
      CHECK(t < 15.0);
    }
    served_after += t > 16 && requests.text(i, "outcome") != "dropped";
  }
  CHECK(dropped > 5);
  CHECK(served_after > 20);
  CHECK(CsvTable(out / "summary.csv").number(0, "dropped") == dropped);
}

TEST_CASE("random faults are seeded, recorded in faults.csv, and lose no request", "[sim][faults]") {
  const std::vector<std::string> sets = minute({"faults=[{rate: 6/min, for: 3s, target: backhaul}]"});
  const fs::path out = run_tiny("random-faults", sets);
  const CsvTable outages(out / "faults.csv");
  REQUIRE(outages.rows() >= 2);  // six expected in a minute
  std::vector<std::pair<double, double>> down;
  for (size_t k = 0; k < outages.rows(); ++k) {
    CHECK(outages.text(k, "target") == "backhaul");
    CHECK(outages.number(k, "t_up_s") > outages.number(k, "t_down_s"));
    if (k > 0) CHECK(outages.number(k, "t_down_s") >= outages.number(k - 1, "t_up_s"));
    down.emplace_back(outages.number(k, "t_down_s"), outages.number(k, "t_up_s"));
  }
  // Every request is answered; one offloaded while the backhaul is down falls back.
  const CsvTable requests(out / "requests.csv");
  int during = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    CHECK(requests.text(i, "outcome") != "dropped");
    if (requests.text(i, "offloaded") != "1") continue;
    const double sent = requests.number(i, "t_arrival_s") + requests.number(i, "edge_queue_s") +
                        requests.number(i, "edge_compute_s");
    for (const auto& [from, to] : down) {
      if (sent > from && sent < to) {
        ++during;
        CHECK(requests.text(i, "outcome") == "fallback");
      }
    }
  }
  CHECK(during > 0);

  // The same seed gives the same outages; another seed others.
  CHECK(file_bytes(out / "faults.csv") == file_bytes(run_tiny("random-faults-again", sets) / "faults.csv"));
  std::vector<std::string> reseeded = sets;
  reseeded.insert(reseeded.end(), {"seed=7", "models.seed=2025"});  // other faults, same models
  CHECK(file_bytes(out / "faults.csv") != file_bytes(run_tiny("random-faults-seed-7", reseeded) / "faults.csv"));
}

TEST_CASE("overlapping faults on one target keep it down until the last one ends", "[sim][faults]") {
  // Backhaul down 20-30 s and 25-35 s: down from 20 s to 35 s. Back-off off, so devices keep
  // offloading and every offload sent in the outage meets it.
  const fs::path out = run_tiny("overlapping-faults",
                                minute({"policy.offload.backoff_after=0",
                                        "faults=[{at: 20s, for: 10s, target: backhaul}, "
                                        "{at: 25s, for: 10s, target: backhaul}]"}));
  const CsvTable outages(out / "faults.csv");
  REQUIRE(outages.rows() == 2);
  const CsvTable requests(out / "requests.csv");
  int late_in_outage = 0, cloud_after = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const double t = requests.number(i, "t_arrival_s");
    const std::string outcome = requests.text(i, "outcome");
    // Until 34 s a reply would come back before 35 s (timeout 1 s): none may come from the cloud.
    if (t >= 20 && t < 34) CHECK(outcome != "cloud");
    if (t >= 30 && t < 34 && requests.text(i, "offloaded") == "1") {
      ++late_in_outage;
      CHECK(outcome == "fallback");
    }
    if (t >= 36) cloud_after += outcome == "cloud";
  }
  CHECK(late_in_outage > 0);  // the first fault's end did not bring the backhaul back
  CHECK(cloud_after > 0);     // the last one's did
}

TEST_CASE("thread contexts (one OS thread per actor) give the same CSVs as the default, through host failures", "[sim][faults]") {
  // Failed cloud hosts and the end of the run kill actors blocked in waits; with one OS thread
  // per actor, a killed actor that still issued a simcall on its way out would hang the run.
  const std::vector<std::string> sets = minute({"faults=[{at: 20s, for: 10s, target: cloud}, "
                                                "{at: 40s, for: 5s, target: \"device[1]\"}]"});
  const fs::path raw = run_tiny("contexts-default", sets);
  const fs::path thread = run_tiny("contexts-thread", sets, {"--context-factory", "thread"});
  for (const char* file : {"requests.csv", "devices.csv", "faults.csv", "tasks.csv"}) {
    INFO(file);
    CHECK(file_bytes(raw / file) == file_bytes(thread / file));
  }
  const CsvTable summary(thread / "summary.csv");
  CHECK(summary.number(0, "fallbacks") > 0);
  CHECK(summary.number(0, "dropped") > 0);
}

TEST_CASE("every actor path fits in half the default actor stack under guard pages", "[sim][faults][updates]") {
  // Small fleets keep SimGrid's guard page below every actor stack, so an overflow is a crash,
  // not a silent corruption. Host failures (killed and restarted actors), fallbacks, cloud batches
  // and on-device updates (LibTorch on the engine's stack) all run here on 8 KiB stacks; the
  // default is 16 KiB, and 4 KiB overflows (this test then fails).
  const std::vector<std::string> sets =
      minute({"workload.phase_length=12s", "workload.classes=cumulative", "policy.update.mode=on_device",
              "policy.update.trigger=12", "faults=[{at: 20s, for: 10s, target: cloud}, "
              "{at: 40s, for: 5s, target: \"device[1]\"}]"});
  const fs::path out = run_tiny("half-stack", sets, {"--actor-stack", "8"});
  const CsvTable summary(out / "summary.csv");
  CHECK(summary.number(0, "fallbacks") > 0);
  CHECK(summary.number(0, "dropped") > 0);
  CHECK(summary.number(0, "updates") > 0);
}

TEST_CASE("without updates the edge never learns later classes and offloading grows", "[sim][updates]") {
  const fs::path out = run_tiny("mode-none", minute({"workload.phase_length=12s", "workload.classes=cumulative"}));
  const CsvTable tasks(out / "tasks.csv");
  REQUIRE(tasks.rows() == 5);
  for (size_t p = 1; p < tasks.rows(); ++p) {
    for (size_t k = 1; k <= p; ++k) {
      const std::string accuracy = tasks.text(p, fmt::format("online_edge_accuracy_task_{}", k));
      if (!accuracy.empty()) CHECK(std::stod(accuracy) == 0);
    }
  }
  CHECK(tasks.number(4, "cur") > tasks.number(0, "cur"));
  CHECK(CsvTable(out / "updates.csv").rows() == 0);
}

TEST_CASE("on-device updates teach the edge the new classes; a device trains, the other downloads", "[sim][updates]") {
  const std::vector<std::string> sets = minute({"workload.phase_length=12s", "workload.classes=cumulative",
                                                "policy.update.mode=on_device", "policy.update.trigger=12",
                                                "policy.update.scope=fleet"});
  const fs::path out = run_tiny("on-device", sets);
  const CsvTable updates(out / "updates.csv");
  REQUIRE(updates.rows() >= 2);
  for (size_t u = 0; u < updates.rows(); ++u) {
    CHECK(updates.text(u, "mode") == "on_device");
    CHECK(updates.number(u, "duration_s") > 0);
    // Scope fleet: the trainer moves no weights down; the other device trains nothing and
    // downloads the trainer's model.
    const bool trainer = updates.number(u, "train_ops") > 0;
    CHECK((updates.number(u, "bytes_down") == 0) == trainer);
  }
  // After the first update is installed, the edge recognises some inputs of the classes it learned.
  const CsvTable requests(out / "requests.csv");
  const double learned_at = updates.number(0, "t_end_s");
  const std::vector<std::string> learned = words(updates.text(0, "classes"));
  REQUIRE(learned.size() == 2);
  int seen = 0, right = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const std::string& label = requests.text(i, "label");
    if (std::find(learned.begin(), learned.end(), label) == learned.end() || requests.number(i, "t_arrival_s") < learned_at)
      continue;
    ++seen;
    right += requests.text(i, "edge_pred") == label;
  }
  REQUIRE(seen > 10);
  CHECK(right > 0);

  // Same seed, same updates and task table.
  const fs::path again = run_tiny("on-device-again", sets);
  CHECK(file_bytes(out / "updates.csv") == file_bytes(again / "updates.csv"));
  CHECK(file_bytes(out / "tasks.csv") == file_bytes(again / "tasks.csv"));
}

TEST_CASE("cloud_only runs no update: its edge model never answers", "[sim][updates]") {
  const fs::path out = run_tiny("cloud-only-updates", minute({"workload.phase_length=12s", "workload.classes=cumulative",
                                                              "policy.offload.filter=cloud_only",
                                                              "policy.update.mode=on_device", "policy.update.trigger=6"}));
  CHECK(CsvTable(out / "updates.csv").rows() == 0);
  CHECK(CsvTable(out / "summary.csv").number(0, "update_energy_J") == 0);
}

TEST_CASE("cloud updates download the model to every device, a backhaul outage abandons them",
          "[sim][updates][faults]") {
  const fs::path out = run_tiny("cloud-mode", minute({"workload.phase_length=12s", "workload.classes=current",
                                                      "policy.update.mode=cloud", "policy.update.trigger=12",
                                                      "policy.update.epochs=1", "policy.update.scope=fleet"}));
  const CsvTable updates(out / "updates.csv");
  REQUIRE(updates.rows() >= 2);
  for (size_t u = 0; u < updates.rows(); ++u) {
    CHECK(updates.text(u, "status") == "installed");
    CHECK(updates.number(u, "bytes_down") > 100000);  // the model's weights
  }
  CHECK(CsvTable(out / "summary.csv").number(0, "update_bytes") > 0);

  const fs::path broken = run_tiny("cloud-mode-outage", minute({"workload.phase_length=12s", "workload.classes=current",
                                                                "policy.update.mode=cloud", "policy.update.trigger=12",
                                                                "policy.update.epochs=1", "policy.update.scope=fleet",
                                                                "faults=[{at: 12s, for: 48s, target: backhaul}]"}));
  const CsvTable failed(broken / "updates.csv");
  for (size_t u = 0; u < failed.rows(); ++u) {
    // Whatever started during the outage could not complete: recorded, not installed.
    if (failed.number(u, "t_start_s") < 12) continue;
    CHECK(failed.text(u, "status") == "abandoned");
    CHECK(failed.text(u, "reason") == "transfer_failed");
  }
}

TEST_CASE("explored requests are answered by the cloud and pay for it like any offload", "[sim][updates]") {
  const fs::path out = run_tiny("explore", minute({"policy.offload.explore=0.5"}));
  const CsvTable requests(out / "requests.csv");
  int explored = 0, kept_or_explored = 0;
  for (size_t i = 0; i < requests.rows(); ++i) {
    const bool filter_offloads = requests.number(i, "score") > 0.7;
    if (filter_offloads) {
      CHECK(requests.text(i, "explored") == "0");
      continue;
    }
    ++kept_or_explored;
    if (requests.text(i, "explored") != "1") {
      CHECK(requests.text(i, "offloaded") == "0");
      continue;
    }
    ++explored;
    CHECK(requests.text(i, "offloaded") == "1");
    CHECK(requests.text(i, "outcome") == "cloud");
    CHECK(requests.text(i, "final_pred") == requests.text(i, "cloud_pred"));
    CHECK(requests.number(i, "uplink_s") > 0);
    CHECK(requests.number(i, "radio_energy_J") > 0);
    CHECK(requests.number(i, "cloud_energy_J") > 0);
  }
  REQUIRE(kept_or_explored > 40);
  CHECK(static_cast<double>(explored) / kept_or_explored == Approx(0.5).margin(0.15));
  // Without exploration the same requests keep their filter decisions and arrivals.
  const CsvTable plain(run_tiny("explore-off", minute({})) / "requests.csv");
  REQUIRE(plain.rows() == requests.rows());
  for (size_t i = 0; i < plain.rows(); ++i) {
    CHECK(plain.text(i, "t_arrival_s") == requests.text(i, "t_arrival_s"));
    CHECK(plain.text(i, "explored") == "0");
  }
}

namespace {

// What the update rule of policy.update.classes cloud_labels picks from a device's buffer at
// `t_s`: the buffer recomputed from requests.csv (every reply the device took from the cloud by
// then, in arrival order; the runs below never fill it), `known` the classes its model had.
std::string cloud_labels_choice(const CsvTable& requests, int device, double t_s, const std::vector<int>& known,
                                int trigger, int head_size) {
  std::vector<std::pair<double, int>> replies;   // (time, label), stable in request order
  for (size_t i = 0; i < requests.rows(); ++i) {
    if (requests.number(i, "device") != device || requests.text(i, "outcome") != "cloud") continue;
    if (requests.number(i, "t_done_s") > t_s) continue;
    replies.emplace_back(requests.number(i, "t_done_s"), static_cast<int>(requests.number(i, "cloud_pred")));
  }
  std::stable_sort(replies.begin(), replies.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<int> order;
  std::map<int, int> held;
  for (const auto& [t, label] : replies) {
    if (held[label]++ == 0) order.push_back(label);
  }
  const int needed = (trigger + head_size - 1) / head_size;
  std::vector<int> chosen;
  for (int label : order) {
    if (static_cast<int>(chosen.size()) == head_size) break;
    if (std::find(known.begin(), known.end(), label) == known.end() && held[label] >= needed) chosen.push_back(label);
  }
  std::sort(chosen.begin(), chosen.end());
  std::string text;
  for (int label : chosen) text += (text.empty() ? "" : " ") + std::to_string(label);
  return text;
}

// Every class the phases bring at once: the order the cloud labels them in is not the split's.
std::vector<std::string> all_classes_updates(const std::string& classes) {
  return minute({"workload.classes=all", "policy.update.mode=on_device", "policy.update.trigger=10",
                 "policy.update.epochs=1", "policy.offload.explore=0.5", "policy.update.classes=" + classes});
}

}  // namespace

TEST_CASE("cloud_labels: each head learns the classes the device's cloud labelled first", "[sim][updates]") {
  const fs::path out = run_tiny("cloud-labels", all_classes_updates("cloud_labels"));
  const CsvTable updates(out / "updates.csv");
  const CsvTable requests(out / "requests.csv");
  REQUIRE(updates.rows() >= 2);
  std::map<int, std::vector<int>> known{{0, {0, 1}}, {1, {0, 1}}};   // the test models' edge knows task 0
  std::map<int, int> heads{{0, 1}, {1, 1}};
  bool other_order = false;
  for (size_t u = 0; u < updates.rows(); ++u) {   // scope device: each device trains its own, one at a time
    const int device = static_cast<int>(updates.number(u, "device"));
    INFO("update " << u << " of device " << device);
    CHECK(updates.text(u, "status") == "installed");
    CHECK(updates.number(u, "task") == heads[device]);   // the head's index
    const std::string classes = updates.text(u, "classes");
    CHECK(classes == cloud_labels_choice(requests, device, updates.number(u, "t_start_s"), known[device], 10, 2));
    const std::string split_task = std::to_string(2 * heads[device]) + " " + std::to_string(2 * heads[device] + 1);
    other_order = other_order || classes != split_task;
    for (const std::string& label : words(classes)) known[device].push_back(std::stoi(label));
    ++heads[device];
  }
  CHECK(other_order);   // the run shows the rule, not the split's order by chance
  // tasks.csv and the accuracy matrix stay per split task; the models predict labels.
  CHECK(CsvTable(out / "tasks.csv").has_column("online_edge_accuracy_task_4"));
  CHECK(CsvTable(out / "accuracy_matrix.csv").rows() == updates.rows() + 1);
  // trained_samples.csv names the classes of the update that took each image.
  const CsvTable trained(out / "trained_samples.csv");
  REQUIRE(trained.rows() > 0);
  for (size_t t = 0; t < trained.rows(); ++t) {
    size_t u = 0;
    while (u < updates.rows() && (updates.text(u, "device") != trained.text(t, "device") ||
                                  updates.text(u, "model_version") != trained.text(t, "model_version")))
      ++u;
    REQUIRE(u < updates.rows());
    CHECK(trained.text(t, "classes") == updates.text(u, "classes"));
    CHECK(trained.text(t, "task") == updates.text(u, "task"));
  }
}

TEST_CASE("task_order: heads follow the split's tasks, whatever the cloud labelled first", "[sim][updates]") {
  const fs::path out = run_tiny("task-order", all_classes_updates("task_order"));
  const CsvTable updates(out / "updates.csv");
  REQUIRE(updates.rows() >= 2);
  std::map<int, int> heads{{0, 1}, {1, 1}};
  for (size_t u = 0; u < updates.rows(); ++u) {
    const int device = static_cast<int>(updates.number(u, "device"));
    const int task = heads[device]++;
    CHECK(updates.number(u, "task") == task);
    CHECK(updates.text(u, "classes") == std::to_string(2 * task) + " " + std::to_string(2 * task + 1));
  }
}
