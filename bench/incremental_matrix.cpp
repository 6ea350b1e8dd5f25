// The update stage on the whole dataset. From a setup-stage edge model, one update per later task
// with the chosen method, then the class-incremental accuracy matrix (rows: after task t, columns:
// test classes of task k; task-agnostic argmax over all heads, and task-aware within the true task's
// head) and the mean forgetting. Training data: with --buffer 0, the task's full labelled training
// split (the authors' update.py); with --buffer N, what the simulation's buffer holds at an update:
// N training images, class-balanced by their cloud label over every class seen so far, labelled by
// the cloud model (its mistakes included). Writes incremental-<method>.csv beside the checkpoints.
//   build/bench/incremental_matrix --models DIR [--method lwf|replay|replay_wa] [--buffer N] [--epochs 5]
#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "core/heap_reuse.hpp"
#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/incremental.hpp"
#include "models/train/models_metadata.hpp"

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

struct BenchOptions {
  fs::path dir;
  std::string method = "lwf";
  int buffer = 0;                      // 0: each task's whole labelled training split
  int epochs = 5;
  int batch_size = 64;
};

// Training images the buffers are drawn from (a seeded subset of the training split, about
// 600 per class) with the cloud model's labels, in a seeded order.
struct CloudLabelledPool {
  std::vector<int64_t> indices;
  std::vector<int32_t> cloud_labels;
};

CloudLabelledPool cloud_labelled_pool(const eccsim::Dataset& data, const fs::path& dir, uint64_t seed) {
  constexpr int64_t kPoolSize = 6000;
  std::vector<int64_t> all(static_cast<size_t>(data.train.count));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  std::mt19937_64 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);  // libstdc++'s shuffle: docs/updates.md's method table was measured with it
  all.resize(static_cast<size_t>(std::min<int64_t>(kPoolSize, data.train.count)));
  const eccsim::CloudModel cloud = eccsim::CloudModel::load(dir / "cloud.pt");
  CloudLabelledPool pool{all, {}};
  for (const auto& p : cloud.predict(data.train, all)) pool.cloud_labels.push_back(p.predicted);
  return pool;
}

// The simulation's class-balanced buffer of `capacity` samples when classes 0..classes-1 have been seen.
eccsim::LabelledSamples balanced_buffer(const CloudLabelledPool& pool, const eccsim::ImageSet& images, int classes,
                                        int capacity) {
  eccsim::LabelledSamples buffer;
  buffer.images = &images;
  std::vector<int> taken(static_cast<size_t>(classes), 0);
  const int quota = capacity / classes;
  for (size_t i = 0; i < pool.indices.size(); ++i) {
    const int32_t c = pool.cloud_labels[i];
    if (c >= classes || taken[static_cast<size_t>(c)] >= quota) continue;
    ++taken[static_cast<size_t>(c)];
    buffer.indices.push_back(pool.indices[i]);
    buffer.labels.push_back(c);
  }
  return buffer;
}

void run(const BenchOptions& bench) {
  const fs::path& dir = bench.dir;
  const eccsim::ModelsMetadata meta = eccsim::read_metadata(dir / "models.yaml");
  const eccsim::Dataset data = eccsim::load_dataset(eccsim::DatasetSource{meta.dataset, {}});
  const eccsim::TaskSplit split = eccsim::make_task_split(
      eccsim::TaskSplitOptions{meta.num_classes, meta.tasks, meta.base_classes, meta.seed, {}});
  if (split.class_order != meta.class_order) throw std::runtime_error("class order differs from models.yaml");
  eccsim::IncrementalOptions options;
  options.method = eccsim::parse_incremental_method(bench.method);
  options.epochs = bench.epochs;
  options.batch_size = bench.batch_size;
  options.seed = meta.seed;
  options.progress = true;
  CloudLabelledPool pool;
  if (bench.buffer > 0) pool = cloud_labelled_pool(data, dir, meta.seed);

  eccsim::EdgeModel model = eccsim::EdgeModel::load(dir / "edge.pt");
  const int tasks = split.num_tasks();
  std::vector<std::vector<TaskAccuracy>> matrix;
  std::ofstream csv(dir / fmt::format("incremental-{}.csv", bench.method));
  csv << "method,buffer,after_task,task,accuracy_agnostic,accuracy_aware,train_ops,model_bytes,samples\n";
  for (int t = 0; t < tasks; ++t) {
    double train_ops = 0;
    int samples = 0;
    int new_samples = 0;
    if (t > 0) {
      eccsim::LabelledSamples task_data;
      if (bench.buffer > 0) {
        const std::vector<int32_t>& new_classes = split.task_classes[static_cast<size_t>(t)];
        task_data = balanced_buffer(pool, data.train, new_classes.back() + 1, bench.buffer);
      } else {
        task_data.images = &data.train;
        task_data.indices = eccsim::task_samples(split, data.train.labels, t);
        for (const int64_t i : task_data.indices) {
          task_data.labels.push_back(
              split.new_label_of[static_cast<size_t>(data.train.labels[static_cast<size_t>(i)])]);
        }
      }
      eccsim::IncrementalResult update =
          eccsim::learn_new_classes(model, task_data, split.task_classes[static_cast<size_t>(t)], options);
      train_ops = update.train_ops.total();
      samples = update.samples_used;
      new_samples = update.new_class_samples;
      model = std::move(update.model);
    }
    std::vector<TaskAccuracy> row;
    for (int k = 0; k <= t; ++k) {
      row.push_back(evaluate(model, data, split, k));
      csv << fmt::format("{},{},{},{},{:.4f},{:.4f},{:.4g},{},{}\n", bench.method, bench.buffer, t, k, row.back().agnostic, row.back().aware, train_ops,
                         model.size_bytes(), samples);
    }
    matrix.push_back(row);
    std::string line = fmt::format("after task {}:", t);
    for (const auto& a : row) line += fmt::format("  {:5.1f} ({:5.1f})", 100 * a.agnostic, 100 * a.aware);
    fmt::print("{}   [task-agnostic (task-aware) accuracy %, per task]\n", line);
    if (t > 0)
      fmt::print("  update: {} samples ({} of the new classes), {:.3g} train ops, model {} bytes, buffer upload {} bytes\n",
                 samples, new_samples, train_ops, model.size_bytes(), samples * (data.train.image_bytes() + 4));
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
  CLI::App app{"The update stage's accuracy matrix: one incremental update per later task"};
  BenchOptions bench;
  app.add_option("--models", bench.dir, "setup-stage models directory (edge.pt, cloud.pt, models.yaml)")->required();
  app.add_option("--method", bench.method, "incremental method")->check(CLI::IsMember({"lwf", "replay", "replay_wa"}));
  app.add_option("--buffer", bench.buffer, "class-balanced cloud-labelled buffer size (0: each task's whole training split)")
      ->check(CLI::Range(0, 60000));
  app.add_option("--epochs", bench.epochs, "epochs per update")->check(CLI::Range(1, 1000));
  app.add_option("--batch-size", bench.batch_size, "samples per step")->check(CLI::Range(1, 4096));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    const eccsim::HeapReuse heap_reuse;   // as the simulation does while models work
    run(bench);
  } catch (const std::exception& e) {
    fmt::print(stderr, "incremental_matrix: {}\n", e.what());
    return 2;
  }
  return 0;
}
