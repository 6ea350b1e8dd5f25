// The cost model: every formula that turns work into simulated time or energy (docs/modelling.md, Cost
// model, lists each with its constants and sources). Pure: no SimGrid; the actors call it and
// charge what it returns where and when the work happens.
//   edge inference  ops: E_MAC x first-layer MACs + E_AC x (synaptic ops + neuron updates), and
//                   E_mem x accesses (one per MAC and synaptic op, two per neuron update) beside it;
//                   power: (busy - idle) x time; constant: the paper's per-inference values
//   edge training   the same prices on the training's op counts (models/train/incremental.cpp)
//   cloud           a batch or a training run holds one core; its energy is that core's dynamic
//                   share (busy - idle) / cores x time, as SimGrid's host energy plugin counts it;
//                   the hosts' idle power is the run's, not any request's, unless attributed
//   idle            (output.idle_energy: held) the idle power of the processor or core a piece of
//                   work held, for its own duration: an inference, a batch (split over its
//                   requests), a training
//   radio           transmit power x transmission time, or a Wi-Fi station's tx/rx states x airtime;
//                   a transfer cut by a fault: the same up to the cut
//   radio tail      (platform.device.radio_tail) after each transfer the radio stays in its tail
//                   states until the next transfer starts or the tail ends
#pragma once

#include <vector>

#include "models/nets/model_api.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// A multiply and an add on the cloud's processors.
constexpr double kFlopPerMac = 2;

struct Cost {
  double duration_s = 0;
  double energy_J = 0;           // for a cloud batch: per request
  double memory_energy_J = 0;    // device ops mode: its memory accesses (inside energy_J when charged)
  // The idle power of the processor or core the work held, for its own duration (a cloud batch:
  // per request). The host draws it anyway; output.idle_energy: held attributes it to the work.
  // Constant modes: 0 (the paper's figures are whole).
  double idle_energy_J = 0;
};

// One inference of the edge model on `device` (time = ops / speed in ops and power modes).
Cost edge_inference_cost(const DeviceConfig& device, const EdgePrediction& prediction);

// Training on `device`'s processor: time = ops / speed; energy priced as inference is (one memory
// access per op).
Cost device_training_cost(const DeviceConfig& device, const EdgeOps& ops);

// `batch_macs` holds the MACs of each request in the batch; `latency` is the scenario's curve
// (empty for latency model flops).
Cost cloud_batch_cost(const CloudConfig& cloud, const BatchLatencyCurve& latency,
                      const std::vector<double>& batch_macs);

// Training on one cloud core, on dense hardware: 2 flop per MAC at the core's speed.
Cost cloud_training_cost(const CloudConfig& cloud, double dense_macs);
// What a cloud host executes for that training (flop), on one core.
double cloud_training_flops(double dense_macs);

// The dynamic power of one busy cloud core: (busy - idle) / cores.
double cloud_core_dynamic_W(const CloudConfig& cloud);
// The idle power of one cloud core: idle / cores.
double cloud_core_idle_W(const CloudConfig& cloud);

// A device's radio sending `bytes` while transmitting for `transmit_s`: transmit_power mode,
// radio_tx x transmit_s (the paper's 5.48 W x 1.6 ms); wifi_states, the station's tx power x the
// bytes' airtime at its rate level `station_rate_Bps` (whatever the crowd: the cell shares time).
double upload_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                             double bytes, double transmit_s);
// The same radio receiving `bytes`: wifi_states, rx power x airtime; transmit_power counts none.
double download_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                               double bytes);
// A transfer of `bytes` cut by a failed link or host `elapsed_s` after it started: the radio sent
// (or received) until then. transmit_power: radio_tx x elapsed_s when sending, nothing when
// receiving; wifi_states: tx or rx power x the airtime it had, at most the whole message's.
double cut_transfer_radio_energy_J(const DeviceConfig& device, const WifiPowerConfig& wifi, double station_rate_Bps,
                                   double bytes, double elapsed_s, bool sending);

// One state of a radio's tail: its average power, for its duration.
struct TailState {
  double duration_s = 0;
  double power_W = 0;
};
// The states a device's radio goes through once its last transfer ends, in order (none: empty).
//   lte:  AT&T ARO's default LTE profile (com.att.aro.model.ProfileLTE): 0.1 s of continuous
//         reception at 1.2 W (the inactivity timer), then 0.02 s of short DRX and 10 s of long DRX,
//         each a 2 ms ping at 1.68 W every 20 ms (short) or 40 ms (long) and 1.06 W in between
//   wifi: ARO's default Wi-Fi profile (ProfileWiFi): 0.25 s at its active power, 0.403 W
//   constant: radio_tail_power for radio_tail_time
std::vector<TailState> radio_tail_states(const DeviceConfig& device);
// A tail that lasted `elapsed_s` (cut short by the next transfer, or whole).
double radio_tail_energy_J(const std::vector<TailState>& tail, double elapsed_s);

// A transfer on a device's radio, sending or receiving.
struct RadioUse {
  double start_s = 0;
  double end_s = 0;
};
// The tails of a radio that made `uses` (any order, overlaps allowed) over a run ending at
// run_end_s: one after each moment the radio falls silent, cut by its next transfer or the run's end.
double radio_tails_energy_J(const DeviceConfig& device, std::vector<RadioUse> uses, double run_end_s);

}  // namespace eccsim
