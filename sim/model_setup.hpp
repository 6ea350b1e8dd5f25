// The bridge from a scenario to the learned models: the dataset, its class-incremental split,
// and the setup stage's checkpoints (loaded from models.dir, or trained there first).
#pragma once

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "models/train/setup.hpp"
#include "models/nets/cloud_model.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct ScenarioData {
  Dataset dataset;
  TaskSplit split;
};

// What one offload sends (its image up, its logits down), from the dataset's shape: fixed for the
// packaged datasets, peeked from the files of a user's own (InputError naming dataset.path).
OffloadMessageBytes offload_message_bytes(const Scenario& scenario);

// Each TorchScript model's file exists (InputError naming models.<role>.path otherwise): what
// `eccsim validate` checks of the models without loading them.
void check_model_files(const Scenario& scenario);

// Loads the scenario's dataset and cuts it into tasks; InputError naming the dataset key on failure.
ScenarioData load_scenario_data(const Scenario& scenario);

// The setup stage's options for this scenario (`quick` forces the quick profile).
SetupOptions setup_options(const Scenario& scenario, bool quick);

// Loads or trains the models the scenario needs. A cloud model trained here gets its serving
// profile measured and stored (profile_cloud_latency) as part of the setup stage.
TrainedModels prepare_models(const Scenario& scenario, const ScenarioData& data, bool quick);

// Times the cloud model at batch sizes 1, 2, 4 ... 256 on this machine (one thread) and writes
// models.dir/cloud_latency.csv atomically, for platform.cloud.latency.model: profile.
std::vector<BatchLatencyPoint> profile_cloud_latency(const Scenario& scenario, const ScenarioData& data,
                                                     const CloudModel& cloud);

}  // namespace eccsim
