// The fleet a run simulates: its sites and device groups, with the single site and group a
// scenario without platform.sites / platform.groups implies. Devices are numbered group by group,
// in the order of platform.groups; a group's devices hang off its site's gateway.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct Fleet {
  std::vector<SiteConfig> sites;
  std::vector<GroupConfig> groups;   // device counts resolved; workload: the run's, with the group's arrivals
  std::vector<int> site_of_group;
  std::vector<int> first_device;     // per group
  std::vector<int> group_of_device;

  const GroupConfig& group_of(int device) const { return groups[static_cast<size_t>(group_of_device[device])]; }
  int site_of(int device) const { return site_of_group[static_cast<size_t>(group_of_device[device])]; }
};

// Names of the implicit site and group of a single-fleet scenario.
inline constexpr const char* kDefaultSite = "site";
inline constexpr const char* kDefaultGroup = "fleet";

Fleet fleet_of(const Scenario& scenario);

// The fleet's groups alone (no per-device tables: the admission check sizes fleets too large to
// tabulate): platform.groups, or the one group a scenario without them implies; each group's
// workload is the run's with the group's own arrivals.
std::vector<GroupConfig> fleet_groups(const Scenario& scenario);

}  // namespace eccsim
