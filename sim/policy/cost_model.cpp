// Cost model of edge and cloud inference; see cost_model.hpp for the modes.
#include "sim/policy/cost_model.hpp"

#include <numeric>

namespace eccsim {

InferenceCost edge_inference_cost(const DeviceConfig& device, const EdgePrediction& prediction) {
  if (device.energy == DeviceEnergy::Constant) return {device.constant_latency_s, device.constant_energy_J};
  const double duration_s = (prediction.dense_macs + prediction.synaptic_ops) / device.speed_ops;
  if (device.energy == DeviceEnergy::Power) return {duration_s, device.power_busy_W * duration_s};
  return {duration_s, device.e_mac_J * prediction.dense_macs + device.e_ac_J * prediction.synaptic_ops};
}

InferenceCost cloud_batch_cost(const CloudConfig& cloud, const BatchLatencyCurve& latency,
                               const std::vector<double>& batch_macs) {
  const auto n = static_cast<double>(batch_macs.size());
  if (cloud.energy == CloudEnergy::Constant) return {cloud.constant_latency_s * n, cloud.constant_energy_J};
  constexpr double kFlopPerMac = 2;
  const double duration_s =
      latency.empty() ? kFlopPerMac * std::accumulate(batch_macs.begin(), batch_macs.end(), 0.0) / cloud.speed_flops
                      : latency.seconds(static_cast<int>(batch_macs.size()));
  // The batch holds one core: that core's share of the host's busy power, split evenly.
  const double energy_J = cloud.power_busy_W / cloud.cores * duration_s / n;
  return {duration_s, energy_J};
}

}  // namespace eccsim
