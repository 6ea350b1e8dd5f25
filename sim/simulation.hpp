// One simulation run: platform, actors, engine, and the records they produce. One per
// process (SimGrid keeps one engine per process).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "sim/engine_setup.hpp"
#include "sim/inference_cache.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/offload_plugin.hpp"
#include "sim/policy/offload_policy.hpp"
#include "sim/report/metrics.hpp"
#include "sim/report/network_ledger.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

class EdgeModel;
class CloudModel;

struct SimulationInputs {
  const Scenario* scenario = nullptr;
  const Dataset* dataset = nullptr;
  const TaskSplit* split = nullptr;
  const EdgeModel* edge_model = nullptr;    // the model every device starts with
  const CloudModel* cloud_model = nullptr;
  // The checkpoints edge_model and cloud_model were read from: the keys of their prediction
  // stores (models.persistent_cache, in models.dir/predictions). Empty: outputs are not kept.
  std::filesystem::path edge_checkpoint;
  std::filesystem::path cloud_checkpoint;
  EngineOptions engine;
  BatchLatencyCurve cloud_latency;          // cloud_latency_curve(scenario): read before the engine starts
  std::shared_ptr<OffloadPluginLibrary> offload_plugin;   // open_offload_plugin(scenario): null without one
};

struct SimulationResult {
  std::vector<RequestRecord> requests;      // by request_id
  std::vector<DeviceMeasures> device_measures;  // by device
  std::vector<UpdateRecord> updates;        // by completion time
  std::vector<OutageRecord> outages;        // by failure time
  std::vector<ThresholdRecord> thresholds;  // calibrations and budget windows, by time
  std::vector<TrainedSampleRecord> trained_samples;  // what each update trained on, in training order
  std::vector<HeldOutSample> held_out;       // the evaluation and calibration sets, by sample
  std::vector<AccuracyRow> accuracy_matrix;  // the initial model, then every install, on the evaluation set
  Threshold offload_threshold;              // the fleet's at the start (given or calibrated)
  int64_t calibration_samples = 0;          // test images held out to calibrate it
  double simulated_s = 0;
  double cloud_energy_J = 0;                // cloud hosts, energy plugin (idle included)
  double cloud_idle_energy_J = 0;           // of it, the idle power: what no batch or training was charged
  double access_point_energy_J = 0;         // the Wi-Fi access points' radios (also in the cells' rows of links)
  std::vector<LinkRecord> links;            // links.csv
  InferenceStats inference;
};

// RunFailure (exit 1) when the offload plugin failed during the run; nothing is returned then.
SimulationResult simulate(const SimulationInputs& inputs);

}  // namespace eccsim
