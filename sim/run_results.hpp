// What one run measured, collected once the engine has stopped.
#pragma once

#include "sim/simulation.hpp"

namespace eccsim {

class EdgeModel;
class InferenceCache;
struct Platform;
struct RunState;

// The run state's records (requests, updates, outages, thresholds, trained samples), per device
// and link the energy SimGrid's plugins counted, the held-out samples, and the accuracy matrix of
// the initial model and every install on the evaluation set.
SimulationResult collect_result(const Platform& platform, RunState& state, const EdgeModel& initial_model,
                                InferenceCache& inference);

}  // namespace eccsim
