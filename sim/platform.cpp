// Platform as stars: each site's wired devices hang off its gateway; the sites' gateways, each
// group's Wi-Fi cell and the cloud's gateway hang off the root. Wired device route: its access link then its site's
// backhaul; routes are stored per component (O(N) memory), so fleets of thousands of devices stay
// cheap to build. Wi-Fi: a group's cell is SimGrid's Wi-Fi zone (flow-level model validated
// against ns-3): one air link with rate levels, each station at its level, the access point a
// router and the cell's gateway, then the access point's wired uplink (the access latency) and
// the backhaul.
// Wired links are full-duplex (separate up and down links), flows share them max-min (CM02).
#include "sim/platform.hpp"

#include <fmt/core.h>
#include <simgrid/kernel/resource/NetworkModelIntf.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <unordered_set>
#include <unordered_map>

#include "core/random.hpp"
#include "sim/packet_clock.hpp"
#include "sim/scenario/fleet.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// SimGrid 3.32's host energy plugin reads "idle:epsilon:all-cores-busy" watts per pstate and draws
// epsilon + load x (all-cores-busy - epsilon) while anything runs (load = busy cores / cores).
// Epsilon = idle makes each busy core add (busy - idle) / cores, the cost model's price.
std::string wattage(double idle_W, double busy_W) { return fmt::format("{:.9g}:{:.9g}:{:.9g}", idle_W, idle_W, busy_W); }

// A wired link, its idle and full-load watts for SimGrid's link energy plugin, in the ledger.
sg4::Link* make_link(Platform& platform, sg4::NetZone* zone, const std::string& name, LinkClass link_class,
                     double bandwidth_Bps, double latency_s, double idle_W, double busy_W) {
  auto* link = zone->create_link(name, bandwidth_Bps)
                   ->set_latency(latency_s)
                   ->set_property("wattage_range", fmt::format("{:.9g}:{:.9g}", idle_W, busy_W))
                   ->seal();
  platform.ledger.add_link(name, link_class, bandwidth_Bps);
  platform.ledger_links.push_back(link);
  return link;
}

// The ledger indices of the route between two hosts.
std::vector<int> route_links(const std::unordered_map<const sg4::Link*, int>& index_of, sg4::Host* from,
                             sg4::Host* to) {
  std::vector<sg4::Link*> route;
  from->route_to(to, route, nullptr);
  std::vector<int> indices;
  for (const sg4::Link* link : route) indices.push_back(index_of.at(link));
  return indices;
}

// Star-zone routes of one component: `up` for what it sends, `down` for what it receives.
void attach(sg4::NetZone* star, const sg4::Host* host, sg4::Link* up, sg4::Link* down) {
  star->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
  star->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
}

sg4::Host* create_device(sg4::NetZone* zone, const DeviceConfig& device, int i) {
  return zone->create_host(fmt::format("device-{}", i), device.speed_ops)
      ->set_property("wattage_per_state", wattage(device.power_idle_W, device.power_busy_W))
      ->set_property("wattage_off", "0")
      ->seal();
}

sg4::Host* create_cloud_host(sg4::NetZone* zone, const CloudConfig& cloud, int j) {
  return zone->create_host(fmt::format("cloud-{}", j), cloud.speed_flops)
      ->set_core_count(cloud.cores)
      ->set_property("wattage_per_state", wattage(cloud.power_idle_W, cloud.power_busy_W))
      ->set_property("wattage_off", "0")
      ->seal();
}

// The bookkeeping actors' host: draws no power.
sg4::Host* create_controller(sg4::NetZone* zone) {
  return zone->create_host("controller", 1e9)->set_property("wattage_per_state", "0:0:0")->seal();
}

// "name" for the single site or group a scenario without sites or groups implies, "name-label" otherwise.
std::string element_name(const char* name, const std::string& label, bool implicit) {
  return implicit ? name : fmt::format("{}-{}", name, label);
}

// A wired group: each device with its own uplink and downlink to the site's gateway.
void build_wired_group(Platform& platform, sg4::NetZone* site, const GroupConfig& group, int first) {
  const AccessConfig& access = group.access;
  const double down_Bps = access.wired_downlink_Bps();
  for (int i = first; i < first + group.devices; ++i) {
    auto* host = create_device(site, group.device, i);
    auto* up = make_link(platform, site, fmt::format("access-{}-up", i), LinkClass::Access, access.bandwidth_Bps,
                         access.latency_s, access.power_idle_W, access.power_busy_W);
    auto* down = make_link(platform, site, fmt::format("access-{}-down", i), LinkClass::Access, down_Bps,
                           access.latency_s, access.power_idle_W, access.power_busy_W);
    attach(site, host, up, down);
    platform.devices.push_back(host);
    platform.device_access.push_back({up, down});
  }
}

// A sealed Wi-Fi cell and its access point's wired uplink, to route from the root once its site's
// backhaul exists.
struct WifiCell {
  sg4::NetZone* zone;
  simgrid::kernel::routing::NetPoint* access_point;
  sg4::Link* up;
  sg4::Link* down;
  size_t site;
};

// A Wi-Fi group: one cell as SimGrid's examples build it, the access point a router named by the
// zone's `access_point` property, one Wi-Fi link (no latency: SimGrid forbids it) with every
// station's rate level set, then the zone sealed.
WifiCell build_wifi_group(Platform& platform, sg4::NetZone* root, const GroupConfig& group, int first, size_t site,
                          bool implicit, uint64_t seed) {
  const AccessConfig& access = group.access;
  const std::vector<double> rates_Bps = access.wifi_rates_Bps();
  const double fastest_Bps = *std::max_element(rates_Bps.begin(), rates_Bps.end());
  const std::string base = element_name("wifi", group.name, implicit);  // "wifi" or "wifi-GROUP"
  const std::string cell_name = implicit ? "wifi-cell" : base;
  const std::string ap_name = base + "-ap";
  auto* cell = sg4::create_wifi_zone(cell_name);
  cell->set_parent(root);
  auto* access_point = cell->create_router(ap_name);
  cell->set_property("access_point", ap_name);
  for (int i = first; i < first + group.devices; ++i) platform.devices.push_back(create_device(cell, group.device, i));
  auto* air = cell->create_link(cell_name, rates_Bps)->seal();
  const int cell_index = platform.ledger.add_link(cell_name, LinkClass::Wifi, fastest_Bps);
  platform.ledger_links.push_back(air);
  // Levels are drawn per group from its own stream (one group: the single-fleet draw).
  const uint64_t levels_seed =
      implicit ? seed : derive_seed(seed, SeedStream::WifiLevels, static_cast<uint64_t>(first) + 1);
  const std::vector<int> levels = station_levels(access, group.devices, levels_seed);
  for (int k = 0; k < group.devices; ++k) {
    air->set_host_wifi_rate(platform.devices[static_cast<size_t>(first + k)], levels[k]);
    platform.ledger.set_station(first + k, cell_index, levels[k], rates_Bps[levels[k]]);
    platform.device_access.push_back({air});
  }
  cell->seal();
  // The access point's wired uplink to the gateway carries the access latency; at the fastest
  // rate level it never limits the cell, whose total throughput cannot exceed that rate.
  auto* up = make_link(platform, root, ap_name + "-up", LinkClass::ApUplink, fastest_Bps, access.latency_s, 0, 0);
  auto* down = make_link(platform, root, ap_name + "-down", LinkClass::ApUplink, fastest_Bps, access.latency_s, 0, 0);
  return {cell, access_point, up, down, site};
}

}  // namespace

std::vector<int> station_levels(const AccessConfig& access, int devices, uint64_t seed) {
  const auto levels = static_cast<int>(access.wifi_rates_Bps().size());
  std::vector<int> level_of(static_cast<size_t>(devices), 0);
  std::mt19937_64 rng(derive_seed(seed, SeedStream::WifiLevels, 0));
  for (int i = 0; i < devices; ++i) {
    switch (access.stations) {
      case StationLevels::RoundRobin: level_of[i] = i % levels; break;
      case StationLevels::Fixed: level_of[i] = access.level; break;
      case StationLevels::Random: {
        if (access.shares.empty()) {
          level_of[i] = static_cast<int>(uniform_below(rng, static_cast<uint64_t>(levels)));
          break;
        }
        const double u = uniform01(rng);
        double cumulative = 0;
        level_of[i] = levels - 1;
        for (int l = 0; l < levels; ++l) {
          cumulative += access.shares[l];
          if (u < cumulative) {
            level_of[i] = l;
            break;
          }
        }
        break;
      }
    }
  }
  return level_of;
}

// Flow: CM02, also the model SimGrid's Wi-Fi tests use (LV08 would scale latencies by 13.01), with
// the scenario's latency and bandwidth factors. Packet: SimGrid's ns-3 binding, its random
// streams seeded from the scenario's seed.
void configure_network(const NetworkConfig& network, uint64_t seed) {
  if (network.model == NetworkModel::Packet) {
    sg4::Engine::set_config("network/model:ns-3");
    sg4::Engine::set_config(fmt::format("ns3/seed:{}", 1 + seed % 2147483646));
    guard_packet_clock();
  } else {
    sg4::Engine::set_config("network/model:CM02");
    sg4::Engine::set_config("network/crosstraffic:0");
    if (network.latency_factor != 1 && network.latency_factor_by_size.empty())
      sg4::Engine::set_config("network/latency-factor", network.latency_factor);
    if (network.bandwidth_factor != 1) sg4::Engine::set_config("network/bandwidth-factor", network.bandwidth_factor);
  }
}

namespace {

// A calibration file's latency factor by message size, through SimGrid's callback (flow only).
void apply_latency_factors(const NetworkConfig& network) {
  if (network.model != NetworkModel::Flow || network.latency_factor_by_size.empty()) return;
  sg4::Engine::get_instance()->get_netzone_root()->get_network_model()->set_lat_factor_cb(
      [table = network.latency_factor_by_size](double size, const sg4::Host*, const sg4::Host*,
                                               const std::vector<sg4::Link*>&,
                                               const std::unordered_set<sg4::NetZone*>&) {
        return latency_factor_at(table, size);
      });
}

}  // namespace

// Zones: the root star joins each site's zone (its gateway and wired devices, behind the site's
// backhaul), each Wi-Fi cell (behind its access point's uplink and its site's backhaul) and the
// cloud's zone (behind a router, with no link of its own). SimGrid 3.32 routes between zones only
// through gateways, and not from a subzone to a router of its parent: hence no nesting deeper.
Platform build_platform(const Fleet& fleet, const CloudConfig& cloud, uint64_t seed) {
  Platform platform;
  auto* root = sg4::create_star_zone("edge-cloud");
  const bool one_site = fleet.sites.size() == 1 && fleet.sites[0].name == kDefaultSite;
  const bool one_group = fleet.groups.size() == 1 && fleet.groups[0].name == kDefaultGroup;
  std::vector<sg4::NetZone*> site_zones;
  std::vector<simgrid::kernel::routing::NetPoint*> gateways;
  for (const SiteConfig& site : fleet.sites) {
    auto* zone = sg4::create_star_zone(element_name("site", site.name, one_site));
    zone->set_parent(root);
    gateways.push_back(zone->create_router(element_name("gateway", site.name, one_site)));
    site_zones.push_back(zone);
  }
  std::vector<WifiCell> cells;
  for (size_t g = 0; g < fleet.groups.size(); ++g) {
    const GroupConfig& group = fleet.groups[g];
    const auto site = static_cast<size_t>(fleet.site_of_group[g]);
    if (group.access.kind == AccessKind::Wifi) {
      cells.push_back(build_wifi_group(platform, root, group, fleet.first_device[g], site, one_group, seed));
    } else {
      build_wired_group(platform, site_zones[site], group, fleet.first_device[g]);
    }
  }
  for (size_t k = 0; k < fleet.sites.size(); ++k) {
    // The site's backhaul: one shared link each way between its gateway and the cloud.
    const SiteConfig& site = fleet.sites[k];
    const BackhaulConfig& backhaul = site.backhaul;
    const std::string name = element_name("backhaul", site.name, one_site);
    auto* to_cloud = make_link(platform, root, name + "-up", LinkClass::Backhaul, backhaul.bandwidth_Bps,
                               backhaul.latency_s, backhaul.power_idle_W, backhaul.power_busy_W);
    auto* from_cloud = make_link(platform, root, name + "-down", LinkClass::Backhaul, backhaul.bandwidth_Bps,
                                 backhaul.latency_s, backhaul.power_idle_W, backhaul.power_busy_W);
    platform.site_backhaul.push_back({to_cloud, from_cloud});
    site_zones[k]->seal();
    auto* zone = site_zones[k]->get_netpoint();
    root->add_route(zone, nullptr, gateways[k], nullptr, {sg4::LinkInRoute(to_cloud)}, false);
    root->add_route(nullptr, zone, nullptr, gateways[k], {sg4::LinkInRoute(from_cloud)}, false);
  }
  for (const WifiCell& cell : cells) {
    const std::vector<sg4::Link*>& backhaul = platform.site_backhaul[cell.site];
    root->add_route(cell.zone->get_netpoint(), nullptr, cell.access_point, nullptr,
                    {sg4::LinkInRoute(cell.up), sg4::LinkInRoute(backhaul[0])}, false);
    root->add_route(nullptr, cell.zone->get_netpoint(), nullptr, cell.access_point,
                    {sg4::LinkInRoute(backhaul[1]), sg4::LinkInRoute(cell.down)}, false);
  }
  auto* cloud_zone = sg4::create_star_zone("cloud-site");
  cloud_zone->set_parent(root);
  auto* cloud_gateway = cloud_zone->create_router("cloud-gateway");
  root->add_route(cloud_zone->get_netpoint(), nullptr, cloud_gateway, nullptr, {}, false);
  root->add_route(nullptr, cloud_zone->get_netpoint(), nullptr, cloud_gateway, {}, false);
  for (int j = 0; j < cloud.hosts; ++j) platform.clouds.push_back(create_cloud_host(cloud_zone, cloud, j));
  platform.controller = create_controller(cloud_zone);
  cloud_zone->seal();
  root->seal();
  std::unordered_map<const sg4::Link*, int> index_of;
  for (size_t k = 0; k < platform.ledger_links.size(); ++k) index_of[platform.ledger_links[k]] = static_cast<int>(k);
  for (int i = 0; i < static_cast<int>(platform.devices.size()); ++i) {
    sg4::Host* cloud_host = platform.clouds[static_cast<size_t>(i) % platform.clouds.size()];
    platform.ledger.set_routes(i, route_links(index_of, platform.devices[i], cloud_host),
                               route_links(index_of, cloud_host, platform.devices[i]));
  }
  return platform;
}

// Packet mode. SimGrid's ns-3 binding turns each route of length 1 into an ns-3 point-to-point
// link (full duplex, one rate both ways, a drop-tail queue at each end) and lets ns-3 route the
// rest: so every zone is a Full zone of one-link routes, which SimGrid composes into each
// device's route to the cloud (its latency, the ledger) and ns-3 follows hop by hop. Per site a zone
// of its wired devices, each linked to the site's gateway by its access link; the cloud's zone,
// each cloud host linked to the cloud gateway by a LAN link (kCloudLanBps, no latency: the flow
// platform has no link there); the root links each site's gateway to the cloud gateway by the
// site's backhaul. The ledger keeps an up and a down row per link, as in flow mode.
Platform build_packet_platform(const Fleet& fleet, const CloudConfig& cloud) {
  constexpr double kCloudLanBps = 100e9 / 8;
  Platform platform;
  auto* root = sg4::create_full_zone("edge-cloud");
  const bool one_site = fleet.sites.size() == 1 && fleet.sites[0].name == kDefaultSite;
  const auto both_ways = [&](const std::string& name, sg4::Link* link, LinkClass link_class, double bandwidth_Bps) {
    const int up = platform.ledger.add_link(name + "-up", link_class, bandwidth_Bps);
    const int down = platform.ledger.add_link(name + "-down", link_class, bandwidth_Bps);
    platform.ledger_links.push_back(link);
    platform.ledger_links.push_back(link);
    return std::pair{up, down};
  };
  auto* cloud_zone = sg4::create_full_zone("cloud-site");
  cloud_zone->set_parent(root);
  auto* cloud_gateway = cloud_zone->create_router("cloud-gateway");
  std::vector<sg4::NetZone*> site_zones;
  std::vector<simgrid::kernel::routing::NetPoint*> gateways;
  std::vector<std::pair<int, int>> backhaul_rows;  // per site: its ledger rows
  for (const SiteConfig& site : fleet.sites) {
    auto* zone = sg4::create_full_zone(element_name("site", site.name, one_site));
    zone->set_parent(root);
    auto* gateway = zone->create_router(element_name("gateway", site.name, one_site));
    const std::string name = element_name("backhaul", site.name, one_site);
    auto* backhaul = root->create_link(name, site.backhaul.bandwidth_Bps)->set_latency(site.backhaul.latency_s)->seal();
    backhaul_rows.push_back(both_ways(name, backhaul, LinkClass::Backhaul, site.backhaul.bandwidth_Bps));
    platform.site_backhaul.push_back({backhaul});
    root->add_route(zone->get_netpoint(), cloud_zone->get_netpoint(), gateway, cloud_gateway,
                    {sg4::LinkInRoute(backhaul)}, true);
    site_zones.push_back(zone);
    gateways.push_back(gateway);
  }
  for (size_t g = 0; g < fleet.groups.size(); ++g) {
    const GroupConfig& group = fleet.groups[g];
    const auto site = static_cast<size_t>(fleet.site_of_group[g]);
    sg4::NetZone* zone = site_zones[site];
    simgrid::kernel::routing::NetPoint* gateway = gateways[site];
    for (int i = fleet.first_device[g]; i < fleet.first_device[g] + group.devices; ++i) {
      auto* host = create_device(zone, group.device, i);
      const std::string name = fmt::format("access-{}", i);
      auto* access = zone->create_link(name, group.access.bandwidth_Bps)->set_latency(group.access.latency_s)->seal();
      zone->add_route(host->get_netpoint(), gateway, nullptr, nullptr, {sg4::LinkInRoute(access)}, true);
      const auto [up, down] = both_ways(name, access, LinkClass::Access, group.access.bandwidth_Bps);
      const auto [backhaul_up, backhaul_down] = backhaul_rows[site];
      platform.ledger.set_routes(i, {up, backhaul_up}, {backhaul_down, down});
      platform.devices.push_back(host);
      platform.device_access.push_back({access});
    }
  }
  for (sg4::NetZone* zone : site_zones) zone->seal();
  for (int j = 0; j < cloud.hosts; ++j) {
    auto* host = create_cloud_host(cloud_zone, cloud, j);
    auto* lan = cloud_zone->create_link(fmt::format("lan-{}", j), kCloudLanBps)->set_latency(0)->seal();
    cloud_zone->add_route(cloud_gateway, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(lan)}, true);
    platform.clouds.push_back(host);
  }
  platform.controller = create_controller(cloud_zone);
  cloud_zone->seal();
  root->seal();
  // SimGrid fires this only after loading an XML platform; its ns-3 binding builds ns-3's routing
  // tables on it, without which no packet crosses more than one hop.
  sg4::Engine::on_platform_created();
  return platform;
}

Platform build_network_platform(const Fleet& fleet, const CloudConfig& cloud, const NetworkConfig& network,
                                uint64_t seed) {
  if (network.model == NetworkModel::Packet) return build_packet_platform(fleet, cloud);
  Platform platform = build_platform(fleet, cloud, seed);
  apply_latency_factors(network);
  return platform;
}

}  // namespace eccsim
