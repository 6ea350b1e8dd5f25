// The Reader's checks of the network model: what the packet model (ns-3 through SimGrid 3.32) cannot
// simulate is refused, and the flow model's calibration file, when given, is read into its factors.
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/input_error.hpp"

namespace eccsim::scenario_reader {


// What SimGrid's ns-3 binding (3.32) cannot simulate is refused, never run wrong.
void Reader::check_packet_network(const Scenario& s) const {
  if (s.platform.network.model != NetworkModel::Packet) return;
  const std::string model = "platform.network.model";
  const auto refuse = [&](const std::string& path, const std::string& why) {
    fail(given_at(path), path, "packet network model: " + why + "; use platform.network.model flow");
  };
  if (s.platform.devices > kMaxPacketDevices) {
    refuse(blame({"platform.devices", model}),
           fmt::format("{} devices, but ns-3 simulates every packet and packet mode is for fleets of at most {}",
                       s.platform.devices, kMaxPacketDevices));
  }
  if (!s.faults.empty()) {
    refuse("faults", "ns-3 links cannot fail, nor can a failed host's transfers be cut in ns-3");
  }
  const auto check_block = [&](const std::string& prefix, const DeviceConfig& device, const AccessConfig& access) {
    const auto at = [&](const std::string& key) { return block_key(prefix, key); };
    if (access.kind == AccessKind::Wifi) {
      refuse(at("platform.access.kind"), "it builds wired access only (SimGrid 3.32's ns-3 Wi-Fi cells left "
                                         "transfers unfinished and hung with 30 stations: docs/modelling.md, Network models)");
    }
    if (access.downlink_bandwidth_Bps > 0 && access.downlink_bandwidth_Bps != access.bandwidth_Bps) {
      refuse(at("platform.access.downlink_bandwidth"), "an ns-3 point-to-point link has one rate both ways");
    }
    if (access.power_idle_W > 0 || access.power_busy_W > 0) {
      refuse(blame({at("platform.access.power_busy"), at("platform.access.power_idle")}),
             "SimGrid's link energy plugin does not run with ns-3");
    }
    if (device.battery_J > 0) {
      refuse(at("platform.device.battery"), "an emptied battery turns its host off mid-transfer, which ns-3 cannot cut");
    }
  };
  const auto check_backhaul = [&](const std::string& prefix, const BackhaulConfig& backhaul) {
    if (backhaul.power_idle_W > 0 || backhaul.power_busy_W > 0) {
      refuse(blame({block_key(prefix, "platform.backhaul.power_busy"), block_key(prefix, "platform.backhaul.power_idle")}),
             "SimGrid's link energy plugin does not run with ns-3");
    }
  };
  // The blocks the run builds: the groups' (or the top level's) and the sites' (or the top level's).
  if (s.platform.groups.empty()) check_block("", s.platform.device, s.platform.access);
  for (size_t i = 0; i < s.platform.groups.size(); ++i)
    check_block(fmt::format("platform.groups[{}]", i), s.platform.groups[i].device, s.platform.groups[i].access);
  if (s.platform.sites.empty()) check_backhaul("", s.platform.backhaul);
  for (size_t k = 0; k < s.platform.sites.size(); ++k)
    check_backhaul(fmt::format("platform.sites[{}]", k), s.platform.sites[k].backhaul);
}

namespace {

// The factors of a calibration file (`eccsim calibrate`'s): bandwidth_factor, and latency_factor as
// one number or {from bytes: factor, ...}. Errors name the file, its line and the key.
void read_calibration_file(const std::string& file, NetworkConfig& network) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw InputError(fmt::format("{}:{}: {}", file, line_of_mark(e.mark), e.msg));
  }
  if (!root.IsMap()) throw InputError(fmt::format("{}:1: expected latency_factor and bandwidth_factor", file));
  for (const auto& entry : root) {
    const std::string name = entry.first.Scalar();
    if (name != "latency_factor" && name != "bandwidth_factor") {
      throw InputError(fmt::format("{}:{}: {}: unknown key (expected latency_factor, bandwidth_factor)", file,
                                   line_of_mark(entry.first.Mark()), name));
    }
  }
  const auto number = [&](const YAML::Node& node, const std::string& what, bool zero_allowed) {
    double value = -1;
    try {
      value = node.as<double>();
    } catch (const YAML::Exception&) {
    }
    if (!std::isfinite(value) || value < 0 || (value == 0 && !zero_allowed)) {
      throw InputError(fmt::format("{}:{}: {}: must be a number {} 0, got '{}'", file, line_of_mark(node.Mark()), what,
                                   zero_allowed ? ">=" : ">",
                                   node.IsScalar() ? node.Scalar() : std::string("a ") + (node.IsMap() ? "map" : "list")));
    }
    return value;
  };
  const auto required = [&](const char* name) {
    const YAML::Node node = root[name];
    if (!node) throw InputError(fmt::format("{}:1: {}: missing", file, name));
    return node;
  };
  network.bandwidth_factor = number(required("bandwidth_factor"), "bandwidth_factor", false);
  const YAML::Node latency = required("latency_factor");
  if (!latency.IsMap()) {
    network.latency_factor = number(latency, "latency_factor", false);
    return;
  }
  // {from bytes: factor, ...}, from 0 and in increasing size.
  for (const auto& entry : latency) {
    const std::string at = "latency_factor." + entry.first.Scalar();
    const double from = number(entry.first, at, true);
    if (network.latency_factor_by_size.empty() ? from != 0 : from <= network.latency_factor_by_size.back().first) {
      throw InputError(fmt::format("{}:{}: {}: sizes must start at 0 and increase", file,
                                   line_of_mark(entry.first.Mark()), at));
    }
    network.latency_factor_by_size.emplace_back(from, number(entry.second, at, false));
  }
  if (network.latency_factor_by_size.empty()) {
    throw InputError(fmt::format("{}:{}: latency_factor: an empty map", file, line_of_mark(latency.Mark())));
  }
}

}  // namespace

// platform.network.calibration: the flow model's two factors from the file `eccsim calibrate`
// wrote; errors in it name that file, its line and the key.
void Reader::read_network_calibration(Scenario& s) const {
  const std::string key = "platform.network.calibration";
  const std::string& file = s.platform.network.calibration;
  if (file.empty() || s.platform.network.model != NetworkModel::Flow) return;
  for (const char* factor : {"platform.network.latency_factor", "platform.network.bandwidth_factor"}) {
    if (given_.count(factor) != 0) {
      fail(given_at(factor), factor, "give platform.network.calibration or the factors, not both");
    }
  }
  std::error_code unreadable;
  if (!std::filesystem::is_regular_file(file, unreadable)) fail(given_at(key), key, fmt::format("cannot read calibration file '{}'", file));
  read_calibration_file(file, s.platform.network);
}

}  // namespace eccsim::scenario_reader
