// Calibration of the flow model on packets: the scenario's own messages sent one at a time over
// each group's route in a packet-level run (SimGrid's ns-3 binding), and the flow model's latency
// and bandwidth factors fitted to them (docs/modelling.md, Network models). Runs an engine: once per process.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

// One message on an idle route: what the packet model took, and the route it crossed.
struct TransferSample {
  std::string group;
  std::string direction;                // up (device -> cloud) or down
  double bytes = 0;
  double route_latency_s = 0;           // sum of the links' latencies
  double bottleneck_Bps = 0;            // the slowest link's bandwidth
  double packet_s = 0;
  // The flow model's time for it with factors a (latency) and b (bandwidth): a L + bytes / (b B).
  double flow_s(double latency_factor, double bandwidth_factor) const;
};

// The bandwidth factor is ns-3's payload share (every byte pays its headers); the latency factor
// is, per message size, the one that makes flow match packet on average over routes and
// directions: one factor for one size, else a table by size with steps at the geometric
// midpoints between measured sizes (a large transfer's slow start costs more round trips).
struct NetworkCalibration {
  std::vector<std::pair<double, double>> latency_factor_by_size;   // (from bytes, factor), from 0
  double bandwidth_factor = 1;
  std::vector<TransferSample> samples;

  double latency_factor(double bytes) const;
};

// Sends uploads of `up_bytes` and replies of `down_bytes` over the first device of each group
// (wired groups only: packet mode's platform) and fits the factors.
NetworkCalibration calibrate_network(const Scenario& scenario, const std::vector<double>& up_bytes,
                                     const std::vector<double>& down_bytes);

}  // namespace eccsim
