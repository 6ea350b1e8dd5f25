// Scenario -> dataset, split and setup-stage options. Errors keep the scenario's key names.
#include "sim/model_setup.hpp"

#include "core/file_io.hpp"
#include "models/nets/serving_profile.hpp"
#include "sim/policy/batch_latency.hpp"

namespace eccsim {

ScenarioData load_scenario_data(const Scenario& scenario) {
  DatasetSource source;
  source.name = scenario.dataset.name;
  source.dir = scenario.dataset.path;
  ScenarioData data{load_dataset(source), {}};
  TaskSplitOptions split;
  split.num_classes = data.dataset.num_classes;
  split.tasks = scenario.dataset.tasks;
  split.base_classes = scenario.dataset.base_classes;
  split.seed = scenario.models.seed;
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
  options.allow_training = models.train.allow;
  options.scenario_file = scenario.source_file.string();
  options.models_dir_where = scenario.where("models.dir");
  return options;
}

TrainedModels prepare_models(const Scenario& scenario, const ScenarioData& data, bool quick) {
  SetupOptions options = setup_options(scenario, quick);
  options.split.num_classes = data.dataset.num_classes;
  TrainedModels models = ensure_models(options, data.dataset, data.split);
  if (models.trained_cloud) profile_cloud_latency(scenario, data, models.cloud);
  return models;
}

std::vector<BatchLatencyPoint> profile_cloud_latency(const Scenario& scenario, const ScenarioData& data,
                                                     const CloudModel& cloud) {
  std::vector<BatchLatencyPoint> points;
  for (const BatchTiming& timing : time_cloud_batches(cloud, data.dataset.test)) {
    points.push_back({timing.batch, timing.seconds});
  }
  write_file_atomically(latency_profile_file(scenario.models.dir), latency_profile_csv(points));
  return points;
}

}  // namespace eccsim
