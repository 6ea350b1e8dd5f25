// Thresholds per device. Calibration is paid in wall time only: the held-out images are inferred
// with the model's other batches (and kept in its prediction store), and the simulated devices are
// not charged for it (an operator would calibrate where the model is trained).
#include "sim/offload_thresholds.hpp"

#include <simgrid/s4u/Engine.hpp>

#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/policy/calibration.hpp"

namespace eccsim {

namespace {

// Exploration offloads on top of the filter while the edge lacks classes the cloud knows.
double exploring(const RunState& state, const EdgeModel& model) {
  const OffloadConfig& offload = state.inputs.scenario.policy.offload;
  return model.num_classes() < state.inputs.cloud_model.num_classes() ? offload.explore : 0.0;
}

// The share the filter itself must offload for the scenario's target share.
double aimed_share(const RunState& state, const EdgeModel& model) {
  return filter_share(state.inputs.scenario.policy.offload.target_share(), exploring(state, model));
}

Threshold calibrate(RunState& state, const EdgeModel& model, const std::vector<double>& class_mix) {
  const RunInputs& inputs = state.inputs;
  const OffloadFilter filter = inputs.scenario.policy.offload.filter;
  state.inference.want(model, inputs.calibration_samples);
  const std::vector<double> weights = calibration_weights(inputs.calibration_labels, class_mix);
  std::vector<WeightedScore> scores;
  scores.reserve(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    const double score = filter_score(filter, state.inference.edge(model, inputs.calibration_samples[i]));
    scores.push_back({score, weights[i]});
  }
  return threshold_for_share(filter, std::move(scores), aimed_share(state, model));
}

void record(DeviceView device, double t_s, ThresholdSource source, const Threshold& threshold, int64_t requests,
            double cur) {
  device.run().log.thresholds.push_back(
      {device.index(), t_s, source, threshold.value, threshold.tie_share, requests, cur});
}

// The class mix of the device's requests from its next one on.
std::vector<double> remaining_mix(DeviceView device) {
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  const std::vector<std::vector<double>>& phase_class_shares = device.inputs().phase_class_shares;
  std::vector<int64_t> phase_requests(phase_class_shares.size(), 0);
  for (size_t k = device.learning().next_request; k < schedule.size(); ++k)
    ++phase_requests[static_cast<size_t>(schedule[k].phase)];
  return expected_class_mix(phase_class_shares, phase_requests);
}

void set_threshold(DeviceView device, const EdgeModel& model, Threshold threshold) {
  OffloadState& offload = device.offload();
  offload.threshold = threshold;
  if (offload.budget) offload.budget->restart(threshold);
  record(device, simgrid::s4u::Engine::get_clock(), ThresholdSource::Calibration, threshold,
         static_cast<int64_t>(device.inputs().calibration_samples.size()), aimed_share(device.run(), model));
}

}  // namespace

Threshold init_thresholds(RunState& state, const EdgeModel& initial_model) {
  const OffloadConfig& offload = state.inputs.scenario.policy.offload;
  if (!offload.calibrates_threshold()) {
    const Threshold given = given_threshold(offload.filter, offload.threshold);
    for (DeviceState& device : state.devices) device.offload.threshold = given;
    return given;
  }
  const Threshold start = calibrate(state, initial_model, state.inputs.class_mix);
  for (size_t i = 0; i < state.devices.size(); ++i) {
    OffloadState& device = state.devices[i].offload;
    if (offload.budget_cur >= 0) {
      device.budget.emplace(offload.filter, offload.budget_window_s, start);
      device.next_trace_s = offload.budget_window_s;
    }
    set_threshold(DeviceView(state, static_cast<int>(i)), initial_model, start);
  }
  return start;
}

void recalibrate(DeviceView device, const EdgeModel& model) {
  const OffloadConfig& offload = device.scenario().policy.offload;
  if (!offload.calibrates_threshold() || !offload.recalibrate) return;
  set_threshold(device, model, calibrate(device.run(), model, remaining_mix(device)));
}

Threshold threshold_now(DeviceView device, const EdgeModel& model, double now_s) {
  OffloadState& offload = device.offload();
  if (offload.budget) {
    const double budget = device.scenario().policy.offload.target_share();
    offload.threshold = offload.budget->threshold(now_s, budget, exploring(device.run(), model));
  }
  return offload.threshold;
}

void observe_decision(DeviceView device, double now_s, double score, bool offloaded) {
  OffloadState& offload = device.offload();
  if (!offload.budget) return;
  // A row for each window that ended before this input: the threshold then in force, the window's share.
  for (; offload.next_trace_s <= now_s; offload.next_trace_s += device.scenario().policy.offload.budget_window_s) {
    const double t_s = offload.next_trace_s;
    record(device, t_s, ThresholdSource::Budget, offload.threshold,
           static_cast<int64_t>(offload.budget->window_inputs(t_s)), offload.budget->window_offloaded_share(t_s));
  }
  offload.budget->observe(now_s, score, offloaded);
}

}  // namespace eccsim
