// The update stage (ECC-SNN's stage 3) inside the simulation: devices buffer offloaded inputs
// with the cloud's labels (sim/update_buffer.hpp); when enough of them belong to the classes of
// the next head (sim/policy/head_classes.hpp: the cloud's order, or the split's next task), the
// edge model learns them for real (a new head, with policy.update.method), on the device or in
// the cloud, and the new model is installed once its training time (and, in cloud mode, its
// transfers) have passed. oracle mode follows the authors' code instead: each
// phase start brings the new task's labelled training split (plus, for the rehearsal methods, a
// labelled memory of the earlier tasks).
#pragma once

#include <memory>

#include "sim/actors/run_state.hpp"

namespace eccsim {

// Whether the edge model answers any request: not under cloud_only, whose devices send every
// input, so no update runs there (a cloud-only system has no edge model to keep learning).
bool edge_model_serves(const Scenario& scenario);

// The test image the device's scheduled `request` carries: the one drawn, or when a model the
// device has installed or is getting trained on it, the next one of its phase's pool that none did
// (docs/updates.md, Evaluation); -1 when every image of the pool was trained on.
int64_t request_sample(DeviceView device, const ScheduledRequest& request);

// Called after a cloud-labelled sample joined the device's buffer (and after an install): starts
// an update when the next head's classes meet the trigger and none is under way.
void consider_update(DeviceView device);

// Makes `model` serve the device's requests from now on.
void install_model(DeviceView device, const std::shared_ptr<const EdgeModel>& model);

// Actor for oracle mode: trains each new task at its phase start and installs it everywhere.
void oracle_scheduler(RunState* state);

}  // namespace eccsim
