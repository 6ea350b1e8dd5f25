// The paper's update stage on the whole dataset (issue: models, accuracy matrix). From a setup-stage
// edge model, one LwF update per later task on that task's full training split (as the authors'
// update.py), then the class-incremental accuracy matrix (rows: after task t, columns: test classes
// of task k; task-agnostic argmax over all heads, and task-aware within the true task's head) and
// the mean forgetting. Writes incremental.csv beside the checkpoints.
//   build/bench/incremental_matrix --models models/cache/fmnist [--epochs 5]
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "models/dataset.hpp"
#include "models/edge_model.hpp"
#include "models/incremental.hpp"
#include "models/models_metadata.hpp"
#include "models/task_split.hpp"

namespace fs = std::filesystem;

namespace {

struct TaskAccuracy {
  double agnostic = 0;   // argmax over all learned classes
  double aware = 0;      // argmax within the head of the sample's task
};

TaskAccuracy evaluate(const eccsim::EdgeModel& model, const eccsim::Dataset& data, const eccsim::TaskSplit& split,
                      int task) {
  const std::vector<int64_t> indices = eccsim::task_samples(split, data.test.labels, task);
  const auto predictions = model.predict(data.test, indices);
  const int offset = model.head_offsets()[static_cast<size_t>(task)];
  const int size = model.head_sizes()[static_cast<size_t>(task)];
  int agnostic = 0;
  int aware = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    const int label = split.new_label_of[static_cast<size_t>(data.test.labels[static_cast<size_t>(indices[i])])];
    agnostic += predictions[i].predicted == label ? 1 : 0;
    int best = offset;
    for (int c = offset; c < offset + size; ++c) {
      if (predictions[i].logits[static_cast<size_t>(c)] > predictions[i].logits[static_cast<size_t>(best)]) best = c;
    }
    aware += best == label ? 1 : 0;
  }
  const auto n = static_cast<double>(indices.size());
  return {agnostic / n, aware / n};
}

void run(const fs::path& dir, int epochs) {
  const eccsim::ModelsMetadata meta = eccsim::read_metadata(dir / "models.yaml");
  const eccsim::Dataset data = eccsim::load_dataset(eccsim::DatasetSource{meta.dataset, {}});
  const eccsim::TaskSplit split = eccsim::make_task_split(
      eccsim::TaskSplitOptions{meta.num_classes, meta.tasks, meta.base_classes, meta.seed});
  if (split.class_order != meta.class_order) throw std::runtime_error("class order differs from models.yaml");
  eccsim::IncrementalOptions options;
  options.epochs = epochs;
  options.seed = meta.seed;
  options.progress = true;

  eccsim::EdgeModel model = eccsim::EdgeModel::load(dir / "edge.pt");
  const int tasks = split.num_tasks();
  std::vector<std::vector<TaskAccuracy>> matrix;
  std::ofstream csv(dir / "incremental.csv");
  csv << "after_task,task,accuracy_agnostic,accuracy_aware,train_ops,model_bytes,samples\n";
  for (int t = 0; t < tasks; ++t) {
    double train_ops = 0;
    int samples = 0;
    if (t > 0) {
      eccsim::LabelledSamples task_data;
      task_data.images = &data.train;
      task_data.indices = eccsim::task_samples(split, data.train.labels, t);
      for (const int64_t i : task_data.indices) {
        task_data.labels.push_back(split.new_label_of[static_cast<size_t>(data.train.labels[static_cast<size_t>(i)])]);
      }
      eccsim::IncrementalResult update =
          eccsim::learn_new_classes(model, task_data, split.task_classes[static_cast<size_t>(t)], options);
      train_ops = update.train_ops;
      samples = update.samples_used;
      model = std::move(update.model);
    }
    std::vector<TaskAccuracy> row;
    for (int k = 0; k <= t; ++k) {
      row.push_back(evaluate(model, data, split, k));
      csv << fmt::format("{},{},{:.4f},{:.4f},{:.4g},{},{}\n", t, k, row.back().agnostic, row.back().aware, train_ops,
                         model.size_bytes(), samples);
    }
    matrix.push_back(row);
    std::string line = fmt::format("after task {}:", t);
    for (const auto& a : row) line += fmt::format("  {:5.1f} ({:5.1f})", 100 * a.agnostic, 100 * a.aware);
    fmt::print("{}   [task-agnostic (task-aware) accuracy %, per task]\n", line);
    if (t > 0) fmt::print("  update: {} samples, {:.3g} train ops, model {} bytes\n", samples, train_ops, model.size_bytes());
  }
  double forgetting_agnostic = 0;
  double forgetting_aware = 0;
  const int last = tasks - 1;
  for (int k = 0; k < last; ++k) {
    double best_agnostic = 0;
    double best_aware = 0;
    for (int t = k; t < last; ++t) {
      best_agnostic = std::max(best_agnostic, matrix[static_cast<size_t>(t)][static_cast<size_t>(k)].agnostic);
      best_aware = std::max(best_aware, matrix[static_cast<size_t>(t)][static_cast<size_t>(k)].aware);
    }
    forgetting_agnostic += best_agnostic - matrix[static_cast<size_t>(last)][static_cast<size_t>(k)].agnostic;
    forgetting_aware += best_aware - matrix[static_cast<size_t>(last)][static_cast<size_t>(k)].aware;
  }
  double final_agnostic = 0;
  for (const auto& a : matrix.back()) final_agnostic += a.agnostic / tasks;
  fmt::print("mean forgetting: {:.1f} % task-agnostic, {:.1f} % task-aware; final mean accuracy {:.1f} %\n",
             last > 0 ? 100 * forgetting_agnostic / last : 0, last > 0 ? 100 * forgetting_aware / last : 0,
             100 * final_agnostic);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The update stage's accuracy matrix: one LwF update per later task"};
  std::string dir;
  int epochs = 5;
  app.add_option("--models", dir, "setup-stage models directory (edge.pt, models.yaml)")->required();
  app.add_option("--epochs", epochs, "epochs per update")->check(CLI::Range(1, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    run(dir, epochs);
  } catch (const std::exception& e) {
    fmt::print(stderr, "incremental_matrix: {}\n", e.what());
    return 2;
  }
  return 0;
}
