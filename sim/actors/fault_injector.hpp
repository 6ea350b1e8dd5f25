// Faults (scenario `faults`): links and hosts turned off and back on, once at `at` for `for`, or
// at random (a seeded Poisson process of failures with exponential durations). Targets: backhaul
// (both directions), access[i] (device i's links, or the Wi-Fi medium), cloud (every cloud host),
// cloud[j], device[i]. Every outage is recorded (faults.csv).
#pragma once

#include <memory>
#include <vector>

#include "sim/actors/cloud_server.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/platform.hpp"

namespace eccsim {

struct FaultInjectorConfig {
  int fault = 0;                                           // index in scenario.faults
  const Platform* platform = nullptr;
  std::vector<std::shared_ptr<CloudQueue>> cloud_queues;   // per cloud host
};

// Actor (daemon): applies one entry of scenario.faults.
void inject_fault(FaultInjectorConfig config, RunState* state);

}  // namespace eccsim
