// Scheduled faults (scenario `faults`): links and hosts turned off at `at` and back on after
// `for`. Targets: backhaul (both directions), access[i] (device i's links, or the Wi-Fi
// medium), cloud (every cloud host), cloud[j], device[i].
#pragma once

#include <memory>
#include <vector>

#include "sim/cloud_server.hpp"
#include "sim/platform.hpp"
#include "sim/run_state.hpp"

namespace eccsim {

struct FaultInjectorConfig {
  FaultConfig fault;
  const Platform* platform = nullptr;
  std::vector<std::shared_ptr<CloudQueue>> cloud_queues;   // per cloud host
};

// Actor (daemon): applies one fault.
void inject_fault(FaultInjectorConfig config, RunState* state);

}  // namespace eccsim
