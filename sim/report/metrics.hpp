// Per-request records and the run's aggregates (docs/outputs.md, Outputs). Records are plain
// structs pushed into a sink by the actors; summaries are computed from them, never parsed
// back out of logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/fleet.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// held_back: a cloud_only request the device did not send while it backed off from the cloud, and
// which it cannot answer itself; like a dropped one, it has no answer.
enum class Outcome { Edge, Cloud, Fallback, Dropped, HeldBack };
template <>
struct Choice<Outcome> {
  static constexpr std::array<std::string_view, 5> names{"edge", "cloud", "fallback", "dropped", "held_back"};
};

// Why a request did not take its normal path (empty in requests.csv when it did).
// stream_exhausted: dropped because every image of its phase had been trained on (policy.update.exclude_trained).
enum class RequestReason { None, Timeout, CloudOffline, DeviceDown, Battery, StreamExhausted };
template <>
struct Choice<RequestReason> {
  static constexpr std::array<std::string_view, 6> names{"", "timeout", "cloud_offline", "device_down", "battery",
                                                         "stream_exhausted"};
};

// installed, or abandoned: a transfer failed or the device went down.
enum class UpdateStatus { Installed, Abandoned };
template <>
struct Choice<UpdateStatus> {
  static constexpr std::array<std::string_view, 2> names{"installed", "abandoned"};
};

// Why an update was abandoned on its device (empty when installed): the device was down or went
// down (battery: its battery emptied), its cloud host was down, a transfer of the update failed
// on a link, or the model it was to download never reached the cloud (the trainer's upload failed).
enum class UpdateReason { None, DeviceDown, Battery, CloudDown, TransferFailed, ModelUploadFailed };
template <>
struct Choice<UpdateReason> {
  static constexpr std::array<std::string_view, 6> names{"", "device_down", "battery", "cloud_down",
                                                         "transfer_failed", "model_upload_failed"};
};

struct RequestRecord {
  int64_t request_id = 0;
  int device = 0;
  double t_arrival_s = 0;
  double t_done_s = 0;
  int64_t sample = 0;
  int32_t label = 0;
  int task = 0;                  // task the label belongs to
  int phase = 0;                 // workload phase at arrival
  int32_t edge_pred = -1;        // -1: the edge model did not run (cloud_only)
  double score = 0;              // the offload filter's score
  bool offloaded = false;
  bool explored = false;         // offloaded by exploration although the filter kept it on the edge
  int32_t cloud_pred = -1;       // -1: no cloud answer used
  int32_t final_pred = -1;
  Outcome outcome = Outcome::Edge;
  RequestReason reason = RequestReason::None;
  bool settled = false;          // the request has its final answer (or was dropped)
  // latency_s = t_done_s - t_arrival_s = edge_queue_s + edge_compute_s + edge_wait_s + uplink_s
  //           + cloud_queue_s + cloud_compute_s + downlink_s + fallback_wait_s + drop_wait_s
  double latency_s = 0;
  double edge_queue_s = 0;       // waiting for the device's processor
  double edge_compute_s = 0;     // the inference's own time (cost model)
  double edge_wait_s = 0;        // the inference slowed down by an update training on the same processor
  double uplink_s = 0;
  double cloud_queue_s = 0;      // waiting for a batch to form and a core to free up
  double cloud_compute_s = 0;
  double downlink_s = 0;
  double fallback_wait_s = 0;    // waiting for a reply that did not come in time
  double drop_wait_s = 0;        // dropped: from arrival to the drop (the other parts are then 0)
  double edge_energy_J = 0;
  double radio_energy_J = 0;
  double cloud_energy_J = 0;
  double edge_memory_energy_J = 0;   // ops mode: the inference's memory accesses (in edge_energy_J when charged)
  double idle_energy_J = 0;      // output.idle_energy held: the idle power it held (held_*); else 0
  double held_edge_idle_J = 0;   // the device's idle power over the inference's own time (cost model)
  double held_cloud_idle_J = 0;  // its share of the idle power of the cloud core its batch held
  // Counterfactual predictions of the two baselines on the same input (not simulated).
  int32_t edge_only_pred = -1;
  int32_t cloud_only_pred = -1;

  bool correct() const { return final_pred == label; }
};

// What the simulation measured of one device beside its requests' records.
struct DeviceMeasures {
  double host_energy_J = 0;      // SimGrid host energy plugin
  double idle_energy_J = 0;      // idle power over the whole run
  double offline_s = 0;          // time the device considered the cloud down (back-off)
  int wifi_level = -1;           // its Wi-Fi rate level; -1: wired
  double wifi_radio_energy_J = 0;  // its Wi-Fi radio in idle/tx/rx states over the run (wifi)
  double radio_tail_energy_J = 0;  // its radio's tails after its transfers (platform.device.radio_tail)
  double battery_left_J = -1;    // charge left at the end; -1: mains powered
  double death_s = -1;           // when its battery emptied; -1: it did not
};

struct DeviceTotals {
  int device = 0;
  int64_t requests = 0;
  int64_t offloaded = 0;
  int64_t fallbacks = 0;
  int64_t correct = 0;
  double busy_s = 0;
  double inference_energy_J = 0;
  double radio_energy_J = 0;
  double offline_s = 0;          // time the device considered the cloud down (back-off)
  double idle_energy_J = 0;      // idle power over the whole run
  double host_energy_J = 0;      // SimGrid host energy plugin
  int wifi_level = -1;           // -1: wired
  double wifi_radio_energy_J = 0;
  double radio_tail_energy_J = 0;
  double battery_left_J = -1;    // -1: mains powered
  double death_s = -1;           // -1: alive at the end
};

// One model update installed on one device (scope fleet: one row per device, costs each).
struct UpdateRecord {
  int device = 0;
  double t_start_s = 0;          // trigger (on_device, cloud) or phase start (oracle)
  double t_end_s = 0;            // the new model serves from here on
  UpdateMode mode = UpdateMode::None;  // on_device | cloud | oracle
  UpdateMethod method = UpdateMethod::ReplayAligned;
  int64_t samples = 0;           // training samples of the new classes
  int classes_added = 0;
  int task = 0;                  // the head added (its index); its classes: `classes`
  std::vector<int32_t> classes;  // the (re-indexed) labels the head learned, ascending
  double train_ops = 0;          // on the device: its ops (MACs + ACs); in the cloud: dense MACs
  double duration_s = 0;         // training, or for a device that only installs, its download
  double train_energy_J = 0;     // the device's ops, or the cloud core's dynamic share
  double radio_energy_J = 0;     // this device's radio for the update's transfers
  double energy_J = 0;           // train_energy_J + radio_energy_J + idle_energy_J
  double idle_energy_J = 0;      // output.idle_energy held: the idle power its training held (held_*); else 0
  double held_device_idle_J = 0; // on the device: its idle power over the training's own time
  double held_cloud_idle_J = 0;  // in the cloud: the idle power of the core the training held
  double train_memory_energy_J = 0;  // on the device, ops mode: the training's memory accesses (in train_energy_J when charged)
  double bytes_up = 0;           // buffer upload (cloud mode) or model upload (on_device, scope fleet)
  double bytes_down = 0;         // weight download (cloud mode; on_device, scope fleet: the other devices)
  int64_t model_version = 0;
  UpdateStatus status = UpdateStatus::Installed;
  UpdateReason reason = UpdateReason::None;
};

// One model version on the evaluation set (accuracy_matrix.csv): task-agnostic accuracy (argmax over
// every head) on each task's held-out images. Bookkeeping, not simulated.
struct AccuracyRow {
  int device = -1;               // -1: the model every device starts with
  int64_t model_version = 0;
  double t_installed_s = 0;
  int tasks_learned = 0;         // heads of the model
  std::vector<double> task_accuracy;   // per task (0 for a task not learned yet)
};

// When the continual-learning metrics look at the models: the end of a workload phase, by which
// the stream has brought `tasks_seen` tasks.
struct EvaluationPoint {
  double t_s = 0;
  int tasks_seen = 1;
};

// The continual-learning metrics of the accuracy matrix (Chaudhry et al., ECCV 2018; Rebuffi et al.,
// CVPR 2017), per device then averaged over devices. At each point p the device's model then serving
// has A_p = its mean accuracy over the tasks seen so far (learned or not); final = A at the last
// point; average incremental = mean of A_p; forgetting = mean over the tasks k seen before the last
// point of (best accuracy on k at an earlier point since k was seen - the last one's).
struct ContinualMetrics {
  std::optional<double> final_average_accuracy;
  std::optional<double> average_incremental_accuracy;
  std::optional<double> forgetting;    // none with a single point
};
ContinualMetrics continual_metrics(const std::vector<AccuracyRow>& rows, int devices,
                                   const std::vector<EvaluationPoint>& points);

// One test image kept out of the stream (held_out.csv): never requested, never trained on.
struct HeldOutSample {
  int64_t sample = 0;
  int32_t label = 0;             // re-indexed class
  std::string set;               // evaluation | calibration
};

// One image an update trained on (trained_samples.csv): after t_trained_s no model that learned
// from it serves a request carrying it (the devices of `device`, or with fleet scope every device).
struct TrainedSampleRecord {
  int device = 0;                // the device whose buffer it came from; -1: oracle (every device)
  int task = 0;                  // the head the update added (its index)
  std::vector<int32_t> classes;  // its (re-indexed) labels
  int64_t model_version = 0;     // the version the update made
  double t_trained_s = 0;        // when the training took the sample (its start)
  bool fleet = false;            // scope fleet (or oracle): every device installs the model
  std::string split;             // test (a stream image) | train (oracle: the task's training data)
  int64_t sample = 0;            // index into that split
};

// A device's offload threshold set (thresholds.csv): calibrated before the run or for an installed
// model (requests = held-out images, cur = the share the filter aims at), or a budget window's end
// (requests = inputs in the window, cur = their share offloaded).
enum class ThresholdSource { Calibration, Budget };
template <>
struct Choice<ThresholdSource> {
  static constexpr std::array<std::string_view, 2> names{"calibration", "budget"};
};

struct ThresholdRecord {
  int device = 0;
  double t_s = 0;
  ThresholdSource source = ThresholdSource::Calibration;
  double threshold = 0;
  double tie_share = 0;          // share of inputs scoring exactly the threshold that are offloaded
  int64_t requests = 0;
  double cur = 0;
};

// One outage of a fault target (scenario `faults`): when it went down and came back up.
struct OutageRecord {
  int fault = 0;                 // index in the scenario's faults list
  std::string target;
  double t_down_s = 0;
  double t_up_s = 0;             // the run's end when it was still down then
};

// Energy the run measured beside its records: with the records' energies it makes total_energy_J.
struct RunEnergy {
  double network_J = 0;          // every link over the run (links.csv)
  double cloud_idle_J = 0;       // the cloud hosts' idle power over the run (no request's)
};

// Denominators (docs/outputs.md, Outputs): `requests` counts every generated request, `answered` those not
// dropped; accuracy and energy_per_request_J are over all requests (a dropped one is wrong and costs
// what it spent), the *_answered figures over the answered ones, latency over the answered ones.
// A mean, share or percentile over no request (or AccI with equal baselines) is none: an empty cell.
struct Summary {
  int64_t requests = 0;
  int64_t answered = 0;          // neither dropped nor held back
  std::optional<double> availability;       // answered / requests
  std::optional<double> accuracy;
  std::optional<double> accuracy_answered;  // correct / answered
  std::optional<double> edge_only_accuracy;
  std::optional<double> cloud_only_accuracy;
  std::optional<double> cur;                // share of requests offloaded
  std::optional<double> acci;               // (acc - acc_edge) / (acc_cloud - acc_edge); none when undefined
  std::optional<double> threshold;  // the score filter's at the start (given or calibrated); none otherwise
  std::optional<double> latency_mean_s;
  std::optional<double> latency_p50_s;
  std::optional<double> latency_p95_s;
  std::optional<double> latency_p99_s;
  std::optional<double> offloaded_latency_p50_s;   // answered requests that were offloaded (cloud answers, fallbacks)
  std::optional<double> offloaded_latency_p95_s;
  std::optional<double> energy_per_request_J;
  std::optional<double> edge_energy_per_request_J;
  std::optional<double> radio_energy_per_request_J;
  std::optional<double> cloud_energy_per_request_J;
  std::optional<double> idle_energy_per_request_J;   // output.idle_energy held: the idle power the requests held
  double request_energy_J = 0;   // the requests' edge + radio + cloud energy (not a column: x energy_per_request_J)
  std::optional<double> energy_per_answered_request_J;               // the requests' energy / answered
  // (the requests' + the updates' energy + the radios' tails) / answered
  std::optional<double> energy_per_answered_request_with_updates_J;
  double wasted_energy_J = 0;    // radio and cloud energy of offloads whose answer was not used
  double memory_energy_J = 0;    // the devices' memory accesses, inference and training (charged or beside)
  int64_t fallbacks = 0;
  int64_t dropped = 0;
  int64_t held_back = 0;         // cloud_only requests not sent while the device backed off
  double offline_s = 0;          // summed over devices
  int64_t updates = 0;
  double update_bytes = 0;
  double update_energy_J = 0;
  double radio_tail_energy_J = 0;    // the devices' radios in their tails (platform.device.radio_tail)
  double network_energy_J = 0;   // every link over the run (links.csv), idle included
  std::optional<double> network_energy_per_request_J;
  double device_idle_energy_J = 0;   // the devices' idle power while powered
  double cloud_idle_energy_J = 0;
  // Every joule of the run, each counted once: the requests' (edge, radio, cloud), the updates',
  // the radios' tails, the devices' and cloud's idle power and the network's links.
  double total_energy_J = 0;
  std::optional<double> total_energy_per_answered_request_J;   // idle and links attributed evenly to the answers
  int64_t deaths = 0;            // devices whose battery emptied
  std::optional<double> first_death_s;   // none when no device died
  std::optional<double> median_death_s;  // over battery-powered devices; none unless half of them died
  ContinualMetrics evaluation;   // on the evaluation set (accuracy_matrix.csv); none without one
  double simulated_s = 0;
};

// One device group's requests (groups.csv): the summary's request metrics over its devices.
struct GroupTotals {
  std::string group;
  std::string site;
  int devices = 0;
  Summary summary;               // the request metrics, battery deaths, and the energy of its requests,
                                 // its devices' updates and idle power (total_energy_J: the cloud's
                                 // idle power and the network are the fleet's, in summary.csv only)
};

// Per workload phase: the collaboration's and both baselines' correct answers, offloads, and the edge
// model's correct answers on each task's classes (the class-incremental accuracy matrix).
struct PhaseTotals {
  int64_t requests = 0;
  int64_t correct = 0;
  int64_t edge_correct = 0;
  int64_t cloud_correct = 0;
  int64_t offloaded = 0;
  std::vector<int64_t> task_requests;       // per task
  std::vector<int64_t> task_edge_correct;   // per task
};

// The run's aggregates, all computed here from the records: the summary, per device, per phase.
Summary summarise(const std::vector<RequestRecord>& requests, const std::vector<UpdateRecord>& updates = {},
                  const std::vector<DeviceMeasures>& devices = {}, double simulated_s = 0, RunEnergy run = {});
std::vector<DeviceTotals> device_totals(const std::vector<RequestRecord>& requests,
                                        const std::vector<DeviceMeasures>& devices);
std::vector<PhaseTotals> phase_totals(const std::vector<RequestRecord>& requests, int tasks);
std::vector<GroupTotals> group_totals(const std::vector<RequestRecord>& requests,
                                      const std::vector<UpdateRecord>& updates,
                                      const std::vector<DeviceMeasures>& devices, const Fleet& fleet);

// output.idle_energy held: moves the idle power each request and update held (its held_* fields)
// from the devices' and the cloud's idle energy into the record's idle_energy_J, so that every
// total stays the same.
void attribute_held_idle(std::vector<RequestRecord>& requests, std::vector<UpdateRecord>& updates,
                         std::vector<DeviceMeasures>& devices, double& cloud_idle_J);

// Linear-interpolated percentile (q in [0,1]) of unsorted values; 0 for no values.
double percentile(std::vector<double> values, double q);

}  // namespace eccsim
