// Platform as a star: devices and cloud hosts hang off a gateway. Device route: its access
// link then the backhaul; routes are stored per component (O(N) memory), so fleets of
// thousands of devices stay cheap to build.
// Links are full-duplex (separate up and down links), flows share them max-min (CM02).
#include "sim/platform.hpp"

#include <fmt/core.h>
#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// SimGrid's host energy plugin reads "idle:one-core-busy:all-cores-busy" watts per pstate.
std::string wattage(double idle_W, double busy_W, int cores) {
  const double one_core_W = idle_W + (busy_W - idle_W) / cores;
  return fmt::format("{:.9g}:{:.9g}:{:.9g}", idle_W, one_core_W, busy_W);
}

sg4::Link* make_link(sg4::NetZone* zone, const std::string& name, double bandwidth_Bps, double latency_s) {
  return zone->create_link(name, bandwidth_Bps)->set_latency(latency_s)->seal();
}

// Star-zone routes of one component: `up` for what it sends, `down` for what it receives.
void attach(sg4::NetZone* star, const sg4::Host* host, sg4::Link* up, sg4::Link* down) {
  star->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
  star->add_route(nullptr, host->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
}

}  // namespace

Platform build_platform(const PlatformConfig& config) {
  Platform platform;
  auto* root = sg4::create_star_zone("edge-cloud");

  const AccessConfig& access = config.access;
  const double down_Bps = access.downlink_bandwidth_Bps > 0 ? access.downlink_bandwidth_Bps : access.bandwidth_Bps;
  const DeviceConfig& device = config.device;
  auto create_device = [&](int i) {
    return root->create_host(fmt::format("device-{}", i), device.speed_ops)
        ->set_property("wattage_per_state", wattage(device.power_idle_W, device.power_busy_W, 1))
        ->set_property("wattage_off", "0")
        ->seal();
  };

  if (access.kind == AccessKind::Wifi) {
    // One shared, half-duplex wireless medium: every station's uploads and downloads contend
    // for the same airtime (flow-level max-min sharing). SimGrid 3.32's Wi-Fi zone is not
    // used: built from the C++ API, its medium did not appear on routes leaving the zone.
    auto* medium = make_link(root, "wifi-medium", access.bandwidth_Bps, access.latency_s);
    platform.access_links.push_back(medium);
    for (int i = 0; i < config.devices; ++i) {
      auto* host = create_device(i);
      attach(root, host, medium, medium);
      platform.devices.push_back(host);
    }
  } else {
    for (int i = 0; i < config.devices; ++i) {
      auto* host = create_device(i);
      auto* up = make_link(root, fmt::format("access-{}-up", i), access.bandwidth_Bps, access.latency_s);
      auto* down = make_link(root, fmt::format("access-{}-down", i), down_Bps, access.latency_s);
      attach(root, host, up, down);
      platform.devices.push_back(host);
      platform.access_links.push_back(up);
      platform.access_down_links.push_back(down);
    }
  }

  // The backhaul: one shared link each way between the gateway and the cloud site.
  const BackhaulConfig& backhaul = config.backhaul;
  auto* to_cloud = make_link(root, "backhaul-up", backhaul.bandwidth_Bps, backhaul.latency_s);
  auto* from_cloud = make_link(root, "backhaul-down", backhaul.bandwidth_Bps, backhaul.latency_s);
  platform.backhaul_links = {to_cloud, from_cloud};
  const CloudConfig& cloud = config.cloud;
  for (int j = 0; j < cloud.hosts; ++j) {
    auto* host = root->create_host(fmt::format("cloud-{}", j), cloud.speed_flops)
                     ->set_core_count(cloud.cores)
                     ->set_property("wattage_per_state", wattage(cloud.power_idle_W, cloud.power_busy_W, cloud.cores))
                     ->set_property("wattage_off", "0")
                     ->seal();
    attach(root, host, from_cloud, to_cloud);
    platform.clouds.push_back(host);
  }
  platform.controller = root->create_host("controller", 1e9)->set_property("wattage_per_state", "0:0:0")->seal();
  root->seal();
  return platform;
}

}  // namespace eccsim
