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
  const std::filesystem::path profile = latency_profile_file(scenario);
  std::error_code unreadable;   // an unreadable profile is profiled again
  const bool had_profile = std::filesystem::exists(profile, unreadable);
  const TrainedModels models = prepare_models(scenario, data, options.quick);
  // Models trained before serving profiles existed get theirs now (eccsim profile re-measures); a
  // new cloud model (trained, or a TorchScript file new to models.dir) got its own in prepare_models.
  const bool profiled = models.trained_cloud || !had_profile;
  if (!std::filesystem::exists(profile, unreadable)) profile_cloud_latency(scenario, data, models.cloud);
  const ModelsMetadata& meta = models.metadata;
  fmt::print("models in {}/\n", scenario.models.dir);
  if (models.cloud.is_torchscript()) {
    fmt::print("  cloud TorchScript {}: not trained by eccsim\n", models.cloud_file.string());
  } else {
    fmt::print("  cloud {:<5} {}: {:.2f} % test accuracy on all {} classes\n", meta.cloud_arch,
               models.trained_cloud ? "trained" : "loaded ", 100 * meta.cloud_test_accuracy, meta.num_classes);
  }
  if (models.edge.is_torchscript()) {
    fmt::print("  edge  TorchScript {}: not trained by eccsim\n", models.edge_file.string());
  } else {
    fmt::print("  edge  {:<5} {}: {:.2f} % test accuracy on the first task's {} classes (T = {})\n", meta.edge_arch,
               models.trained_edge ? "trained" : "loaded ", 100 * meta.edge_test_accuracy,
               meta.task_sizes.empty() ? 0 : meta.task_sizes.front(), meta.edge_timesteps);
  }
  fmt::print("  cloud serving profile {} {}\n", profiled ? "measured into" : "kept in", profile.string());
  return 0;
}

}  // namespace eccsim
