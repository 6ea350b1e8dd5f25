// The threshold each device's filter judges by: the scenario's, or calibrated on the held-out
// images for the model serving (before the run, and again for each model an update installs,
// policy.offload.recalibrate), or adapted online by the device's budget controller. Calibration
// aims at the requests still to come: the whole run's class mix at set-up, the device's remaining
// requests at an install. Every threshold set goes to RunLog::thresholds.
#pragma once

#include "sim/actors/run_state.hpp"

namespace eccsim {

// Sets every device's threshold before the engine starts (the initial model serves everywhere).
// Returns the fleet's starting threshold, which run.json and summary.csv report.
Threshold init_thresholds(RunState& state, const EdgeModel& initial_model);

// `model` now serves the device: a calibrating scenario with recalibrate on sets the threshold again.
void recalibrate(DeviceView device, const EdgeModel& model);

// The threshold for the device's input arriving at now_s: its budget controller's, or the fixed one.
Threshold threshold_now(DeviceView device, const EdgeModel& model, double now_s);

// Tells the device's budget controller (if any) what the input scored and whether it went to the cloud.
void observe_decision(DeviceView device, double now_s, double score, bool offloaded);

}  // namespace eccsim
