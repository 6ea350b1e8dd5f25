// The shipped full-profile checkpoints (checkpoints/fmnist): they load, fit the default scenario's
// split, and still reach the test accuracies their models.yaml records.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/file_io.hpp"
#include "model_test_data.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/models_metadata.hpp"

namespace fs = std::filesystem;

TEST_CASE("the shipped checkpoints reach their recorded test accuracies", "[models][shipped]") {
  const fs::path dir = fs::path(ECCSIM_SOURCE_DIR) / "checkpoints" / "fmnist";
  const eccsim::ModelsMetadata meta = eccsim::read_metadata(dir / "models.yaml");
  CHECK(meta.seed == 2025);
  CHECK(meta.tasks == 5);
  const eccsim::TaskSplit split =
      eccsim::make_task_split(eccsim::TaskSplitOptions{meta.num_classes, meta.tasks, meta.base_classes, meta.seed, {}});
  REQUIRE(split.class_order == meta.class_order);
  const eccsim::Dataset& data = eccsim_test::fashion_mnist();

  // The cloud ANN on the whole test split (what cloud.test_samples records).
  const eccsim::CloudModel cloud = eccsim::CloudModel::load(dir / "cloud.pt");
  std::vector<int64_t> all(static_cast<size_t>(data.test.count));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  const auto cloud_predictions = cloud.predict(data.test, all);
  int cloud_right = 0;
  for (size_t i = 0; i < all.size(); ++i)
    cloud_right += cloud_predictions[i].predicted == split.new_label_of[static_cast<size_t>(data.test.labels[i])];
  CHECK(static_cast<double>(cloud_right) / static_cast<double>(all.size()) ==
        Approx(meta.cloud_test_accuracy).margin(0.002));

  // The edge SNN on task 0's test images.
  const eccsim::EdgeModel edge = eccsim::EdgeModel::load(dir / "edge.pt");
  CHECK(edge.head_sizes() == std::vector<int>{2});
  const std::vector<int64_t> task0 = eccsim::task_samples(split, data.test.labels, 0);
  const auto edge_predictions = edge.predict(data.test, task0);
  int edge_right = 0;
  for (size_t i = 0; i < task0.size(); ++i) {
    const auto label = split.new_label_of[static_cast<size_t>(data.test.labels[static_cast<size_t>(task0[i])])];
    edge_right += edge_predictions[i].predicted == label;
  }
  CHECK(static_cast<double>(edge_right) / static_cast<double>(task0.size()) ==
        Approx(meta.edge_test_accuracy).margin(0.002));
}

TEST_CASE("the shipped models.yaml reads and writes back byte for byte", "[models][shipped]") {
  const fs::path file = fs::path(ECCSIM_SOURCE_DIR) / "checkpoints" / "fmnist" / "models.yaml";
  const eccsim::ModelsMetadata meta = eccsim::read_metadata(file);
  CHECK(meta.dataset == "fashion-mnist");
  CHECK(meta.class_order == std::vector<int32_t>{3, 5, 7, 2, 6, 9, 8, 0, 4, 1});
  CHECK(meta.edge_distill);
  CHECK(meta.edge_distill_weight == 0.5);
  CHECK(eccsim::to_text(meta) == eccsim::read_file(file));
}
