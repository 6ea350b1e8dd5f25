// Fleet: the scenario's sites and groups, or the one site and group a single fleet implies.
#include "sim/scenario/fleet.hpp"

#include <algorithm>

namespace eccsim {

std::vector<GroupConfig> fleet_groups(const Scenario& scenario) {
  const PlatformConfig& platform = scenario.platform;
  std::vector<GroupConfig> groups = platform.groups;
  if (groups.empty()) {
    GroupConfig all;
    all.name = kDefaultGroup;
    all.device = platform.device;
    all.access = platform.access;
    all.workload = scenario.workload;
    all.devices = platform.devices;
    groups.push_back(all);
  }
  for (GroupConfig& group : groups) {
    // Only the arrivals are a group's own; phases, duration and request counts are the run's.
    WorkloadConfig workload = scenario.workload;
    workload.arrival = group.workload.arrival;
    workload.rate_per_s = group.workload.rate_per_s;
    workload.trace = group.workload.trace;
    group.workload = workload;
  }
  return groups;
}

Fleet fleet_of(const Scenario& scenario) {
  const PlatformConfig& platform = scenario.platform;
  Fleet fleet;
  fleet.sites = platform.sites;
  if (fleet.sites.empty()) fleet.sites.push_back({kDefaultSite, platform.backhaul});
  fleet.groups = fleet_groups(scenario);
  for (const GroupConfig& group : fleet.groups) {
    const auto site = std::find_if(fleet.sites.begin(), fleet.sites.end(),
                                   [&](const SiteConfig& s) { return s.name == group.site; });
    fleet.site_of_group.push_back(site == fleet.sites.end() ? 0 : static_cast<int>(site - fleet.sites.begin()));
    fleet.first_device.push_back(static_cast<int>(fleet.group_of_device.size()));
    fleet.group_of_device.insert(fleet.group_of_device.end(), static_cast<size_t>(group.devices),
                                 static_cast<int>(fleet.first_device.size()) - 1);
  }
  return fleet;
}

}  // namespace eccsim
