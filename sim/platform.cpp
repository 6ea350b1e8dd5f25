// Platform as a star: devices (wired) or the Wi-Fi cell (wifi), and cloud hosts, hang off a
// gateway. Wired device route: its access link then the backhaul; routes are stored per
// component (O(N) memory), so fleets of thousands of devices stay cheap to build. Wi-Fi: the
// cell is SimGrid's Wi-Fi zone (flow-level model validated against ns-3): one air link with
// rate levels, each station at its level, the access point a router and the cell's gateway,
// then the access point's wired uplink (the access latency) and the backhaul.
// Wired links are full-duplex (separate up and down links), flows share them max-min (CM02).
#include "sim/platform.hpp"

#include <fmt/core.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <unordered_map>

#include "core/random.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// SimGrid's host energy plugin reads "idle:one-core-busy:all-cores-busy" watts per pstate.
std::string wattage(double idle_W, double busy_W, int cores) {
  const double one_core_W = idle_W + (busy_W - idle_W) / cores;
  return fmt::format("{:.9g}:{:.9g}:{:.9g}", idle_W, one_core_W, busy_W);
}

// A wired link, its idle and full-load watts for SimGrid's link energy plugin, in the ledger.
sg4::Link* make_link(Platform& platform, sg4::NetZone* zone, const std::string& name, const char* link_class,
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
      ->set_property("wattage_per_state", wattage(device.power_idle_W, device.power_busy_W, 1))
      ->set_property("wattage_off", "0")
      ->seal();
}

void build_wired_access(Platform& platform, sg4::NetZone* root, const PlatformConfig& config) {
  const AccessConfig& access = config.access;
  const double down_Bps = access.downlink_bandwidth_Bps > 0 ? access.downlink_bandwidth_Bps : access.bandwidth_Bps;
  for (int i = 0; i < config.devices; ++i) {
    auto* host = create_device(root, config.device, i);
    auto* up = make_link(platform, root, fmt::format("access-{}-up", i), "access", access.bandwidth_Bps,
                         access.latency_s, access.power_idle_W, access.power_busy_W);
    auto* down = make_link(platform, root, fmt::format("access-{}-down", i), "access", down_Bps, access.latency_s,
                           access.power_idle_W, access.power_busy_W);
    attach(root, host, up, down);
    platform.devices.push_back(host);
    platform.access_links.push_back(up);
    platform.access_down_links.push_back(down);
  }
}

// The cell as SimGrid's examples build it: the access point a router named by the zone's
// `access_point` property, one Wi-Fi link (no latency: SimGrid forbids it) with every station's
// rate level set, then the zone sealed and routed from the star with the router as gateway.
void build_wifi_cell(Platform& platform, sg4::NetZone* root, const PlatformConfig& config, uint64_t seed) {
  const AccessConfig& access = config.access;
  const std::vector<double> rates_Bps = access.wifi_rates_Bps();
  const double fastest_Bps = *std::max_element(rates_Bps.begin(), rates_Bps.end());
  auto* cell = sg4::create_wifi_zone("wifi-cell");
  cell->set_parent(root);
  auto* access_point = cell->create_router("wifi-ap");
  cell->set_property("access_point", "wifi-ap");
  for (int i = 0; i < config.devices; ++i) platform.devices.push_back(create_device(cell, config.device, i));
  auto* air = cell->create_link("wifi-cell", rates_Bps)->seal();
  platform.ledger.add_link("wifi-cell", "wifi", fastest_Bps);
  platform.ledger_links.push_back(air);
  const std::vector<int> levels = station_levels(access, config.devices, seed);
  for (int i = 0; i < config.devices; ++i) {
    air->set_host_wifi_rate(platform.devices[i], levels[i]);
    platform.ledger.set_station(i, levels[i], rates_Bps[levels[i]]);
  }
  cell->seal();
  // The access point's wired uplink to the gateway carries the access latency; at the fastest
  // rate level it never limits the cell, whose total throughput cannot exceed that rate.
  auto* up = make_link(platform, root, "wifi-ap-up", "ap_uplink", fastest_Bps, access.latency_s, 0, 0);
  auto* down = make_link(platform, root, "wifi-ap-down", "ap_uplink", fastest_Bps, access.latency_s, 0, 0);
  root->add_route(cell->get_netpoint(), nullptr, access_point, nullptr, {sg4::LinkInRoute(up)}, false);
  root->add_route(nullptr, cell->get_netpoint(), nullptr, access_point, {sg4::LinkInRoute(down)}, false);
  platform.access_links = {air, up, down};
}

}  // namespace

std::vector<int> station_levels(const AccessConfig& access, int devices, uint64_t seed) {
  const auto levels = static_cast<int>(access.wifi_rates_Bps().size());
  std::vector<int> level_of(static_cast<size_t>(devices), 0);
  std::mt19937_64 rng(derive_seed(seed, /*stream=*/8, 0));
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

Platform build_platform(const PlatformConfig& config, uint64_t seed) {
  Platform platform;
  auto* root = sg4::create_star_zone("edge-cloud");
  if (config.access.kind == AccessKind::Wifi) {
    build_wifi_cell(platform, root, config, seed);
  } else {
    build_wired_access(platform, root, config);
  }

  // The backhaul: one shared link each way between the gateway and the cloud site. With a Wi-Fi
  // cell, SimGrid routes between zones only through gateways, so the cloud hosts sit in a zone of
  // their own behind a router; wired devices and cloud hosts share the root star.
  const BackhaulConfig& backhaul = config.backhaul;
  auto* to_cloud = make_link(platform, root, "backhaul-up", "backhaul", backhaul.bandwidth_Bps, backhaul.latency_s,
                             backhaul.power_idle_W, backhaul.power_busy_W);
  auto* from_cloud = make_link(platform, root, "backhaul-down", "backhaul", backhaul.bandwidth_Bps,
                               backhaul.latency_s, backhaul.power_idle_W, backhaul.power_busy_W);
  platform.backhaul_links = {to_cloud, from_cloud};
  sg4::NetZone* cloud_zone = root;
  if (config.access.kind == AccessKind::Wifi) {
    cloud_zone = sg4::create_star_zone("cloud-site");
    cloud_zone->set_parent(root);
    auto* gateway = cloud_zone->create_router("cloud-gateway");
    root->add_route(cloud_zone->get_netpoint(), nullptr, gateway, nullptr, {sg4::LinkInRoute(from_cloud)}, false);
    root->add_route(nullptr, cloud_zone->get_netpoint(), nullptr, gateway, {sg4::LinkInRoute(to_cloud)}, false);
  }
  const CloudConfig& cloud = config.cloud;
  for (int j = 0; j < cloud.hosts; ++j) {
    auto* host = cloud_zone->create_host(fmt::format("cloud-{}", j), cloud.speed_flops)
                     ->set_core_count(cloud.cores)
                     ->set_property("wattage_per_state", wattage(cloud.power_idle_W, cloud.power_busy_W, cloud.cores))
                     ->set_property("wattage_off", "0")
                     ->seal();
    if (cloud_zone == root) attach(root, host, from_cloud, to_cloud);
    platform.clouds.push_back(host);
  }
  platform.controller =
      cloud_zone->create_host("controller", 1e9)->set_property("wattage_per_state", "0:0:0")->seal();
  cloud_zone->seal();
  root->seal();
  std::unordered_map<const sg4::Link*, int> index_of;
  for (size_t k = 0; k < platform.ledger_links.size(); ++k) index_of[platform.ledger_links[k]] = static_cast<int>(k);
  for (int i = 0; i < config.devices; ++i) {
    sg4::Host* cloud_host = platform.clouds[static_cast<size_t>(i) % platform.clouds.size()];
    platform.ledger.set_routes(i, route_links(index_of, platform.devices[i], cloud_host),
                               route_links(index_of, cloud_host, platform.devices[i]));
  }
  return platform;
}

}  // namespace eccsim
