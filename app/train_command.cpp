// `eccsim train`: loads or trains the scenario's models and says where they are.
#include "app/train_command.hpp"

#include <fmt/core.h>

#include "sim/model_setup.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

int train_command(const TrainCommandOptions& options) {
  Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  scenario.models.train.allow = true;  // training is what was asked for
  const ScenarioData data = load_scenario_data(scenario);
  const TrainedModels models = prepare_models(scenario, data, options.quick);
  const ModelsMetadata& meta = models.metadata;
  fmt::print("models in {}/\n", scenario.models.dir);
  fmt::print("  cloud {:<5} {}: {:.2f} % test accuracy on all {} classes\n", meta.cloud_arch,
             models.trained_cloud ? "trained" : "loaded ", 100 * meta.cloud_test_accuracy, meta.num_classes);
  fmt::print("  edge  {:<5} {}: {:.2f} % test accuracy on the first task's {} classes (T = {})\n", meta.edge_arch,
             models.trained_edge ? "trained" : "loaded ", 100 * meta.edge_test_accuracy,
             meta.task_sizes.empty() ? 0 : meta.task_sizes.front(), meta.edge_timesteps);
  return 0;
}

}  // namespace eccsim
