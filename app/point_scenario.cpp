// Per-point scenarios of a sweep.
#include "app/point_scenario.hpp"

#include <fmt/core.h>

#include "core/input_error.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

Scenario point_scenario(const ScenarioWithoutSweep& base, const std::vector<std::string>& overrides,
                        const std::filesystem::path& point_dir, bool models_ready) {
  std::vector<std::string> all = overrides;
  all.emplace_back("sweep={}");
  Scenario scenario = load_scenario_text(base.text, base.file, all);
  scenario.output.dir = point_dir.string();
  if (models_ready) scenario.models.train.allow = false;
  return scenario;
}

Scenario sweep_point_scenario(const ScenarioWithoutSweep& base, const SweepConfig& sweep,
                              std::vector<std::string>& overrides, const SweepPoint& point,
                              const std::filesystem::path& point_dir, bool models_ready) {
  for (std::string& value : point_overrides(sweep_keys(sweep), point)) overrides.push_back(std::move(value));
  Scenario scenario = point_scenario(base, overrides, point_dir, models_ready);
  if (point.replication == 0) return scenario;
  overrides.push_back(fmt::format("seed={}", replication_seed(scenario.seed, point.replication)));
  if (sweep.replications.models_seed) {
    // A models.dir holds one set of models: each replication's training gets its own, inside the point's.
    const uint64_t models_seed = replication_seed(scenario.models.seed, point.replication);
    overrides.push_back(fmt::format("models.seed={}", models_seed));
    overrides.push_back(fmt::format("models.dir={}", (std::filesystem::path(scenario.models.dir) /
                                                      fmt::format("seed-{}", models_seed)).string()));
  }
  return point_scenario(base, overrides, point_dir, models_ready);
}

std::vector<SweepPoint> sweep_points(const Scenario& base, const std::filesystem::path& base_file) {
  std::vector<SweepPoint> points = expand_sweep(base.sweep);
  if (points.empty()) {
    throw InputError(fmt::format("{}: sweep: no sweep block (add e.g. sweep: {{platform.devices: [1, 10]}}; "
                                 "eccsim run runs a single simulation)", base_file.string()));
  }
  return points;
}

std::string model_config_key(const Scenario& scenario) {
  Scenario models_only;  // models.seed selects the training; the simulation seed does not
  models_only.dataset = scenario.dataset;
  models_only.models = scenario.models;
  models_only.models.train.allow = true;
  models_only.models.cache = true;
  return to_yaml(models_only);
}

}  // namespace eccsim
