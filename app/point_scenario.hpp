// The scenario each point of a sweep runs, and which points can share trained models: the
// scenario reader applied to the base file and a point's overrides.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "app/sweep/sweep_grid.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

// The scenario one point runs: the base file (read once, without its sweep block) with the point's overrides, no sweep block, writing to
// `point_dir`, and (when `models_ready`) forbidden to train, since the sweep trained its models first.
Scenario point_scenario(const ScenarioWithoutSweep& base, const std::vector<std::string>& overrides,
                        const std::filesystem::path& point_dir, bool models_ready);

// The scenario of one point of a sweep: `overrides` (the --set ones) gain the point's values and,
// for replication k > 0, its seeds ("seed=..." and, with replications.models_seed, "models.seed=..."
// and "models.dir=<models.dir>/seed-<models.seed>", since a directory holds one set of models),
// derived from the seeds the point's values give; then as point_scenario.
Scenario sweep_point_scenario(const ScenarioWithoutSweep& base, const SweepConfig& sweep,
                              std::vector<std::string>& overrides, const SweepPoint& point,
                              const std::filesystem::path& point_dir, bool models_ready);

// The points of the base scenario's sweep block; InputError naming `base_file` when it has none.
std::vector<SweepPoint> sweep_points(const Scenario& base, const std::filesystem::path& base_file);

// Text that is equal for two scenarios exactly when they need the same trained models: the dataset and
// the models block (models.seed included; not whether training is allowed, nor the inference cache).
std::string model_config_key(const Scenario& scenario);

}  // namespace eccsim
