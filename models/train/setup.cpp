// Setup stage; see setup.hpp. Training follows the authors' prepare.py: Adam (lr 1e-3), cosine
// annealing per epoch, batch 64; the edge loss CE + lambda * tau^2 * KL(teacher || student) with the
// teacher's logits restricted to the first task's classes, computed once (no augmentation, so they
// are the same every epoch). Unlike prepare.py the last epoch is kept (no model selection on the
// test set). Deterministic for a seed: torch::manual_seed per stage, shuffles from seeded_permutation.
#include "models/train/setup.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "core/input_error.hpp"
#include "core/random.hpp"
#include "models/data/dataset_tensors.hpp"
#include "models/nets/cloud_model_impl.hpp"
#include "models/nets/edge_model_impl.hpp"
#include "models/train/training.hpp"

namespace eccsim {
namespace {

namespace fs = std::filesystem;

// Seed streams (derive_seed) of the setup stage.
constexpr uint64_t kCloudInit = 1;
constexpr uint64_t kCloudDropout = 2;
constexpr uint64_t kEdgeInit = 3;
constexpr uint64_t kSubsets = 4;
constexpr uint64_t kCloudShuffle = 1000;   // + epoch
constexpr uint64_t kEdgeShuffle = 2000;    // + epoch

struct Samples {
  std::vector<int64_t> indices;
  std::vector<int32_t> labels;   // re-indexed
};

Samples reindexed(const ImageSet& set, std::vector<int64_t> indices, const TaskSplit& split) {
  Samples s;
  s.indices = std::move(indices);
  s.labels.reserve(s.indices.size());
  for (const int64_t i : s.indices) {
    s.labels.push_back(split.new_label_of[static_cast<size_t>(set.labels[static_cast<size_t>(i)])]);
  }
  return s;
}

// The first `limit` of a seeded shuffle of `indices` (all of them when limit is 0), in index order.
std::vector<int64_t> subset(std::vector<int64_t> indices, int limit, uint64_t seed) {
  if (limit <= 0 || static_cast<size_t>(limit) >= indices.size()) return indices;
  const std::vector<int64_t> order = seeded_permutation(static_cast<int64_t>(indices.size()), seed);
  std::vector<int64_t> kept;
  for (int k = 0; k < limit; ++k) kept.push_back(indices[static_cast<size_t>(order[static_cast<size_t>(k)])]);
  std::sort(kept.begin(), kept.end());
  return kept;
}

torch::Tensor label_tensor(const std::vector<int32_t>& labels, const std::vector<int64_t>& positions, int32_t offset) {
  std::vector<int64_t> values;
  values.reserve(positions.size());
  for (const int64_t p : positions) values.push_back(labels[static_cast<size_t>(p)] - offset);
  return torch::tensor(values, torch::kInt64);
}

std::vector<int64_t> gather(const std::vector<int64_t>& indices, const std::vector<int64_t>& positions) {
  std::vector<int64_t> out;
  out.reserve(positions.size());
  for (const int64_t p : positions) out.push_back(indices[static_cast<size_t>(p)]);
  return out;
}

struct TrainedCloud {
  CloudModel model;
  int train_samples = 0;
  double test_accuracy = 0;
  int test_samples = 0;
};

TrainedCloud train_cloud(const SetupOptions& o, const ProfileSettings& p, const Dataset& data, const TaskSplit& split) {
  CloudModelOptions co;
  co.arch = o.cloud_arch;
  co.num_classes = data.num_classes;
  co.channels = data.train.channels;
  co.height = data.train.height;
  co.width = data.train.width;
  co.normalisation = data.normalisation;
  co.seed = derive_seed(o.seed, kCloudInit);
  CloudModel model(co);
  Cnn net = model.impl().net;

  const Samples train = reindexed(data.train, subset(all_indices(data.train), p.cloud_train_samples,
                                                     derive_seed(o.seed, kSubsets)), split);
  const Samples test = reindexed(data.test, subset(all_indices(data.test), p.test_samples,
                                                   derive_seed(o.seed, kSubsets + 1)), split);
  torch::manual_seed(derive_seed(o.seed, kCloudDropout));
  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(o.learning_rate).weight_decay(o.cloud_weight_decay));
  EpochLog log("cloud", p.cloud_epochs, o.models_dir / "train.csv", o.progress ? stderr : nullptr);
  const auto n = static_cast<int64_t>(train.indices.size());
  const EpochPlan plan{p.cloud_epochs, n, o.batch_size, o.learning_rate, o.seed, kCloudShuffle};
  const double test_accuracy = run_epochs(
      plan, *net, optimizer, log,
      [&](const std::vector<int64_t>& positions) {
        const torch::Tensor x = images_to_tensor(data.train, data.normalisation, gather(train.indices, positions));
        const torch::Tensor y = label_tensor(train.labels, positions, 0);
        const torch::Tensor logits = net->forward(x);
        return BatchLoss{torch::nn::functional::cross_entropy(logits, y), logits, y};
      },
      [&] { return accuracy(cloud_logits(model.impl(), data.test, test.indices), test.labels); });
  net->eval();
  return {std::move(model), static_cast<int>(n), test_accuracy, static_cast<int>(test.indices.size())};
}

struct TrainedEdge {
  EdgeModel model;
  int train_samples = 0;
  double test_accuracy = 0;
  int test_samples = 0;
};

TrainedEdge train_edge(const SetupOptions& o, const ProfileSettings& p, const Dataset& data, const TaskSplit& split,
                       const CloudModel& teacher) {
  const std::vector<int32_t>& classes = split.task_classes.front();
  const int32_t offset = classes.front();
  EdgeModelOptions eo;
  eo.arch = o.edge_arch;
  eo.timesteps = o.timesteps;
  eo.channels = data.train.channels;
  eo.height = data.train.height;
  eo.width = data.train.width;
  eo.normalisation = data.normalisation;
  eo.seed = derive_seed(o.seed, kEdgeInit);
  EdgeModel model(eo);
  SpikingVgg net = model.impl().net;
  net->add_head(static_cast<int64_t>(classes.size()));
  model.impl().output_labels = classes;

  const Samples train = reindexed(data.train, subset(task_samples(split, data.train.labels, 0), p.edge_train_samples,
                                                     derive_seed(o.seed, kSubsets + 2)), split);
  const Samples test = reindexed(data.test, subset(task_samples(split, data.test.labels, 0), p.test_samples,
                                                   derive_seed(o.seed, kSubsets + 3)), split);
  torch::Tensor teacher_logits;
  if (o.distill.enabled) {
    std::vector<int64_t> columns(classes.begin(), classes.end());
    teacher_logits = cloud_logits(teacher.impl(), data.train, train.indices).index_select(1, torch::tensor(columns));
  }
  torch::optim::Adam optimizer(net->parameters(),
                               torch::optim::AdamOptions(o.learning_rate).weight_decay(o.edge_weight_decay));
  EpochLog log("edge", p.edge_epochs, o.models_dir / "train.csv", o.progress ? stderr : nullptr);
  const auto n = static_cast<int64_t>(train.indices.size());
  std::vector<int32_t> test_labels;
  for (const int32_t label : test.labels) test_labels.push_back(label - offset);
  const EpochPlan plan{p.edge_epochs, n, o.batch_size, o.learning_rate, o.seed, kEdgeShuffle};
  const double test_accuracy = run_epochs(
      plan, *net, optimizer, log,
      [&](const std::vector<int64_t>& positions) {
        const torch::Tensor x = images_to_tensor(data.train, data.normalisation, gather(train.indices, positions));
        const torch::Tensor y = label_tensor(train.labels, positions, offset);
        const torch::Tensor logits = net->forward(x).head_logits.front();
        torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
        if (o.distill.enabled) {
          const torch::Tensor t = teacher_logits.index_select(0, torch::tensor(positions, torch::kInt64));
          loss = loss + o.distill.weight * distillation_loss(logits, t, o.distill.temperature);
        }
        return BatchLoss{loss, logits, y};
      },
      [&] { return accuracy(snn_logits(net, data.test, data.normalisation, test.indices), test_labels); });
  net->eval();
  return {std::move(model), static_cast<int>(n), test_accuracy, static_cast<int>(test.indices.size())};
}

// One line before training starts: what will be trained and about how long it takes; when that is
// more than a few minutes, where models that need no training are.
void announce_training(const SetupOptions& o, const ProfileSettings& p, const Dataset& data, const TaskSplit& split,
                       bool cloud, bool edge) {
  const auto images = [](int limit, size_t available) {
    return limit > 0 ? std::min<int64_t>(limit, static_cast<int64_t>(available)) : static_cast<int64_t>(available);
  };
  const int64_t cloud_images = cloud ? images(p.cloud_train_samples, data.train.labels.size()) : 0;
  const int64_t edge_images = edge ? images(p.edge_train_samples, task_samples(split, data.train.labels, 0).size()) : 0;
  std::string what;
  if (cloud) what = fmt::format("the cloud ANN ({} epochs x {} images)", p.cloud_epochs, cloud_images);
  if (edge) {
    what += fmt::format("{}the edge SNN ({} epochs x {} images)", what.empty() ? "" : " and ", p.edge_epochs,
                        edge_images);
  }
  const double seconds = estimated_training_seconds(p.cloud_epochs, cloud_images, p.edge_epochs, edge_images,
                                                    o.timesteps);
  constexpr double kFewMinutes = 180;
  fmt::print(stderr, "[train] {} profile into {}: {}, about {} min on 2 cores{}\n", o.profile, o.models_dir.string(),
             what, std::max<long>(1, std::lround(seconds / 60)),
             seconds > kFewMinutes ? "; the shipped models (checkpoints/fmnist, docs/modelling.md: Models) need no training"
                                   : "");
}

bool file_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

}  // namespace

ProfileSettings profile_settings(const SetupOptions& options) {
  ProfileSettings p;
  if (options.profile == "full") {
    p.cloud_epochs = 8;
    p.edge_epochs = 10;
  } else if (options.profile == "quick") {
    p.cloud_epochs = 2;
    p.edge_epochs = 3;
    p.cloud_train_samples = 8000;
    p.edge_train_samples = 3000;
    p.test_samples = 2000;
  } else {
    throw InputError(fmt::format("models.train.profile: unknown profile '{}' (known: full, quick)", options.profile));
  }
  if (options.cloud_epochs > 0) p.cloud_epochs = options.cloud_epochs;
  if (options.edge_epochs > 0) p.edge_epochs = options.edge_epochs;
  if (options.cloud_train_samples > 0) p.cloud_train_samples = options.cloud_train_samples;
  if (options.edge_train_samples > 0) p.edge_train_samples = options.edge_train_samples;
  return p;
}

double estimated_training_seconds(int cloud_epochs, int64_t cloud_images, int edge_epochs, int64_t edge_images,
                                  int timesteps) {
  constexpr double kCloudImagesPerSecond = 400;
  constexpr double kEdgeImagesPerSecondAtT4 = 80;
  const double edge_rate = kEdgeImagesPerSecondAtT4 * 4 / std::max(1, timesteps);
  return static_cast<double>(cloud_epochs) * static_cast<double>(cloud_images) / kCloudImagesPerSecond +
         static_cast<double>(edge_epochs) * static_cast<double>(edge_images) / edge_rate;
}

TrainedModels ensure_models(const SetupOptions& o, const Dataset& data, const TaskSplit& split) {
  if (static_cast<int>(split.class_order.size()) != data.num_classes) {
    throw std::invalid_argument(fmt::format("ensure_models: a {}-class split for the {}-class dataset {}",
                                            split.class_order.size(), data.num_classes, data.name));
  }
  const ProfileSettings profile = profile_settings(o);
  const std::string where = fmt::format("{} {}", o.models_dir_where, o.models_dir.string());
  const fs::path edge_file = o.models_dir / "edge.pt";
  const fs::path cloud_file = o.models_dir / "cloud.pt";
  const fs::path metadata_file = o.models_dir / "models.yaml";
  const bool have_edge = file_exists(edge_file);
  const bool have_cloud = file_exists(cloud_file);

  ModelsMetadata metadata = models_identity(o, data, split);
  if (have_edge || have_cloud) {
    if (!file_exists(metadata_file)) {
      throw InputError(fmt::format("{}: checkpoints without {}: cannot tell what they were trained for (delete "
                                   "them, or train into another models.dir)", where, metadata_file.filename().string()));
    }
    const ModelsMetadata found = read_metadata(metadata_file);
    if (const auto mismatch = metadata_mismatch(found, metadata)) {
      throw InputError(fmt::format("{}: the checkpoints were trained for another setting: {} (train into another "
                                   "models.dir, or delete the checkpoints there)", where, *mismatch));
    }
    metadata = found;
  }
  if (!(have_edge && have_cloud) && !o.allow_training) {
    throw InputError(fmt::format("{}: no {} checkpoint (run `eccsim train {}` or set models.train.allow: true)", where,
                                 have_edge ? "cloud" : "edge", o.scenario_file));
  }
  if (!(have_edge && have_cloud)) {
    std::error_code ec;
    fs::create_directories(o.models_dir, ec);
    if (ec) throw InputError(fmt::format("{}: cannot create the directory: {}", where, ec.message()));
  }

  if (o.progress && !(have_edge && have_cloud)) announce_training(o, profile, data, split, !have_cloud, !have_edge);
  const TrainingThreads threads(have_edge && have_cloud ? 0 : o.threads);
  std::optional<CloudModel> cloud;
  if (have_cloud) {
    cloud = CloudModel::load(cloud_file);
  } else {
    TrainedCloud trained = train_cloud(o, profile, data, split);
    trained.model.save(cloud_file);
    metadata.cloud_profile = o.profile;
    metadata.cloud_epochs = profile.cloud_epochs;
    metadata.cloud_train_samples = trained.train_samples;
    metadata.cloud_test_accuracy = trained.test_accuracy;
    metadata.cloud_test_samples = trained.test_samples;
    write_metadata(metadata_file, metadata);
    cloud = std::move(trained.model);
  }
  if (cloud->num_classes() != data.num_classes || cloud->arch() != o.cloud_arch) {
    throw InputError(fmt::format("{}: a {} model of {} classes, the scenario needs {} with {}", cloud_file.string(),
                                 cloud->arch(), cloud->num_classes(), o.cloud_arch, data.num_classes));
  }

  std::optional<EdgeModel> edge;
  if (have_edge) {
    edge = EdgeModel::load(edge_file);
  } else {
    TrainedEdge trained = train_edge(o, profile, data, split, *cloud);
    trained.model.save(edge_file);
    metadata.edge_profile = o.profile;
    metadata.edge_epochs = profile.edge_epochs;
    metadata.edge_train_samples = trained.train_samples;
    metadata.edge_distill = o.distill.enabled;
    metadata.edge_distill_weight = o.distill.weight;
    metadata.edge_distill_temperature = o.distill.temperature;
    metadata.edge_test_accuracy = trained.test_accuracy;
    metadata.edge_test_samples = trained.test_samples;
    write_metadata(metadata_file, metadata);
    edge = std::move(trained.model);
  }
  const std::vector<int> expected_heads{static_cast<int>(split.task_classes.front().size())};
  if (edge->timesteps() != o.timesteps || edge->arch() != o.edge_arch || edge->head_sizes() != expected_heads) {
    throw InputError(fmt::format("{}: a {} model with T={} and {} classes, the scenario needs {} with T={} and {}",
                                 edge_file.string(), edge->arch(), edge->timesteps(), edge->num_classes(),
                                 o.edge_arch, o.timesteps, expected_heads.front()));
  }
  return TrainedModels{std::move(*edge), std::move(*cloud), metadata, !have_edge, !have_cloud,
                       edge_file, cloud_file, metadata_file};
}

ModelsMetadata models_identity(const SetupOptions& o, const Dataset& data, const TaskSplit& split) {
  ModelsMetadata m;
  m.dataset = data.name;
  m.num_classes = data.num_classes;
  m.tasks = split.num_tasks();
  m.base_classes = o.split.base_classes;
  m.seed = o.seed;
  m.class_order = split.class_order;
  for (const auto& classes : split.task_classes) m.task_sizes.push_back(static_cast<int>(classes.size()));
  m.edge_arch = o.edge_arch;
  m.edge_timesteps = o.timesteps;
  m.cloud_arch = o.cloud_arch;
  return m;
}

}  // namespace eccsim
