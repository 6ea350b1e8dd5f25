// The cost model's formulas; see cost_model.hpp and docs/modelling.md, Cost model.
#include "sim/policy/cost_model.hpp"

#include <algorithm>
#include <numeric>

namespace eccsim {

namespace {

// Time and energy of `ops` making `memory_accesses` on the device's processor (ops and power modes;
// the measured power of the power mode includes the memory's).
Cost device_ops_cost(const DeviceConfig& device, const EdgeOps& ops, double memory_accesses) {
  const double duration_s = ops.total() / device.speed_ops;
  const double idle_J = device.power_idle_W * duration_s;
  if (device.energy == DeviceEnergy::Power)
    return {duration_s, (device.power_busy_W - device.power_idle_W) * duration_s, 0, idle_J};
  const double memory_J = device.e_mem_J * memory_accesses;
  const double alu_J = device.e_mac_J * ops.macs + device.e_ac_J * ops.acs;
  return {duration_s, alu_J + (device.memory_energy == MemoryEnergy::Charge ? memory_J : 0), memory_J, idle_J};
}

}  // namespace

Cost edge_inference_cost(const DeviceConfig& device, const EdgePrediction& prediction) {
  if (device.energy == DeviceEnergy::Constant) return {device.constant_latency_s, device.constant_energy_J};
  const double first_layer_macs =
      prediction.first_layer_macs * (device.first_layer == FirstLayer::PerStep ? prediction.timesteps : 1);
  // A weight read per MAC and per synaptic op; a membrane potential read and write per neuron update.
  const double memory_accesses = first_layer_macs + prediction.synaptic_ops + 2 * prediction.neuron_updates;
  return device_ops_cost(device, {first_layer_macs, prediction.synaptic_ops + prediction.neuron_updates},
                         memory_accesses);
}

Cost device_training_cost(const DeviceConfig& device, const EdgeOps& ops) {
  return device_ops_cost(device, ops, ops.total());
}

double cloud_core_dynamic_W(const CloudConfig& cloud) { return (cloud.power_busy_W - cloud.power_idle_W) / cloud.cores; }

double cloud_core_idle_W(const CloudConfig& cloud) { return cloud.power_idle_W / cloud.cores; }

Cost cloud_batch_cost(const CloudConfig& cloud, const BatchLatencyCurve& latency, const std::vector<double>& batch_macs) {
  const auto n = static_cast<double>(batch_macs.size());
  if (cloud.energy == CloudEnergy::Constant) return {cloud.constant_latency_s * n, cloud.constant_energy_J};
  const double duration_s =
      latency.empty() ? kFlopPerMac * std::accumulate(batch_macs.begin(), batch_macs.end(), 0.0) / cloud.speed_flops
                      : latency.seconds(static_cast<int>(batch_macs.size()));
  return {duration_s, cloud_core_dynamic_W(cloud) * duration_s / n, 0, cloud_core_idle_W(cloud) * duration_s / n};
}

double cloud_training_flops(double dense_macs) { return kFlopPerMac * dense_macs; }

Cost cloud_training_cost(const CloudConfig& cloud, double dense_macs) {
  const double duration_s = cloud_training_flops(dense_macs) / cloud.speed_flops;
  return {duration_s, cloud_core_dynamic_W(cloud) * duration_s, 0, cloud_core_idle_W(cloud) * duration_s};
}

double upload_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                             double bytes, double transmit_s) {
  if (device.radio_energy == RadioEnergy::WifiStates) return wifi.tx_W * bytes / station_rate_Bps;
  return device.radio_tx_W * transmit_s;
}

double download_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                               double bytes) {
  if (device.radio_energy == RadioEnergy::WifiStates) return wifi.rx_W * bytes / station_rate_Bps;
  return 0;
}

double cut_transfer_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                                   double bytes, double elapsed_s, bool sending) {
  elapsed_s = std::max(0.0, elapsed_s);
  if (device.radio_energy == RadioEnergy::WifiStates)
    return (sending ? wifi.tx_W : wifi.rx_W) * std::min(elapsed_s, bytes / station_rate_Bps);
  return sending ? device.radio_tx_W * elapsed_s : 0;
}

std::vector<TailState> radio_tail_states(const DeviceConfig& device) {
  // ARO's LTE DRX: a ping of kPing_s at kPingPower_W once per cycle, the tail power the rest.
  constexpr double kPing_s = 0.002, kPingPower_W = 1.68, kDrxPower_W = 1.06;
  const auto drx_W = [&](double cycle_s) { return (kPing_s * kPingPower_W + (cycle_s - kPing_s) * kDrxPower_W) / cycle_s; };
  switch (device.radio_tail) {
    case RadioTail::None: return {};
    case RadioTail::Lte: return {{0.1, 1.2}, {0.02, drx_W(0.02)}, {10.0, drx_W(0.04)}};
    case RadioTail::Wifi: return {{0.25, 0.403}};
    case RadioTail::Constant: return {{device.radio_tail_time_s, device.radio_tail_power_W}};
  }
  return {};
}

double radio_tail_energy_J(const std::vector<TailState>& tail, double elapsed_s) {
  double energy_J = 0;
  for (const TailState& state : tail) {
    if (elapsed_s <= 0) break;
    energy_J += state.power_W * std::min(elapsed_s, state.duration_s);
    elapsed_s -= state.duration_s;
  }
  return energy_J;
}

double radio_tails_energy_J(const DeviceConfig& device, std::vector<RadioUse> uses, double run_end_s) {
  const std::vector<TailState> tail = radio_tail_states(device);
  if (tail.empty() || uses.empty()) return 0;
  std::sort(uses.begin(), uses.end(), [](const RadioUse& a, const RadioUse& b) { return a.start_s < b.start_s; });
  double energy_J = 0;
  double silent_from_s = uses.front().end_s;   // the end of the transfers that overlap so far
  for (const RadioUse& use : uses) {
    if (use.start_s > silent_from_s) energy_J += radio_tail_energy_J(tail, use.start_s - silent_from_s);
    silent_from_s = std::max(silent_from_s, use.end_s);
  }
  return energy_J + radio_tail_energy_J(tail, run_end_s - silent_from_s);
}

}  // namespace eccsim
