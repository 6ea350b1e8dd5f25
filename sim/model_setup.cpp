// Scenario -> dataset, split and setup-stage options. Errors keep the scenario's key names.
#include "sim/model_setup.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "models/nets/serving_profile.hpp"
#include "sim/policy/batch_latency.hpp"

namespace eccsim {
namespace {

DatasetSource dataset_source(const Scenario& scenario) {
  DatasetSource source;
  source.name = scenario.dataset.name;
  source.dir = scenario.dataset.path;
  return source;
}

std::vector<int32_t> class_order(const Scenario& scenario) {
  return {scenario.dataset.class_order.begin(), scenario.dataset.class_order.end()};   // whole numbers (checked)
}

// A TorchScript edge model starts out knowing whole tasks: the first k of the split.
void check_scripted_edge_classes(const Scenario& scenario, const TaskSplit& split, const EdgeModel& edge) {
  std::vector<int32_t> known = edge.output_labels();
  std::sort(known.begin(), known.end());
  std::vector<int32_t> tasks_prefix;
  for (const std::vector<int32_t>& task : split.task_classes) {
    if (tasks_prefix.size() >= known.size()) break;
    tasks_prefix.insert(tasks_prefix.end(), task.begin(), task.end());
  }
  if (known == tasks_prefix) return;
  std::vector<int32_t> first_task;
  for (const int32_t label : split.task_classes.front()) first_task.push_back(split.class_order[static_cast<size_t>(label)]);
  std::vector<int32_t> model_classes;
  for (const int32_t label : known) model_classes.push_back(split.class_order[static_cast<size_t>(label)]);
  throw InputError(fmt::format("{}: the model knows classes [{}], which are not the split's first tasks (the first "
                               "holds [{}]); give dataset.class_order starting with the model's classes "
                               "(docs/own-models.md)",
                               scenario.where("models.edge.path"), fmt::join(model_classes, ", "),
                               fmt::join(first_task, ", ")));
}

// A TorchScript model's file, loaded; its errors carry the scenario's key.
template <class Model>
Model load_scripted(const Scenario& scenario, const std::string& role, const std::string& path, const TaskSplit& split) {
  try {
    return Model::load_torchscript(path, split.new_label_of);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", scenario.where(fmt::format("models.{}.path", role)), e.what()));
  }
}

// The model's input against the data's images.
void check_input_shape(const Scenario& scenario, const std::string& role, ModelFormat format,
                       const std::vector<int>& shape, const ImageSet& images) {
  if (shape == std::vector<int>{images.channels, images.height, images.width}) return;
  const std::string key = format == ModelFormat::Torchscript ? fmt::format("models.{}.path", role) : "dataset.name";
  throw InputError(fmt::format("{}: the {} model takes {}x{}x{} images, {} has {}x{}x{}", scenario.where(key), role,
                               shape[0], shape[1], shape[2], scenario.dataset.name, images.channels, images.height,
                               images.width));
}

}  // namespace

OffloadMessageBytes offload_message_bytes(const Scenario& scenario) {
  try {
    const DatasetShape shape = peek_dataset_shape(dataset_source(scenario));
    return {static_cast<double>(shape.image_bytes()), 4.0 * shape.num_classes};   // float32 logits
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", scenario.where("dataset.path"), e.what()));
  }
}

void check_model_files(const Scenario& scenario) {
  for (const auto& [role, format, path] : {std::tuple{"edge", scenario.models.edge.format, &scenario.models.edge.path},
                                           std::tuple{"cloud", scenario.models.cloud.format, &scenario.models.cloud.path}}) {
    std::error_code unreadable;
    if (format == ModelFormat::Torchscript && !std::filesystem::is_regular_file(*path, unreadable)) {
      throw InputError(fmt::format("{}: no such file '{}'", scenario.where(fmt::format("models.{}.path", role)), *path));
    }
  }
}

ScenarioData load_scenario_data(const Scenario& scenario) {
  ScenarioData data{load_dataset(dataset_source(scenario)), {}};
  TaskSplitOptions split;
  split.num_classes = data.dataset.num_classes;
  split.tasks = scenario.dataset.tasks;
  split.base_classes = scenario.dataset.base_classes;
  split.seed = scenario.models.seed;
  split.class_order = class_order(scenario);
  data.split = make_task_split(split);
  return data;
}

SetupOptions setup_options(const Scenario& scenario, bool quick) {
  const ModelsConfig& models = scenario.models;
  SetupOptions options;
  options.models_dir = models.dir;
  options.edge_arch = models.edge.arch;
  options.timesteps = models.edge.timesteps;
  options.cloud_arch = models.cloud.arch;
  options.profile = quick ? "quick" : models.train.profile;
  options.cloud_epochs = models.train.cloud_epochs;
  options.edge_epochs = models.train.edge_epochs;
  options.cloud_train_samples = models.train.cloud_samples;
  options.edge_train_samples = models.train.edge_samples;
  options.batch_size = models.train.batch_size;
  options.learning_rate = models.train.learning_rate;
  options.distill.enabled = models.train.distill.enabled;
  options.distill.weight = models.train.distill.weight;
  options.distill.temperature = models.train.distill.temperature;
  options.seed = scenario.models.seed;
  options.split.tasks = scenario.dataset.tasks;
  options.split.base_classes = scenario.dataset.base_classes;
  options.split.seed = scenario.models.seed;
  options.split.class_order = class_order(scenario);
  options.allow_training = models.train.allow;
  options.scenario_file = scenario.source_file.string();
  options.models_dir_where = scenario.where("models.dir");
  return options;
}

TrainedModels prepare_models(const Scenario& scenario, const ScenarioData& data, bool quick) {
  const ModelsConfig& config = scenario.models;
  const bool scripted_edge = config.edge.format == ModelFormat::Torchscript;
  const bool scripted_cloud = config.cloud.format == ModelFormat::Torchscript;
  std::optional<TrainedModels> native;   // models.dir's checkpoints, when either model is native
  if (!scripted_edge || !scripted_cloud) {
    SetupOptions options = setup_options(scenario, quick);
    options.split.num_classes = data.dataset.num_classes;
    native = ensure_models(options, data.dataset, data.split);
  }
  std::optional<EdgeModel> edge;
  std::optional<CloudModel> cloud;
  if (scripted_edge) {
    edge = load_scripted<EdgeModel>(scenario, "edge", config.edge.path, data.split);
    check_scripted_edge_classes(scenario, data.split, *edge);
  }
  if (scripted_cloud) cloud = load_scripted<CloudModel>(scenario, "cloud", config.cloud.path, data.split);
  TrainedModels models{edge ? std::move(*edge) : std::move(native->edge),
                       cloud ? std::move(*cloud) : std::move(native->cloud),
                       native ? native->metadata : ModelsMetadata{},
                       native && native->trained_edge && !scripted_edge,
                       native && native->trained_cloud && !scripted_cloud,
                       scripted_edge ? std::filesystem::path(config.edge.path) : native->edge_file,
                       scripted_cloud ? std::filesystem::path(config.cloud.path) : native->cloud_file,
                       native ? native->metadata_file : std::filesystem::path()};
  check_input_shape(scenario, "edge", config.edge.format, models.edge.input_shape(), data.dataset.test);
  check_input_shape(scenario, "cloud", config.cloud.format, models.cloud.input_shape(), data.dataset.test);
  // A cloud model new to models.dir gets its serving profile measured, as part of the setup stage.
  std::error_code unreadable;
  const bool unprofiled = scripted_cloud && !std::filesystem::exists(latency_profile_file(scenario), unreadable) &&
                          scenario.platform.cloud.latency.model == CloudLatencyModel::Profile &&
                          scenario.platform.cloud.energy != CloudEnergy::Constant;
  if (models.trained_cloud || unprofiled) profile_cloud_latency(scenario, data, models.cloud);
  return models;
}

std::vector<BatchLatencyPoint> profile_cloud_latency(const Scenario& scenario, const ScenarioData& data,
                                                     const CloudModel& cloud) {
  std::vector<BatchLatencyPoint> points;
  for (const BatchTiming& timing : time_cloud_batches(cloud, data.dataset.test)) {
    points.push_back({timing.batch, timing.seconds});
  }
  std::error_code ec;
  std::filesystem::create_directories(scenario.models.dir, ec);   // write_file_atomically names what fails
  write_file_atomically(latency_profile_file(scenario), latency_profile_csv(points));
  return points;
}

}  // namespace eccsim
