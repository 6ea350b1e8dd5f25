// Simulated time and energy of inferences (README, What is modelled). Edge: `ops`
// (E_MAC per dense MAC + E_AC per synaptic op, time = ops / speed), `power` (busy power x
// time) or `constant` (the paper's measured values). Cloud: a batch holds one core for 2 flop per
// MAC at its speed, for the time a batch-latency curve gives its size (a profile or a table), or
// for a constant time per inference; energy per request is its share of the core's busy power.
#pragma once

#include <vector>

#include "models/nets/model_api.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct InferenceCost {
  double duration_s = 0;
  double energy_J = 0;           // for a batch: per request
};

InferenceCost edge_inference_cost(const DeviceConfig& device, const EdgePrediction& prediction);

// `batch_macs` holds the MACs of each request in the batch; `latency` is the scenario's curve
// (empty for latency model flops).
InferenceCost cloud_batch_cost(const CloudConfig& cloud, const BatchLatencyCurve& latency,
                               const std::vector<double>& batch_macs);

}  // namespace eccsim
