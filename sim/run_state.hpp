// What the actors of one run share: the scenario, the models and their inference cache,
// the precomputed request schedules, each device's current model and local buffer, and the
// record tables the actors fill in.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "sim/inference_cache.hpp"
#include "sim/report/metrics.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/policy/update_buffer.hpp"
#include "sim/actors/workload.hpp"

namespace simgrid::s4u {
class Host;
}

namespace eccsim {

class EdgeModel;
class CloudModel;

// The offloading side of one device: offloaded requests awaiting their reply, and its view of
// the cloud's health (consecutive timeouts put the cloud offline for a back-off period).
// Actors run one at a time between simulation calls, so plain fields need no lock.
struct OffloadState {
  std::map<int64_t, double> deadline_s;     // request_id -> time the reply is due
  int consecutive_timeouts = 0;
  double offline_until_s = -1;              // no offloading before this time
  double offline_s = 0;                     // total back-off time
};

// The learning side of one device.
struct DeviceLearning {
  std::shared_ptr<const EdgeModel> model;   // the model serving requests now
  std::deque<BufferedSample> buffer;        // cloud-labelled inputs, bounded by policy.update.buffer
  bool updating = false;                    // an update is being trained or transferred
  size_t next_request = 0;                  // index in the schedule of the next request to serve
};

struct RunState {
  RunState(const Scenario& scenario_, const TaskSplit& split_, const Dataset& dataset_, const CloudModel& cloud_model_,
           InferenceCache& inference_)
      : scenario(scenario_), split(split_), dataset(dataset_), cloud_model(cloud_model_), inference(inference_) {}

  const Scenario& scenario;
  const TaskSplit& split;
  const Dataset& dataset;
  const CloudModel& cloud_model;
  InferenceCache& inference;
  std::vector<simgrid::s4u::Host*> device_hosts;
  std::vector<simgrid::s4u::Host*> cloud_hosts;
  std::vector<std::vector<ScheduledRequest>> schedules;  // per device
  std::vector<int64_t> first_request_id;                 // per device: id of its first request
  std::vector<double> uplink_latency_s;                  // per device: propagation latency to its cloud host
  std::vector<DeviceLearning> learning;                  // per device
  std::vector<OffloadState> offloads;                    // per device
  std::vector<std::shared_ptr<const EdgeModel>> models;  // every model of the run, kept alive
  bool fleet_updating = false;                           // scope fleet: one update at a time
  std::vector<RequestRecord> records;                    // by request_id
  std::vector<UpdateRecord> updates;                     // in order of completion
  std::vector<OutageRecord> outages;                     // in order of failure
  std::map<const void*, int> outages_holding;            // per failed link or host: outages holding it down
  double image_bytes = 0;                                // one offloaded input
  double logits_bytes = 0;                               // one cloud reply
  int64_t requests_done = 0;

  simgrid::s4u::Host* cloud_of(int device) const { return cloud_hosts[device % cloud_hosts.size()]; }
};

}  // namespace eccsim
