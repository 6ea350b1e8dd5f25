// `eccsim profile`: the scenario's trained cloud model timed batch size by batch size (one thread),
// the table printed and written to models.dir/cloud_latency.csv. Never trains.
#include "app/profile_command.hpp"

#include <fmt/core.h>

#include "sim/model_setup.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

int profile_command(const ProfileCommandOptions& options) {
  Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  scenario.models.train.allow = false;  // profiles the checkpoints there are; InputError when missing
  const ScenarioData data = load_scenario_data(scenario);
  const TrainedModels models = prepare_models(scenario, data, /*quick=*/false);
  fmt::print("cloud serving profile of {} ({}, one thread, this machine):\n", models.cloud_file.string(),
             models.cloud.arch());
  fmt::print("  {:>5}  {:>12}  {:>10}\n", "batch", "latency", "samples/s");
  for (const BatchLatencyPoint& p : profile_cloud_latency(scenario, data, models.cloud)) {
    fmt::print("  {:>5}  {:>9.3f} ms  {:>10.0f}\n", p.batch, 1e3 * p.latency_s, p.batch / p.latency_s);
  }
  fmt::print("written to {}\n", latency_profile_file(scenario).string());
  return 0;
}

}  // namespace eccsim
