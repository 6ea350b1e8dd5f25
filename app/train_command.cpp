// `eccsim train`: loads or trains the scenario's models and says where they are.
#include "app/train_command.hpp"

#include <fmt/core.h>

#include <filesystem>

#include "sim/model_setup.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

int train_command(const TrainCommandOptions& options) {
  Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  scenario.models.train.allow = true;  // training is what was asked for
  const ScenarioData data = load_scenario_data(scenario);
  const TrainedModels models = prepare_models(scenario, data, options.quick);
  // Models trained before serving profiles existed get theirs now (eccsim profile re-measures).
  const std::filesystem::path profile = latency_profile_file(scenario);
  std::error_code unreadable;   // an unreadable profile is profiled again
  const bool profiled = models.trained_cloud || !std::filesystem::exists(profile, unreadable);
  if (!models.trained_cloud && profiled) profile_cloud_latency(scenario, data, models.cloud);
  const ModelsMetadata& meta = models.metadata;
  fmt::print("models in {}/\n", scenario.models.dir);
  fmt::print("  cloud {:<5} {}: {:.2f} % test accuracy on all {} classes\n", meta.cloud_arch,
             models.trained_cloud ? "trained" : "loaded ", 100 * meta.cloud_test_accuracy, meta.num_classes);
  fmt::print("  edge  {:<5} {}: {:.2f} % test accuracy on the first task's {} classes (T = {})\n", meta.edge_arch,
             models.trained_edge ? "trained" : "loaded ", 100 * meta.edge_test_accuracy,
             meta.task_sizes.empty() ? 0 : meta.task_sizes.front(), meta.edge_timesteps);
  fmt::print("  cloud serving profile {} {}\n", profiled ? "measured into" : "kept in", profile.string());
  return 0;
}

}  // namespace eccsim
