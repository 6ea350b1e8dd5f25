// The simulated platform, built in code from the scenario's fleet: per site a gateway with its
// backhaul to the cloud; per group its devices behind their site's gateway, each with its own
// access links (wired) or a station of the group's SimGrid Wi-Fi cell; and the cloud hosts.
// Power profiles are set before sealing.
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

struct Fleet;

struct Platform {
  std::vector<simgrid::s4u::Host*> devices;
  std::vector<simgrid::s4u::Host*> clouds;
  // Per device, what a fault on access[i] turns off: wired, its uplink and downlink; Wi-Fi, its cell's air link.
  std::vector<std::vector<simgrid::s4u::Link*>> device_access;
  std::vector<std::vector<simgrid::s4u::Link*>> site_backhaul;  // per site: gateway -> cloud, cloud -> gateway
                                                                // (packet mode: one link both ways)
  simgrid::s4u::Host* controller = nullptr;        // runs the bookkeeping actors (faults, phases,
                                                   // progress); never fails, never communicates
  NetworkLedger ledger;                            // every link and every device's route (moved into the run state)
  std::vector<simgrid::s4u::Link*> ledger_links;   // the link of each ledger index
};

// The rate level of each of `devices` stations (access.stations: round_robin, fixed, or a
// seeded draw by access.shares).
std::vector<int> station_levels(const AccessConfig& access, int devices, uint64_t seed);

// Selects the engine's network model; before the platform is built.
void configure_network(const NetworkConfig& network, uint64_t seed);

// Builds and seals the platform in the engine's root zone. Requires an Engine and the
// energy plugins initialised beforehand.
Platform build_platform(const Fleet& fleet, const CloudConfig& cloud, uint64_t seed);

// The same fleet for the packet network model (SimGrid's ns-3 binding, configured beforehand):
// wired access only, every link one ns-3 point-to-point link (docs/modelling.md, Network models).
Platform build_packet_platform(const Fleet& fleet, const CloudConfig& cloud);

// The platform of the scenario's network model (configure_network first): the packet one, or the
// flow one with a calibration file's latency factor by size applied.
Platform build_network_platform(const Fleet& fleet, const CloudConfig& cloud, const NetworkConfig& network,
                                uint64_t seed);

}  // namespace eccsim
