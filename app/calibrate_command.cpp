#include "app/calibrate_command.hpp"

#include <fmt/core.h>

#include <filesystem>

#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "sim/model_setup.hpp"
#include "sim/network_calibration.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

namespace {

// The packet platform builds wired access with one rate both ways: what calibrate can measure.
void check_measurable(const Scenario& s) {
  const auto check = [&](const std::string& prefix, const AccessConfig& access) {
    const std::string at = prefix.empty() ? "platform.access" : prefix + ".access";
    if (access.kind == AccessKind::Wifi)
      throw InputError(s.where(at + ".kind") + ": calibrate measures packet-level runs, which build wired access only");
    if (access.downlink_bandwidth_Bps > 0 && access.downlink_bandwidth_Bps != access.bandwidth_Bps)
      throw InputError(s.where(at + ".downlink_bandwidth") +
                       ": calibrate measures packet-level runs, whose links have one rate both ways");
  };
  if (s.platform.groups.empty()) check("", s.platform.access);
  for (size_t i = 0; i < s.platform.groups.size(); ++i)
    check(fmt::format("platform.groups[{}]", i), s.platform.groups[i].access);
}

std::string calibration_file_text(const CalibrateCommandOptions& options, const NetworkCalibration& c) {
  std::string text = fmt::format(
      "# Written by `eccsim calibrate {}`: the flow model's factors fitted to packet-level runs\n"
      "# (SimGrid's ns-3) of this scenario's messages, one at a time on an idle route.\n"
      "# Use with platform.network.calibration: <this file>.\n",
      options.scenario_file);
  text += "#   group, direction, bytes: packet s, calibrated flow s\n";
  for (const TransferSample& x : c.samples)
    text += fmt::format("#   {}, {}, {:.0f}: {:.6f}, {:.6f}\n", x.group, x.direction, x.bytes, x.packet_s,
                        x.flow_s(c.latency_factor(x.bytes), c.bandwidth_factor));
  text += "# bandwidth_factor: ns-3's payload share, 1,000 bytes of data per 1,042 sent.\n";
  if (c.latency_factor_by_size.size() == 1) {
    text += fmt::format("latency_factor: {:.6g}\n", c.latency_factor_by_size.front().second);
  } else {
    text += "latency_factor:   # by message size: from bytes (geometric midpoints between the sizes measured)\n";
    for (const auto& [from, factor] : c.latency_factor_by_size) text += fmt::format("  {:.0f}: {:.6g}\n", from, factor);
  }
  text += fmt::format("bandwidth_factor: {:.6g}\n", c.bandwidth_factor);
  return text;
}

}  // namespace

int calibrate_command(const CalibrateCommandOptions& options) {
  const Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  check_measurable(scenario);
  for (double bytes : options.extra_bytes)
    if (!(bytes >= 1)) throw InputError(fmt::format("--sizes: {} is not a message size in bytes (>= 1)", bytes));
  const OffloadMessageBytes messages = offload_message_bytes(scenario);
  std::vector<double> up{messages.upload_B};
  std::vector<double> down{messages.reply_B};
  up.insert(up.end(), options.extra_bytes.begin(), options.extra_bytes.end());
  down.insert(down.end(), options.extra_bytes.begin(), options.extra_bytes.end());
  const std::filesystem::path out =
      options.out_file.empty() ? std::filesystem::path(scenario.output.dir) / "network-calibration.yaml"
                               : std::filesystem::path(options.out_file);

  const NetworkCalibration c = calibrate_network(scenario, up, down);
  fmt::print("{:<12} {:<5} {:>10} {:>12} {:>12} {:>12} {:>8}\n", "group", "way", "bytes", "flow", "packet",
             "calibrated", "error");
  for (const TransferSample& x : c.samples) {
    const double calibrated_s = x.flow_s(c.latency_factor(x.bytes), c.bandwidth_factor);
    fmt::print("{:<12} {:<5} {:>10.0f} {:>9.3f} ms {:>9.3f} ms {:>9.3f} ms {:>7.1f}%\n", x.group, x.direction, x.bytes,
               1e3 * x.flow_s(1, 1), 1e3 * x.packet_s, 1e3 * calibrated_s, 100 * (calibrated_s / x.packet_s - 1));
  }
  for (const auto& [from, factor] : c.latency_factor_by_size)
    fmt::print("latency_factor {:.6g} from {:.0f} B\n", factor, from);
  fmt::print("bandwidth_factor {:.6g} (ns-3's payload share)\n", c.bandwidth_factor);
  if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path());
  write_file_atomically(out, calibration_file_text(options, c));
  fmt::print("written to {}\n", out.string());
  return 0;
}

}  // namespace eccsim
