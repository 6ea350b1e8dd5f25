// Setup stage on a small slice of Fashion-MNIST: training reaches well-above-chance accuracy,
// checkpoints are reused with identical predictions, and missing, mismatching or corrupt
// checkpoints are refused with messages that say which file or field and what to do.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/input_error.hpp"
#include "model_test_data.hpp"
#include "models/data/task_split.hpp"
#include "models/train/setup.hpp"

namespace fs = std::filesystem;
using eccsim::ensure_models;
using eccsim::InputError;
using eccsim::SetupOptions;
using eccsim::TaskSplitOptions;
using eccsim::TrainedModels;
using Catch::Matchers::Contains;

namespace {

struct SetupFixture {
  eccsim::Dataset data = eccsim_test::small_fashion_mnist(3000, 1000);
  eccsim::TaskSplit split = eccsim::make_task_split(TaskSplitOptions{10, 5, 0, 2025, {}});
  eccsim_test::TempModelsDir dir;
  SetupOptions options;
  std::optional<TrainedModels> trained;

  SetupFixture() {
    options.models_dir = dir.path();
    options.cloud_epochs = 1;
    options.edge_epochs = 3;
    options.progress = false;
    options.split = TaskSplitOptions{10, 5, 0, 2025, {}};
    trained = ensure_models(options, data, split);
  }
};

SetupFixture& fixture() {
  static SetupFixture f;
  return f;
}

std::vector<int64_t> test_indices_of_task(const SetupFixture& f, int task) {
  return eccsim::task_samples(f.split, f.data.test.labels, task);
}

}  // namespace

TEST_CASE("the setup stage trains, saves, reuses and refuses checkpoints", "[models]") {
  SetupFixture& f = fixture();
  const TrainedModels& t = *f.trained;

  SECTION("freshly trained models are well above chance and recorded") {
    CHECK(t.trained_cloud);
    CHECK(t.trained_edge);
    CHECK(t.edge.head_sizes() == std::vector<int>{2});
    CHECK(t.metadata.edge_test_accuracy >= 0.8);    // 2 classes: chance is 0.5
    CHECK(t.metadata.cloud_test_accuracy >= 0.5);   // 10 classes: chance is 0.1
    CHECK(t.metadata.edge_distill);
    CHECK(fs::exists(t.edge_file));
    CHECK(fs::exists(t.cloud_file));
    const eccsim::ModelsMetadata back = eccsim::read_metadata(t.metadata_file);
    CHECK(back.class_order == f.split.class_order);
    CHECK(back.edge_test_accuracy == Approx(t.metadata.edge_test_accuracy).margin(1e-6));
    std::ifstream csv(f.dir.path() / "train.csv");
    std::string header;
    std::getline(csv, header);
    CHECK(header == "model,epoch,loss,train_accuracy,test_accuracy,seconds");
    std::vector<std::string> rows;
    for (std::string line; std::getline(csv, line);) rows.push_back(line);
    CHECK(rows.size() == 4);   // 1 cloud epoch, 3 edge epochs

    // The predictions agree with the recorded accuracy.
    const std::vector<int64_t> indices = test_indices_of_task(f, 0);
    const auto predictions = t.edge.predict(f.data.test, indices);
    int correct = 0;
    double feature_rate = 0;
    for (size_t i = 0; i < indices.size(); ++i) {
      feature_rate += predictions[i].spike_rates.back() / indices.size();
      const int label = f.split.new_label_of[static_cast<size_t>(f.data.test.labels[static_cast<size_t>(indices[i])])];
      correct += predictions[i].predicted == label ? 1 : 0;
    }
    CHECK(static_cast<double>(correct) / indices.size() == Approx(t.metadata.edge_test_accuracy).margin(1e-6));
    CHECK(feature_rate > 0.05);   // the feature layer (the heads' input) is alive
  }

  SECTION("a second call loads the checkpoints and predicts the same") {
    SetupOptions again = f.options;
    again.allow_training = false;
    const TrainedModels loaded = ensure_models(again, f.data, f.split);
    CHECK_FALSE(loaded.trained_cloud);
    CHECK_FALSE(loaded.trained_edge);
    const std::vector<int64_t> indices{0, 7, 42, 99};
    const auto a = t.edge.predict(f.data.test, indices);
    const auto b = loaded.edge.predict(f.data.test, indices);
    const auto c = t.cloud.predict(f.data.test, indices);
    const auto d = loaded.cloud.predict(f.data.test, indices);
    for (size_t i = 0; i < indices.size(); ++i) {
      CHECK(a[i].logits == b[i].logits);
      CHECK(c[i].logits == d[i].logits);
    }
  }

  SECTION("checkpoints trained for another setting are refused, naming the field") {
    SetupOptions other = f.options;
    other.timesteps = 8;
    CHECK_THROWS_WITH(ensure_models(other, f.data, f.split),
                      Contains("models.edge.timesteps: 4 in the checkpoints, 8 in the scenario"));
    other = f.options;
    other.seed = 7;
    CHECK_THROWS_WITH(ensure_models(other, f.data, f.split), Contains("seed: 2025 in the checkpoints, 7"));
    other = f.options;
    const eccsim::TaskSplit three = eccsim::make_task_split(TaskSplitOptions{10, 3, 0, 2025, {}});
    CHECK_THROWS_WITH(ensure_models(other, f.data, three), Contains("dataset.tasks: 5 in the checkpoints, 3"));
    eccsim::Dataset renamed = f.data;
    renamed.name = "mnist";
    CHECK_THROWS_WITH(ensure_models(f.options, renamed, f.split), Contains("dataset.name: fashion-mnist"));
  }

  SECTION("missing checkpoints are an error when training is not allowed") {
    eccsim_test::TempModelsDir empty;
    SetupOptions none = f.options;
    none.models_dir = empty.path();
    none.allow_training = false;
    none.scenario_file = "fmnist.yaml";
    CHECK_THROWS_WITH(ensure_models(none, f.data, f.split),
                      Contains("models.dir " + empty.path().string() +
                               ": no edge checkpoint (run `eccsim train fmnist.yaml` or set models.train.allow: true)"));
  }

  SECTION("a corrupt checkpoint is an error naming the file") {
    eccsim_test::TempModelsDir copy;
    for (const auto& entry : fs::directory_iterator(f.dir.path())) {
      fs::copy_file(entry.path(), copy.path() / entry.path().filename());
    }
    std::ofstream(copy.path() / "edge.pt", std::ios::trunc) << "garbage";
    SetupOptions corrupt = f.options;
    corrupt.models_dir = copy.path();
    CHECK_THROWS_AS(ensure_models(corrupt, f.data, f.split), InputError);
    CHECK_THROWS_WITH(ensure_models(corrupt, f.data, f.split), Contains((copy.path() / "edge.pt").string()));
  }
}

TEST_CASE("the training estimate says hours for the full profile and minutes for the quick one", "[models]") {
  // Full profile on Fashion-MNIST: cloud 8 epochs x 60,000 images, edge 10 x 12,000 (task 0's two
  // classes); the shipped models took about 45 min (checkpoints/fmnist/train.csv).
  const double full = eccsim::estimated_training_seconds(8, 60000, 10, 12000, 4);
  CHECK(full > 30 * 60);
  CHECK(full < 60 * 60);
  const double quick = eccsim::estimated_training_seconds(2, 8000, 3, 3000, 4);
  CHECK(quick < 3 * 60);   // under the "more than a few minutes" notice
  CHECK(eccsim::estimated_training_seconds(0, 0, 10, 12000, 8) == Approx(2 * eccsim::estimated_training_seconds(0, 0, 10, 12000, 4)));
  CHECK(eccsim::estimated_training_seconds(0, 0, 0, 0, 4) == 0);
}
