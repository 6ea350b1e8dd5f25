// What the actors of one run share, by owner:
//  - RunInputs: fixed before the engine starts (scenario, data, models, hosts, request schedules);
//    actors only read them.
//  - DeviceState: one per device, written by that device's actors, the update stage installing a
//    model on it, and a fault taking it down.
//  - RunLog: the records the run produces; requests are settled only through its RequestLog.
// Actors run one at a time between simulation calls, so plain fields need no lock.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "sim/actors/couriers.hpp"
#include "sim/actors/inbox.hpp"
#include "sim/actors/messages.hpp"
#include "sim/inference_cache.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/battery.hpp"
#include "sim/policy/budget_controller.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/policy/head_classes.hpp"
#include "sim/policy/offload_plugin.hpp"
#include "sim/policy/offload_policy.hpp"
#include "sim/policy/update_buffer.hpp"
#include "sim/report/metrics.hpp"
#include "sim/report/network_ledger.hpp"
#include "sim/report/request_log.hpp"
#include "sim/scenario/fleet.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/workload/workload.hpp"

namespace simgrid::s4u {
class Host;
}

namespace eccsim {

class EdgeModel;
class CloudModel;
class DeviceBell;

struct RunInputs {
  RunInputs(const Scenario& scenario_, const TaskSplit& split_, const Dataset& dataset_, const CloudModel& cloud_model_)
      : scenario(scenario_), split(split_), dataset(dataset_), cloud_model(cloud_model_) {}

  const Scenario& scenario;
  const TaskSplit& split;
  const Dataset& dataset;
  const CloudModel& cloud_model;
  Fleet fleet;                                           // sites and groups; a device's hardware and access
  std::vector<simgrid::s4u::Host*> device_hosts;
  std::vector<simgrid::s4u::Host*> cloud_hosts;
  std::vector<std::vector<ScheduledRequest>> schedules;  // per device
  SamplePools pools;                                     // the test images each phase draws from
  std::vector<int64_t> first_request_id;                 // per device: id of its first request
  std::vector<double> uplink_latency_s;                  // per device: propagation latency to its cloud host
  // Threshold calibration (policy.offload.target_cur, budget): the held-out test images (never
  // requested), their re-indexed labels, each phase's class shares and the whole run's class mix.
  std::vector<int64_t> calibration_samples;
  std::vector<int32_t> calibration_labels;
  std::vector<int64_t> evaluation_samples;               // sorted: never requested nor trained on (docs/updates.md, Evaluation)
  std::vector<std::vector<double>> phase_class_shares;
  std::vector<double> class_mix;
  double image_bytes = 0;                                // one offloaded input
  double logits_bytes = 0;                               // one cloud reply
  BatchLatencyCurve cloud_latency;                       // platform.cloud.latency (empty: flops)

  simgrid::s4u::Host* cloud_of(int device) const { return cloud_hosts[device % cloud_hosts.size()]; }
  const DeviceConfig& device_config(int device) const { return fleet.group_of(device).device; }
  int64_t request_id(int device, size_t k) const { return first_request_id[device] + static_cast<int64_t>(k); }
  int64_t requests() const {
    return schedules.empty() ? 0 : first_request_id.back() + static_cast<int64_t>(schedules.back().size());
  }
  // Of an upload of `bytes` that took `duration_s`, the time its radio was not transmitting: the
  // route's latency (times the flow model's latency factor, which stands for a protocol's round
  // trips); on the packet model, everything beyond the bytes' own transmission on the access link
  // (the handshake's and slow start's round trips are waits, not transmissions).
  double upload_latency_s(int device, double bytes, double duration_s) const {
    const NetworkConfig& network = scenario.platform.network;
    if (network.model == NetworkModel::Packet)
      return std::max(0.0, duration_s - bytes / (kPacketPayloadShare * fleet.group_of(device).access.bandwidth_Bps));
    return latency_factor_for(network, bytes) * uplink_latency_s[device];
  }
};

// The offloading side of one device: the threshold its filter judges by, offloaded requests
// awaiting their reply, and its view of the cloud's health (consecutive timeouts put the cloud
// offline for a back-off period).
struct OffloadState {
  Threshold threshold;                      // given, or calibrated for the model serving now
  std::optional<BudgetController> budget;   // policy.offload.budget: adapts the threshold online
  double next_trace_s = 0;                  // the budget's next row in thresholds.csv
  std::map<int64_t, double> deadline_s;     // request_id -> time the reply is due
  int consecutive_timeouts = 0;
  double offline_until_s = -1;              // no offloading before this time
  double offline_s = 0;                     // total back-off time
  std::unique_ptr<OffloadPluginInstance> plugin;  // filter plugin: the device's instance
};

// The learning side of one device.
struct DeviceLearning {
  std::shared_ptr<const EdgeModel> model;   // the model serving requests now
  std::deque<BufferedSample> buffer;        // cloud-labelled inputs, bounded by policy.update.buffer
  LabelOrder label_order;                   // the classes the cloud labelled into the buffer, first-labelled first
  bool updating = false;                    // an update is being trained or transferred
  size_t next_request = 0;                  // index in the schedule of the next request to serve
  std::vector<int64_t> trained_on;          // sorted: test images its models trained on, never requested again
};

struct DeviceState {
  DeviceLearning learning;
  OffloadState offload;
  Battery battery;                          // platform.device.battery (mains: never empties)
  std::vector<RadioUse> radio_uses;         // its radio's transfers, kept when the radio has a tail
};

// A request's image or reply on its way; those still moving when the run ends are charged what
// their radio spent until then.
struct TransferInFlight {
  int device = 0;
  double t_start_s = 0;
  double bytes = 0;
};

// A model a device started to serve with (accuracy_matrix.csv evaluates it after the run).
struct InstallRecord {
  int device = 0;
  double t_s = 0;
  std::shared_ptr<const EdgeModel> model;
};

struct RunLog {
  RequestLog requests;                      // by request_id
  std::vector<UpdateRecord> updates;        // in order of completion
  std::vector<OutageRecord> outages;        // in order of failure
  std::vector<ThresholdRecord> thresholds;  // calibrations and budget windows, in simulated time order
  std::vector<TrainedSampleRecord> trained_samples;  // what each update trained on, in training order
  std::vector<InstallRecord> installs;               // every install after the start, in time order
};

struct RunState {
  RunState(const RunInputs& inputs_, InferenceCache& inference_, std::vector<RequestRecord> records,
           NetworkLedger network_)
      : inputs(inputs_),
        inference(inference_),
        devices(inputs_.schedules.size()),
        log{RequestLog(std::move(records)), {}, {}, {}, {}, {}},
        network(std::move(network_)) {}

  const RunInputs& inputs;
  InferenceCache& inference;                 // model outputs, shared by every actor
  std::vector<DeviceState> devices;
  RunLog log;
  std::vector<std::shared_ptr<const EdgeModel>> models;  // every model of the run, kept alive
  bool fleet_updating = false;                           // scope fleet: one update at a time
  std::vector<int64_t> fleet_trained_on;                 // scope fleet: sorted test images every model trained on
  std::map<const void*, int> outages_holding;            // per failed link or host: outages holding it down
  NetworkLedger network;                                 // what crossed each link
  double cloud_busy_s = 0;                               // core-seconds of cloud batches and training
  std::map<int64_t, TransferInFlight> uploads_in_flight; // by request id, until received or lost
  std::map<int64_t, TransferInFlight> replies_in_flight;
  std::deque<Inbox> inboxes;                             // every server's mailbox (stable addresses)
  std::unique_ptr<Couriers> couriers;                    // uploads, and the replies to devices driven as state
  std::shared_ptr<DeviceBell> bell;                      // devices driven as state: tells their pools of changes
  // Called when a device's host went down or came back, or its battery emptied (devices driven as state).
  std::function<void(int device)> device_changed;
  std::shared_ptr<LossReporter> losses = std::make_shared<LossReporter>();  // points here while the engine runs
};

// One device's part of a run, for the code that acts on one device (its actor, its updates, its
// threshold, a fault taking it down): its own state, hardware and request stream by name, so that
// such code never indexes the fleet's vectors. What the fleet shares (the records, the inference
// cache, the network ledger, scope fleet's update state) is reached through run(). Passed by value.
class DeviceView {
 public:
  DeviceView(RunState& run, int index) : run_(&run), index_(index) {}

  int index() const { return index_; }
  RunState& run() const { return *run_; }
  const RunInputs& inputs() const { return run_->inputs; }
  const Scenario& scenario() const { return run_->inputs.scenario; }

  DeviceState& state() const { return run_->devices[static_cast<size_t>(index_)]; }
  DeviceLearning& learning() const { return state().learning; }
  OffloadState& offload() const { return state().offload; }
  Battery& battery() const { return state().battery; }

  const GroupConfig& group() const { return run_->inputs.fleet.group_of(index_); }
  const DeviceConfig& config() const { return group().device; }
  simgrid::s4u::Host* host() const { return run_->inputs.device_hosts[static_cast<size_t>(index_)]; }
  simgrid::s4u::Host* cloud_host() const { return run_->inputs.cloud_of(index_); }
  const std::vector<ScheduledRequest>& schedule() const { return run_->inputs.schedules[static_cast<size_t>(index_)]; }
  int64_t request_id(size_t k) const { return run_->inputs.request_id(index_, k); }
  RequestLog& requests() const { return run_->log.requests; }

 private:
  RunState* run_;
  int index_;
};

}  // namespace eccsim
