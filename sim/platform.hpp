// The simulated platform, built in code from the scenario: N edge devices, each with its
// own access links to the gateway (wired) or a station of one SimGrid Wi-Fi cell whose access
// point is the gateway (wifi), a shared backhaul from the gateway to the cloud, and the cloud
// hosts. Power profiles are set before sealing.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/report/network_ledger.hpp"
#include "sim/scenario/scenario.hpp"

namespace simgrid::s4u {
class Host;
class Link;
}  // namespace simgrid::s4u

namespace eccsim {

struct Platform {
  std::vector<simgrid::s4u::Host*> devices;
  std::vector<simgrid::s4u::Host*> clouds;
  std::vector<simgrid::s4u::Link*> access_links;   // wired: per device uplink; wifi: the air link, the AP uplinks
  std::vector<simgrid::s4u::Link*> access_down_links;  // per device downlink (wired)
  std::vector<simgrid::s4u::Link*> backhaul_links; // gateway -> cloud, cloud -> gateway
  simgrid::s4u::Host* controller = nullptr;        // runs the bookkeeping actors (faults, phases,
                                                   // progress); never fails, never communicates
  NetworkLedger ledger;                            // every link and every device's route (moved into the run state)
  std::vector<simgrid::s4u::Link*> ledger_links;   // the link of each ledger index
};

// The rate level of each of `devices` stations (access.stations: round_robin, fixed, or a
// seeded draw by access.shares).
std::vector<int> station_levels(const AccessConfig& access, int devices, uint64_t seed);

// Builds and seals the platform in the engine's root zone. Requires an Engine and the
// energy plugins initialised beforehand.
Platform build_platform(const PlatformConfig& config, uint64_t seed);

}  // namespace eccsim
