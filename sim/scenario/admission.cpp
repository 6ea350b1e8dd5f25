// The admission check (admission.hpp). Every estimate is computed in doubles from the scenario's
// own numbers, never by building what it counts, so 2^31 devices or 1e300 s cost nothing to refuse.
#include "sim/scenario/admission.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <system_error>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "sim/scenario/fleet.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

namespace {

constexpr const char* kOverride = "--admit-anyway runs it regardless";

double mem_available_B() {
  std::ifstream in("/proc/meminfo");
  std::string name;
  double kB = 0;
  std::string unit;
  while (in >> name >> kB >> unit) {
    if (name == "MemAvailable:") return kB * 1024;
  }
  const long pages = ::sysconf(_SC_AVPHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0;
}

// A count as a message shows it: whole below a million, else three digits and an exponent.
std::string count_text(double n) { return n < 1e6 ? fmt::format("{:.0f}", n) : fmt::format("{:.3g}", n); }

std::string gib(double bytes) { return fmt::format("{:.3g} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

// The key a group's value comes from: its own when given, else the top-level one.
std::string group_key(const Scenario& s, size_t group, const std::string& key) {
  if (!s.platform.groups.empty()) {
    const std::string own = fmt::format("platform.groups[{}].{}", group, key.substr(std::string("platform.").size()));
    const std::string own_workload = fmt::format("platform.groups[{}].{}", group, key);
    if (s.key_lines.count(own) != 0) return own;
    if (s.key_lines.count(own_workload) != 0) return own_workload;
  }
  return key;
}

const BackhaulConfig& backhaul_of(const Scenario& s, const GroupConfig& group, std::string& key) {
  key = "platform.backhaul.bandwidth";
  for (size_t k = 0; k < s.platform.sites.size(); ++k) {
    if (s.platform.sites[k].name != group.site && !(group.site.empty() && k == 0)) continue;
    const std::string own = fmt::format("platform.sites[{}].backhaul.bandwidth", k);
    if (s.key_lines.count(own) != 0) key = own;
    return s.platform.sites[k].backhaul;
  }
  return s.platform.backhaul;
}

// Non-empty lines of a trace file: an upper bound of the arrivals it gives each device.
double trace_arrivals(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  double lines = 0;
  char buffer[1 << 16];
  char last = '\n';
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      if (buffer[i] == '\n' && last != '\n') ++lines;
      last = buffer[i];
    }
  }
  return lines + (last != '\n' ? 1 : 0);
}

// Requests of one device of `group`, and the time its last one arrives.
struct Stream {
  double requests = 0;
  double horizon_s = 0;
};

Stream stream_of(const WorkloadConfig& run, const WorkloadConfig& group) {
  const bool by_count = run.requests_per_device > 0;
  Stream stream;
  if (group.arrival == Arrival::Trace) {
    stream.requests = trace_arrivals(group.trace);
    if (by_count) stream.requests = std::min(stream.requests, static_cast<double>(run.requests_per_device));
    stream.horizon_s = by_count ? 0 : run.duration_s;
    return stream;
  }
  if (by_count) {
    stream.requests = static_cast<double>(run.requests_per_device);
    stream.horizon_s = stream.requests / group.rate_per_s;
  } else {
    stream.requests = group.rate_per_s * run.duration_s;
    stream.horizon_s = run.duration_s;
  }
  return stream;
}

// The key, among devices, rate and duration (or requests per device), furthest above its default:
// the one that makes the request count what it is.
std::string request_driver(const Scenario& s) {
  const Scenario defaults;
  struct Factor {
    std::string key;
    double ratio;
  };
  std::vector<Factor> factors{
      {"platform.devices", s.platform.devices / static_cast<double>(defaults.platform.devices)},
      {"workload.rate", s.workload.rate_per_s / defaults.workload.rate_per_s}};
  if (s.workload.requests_per_device > 0) {
    factors.push_back({"workload.requests_per_device",
                       static_cast<double>(s.workload.requests_per_device) / (defaults.workload.rate_per_s *
                                                                             defaults.workload.duration_s)});
  } else {
    factors.push_back({"workload.duration", s.workload.duration_s / defaults.workload.duration_s});
  }
  const auto top = std::max_element(factors.begin(), factors.end(),
                                    [](const Factor& a, const Factor& b) { return a.ratio < b.ratio; });
  return top->key;
}

// The driver's value as the message shows it.
std::string value_of(const Scenario& s, const std::string& key) {
  if (key == "platform.devices") return fmt::format("{} devices", s.platform.devices);
  if (key == "workload.rate") return fmt::format("{:.3g}/s per device", s.workload.rate_per_s);
  if (key == "workload.requests_per_device") return fmt::format("{} requests per device", s.workload.requests_per_device);
  if (key == "workload.duration") return fmt::format("{:.3g} s", s.workload.duration_s);
  if (key == "platform.cloud.hosts") return fmt::format("{} cloud hosts", s.platform.cloud.hosts);
  return key;
}

// The slowest rate a Wi-Fi station of the group may get.
double slowest_station_Bps(const AccessConfig& access) {
  const std::vector<double> rates = access.wifi_rates_Bps();
  if (access.stations == StationLevels::Fixed && access.level >= 0 && static_cast<size_t>(access.level) < rates.size())
    return rates[static_cast<size_t>(access.level)];
  double slowest = rates.front();
  for (size_t k = 0; k < rates.size(); ++k) {
    const bool used = access.stations != StationLevels::Random || access.shares.size() != rates.size() ||
                      access.shares[k] > 0;
    if (used) slowest = std::min(slowest, rates[k]);
  }
  return slowest;
}

// A request's upload and reply must each cross their slowest link within the timeout; otherwise
// every offload times out and its transfer keeps the clock running long after the workload.
void admit_transfers(const Scenario& s, const OffloadMessageBytes& messages) {
  if (s.policy.offload.filter == OffloadFilter::EdgeOnly) return;
  const double timeout_s = s.policy.offload.timeout_s;
  const std::vector<GroupConfig> groups = fleet_groups(s);
  for (size_t g = 0; g < groups.size(); ++g) {
    const GroupConfig& group = groups[g];
    if (group.devices <= 0) continue;
    const AccessConfig& access = group.access;
    std::string backhaul_key;
    const BackhaulConfig& backhaul = backhaul_of(s, group, backhaul_key);
    const bool wifi = access.kind == AccessKind::Wifi;
    struct Hop {
      std::string key;
      double bandwidth_Bps;
      double bytes;
      const char* what;
    };
    const double up_Bps = wifi ? slowest_station_Bps(access) : access.bandwidth_Bps;
    const double down_Bps = wifi ? up_Bps : access.wired_downlink_Bps();
    const std::string up_key = group_key(s, g, wifi && !access.rates_Bps.empty() ? "platform.access.rates"
                                                                                       : "platform.access.bandwidth");
    const std::string down_key = group_key(
        s, g, !wifi && access.downlink_bandwidth_Bps > 0 ? "platform.access.downlink_bandwidth" : up_key);
    const std::vector<Hop> hops{{up_key, up_Bps, messages.upload_B, "upload"},
                                {backhaul_key, backhaul.bandwidth_Bps, messages.upload_B, "upload"},
                                {down_key, down_Bps, messages.reply_B, "reply"},
                                {backhaul_key, backhaul.bandwidth_Bps, messages.reply_B, "reply"}};
    for (const Hop& hop : hops) {
      const double transfer_s = hop.bytes / hop.bandwidth_Bps;
      if (transfer_s <= timeout_s) continue;
      throw InputError(fmt::format(
          "{}: {:.3g} bit/s takes {:.3g} s to carry one request's {} ({:.0f} B), longer than {} ({:.3g} s): "
          "every offload would time out while its transfer kept the run going (give more bandwidth, a longer "
          "timeout, or filter: edge_only; {})",
          s.where(hop.key), 8 * hop.bandwidth_Bps, transfer_s, hop.what, hop.bytes,
          s.where("policy.offload.timeout"), timeout_s, kOverride));
    }
  }
}

// The share of requests the scenario offloads, when it says: cloud_only all, random its rate, a
// calibrated threshold or a budget its target; nothing for a fixed threshold or a plugin.
std::optional<double> offload_share(const OffloadConfig& offload) {
  switch (offload.filter) {
    case OffloadFilter::EdgeOnly: return 0.0;
    case OffloadFilter::CloudOnly: return 1.0;
    case OffloadFilter::Random: return offload.rate;
    default: break;
  }
  if (offload.calibrates()) return offload.target_share();
  return std::nullopt;
}

}  // namespace

std::vector<std::string> shared_link_warnings(const Scenario& s, const OffloadMessageBytes& messages) {
  constexpr double kWarnAt = 0.8;   // of a shared link's bandwidth
  const std::optional<double> share = offload_share(s.policy.offload);
  if (!share || *share <= 0) return {};
  // Uploads per backhaul (one per site), from the groups with a steady rate (a trace's is its own).
  std::map<std::string, std::pair<double, double>> offered;   // key -> (bytes/s offered, bandwidth B/s)
  for (const GroupConfig& group : fleet_groups(s)) {
    if (group.devices <= 0 || group.workload.arrival == Arrival::Trace) continue;
    std::string key;
    const BackhaulConfig& backhaul = backhaul_of(s, group, key);
    auto& [bytes_per_s, bandwidth_Bps] = offered[key];
    bytes_per_s += group.devices * group.workload.rate_per_s * *share * messages.upload_B;
    bandwidth_Bps = backhaul.bandwidth_Bps;
  }
  std::vector<std::string> warnings;
  for (const auto& [key, load] : offered) {
    const double utilisation = load.first / load.second;
    if (utilisation < kWarnAt) continue;
    std::string why = fmt::format(
        "{}: offloading {:.3g} % of the requests sends about {:.3g} Mbit/s of uploads over it, {:.0f} % of its "
        "{:.3g} Mbit/s: uploads queue, latencies grow, and the simulation slows as transfers pile up",
        s.where(key), 100 * *share, 8e-6 * load.first, 100 * utilisation, 8e-6 * load.second);
    if (s.policy.offload.calibrates() && s.workload.classes == ClassMix::Cumulative) {
      why += " (with classes: cumulative a calibrated share is the run's average: later phases, with more classes "
             "the edge does not know, offload more)";
    }
    warnings.push_back(why);
  }
  return warnings;
}

AdmissionLimits machine_limits(int parallel_runs) {
  AdmissionLimits limits;
  limits.memory_B = kMemoryMargin * mem_available_B() / std::max(1, parallel_runs);
  return limits;
}

AdmissionEstimate estimate_run(const Scenario& s, const MemoryModel& model) {
  AdmissionEstimate estimate;
  const double devices = s.platform.devices;
  for (const GroupConfig& group : fleet_groups(s)) {
    const Stream stream = stream_of(s.workload, group.workload);
    estimate.requests += group.devices * stream.requests;
    estimate.horizon_s = std::max(estimate.horizon_s, stream.horizon_s);
  }
  for (const FaultConfig& fault : s.faults) {
    // Fault injectors are daemons: they end with the workload, and do not stretch the horizon.
    if (fault.rate_per_s <= 0) {
      estimate.fault_events += 2;
      continue;
    }
    // Random outages until the run ends: each turns its resources off and on again.
    double targets = 1;
    if (fault.parsed.index < 0 && fault.parsed.kind == FaultTarget::Kind::Cloud) targets = s.platform.cloud.hosts;
    if (fault.parsed.index < 0 && fault.parsed.kind == FaultTarget::Kind::Backhaul)
      targets = std::max<double>(1, static_cast<double>(s.platform.sites.size()));
    estimate.fault_events += 2 * fault.rate_per_s * std::max(0.0, estimate.horizon_s - fault.at_s) * targets;
  }
  estimate.events = kEventsPerRequest * estimate.requests + estimate.fault_events;

  // Actor stacks are counted in per_device_B: only the pages an actor touches become resident (16 and
  // 64 KiB stacks gave the same peak). Every edge model a run installs is kept (with its cached
  // outputs, as much again): one per later task, on every device when each updates alone.
  const double upload_classes = std::max<double>(1, static_cast<double>(s.platform.groups.size()));
  const double actors_per_cloud_host = 1 + s.platform.cloud.cores + upload_classes;
  double versions = 0;
  const UpdateMode mode = s.policy.update.mode;
  if (mode != UpdateMode::None) {
    const double later_tasks = std::max(0, s.dataset.tasks - 1);
    const bool each_device = s.policy.update.scope == UpdateScope::Device;
    versions = later_tasks * (each_device ? devices : 1);
  }
  double model_B = model.model_version_B;
  std::error_code error;
  const auto checkpoint_B = std::filesystem::file_size(std::filesystem::path(s.models.dir) / "edge.pt", error);
  if (!error) model_B = static_cast<double>(checkpoint_B);
  estimate.model_versions = versions;
  estimate.models_B = versions * 2 * model_B;
  estimate.memory_B = model.base_B + devices * model.device_B(s.platform) + estimate.requests * model.per_request_B +
                      s.platform.cloud.hosts * actors_per_cloud_host * model.per_cloud_actor_B +
                      estimate.fault_events * model.per_fault_event_B + estimate.models_B;
  return estimate;
}

void admit_run(const Scenario& s, const AdmissionLimits& limits, const OffloadMessageBytes& messages) {
  if (limits.admit_anyway) return;
  const AdmissionEstimate e = estimate_run(s);
  // SimGrid's ns-3 binding gives each transfer a TCP port of its own (65,535 in all, then reused)
  // and keeps its receiving application to the end of the run (about 34 KB each, measured).
  if (s.platform.network.model == NetworkModel::Packet && 2 * e.requests > kMaxPacketTransfers) {
    const std::string key = request_driver(s);
    throw InputError(fmt::format(
        "{}: {} gives ~{:.3g} requests, up to {:.3g} transfers if all are offloaded, more than the {:.3g} the packet "
        "network model admits (SimGrid's ns-3 binding gives each transfer a port of its own; {})",
        s.where(key), value_of(s, key), e.requests, 2 * e.requests, kMaxPacketTransfers, kOverride));
  }
  if (e.requests > limits.max_requests) {
    const std::string key = request_driver(s);
    throw InputError(fmt::format("{}: {} gives ~{:.3g} requests, more than the {:.3g} a run admits ({})", s.where(key),
                                 value_of(s, key), e.requests, limits.max_requests, kOverride));
  }
  for (size_t k = 0; k < s.faults.size(); ++k) {
    const FaultConfig& fault = s.faults[k];
    if (fault.rate_per_s <= 0) continue;
    const double events = 2 * fault.rate_per_s * std::max(0.0, e.horizon_s - fault.at_s);
    if (events > limits.max_events) {
      throw InputError(fmt::format(
          "{}: {:.3g}/s random outages over {:.3g} s of simulated time give ~{:.3g} fault events, more than the "
          "{:.3g} a run admits ({})",
          s.where(fmt::format("faults[{}].rate", k)), fault.rate_per_s, std::max(0.0, e.horizon_s - fault.at_s),
          events, limits.max_events, kOverride));
    }
  }
  if (e.events > limits.max_events) {
    const std::string key = request_driver(s);
    throw InputError(fmt::format("{}: {} gives ~{:.3g} engine events, more than the {:.3g} a run admits ({})",
                                 s.where(key), value_of(s, key), e.events, limits.max_events, kOverride));
  }
  if (e.horizon_s > limits.max_horizon_s) {
    const std::string key = s.workload.requests_per_device > 0 ? "workload.rate" : "workload.duration";
    throw InputError(fmt::format("{}: a simulated horizon of {:.3g} s, more than the {:.3g} s a run admits (beyond, "
                                 "the clock's resolution is coarser than 0.1 us; {})",
                                 s.where(key), e.horizon_s, limits.max_horizon_s, kOverride));
  }
  if (limits.memory_B > 0 && e.memory_B > limits.memory_B) {
    // The largest part names the key.
    const MemoryModel model;
    const double devices_B = s.platform.devices * model.device_B(s.platform);
    const double requests_B = e.requests * model.per_request_B;
    const double hosts_B = s.platform.cloud.hosts * (1 + s.platform.cloud.cores) * model.per_cloud_actor_B;
    std::string key = request_driver(s);
    std::string what = value_of(s, key);
    const double largest = std::max({devices_B, requests_B, hosts_B, e.models_B});
    if (largest == devices_B) {
      key = "platform.devices";
      what = value_of(s, key);
    } else if (largest == hosts_B) {
      key = "platform.cloud.hosts";
      what = value_of(s, key);
    } else if (largest == e.models_B) {
      key = s.key_lines.count("policy.update.scope") != 0 ? "policy.update.scope" : "policy.update.mode";
      what = fmt::format("{:.3g} edge models kept", e.model_versions);
    }
    // A device brings its requests: the fleet that fits at this workload, the rest held fixed.
    const double per_device_B = model.device_B(s.platform) + e.requests / s.platform.devices * model.per_request_B;
    double fits = std::max(0.0, std::floor((limits.memory_B - (e.memory_B - devices_B - requests_B)) / per_device_B));
    if (fits >= 1000) {   // an estimate: three significant digits, rounded down
      const double unit = std::pow(10.0, std::floor(std::log10(fits)) - 2);
      fits = std::floor(fits / unit) * unit;
    }
    throw InputError(fmt::format("{}: {} need ~{} of memory ({} devices, {:.3g} requests, {} cloud hosts, {:.3g} "
                                 "edge models), more than the {} this run may take ({:.0f} % of MemAvailable; about {} "
                                 "devices fit at this workload; {})",
                                 s.where(key), what, gib(e.memory_B), s.platform.devices, e.requests,
                                 s.platform.cloud.hosts, e.model_versions, gib(limits.memory_B), 100 * kMemoryMargin,
                                 fmt::format("{:.0f}", fits), kOverride));
  }
  admit_transfers(s, messages);
}

double sweep_point_count(const SweepConfig& sweep) {
  double points = 1;
  for (const SweepAxis& axis : sweep.grid) points *= static_cast<double>(axis.values.size());
  if (!sweep.zip.empty()) points *= static_cast<double>(sweep.zip.front().values.size());
  return points * sweep.replications.slots();
}

void admit_sweep(const Scenario& base, const SweepConfig& sweep, const AdmissionLimits& limits) {
  if (limits.admit_anyway) return;
  const double points = sweep_point_count(sweep);
  std::vector<std::string> sizes;
  for (const SweepAxis& axis : sweep.grid) sizes.push_back(fmt::format("{}", axis.values.size()));
  if (!sweep.zip.empty()) sizes.push_back(fmt::format("{} zip rows", sweep.zip.front().values.size()));
  if (sweep.replications.slots() > 1) sizes.push_back(fmt::format("{} replications", sweep.replications.slots()));
  std::string product;
  for (const std::string& size : sizes) product += (product.empty() ? "" : " x ") + size;
  if (points > limits.max_sweep_points) {
    throw InputError(fmt::format("{}: {} = {:.3g} points, more than the {:.3g} a sweep admits (each is built and "
                                 "checked before any runs; {})",
                                 base.where("sweep"), product, points, limits.max_sweep_points, kOverride));
  }
  // The sweep process keeps each point's resolved scenario (and its models' part) in memory.
  const double per_point_B = 3.0 * static_cast<double>(to_yaml(base).size()) + 4096;
  if (limits.memory_B > 0 && points * per_point_B > limits.memory_B) {
    throw InputError(fmt::format("{}: {} points need ~{} of memory in the sweep process, more than the {} it may "
                                 "take ({})",
                                 base.where("sweep"), count_text(points), gib(points * per_point_B), gib(limits.memory_B),
                                 kOverride));
  }
}

}  // namespace eccsim
