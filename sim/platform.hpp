// The simulated platform, built in code from the scenario: N edge devices, each with its
// own access link (or one shared wireless medium) to a gateway, a shared backhaul from the
// gateway to the cloud, and the cloud hosts. Power profiles are set before sealing.
#pragma once

#include <vector>

#include "sim/scenario/scenario.hpp"

namespace simgrid::s4u {
class Host;
class Link;
}  // namespace simgrid::s4u

namespace eccsim {

struct Platform {
  std::vector<simgrid::s4u::Host*> devices;
  std::vector<simgrid::s4u::Host*> clouds;
  std::vector<simgrid::s4u::Link*> access_links;   // per device uplink (wired) or the one wireless medium
  std::vector<simgrid::s4u::Link*> access_down_links;  // per device downlink (wired)
  std::vector<simgrid::s4u::Link*> backhaul_links; // gateway -> cloud, cloud -> gateway
  simgrid::s4u::Host* controller = nullptr;        // runs the bookkeeping actors (faults, phases,
                                                   // progress); never fails, never communicates
};

// Builds and seals the platform in the engine's root zone. Requires an Engine and the
// energy plugins initialised beforehand.
Platform build_platform(const PlatformConfig& config);

}  // namespace eccsim
