// The setup stage measured: does the edge SNN's offload score separate what the edge does not know?
// On the test split, AUROC of unseen-class vs known-class images and of wrong vs right predictions
// among known-class ones, per filter score, for the given models; then the edge SNN trained with
// distillation on and off over seeds on a harder base task (one teacher: the models' cloud.pt).
//   build/bench/setup_separation --models DIR [--seeds 5] [--epochs 2] [--samples 3000]
//                                [--base garments|six] [--work DIR] [--threads 2] [--out CSV]
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/cloud_model_impl.hpp"
#include "models/nets/edge_model.hpp"
#include "models/nets/model_threads.hpp"
#include "models/train/models_metadata.hpp"
#include "models/train/setup.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A filter's score oriented so that higher = more ambiguous = offload (sim/policy/offload_policy.cpp:
// entropy offloads above its threshold, max_prob and margin below theirs).
struct FilterScore {
  const char* name;
  double (*ambiguity)(const eccsim::EdgePrediction&);
};

constexpr std::array<FilterScore, 3> kScores{{
    {"entropy", [](const eccsim::EdgePrediction& p) { return static_cast<double>(p.entropy_score); }},
    {"max_prob", [](const eccsim::EdgePrediction& p) { return 1.0 - p.max_prob; }},
    {"margin", [](const eccsim::EdgePrediction& p) { return 1.0 - p.margin; }},
}};
constexpr size_t kEntropy = 0;

constexpr std::array<const char*, 10> kFashionMnistNames{
    "T-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"};

std::string class_name(const std::string& dataset, int32_t id) {
  if (dataset == "fashion-mnist" && id >= 0 && id < static_cast<int32_t>(kFashionMnistNames.size())) {
    return kFashionMnistNames[static_cast<size_t>(id)];
  }
  return fmt::format("class {}", id);
}

// Area under the ROC curve of `positives` against `negatives`: the chance that a random positive
// scores above a random negative, ties counting one half. Hand-written as the Mann-Whitney U
// statistic from the ranks over both groups (tied values share their average rank). NaN when a
// group is empty.
double auroc(const std::vector<double>& positives, const std::vector<double>& negatives) {
  if (positives.empty() || negatives.empty()) return kNaN;
  std::vector<std::pair<double, bool>> all;   // score, is positive
  all.reserve(positives.size() + negatives.size());
  for (const double s : positives) all.emplace_back(s, true);
  for (const double s : negatives) all.emplace_back(s, false);
  std::sort(all.begin(), all.end());
  double positive_rank_sum = 0;
  for (size_t first = 0; first < all.size();) {
    size_t end = first;
    while (end < all.size() && all[end].first == all[first].first) ++end;
    const double average_rank = (static_cast<double>(first + 1) + static_cast<double>(end)) / 2;   // ranks first+1..end
    for (size_t k = first; k < end; ++k) positive_rank_sum += all[k].second ? average_rank : 0;
    first = end;
  }
  const auto n_pos = static_cast<double>(positives.size());
  const auto n_neg = static_cast<double>(negatives.size());
  return (positive_rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg);
}

// What one edge model's scores separate on the whole test split. Known: images of the classes the
// model has learned (its heads); unseen: all others.
struct Separation {
  int known = 0;
  int unseen = 0;
  int wrong = 0;                                        // known-class images predicted wrongly
  double accuracy = 0;                                  // on known-class images, fraction
  std::array<double, kScores.size()> auroc_unseen{};   // unseen (positive) vs known
  std::array<double, kScores.size()> auroc_wrong{};    // wrong (positive) vs right, known images only
  std::vector<std::pair<int32_t, double>> entropy_auroc_by_unseen_class;   // original id, AUROC vs known
};

Separation measure_separation(const eccsim::EdgeModel& edge, const eccsim::ImageSet& test,
                              const eccsim::TaskSplit& split) {
  std::vector<int64_t> all(static_cast<size_t>(test.count));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  const std::vector<eccsim::EdgePrediction> predictions = edge.predict(test, all);
  const int32_t learned = edge.num_classes();

  Separation s;
  const size_t classes = split.class_order.size();
  for (size_t f = 0; f < kScores.size(); ++f) {
    std::vector<double> known, unseen, wrong, right;
    std::vector<std::vector<double>> unseen_by_label(classes);
    for (size_t i = 0; i < predictions.size(); ++i) {
      const int32_t label = split.new_label_of[static_cast<size_t>(test.labels[i])];
      const double score = kScores[f].ambiguity(predictions[i]);
      if (label >= learned) {
        unseen.push_back(score);
        unseen_by_label[static_cast<size_t>(label)].push_back(score);
      } else {
        known.push_back(score);
        (predictions[i].predicted == label ? right : wrong).push_back(score);
      }
    }
    s.auroc_unseen[f] = auroc(unseen, known);
    s.auroc_wrong[f] = auroc(wrong, right);
    if (f != kEntropy) continue;
    s.known = static_cast<int>(known.size());
    s.unseen = static_cast<int>(unseen.size());
    s.wrong = static_cast<int>(wrong.size());
    s.accuracy = known.empty() ? kNaN : static_cast<double>(right.size()) / static_cast<double>(known.size());
    for (size_t label = static_cast<size_t>(learned); label < classes; ++label) {
      s.entropy_auroc_by_unseen_class.emplace_back(split.class_order[label], auroc(unseen_by_label[label], known));
    }
  }
  return s;
}

// One CSV row per filter score of a measured model.
void write_csv_rows(std::ofstream& csv, const std::string& models, uint64_t seed, bool distill,
                    const Separation& s) {
  for (size_t f = 0; f < kScores.size(); ++f) {
    csv << fmt::format("{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f}\n", models, seed, distill ? 1 : 0, kScores[f].name,
                       s.known, s.unseen, s.wrong, s.accuracy, s.auroc_unseen[f], s.auroc_wrong[f]);
  }
}

struct BenchOptions {
  fs::path models_dir;
  int seeds = 5;                       // ablation seeds 1..seeds; 0: the AUROC table only
  int epochs = 2;                      // edge SNN epochs per ablation training
  int samples = 3000;                  // training images of the base task per ablation training
  std::string base = "garments";      // garments | six
  fs::path work_dir = fs::temp_directory_path() / "eccsim-setup-separation";
  int threads = 2;                     // intra-op threads
  fs::path csv_file;                   // empty: no CSV
};

struct Models {
  eccsim::ModelsMetadata metadata;
  eccsim::Dataset data;
  eccsim::TaskSplit split;
};

Models load_models(const fs::path& dir) {
  Models m;
  m.metadata = eccsim::read_metadata(dir / "models.yaml");
  m.data = eccsim::load_dataset(eccsim::DatasetSource{m.metadata.dataset, {}});
  m.split = eccsim::make_task_split(eccsim::TaskSplitOptions{m.metadata.num_classes, m.metadata.tasks,
                                                              m.metadata.base_classes, m.metadata.seed, {}});
  if (m.split.class_order != m.metadata.class_order) throw std::runtime_error("class order differs from models.yaml");
  return m;
}

void print_auroc_table(const BenchOptions& bench, const Models& models, std::ofstream* csv) {
  const eccsim::EdgeModel edge = eccsim::EdgeModel::load(bench.models_dir / "edge.pt");
  std::string known_names;
  for (int32_t label = 0; label < edge.num_classes(); ++label) {
    known_names += (label > 0 ? ", " : "") + class_name(models.data.name, models.split.class_order[static_cast<size_t>(label)]);
  }
  const Separation s = measure_separation(edge, models.data.test, models.split);
  fmt::print("edge model {} knows {} classes ({}); test split: {} known-class images ({} wrong, accuracy {:.2f} %), "
             "{} unseen-class images\n", (bench.models_dir / "edge.pt").string(), edge.num_classes(), known_names,
             s.known, s.wrong, 100 * s.accuracy, s.unseen);
  fmt::print("{:<10} {:>22} {:>22}\n", "score", "AUROC unseen vs known", "AUROC wrong vs right");
  for (size_t f = 0; f < kScores.size(); ++f) {
    fmt::print("{:<10} {:>22.4f} {:>22.4f}\n", kScores[f].name, s.auroc_unseen[f], s.auroc_wrong[f]);
  }
  fmt::print("entropy AUROC of each unseen class vs known:");
  for (const auto& [id, value] : s.entropy_auroc_by_unseen_class) {
    fmt::print("  {} {:.3f}", class_name(models.data.name, id), value);
  }
  fmt::print("\n\n");
  if (csv != nullptr) write_csv_rows(*csv, bench.models_dir.string(), models.metadata.seed, models.metadata.edge_distill, s);
}

// The ablation's split of the models' dataset (the models' seed and task count). "six": the first
// six classes of the models' class order form the base task; "garments" (Fashion-MNIST): T-shirt/top,
// pullover, coat and shirt, then the other classes in the models' class order.
eccsim::TaskSplit ablation_split(const std::string& base, const Models& models) {
  const eccsim::ModelsMetadata& meta = models.metadata;
  if (base == "six") return eccsim::make_task_split({meta.num_classes, meta.tasks, 6, meta.seed, {}});
  if (models.data.name != "fashion-mnist") {
    throw std::runtime_error(fmt::format("--base garments: Fashion-MNIST classes, the models are of {}", models.data.name));
  }
  const std::vector<int32_t> garments{0, 2, 4, 6};
  eccsim::TaskSplit split = eccsim::make_task_split(
      {meta.num_classes, meta.tasks, static_cast<int>(garments.size()), meta.seed, {}});
  split.class_order = garments;
  for (const int32_t id : meta.class_order) {
    if (std::find(garments.begin(), garments.end(), id) == garments.end()) split.class_order.push_back(id);
  }
  for (size_t label = 0; label < split.class_order.size(); ++label) {
    split.new_label_of[static_cast<size_t>(split.class_order[label])] = static_cast<int32_t>(label);
  }
  return split;
}

// The models' cloud ANN answering in `split`'s labels: the same network with its output rows
// reordered from the models' class order to the split's, so every base task has the same teacher.
eccsim::CloudModel relabelled_teacher(const fs::path& cloud_file, const std::vector<int32_t>& models_order,
                                      const eccsim::TaskSplit& split) {
  eccsim::CloudModel cloud = eccsim::CloudModel::load(cloud_file);
  std::vector<int64_t> rows;
  for (const int32_t id : split.class_order) {
    rows.push_back(std::find(models_order.begin(), models_order.end(), id) - models_order.begin());
  }
  const torch::Tensor row_index = torch::tensor(rows, torch::kInt64);
  torch::NoGradGuard no_grad;
  auto parameters = cloud.impl().net->named_parameters();
  for (const char* name : {"out.weight", "out.bias"}) {
    torch::Tensor& parameter = parameters[name];
    parameter.copy_(parameter.index_select(0, row_index));
  }
  return cloud;
}

// Test accuracy (fraction) of the cloud model in `split`'s labels over all classes and over task 0's.
std::pair<double, double> teacher_accuracy(const eccsim::CloudModel& cloud, const eccsim::ImageSet& test,
                                           const eccsim::TaskSplit& split) {
  std::vector<int64_t> all(static_cast<size_t>(test.count));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  const auto predictions = cloud.predict(test, all);
  const auto base_classes = static_cast<int32_t>(split.task_classes.front().size());
  int correct = 0, base = 0, base_correct = 0;
  for (size_t i = 0; i < predictions.size(); ++i) {
    const int32_t label = split.new_label_of[static_cast<size_t>(test.labels[i])];
    const bool hit = predictions[i].predicted == label;
    correct += hit ? 1 : 0;
    if (label < base_classes) {
      ++base;
      base_correct += hit ? 1 : 0;
    }
  }
  return {static_cast<double>(correct) / static_cast<double>(predictions.size()),
          static_cast<double>(base_correct) / static_cast<double>(base)};
}

// The models.yaml of an ablation run's directory, so that ensure_models takes the teacher beside it
// and trains only the edge SNN: the split and seed of the run, the teacher's provenance.
eccsim::ModelsMetadata run_metadata(const Models& models, const eccsim::TaskSplit& split,
                                    const eccsim::SetupOptions& setup) {
  eccsim::ModelsMetadata m = eccsim::models_identity(setup, models.data, split);
  const eccsim::ModelsMetadata& shipped = models.metadata;
  m.cloud_profile = shipped.cloud_profile;
  m.cloud_epochs = shipped.cloud_epochs;
  m.cloud_train_samples = shipped.cloud_train_samples;
  m.cloud_test_accuracy = shipped.cloud_test_accuracy;
  m.cloud_test_samples = shipped.cloud_test_samples;
  return m;
}

struct AblationRun {
  fs::path models_dir;                 // the run's checkpoints
  uint64_t seed = 0;
  bool distill = false;
  Separation separation;
  double train_s = 0;                  // wall time of ensure_models (training, or loading a kept model)
  bool trained = false;                // false: the edge model of an earlier invocation was loaded
};

AblationRun train_and_measure(const BenchOptions& bench, const Models& models, const eccsim::TaskSplit& split,
                              const eccsim::CloudModel& teacher, uint64_t seed, bool distill) {
  eccsim::SetupOptions setup;
  setup.models_dir = bench.work_dir / fmt::format("{}-e{}-n{}", bench.base, bench.epochs, bench.samples) /
                     fmt::format("seed{}-{}", seed, distill ? "distill" : "ce-only");
  setup.profile = "quick";
  setup.edge_epochs = bench.epochs;
  setup.edge_train_samples = bench.samples;
  setup.distill.enabled = distill;
  setup.seed = seed;
  setup.split = {models.metadata.num_classes, split.num_tasks(),
                 static_cast<int>(split.task_classes.front().size()), models.metadata.seed, {}};
  setup.threads = bench.threads;
  setup.edge_arch = models.metadata.edge_arch;
  setup.timesteps = models.metadata.edge_timesteps;
  setup.cloud_arch = models.metadata.cloud_arch;

  fs::create_directories(setup.models_dir);
  if (!fs::exists(setup.models_dir / "cloud.pt")) teacher.save(setup.models_dir / "cloud.pt");
  if (!fs::exists(setup.models_dir / "models.yaml")) {
    eccsim::write_metadata(setup.models_dir / "models.yaml", run_metadata(models, split, setup));
  }
  const auto start = std::chrono::steady_clock::now();
  const eccsim::TrainedModels trained = eccsim::ensure_models(setup, models.data, split);
  AblationRun run;
  run.models_dir = setup.models_dir;
  run.seed = seed;
  run.distill = distill;
  run.train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.trained = trained.trained_edge;
  run.separation = measure_separation(trained.edge, models.data.test, split);
  return run;
}

// Two-sided 95 % quantiles t(0.975, df) of Student's t for df = 1..30 (standard table values);
// --seeds is capped at 31 so that every interval uses an exact entry.
constexpr std::array<double, 30> kStudentT975{
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

struct Interval {
  double mean = kNaN;
  double sd = kNaN;                    // sample standard deviation (n - 1)
  double half_width = kNaN;            // of the 95 % confidence interval of the mean
};

Interval interval_of(const std::vector<double>& values) {
  Interval r;
  const auto n = values.size();
  if (n == 0) return r;
  double sum = 0;
  for (const double v : values) sum += v;
  r.mean = sum / static_cast<double>(n);
  if (n < 2) return r;
  double squares = 0;
  for (const double v : values) squares += (v - r.mean) * (v - r.mean);
  r.sd = std::sqrt(squares / static_cast<double>(n - 1));
  r.half_width = kStudentT975.at(n - 2) * r.sd / std::sqrt(static_cast<double>(n));
  return r;
}

struct Metric {
  const char* name;
  double scale;                        // printed value = scale x fraction
  int digits;                          // printed decimals
  double (*of)(const Separation&);
};

constexpr std::array<Metric, 3> kAblationMetrics{{
    {"base-task accuracy %", 100, 2, [](const Separation& s) { return s.accuracy; }},
    {"AUROC unseen vs known", 1, 4, [](const Separation& s) { return s.auroc_unseen[kEntropy]; }},
    {"AUROC wrong vs right", 1, 4, [](const Separation& s) { return s.auroc_wrong[kEntropy]; }},
}};

void print_ablation_table(const std::vector<AblationRun>& on, const std::vector<AblationRun>& off) {
  fmt::print("\n{:<22} | {:^26} | {:^26} | {:^30}\n", "entropy score", "distillation on", "distillation off",
             "on - off, paired by seed");
  fmt::print("{:<22} | {:>8} {:>8} {:>8} | {:>8} {:>8} {:>8} | {:>8} {:>8} {:>12}\n", "", "mean", "sd", "+-95%",
             "mean", "sd", "+-95%", "mean", "+-95%", "CI excl. 0");
  for (const Metric& metric : kAblationMetrics) {
    std::vector<double> on_values, off_values, differences;
    for (size_t k = 0; k < on.size(); ++k) {
      on_values.push_back(metric.scale * metric.of(on[k].separation));
      off_values.push_back(metric.scale * metric.of(off[k].separation));
      differences.push_back(on_values.back() - off_values.back());
    }
    const Interval a = interval_of(on_values);
    const Interval b = interval_of(off_values);
    const Interval d = interval_of(differences);
    const char* excludes_zero = std::isnan(d.half_width) ? "-" : std::abs(d.mean) > d.half_width ? "yes" : "no";
    const int p = metric.digits;
    fmt::print("{:<22} | {:8.{}f} {:8.{}f} {:8.{}f} | {:8.{}f} {:8.{}f} {:8.{}f} | {:+8.{}f} {:8.{}f} {:>12}\n",
               metric.name, a.mean, p, a.sd, p, a.half_width, p, b.mean, p, b.sd, p, b.half_width, p, d.mean, p,
               d.half_width, p, excludes_zero);
  }
}

void run_ablation(const BenchOptions& bench, const Models& models, std::ofstream* csv) {
  const eccsim::TaskSplit split = ablation_split(bench.base, models);
  const eccsim::CloudModel teacher = relabelled_teacher(bench.models_dir / "cloud.pt", models.metadata.class_order, split);
  const auto [teacher_all, teacher_base] = teacher_accuracy(teacher, models.data.test, split);
  std::string base_names;
  for (const int32_t label : split.task_classes.front()) {
    base_names += (label > 0 ? ", " : "") + class_name(models.data.name, split.class_order[static_cast<size_t>(label)]);
  }
  fmt::print("distillation ablation: base task {} ({}); edge SNN {} epochs x {} training images, seeds 1..{}; "
             "teacher {} (test accuracy {:.2f} % on all classes, {:.2f} % on the base task); runs in {}\n",
             bench.base, base_names, bench.epochs, bench.samples, bench.seeds, (bench.models_dir / "cloud.pt").string(),
             100 * teacher_all, 100 * teacher_base, bench.work_dir.string());
  std::vector<AblationRun> on, off;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(bench.seeds); ++seed) {
    for (const bool distill : {true, false}) {
      AblationRun run = train_and_measure(bench, models, split, teacher, seed, distill);
      const Separation& s = run.separation;
      fmt::print("seed {} distillation {:<3}: base-task accuracy {:6.2f} %, entropy AUROC unseen {:.4f}, wrong {:.4f} "
                 "({} wrong); {} in {:.0f} s\n", seed, distill ? "on" : "off", 100 * s.accuracy,
                 s.auroc_unseen[kEntropy], s.auroc_wrong[kEntropy], s.wrong, run.trained ? "trained" : "loaded",
                 run.train_s);
      std::fflush(stdout);
      if (csv != nullptr) write_csv_rows(*csv, run.models_dir.string(), seed, distill, s);
      (distill ? on : off).push_back(std::move(run));
    }
  }
  print_ablation_table(on, off);
}

void run(const BenchOptions& bench) {
  eccsim::set_intra_op_threads(bench.threads);
  const Models models = load_models(bench.models_dir);
  std::ofstream csv;
  if (!bench.csv_file.empty()) {
    csv.open(bench.csv_file);
    if (!csv) throw std::runtime_error(fmt::format("cannot write {}", bench.csv_file.string()));
    csv << "models,seed,distill,score,known,unseen,wrong,accuracy,auroc_unseen,auroc_wrong\n";
  }
  std::ofstream* csv_sink = csv.is_open() ? &csv : nullptr;
  print_auroc_table(bench, models, csv_sink);
  if (bench.seeds > 0) run_ablation(bench, models, csv_sink);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"What the setup stage gives ECC: how well the edge SNN's scores separate what it does not know"};
  BenchOptions bench;
  app.add_option("--models", bench.models_dir, "setup-stage models directory (edge.pt, cloud.pt, models.yaml)")
      ->required();
  app.add_option("--seeds", bench.seeds, "ablation seeds (0: the AUROC table only)")->check(CLI::Range(0, 31));
  app.add_option("--epochs", bench.epochs, "edge SNN epochs per ablation training")->check(CLI::Range(1, 1000));
  app.add_option("--samples", bench.samples, "base-task training images per ablation training")
      ->check(CLI::Range(1, 60000));
  app.add_option("--base", bench.base, "ablation base task")->check(CLI::IsMember({"garments", "six"}));
  app.add_option("--work", bench.work_dir, "directory of the ablation's trained models (kept; reused on re-runs)");
  app.add_option("--threads", bench.threads, "intra-op threads")->check(CLI::Range(1, 2));
  app.add_option("--out", bench.csv_file, "CSV of every measured model's AUROCs (optional)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    run(bench);
  } catch (const std::exception& e) {
    fmt::print(stderr, "setup_separation: {}\n", e.what());
    return 2;
  }
  return 0;
}
