#include "sim/network_calibration.hpp"

#include <fmt/core.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "core/input_error.hpp"
#include "sim/platform.hpp"
#include "sim/scenario/fleet.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

constexpr double kGap_s = 1.0;  // idle time before each message: queues empty, a fresh connection

// The scenario with one device per group, on the packet model.
Scenario one_device_per_group(const Scenario& scenario) {
  Scenario s = scenario;
  s.platform.network.model = NetworkModel::Packet;
  s.platform.cloud.hosts = 1;
  if (s.platform.groups.empty()) {
    s.platform.devices = 1;
  } else {
    for (GroupConfig& group : s.platform.groups) group.devices = 1;
    s.platform.devices = static_cast<int>(s.platform.groups.size());
  }
  return s;
}

// Per distinct size, the mean over its samples of the latency factor that makes flow exact.
void fit(NetworkCalibration& c) {
  c.bandwidth_factor = kPacketPayloadShare;
  std::map<double, std::pair<double, int>> by_size;  // bytes -> (sum of factors, samples)
  for (const TransferSample& x : c.samples) {
    const double transmit_s = x.bytes / (kPacketPayloadShare * x.bottleneck_Bps);
    auto& [sum, count] = by_size[x.bytes];
    sum += (x.packet_s - transmit_s) / x.route_latency_s;
    ++count;
  }
  double previous_bytes = 0;
  for (const auto& [bytes, sum_count] : by_size) {
    const double from = c.latency_factor_by_size.empty() ? 0 : std::sqrt(previous_bytes * bytes);
    c.latency_factor_by_size.emplace_back(from, sum_count.first / sum_count.second);
    previous_bytes = bytes;
  }
}

}  // namespace

double NetworkCalibration::latency_factor(double bytes) const {
  return latency_factor_at(latency_factor_by_size, bytes);
}

double TransferSample::flow_s(double latency_factor, double bandwidth_factor) const {
  return latency_factor * route_latency_s + bytes / (bandwidth_factor * bottleneck_Bps);
}

NetworkCalibration calibrate_network(const Scenario& scenario, const std::vector<double>& up_bytes,
                                     const std::vector<double>& down_bytes) {
  const Scenario s = one_device_per_group(scenario);
  std::string program = "eccsim";
  std::string quiet = "--log=xbt_cfg.thres:warning";
  char* argv[] = {program.data(), quiet.data(), nullptr};
  int argc = 2;
  sg4::Engine engine(&argc, argv);
  configure_network(s.platform.network, s.seed);
  const Fleet fleet = fleet_of(s);
  const Platform platform = build_packet_platform(fleet, s.platform.cloud);

  NetworkCalibration calibration;
  std::vector<sg4::Host*> device_of;  // per sample
  for (size_t g = 0; g < fleet.groups.size(); ++g) {
    sg4::Host* device = platform.devices[static_cast<size_t>(fleet.first_device[g])];
    std::vector<sg4::Link*> links;
    double latency_s = 0;
    device->route_to(platform.clouds[0], links, &latency_s);
    if (latency_s <= 0) {
      throw InputError(fmt::format("{}: the route of group '{}' has no latency, so no latency factor to fit",
                                   scenario.where("platform.access.latency"), fleet.groups[g].name));
    }
    double bottleneck_Bps = std::numeric_limits<double>::infinity();
    for (const sg4::Link* link : links) bottleneck_Bps = std::min(bottleneck_Bps, link->get_bandwidth());
    for (const auto& [direction, sizes] : {std::pair{"up", &up_bytes}, std::pair{"down", &down_bytes}})
      for (double bytes : *sizes) {
        calibration.samples.push_back({fleet.groups[g].name, direction, bytes, latency_s, bottleneck_Bps, 0});
        device_of.push_back(device);
      }
  }
  sg4::Actor::create("calibration", platform.controller, [&] {
    for (size_t k = 0; k < calibration.samples.size(); ++k) {
      TransferSample& sample = calibration.samples[k];
      sg4::this_actor::sleep_for(kGap_s);
      sg4::Host* device = device_of[k];
      const bool up = sample.direction == std::string("up");
      const double start_s = sg4::Engine::get_clock();
      sg4::Comm::sendto(up ? device : platform.clouds[0], up ? platform.clouds[0] : device,
                        static_cast<uint64_t>(sample.bytes));
      sample.packet_s = sg4::Engine::get_clock() - start_s;
    }
  });
  engine.run();
  fit(calibration);
  return calibration;
}

}  // namespace eccsim
