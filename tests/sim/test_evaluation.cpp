// Simulation tests of the evaluation protocol (docs/updates.md, Evaluation): no request is scored by a
// model that trained on its image, checked by joining requests.csv with trained_samples.csv.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/csv_table.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace fs = std::filesystem;
using eccsim::testing::CsvTable;

namespace {

fs::path run_tiny(const std::string& name, std::vector<std::string> sets) {
  return eccsim::testing::run_sim_ok(name, eccsim::testing::SimRun(eccsim::testing::tiny_scenario(), std::move(sets)));
}

// A minute of 10 requests/s per device, each phase bringing only its own classes (the smallest
// pools, where a trained image comes back most often), updates trained for one epoch, an
// evaluation set of 5 % (500 images) to keep the evaluation of every installed model short.
std::vector<std::string> stream(std::vector<std::string> extra) {
  std::vector<std::string> sets{"workload.requests_per_device=0", "workload.duration=60s", "workload.rate=10/s",
                                "dataset.evaluation_share=0.05",
                                "workload.phase_length=12s", "workload.classes=current", "policy.offload.explore=0.5",
                                "policy.update.trigger=12", "policy.update.epochs=1"};
  sets.insert(sets.end(), extra.begin(), extra.end());
  return sets;
}

struct Leaks {
  int scored_after_training = 0;   // requests answered after the first training of the run
  int on_trained_image = 0;        // of them, carrying an image a model of their device trained on before
  size_t trained_rows = 0;
};

// Joins requests.csv with trained_samples.csv: a request (not dropped) leaks when an update that
// its device installs (its own, or any with scope fleet) took its test image before it arrived.
Leaks count_leaks(const fs::path& run) {
  const CsvTable trained(run / "trained_samples.csv");
  std::map<std::pair<int, long>, double> first_trained_s;   // (device, or -1 for every device; sample)
  double first_training_s = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < trained.rows(); ++i) {
    const double t = trained.number(i, "t_trained_s");
    first_training_s = std::min(first_training_s, t);
    if (trained.text(i, "split") != "test") continue;
    const int device = trained.text(i, "scope") == "fleet" ? -1 : static_cast<int>(trained.number(i, "device"));
    const auto key = std::make_pair(device, static_cast<long>(trained.number(i, "sample")));
    const auto [it, fresh] = first_trained_s.emplace(key, t);
    if (!fresh) it->second = std::min(it->second, t);
  }
  Leaks leaks;
  leaks.trained_rows = trained.rows();
  const CsvTable requests(run / "requests.csv");
  for (size_t i = 0; i < requests.rows(); ++i) {
    const double t = requests.number(i, "t_arrival_s");
    if (requests.text(i, "outcome") == "dropped" || t < first_training_s) continue;
    ++leaks.scored_after_training;
    const auto sample = static_cast<long>(requests.number(i, "sample"));
    for (const int device : {static_cast<int>(requests.number(i, "device")), -1}) {
      const auto it = first_trained_s.find({device, sample});
      if (it != first_trained_s.end() && it->second <= t) {
        ++leaks.on_trained_image;
        break;
      }
    }
  }
  return leaks;
}

// The held-out images are never requested nor trained on, and the accuracy matrix has the initial
// model's row and one per installed update, each measured on the evaluation images.
void check_held_out_and_matrix(const fs::path& run) {
  const CsvTable held_out(run / "held_out.csv");
  std::set<long> held;
  size_t evaluation = 0;
  for (size_t i = 0; i < held_out.rows(); ++i) {
    held.insert(static_cast<long>(held_out.number(i, "sample")));
    evaluation += held_out.text(i, "set") == "evaluation";
  }
  CHECK(evaluation == 500);   // dataset.evaluation_share 0.05 of the 10,000 test images
  const CsvTable requests(run / "requests.csv");
  for (size_t i = 0; i < requests.rows(); ++i) CHECK(held.count(static_cast<long>(requests.number(i, "sample"))) == 0);
  const CsvTable trained(run / "trained_samples.csv");
  for (size_t i = 0; i < trained.rows(); ++i)
    if (trained.text(i, "split") == "test") CHECK(held.count(static_cast<long>(trained.number(i, "sample"))) == 0);

  const CsvTable updates(run / "updates.csv");
  size_t installed = 0;
  for (size_t u = 0; u < updates.rows(); ++u) installed += updates.text(u, "status") == "installed";
  const CsvTable matrix(run / "accuracy_matrix.csv");
  REQUIRE(matrix.rows() == installed + 1);
  CHECK(matrix.text(0, "device") == "-1");
  CHECK(matrix.number(0, "accuracy_task_0") > 0.8);   // the setup model knows task 0
  CHECK(matrix.number(0, "accuracy_task_1") == 0);    // and no other
  double best_task_1 = 0;
  for (size_t r = 1; r < matrix.rows(); ++r) {
    CHECK(matrix.number(r, "tasks_learned") == matrix.number(r, "model_version") + 1);
    best_task_1 = std::max(best_task_1, matrix.number(r, "accuracy_task_1"));
  }
  CHECK(best_task_1 > 0.3);   // an update taught task 1
  const CsvTable summary(run / "summary.csv");
  CHECK(summary.number(0, "final_average_accuracy") > 0.2);
  CHECK(summary.number(0, "average_incremental_accuracy") > 0.2);
}

}  // namespace

TEST_CASE("no request is scored by a model that trained on its image, in every update mode", "[sim][evaluation]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> modes{
      {"on-device-fleet", {"policy.update.mode=on_device", "policy.update.scope=fleet"}},
      {"cloud-device", {"policy.update.mode=cloud", "policy.update.scope=device"}},
      {"oracle", {"policy.update.mode=oracle", "policy.update.oracle_samples=200"}},
  };
  for (const auto& [name, sets] : modes) {
    SECTION(name) {
      const fs::path run = run_tiny("no-leak-" + name, stream(sets));
      const Leaks leaks = count_leaks(run);
      CHECK(leaks.trained_rows > 0);
      CHECK(leaks.scored_after_training > 300);
      CHECK(leaks.on_trained_image == 0);
      check_held_out_and_matrix(run);
    }
  }
}

TEST_CASE("the earlier protocol, where trained images came back as requests, is caught by the same join",
          "[sim][evaluation]") {
  const Leaks leaks = count_leaks(run_tiny("leak-old-protocol", stream({"policy.update.mode=cloud",
                                                                        "policy.update.exclude_trained=false",
                                                                        "dataset.evaluation_share=0"})));
  CHECK(leaks.on_trained_image > 0);
}
