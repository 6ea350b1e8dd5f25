// The Reader's cross-field checks, section by section, on a scenario whose every key is read and whose
// defaults are resolved. They run in one fixed order (check_consistency): with two errors in a
// scenario, the first in that order is the one reported. Each blames the first key given explicitly
// among those in conflict (Reader::blame).
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "sim/scenario/device_profiles.hpp"

namespace eccsim::scenario_reader {

void Reader::check_consistency(Scenario& s) const {
  check_dataset(s);
  check_models(s);
  check_platform_blocks(s);
  check_cloud_latency(s);
  check_workload(s);
  check_offload_share(s);
  check_packet_network(s);
  read_network_calibration(s);
  check_update(s);
  check_faults(s);
}

// ------------------------------------------------------------------------------------------------
// dataset

// Tasks and base classes fit the dataset's classes; the evaluation and calibration sets leave images
// to request. A user's own data (image-folder, npy) has its classes counted when it is read
// (make_task_split checks them then).
void Reader::check_dataset(const Scenario& s) const {
  const int classes = dataset_classes(s.dataset.name);
  if (classes == 0 && s.dataset.path.empty()) {
    fail_at(blame({"dataset.path", "dataset.name"}),
            fmt::format("{} needs dataset.path ({})", s.dataset.name,
                        s.dataset.name == "npy" ? "a directory with train_images.npy, train_labels.npy, test_images.npy, "
                                                  "test_labels.npy"
                                                : "a directory with train/<class>/ and test/<class>/ image folders"));
  }
  check_class_order(s, classes);
  if (classes > 0) check_tasks(s, classes);
  if (s.policy.offload.calibrates() && s.dataset.evaluation_share + s.policy.offload.calibration_share > 0.9) {
    fail_at(blame({"policy.offload.calibration_share", "dataset.evaluation_share"}),
            fmt::format("the evaluation set ({}) and the calibration set ({}) leave less than 10 % of the test "
                        "images to request",
                        s.dataset.evaluation_share, s.policy.offload.calibration_share));
  }
  std::error_code unreadable;   // a name too long, a directory without permission: no such directory either
  if (!s.dataset.path.empty() && !std::filesystem::is_directory(s.dataset.path, unreadable)) {
    fail_at("dataset.path", fmt::format("no such directory '{}'", s.dataset.path));
  }
}

// dataset.tasks and dataset.base_classes against the dataset's number of classes.
void Reader::check_tasks(const Scenario& s, int classes) const {
  if (s.dataset.tasks > classes) {
    fail_at(blame({"dataset.tasks", "dataset.name"}),
            fmt::format("{} tasks but {} has {} classes (at most one task per class)", s.dataset.tasks,
                        s.dataset.name, classes));
  }
  const int max_base = classes - (s.dataset.tasks - 1);
  if (s.dataset.base_classes > max_base) {
    fail_at(blame({"dataset.base_classes", "dataset.tasks"}),
            fmt::format("{} base classes leave fewer than one class for each of the other {} tasks "
                        "(at most {} of {} classes)",
                        s.dataset.base_classes, s.dataset.tasks - 1, max_base, classes));
  }
  if (s.dataset.tasks == 1 && s.dataset.base_classes != 0 && s.dataset.base_classes != classes) {
    fail_at(blame({"dataset.base_classes", "dataset.tasks"}),
            fmt::format("with a single task it holds all {} classes (use 0)", classes));
  }
}

// dataset.class_order: distinct whole class ids, all of the dataset's classes when their number is known.
void Reader::check_class_order(const Scenario& s, int classes) const {
  const std::vector<double>& order = s.dataset.class_order;
  if (order.empty()) return;
  std::vector<double> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (sorted[i] != std::floor(sorted[i]) || sorted[i] > 1e6)
      fail_at("dataset.class_order", fmt::format("{} is not a class id (a whole number)", sorted[i]));
    if (i > 0 && sorted[i] == sorted[i - 1])
      fail_at("dataset.class_order", fmt::format("class {} is listed twice", sorted[i]));
  }
  if (classes > 0 && (static_cast<int>(order.size()) != classes || sorted.back() >= classes)) {
    fail_at(blame({"dataset.class_order", "dataset.name"}),
            fmt::format("must list each of {}'s {} classes (0 to {}) once", s.dataset.name, classes, classes - 1));
  }
}

// ------------------------------------------------------------------------------------------------
// models: a TorchScript model names its file (which exists, and meets the contract, when it is
// loaded: scenarios are read from other directories too, as the tests do)

void Reader::check_models(const Scenario& s) const {
  for (const auto& [role, format, path] : {std::tuple{"edge", s.models.edge.format, &s.models.edge.path},
                                           std::tuple{"cloud", s.models.cloud.format, &s.models.cloud.path}}) {
    if (format != ModelFormat::Torchscript || !path->empty()) continue;
    fail_at(blame({fmt::format("models.{}.path", role), fmt::format("models.{}.format", role)}),
            "format torchscript needs the module's file (docs/own-models.md)");
  }
}

// ------------------------------------------------------------------------------------------------
// platform: the cloud's power, and every device, access and backhaul block

// The cloud's power, then each block: the top-level ones, and each site's and group's, whose values
// are the top-level ones unless given there. A group's workload trace and site are checked with its
// blocks.
void Reader::check_platform_blocks(const Scenario& s) const {
  check_power("platform.cloud.power_busy", "platform.cloud.power_idle", s.platform.cloud.power_idle_W, s.platform.cloud.power_busy_W);
  check_device_and_access("", s.platform.device, s.platform.access, s.policy.update.mode);
  check_block_power("", "platform.backhaul", s.platform.backhaul.power_idle_W, s.platform.backhaul.power_busy_W);
  for (size_t k = 0; k < s.platform.sites.size(); ++k) {
    const BackhaulConfig& backhaul = s.platform.sites[k].backhaul;
    check_block_power(fmt::format("platform.sites[{}]", k), "platform.backhaul", backhaul.power_idle_W,
                      backhaul.power_busy_W);
  }
  for (size_t i = 0; i < s.platform.groups.size(); ++i) {
    const GroupConfig& group = s.platform.groups[i];
    const std::string prefix = fmt::format("platform.groups[{}]", i);
    check_device_and_access(prefix, group.device, group.access, s.policy.update.mode);
    check_trace(prefix, group.workload);
    check_group_site(prefix, group, s.platform.sites);
  }
}

// `busy` and `idle`: the keys to blame, the first given first.
void Reader::check_power(const std::string& busy, const std::string& idle, double idle_W, double busy_W) const {
  if (busy_W < idle_W) {
    fail_at(blame({busy, idle}), fmt::format("power_busy ({}) is below power_idle ({})",
                                             format_quantity(busy_W, UnitKind::power),
                                             format_quantity(idle_W, UnitKind::power)));
  }
}

// The power of `section` (platform.device, platform.access, platform.backhaul) in the block under `prefix`.
void Reader::check_block_power(const std::string& prefix, const std::string& section, double idle_W,
                               double busy_W) const {
  check_power(block_key(prefix, section + ".power_busy"), block_key(prefix, section + ".power_idle"), idle_W, busy_W);
}

// A device block and its access block. Values are checked whether or not this scenario uses them
// (an unused key is a warning).
void Reader::check_device_and_access(const std::string& prefix, const DeviceConfig& device,
                                     const AccessConfig& access, UpdateMode update_mode) const {
  const auto at = [&](const std::string& key) { return block_key(prefix, key); };
  check_block_power(prefix, "platform.device", device.power_idle_W, device.power_busy_W);
  check_block_power(prefix, "platform.access", access.power_idle_W, access.power_busy_W);
  const bool trains_on_device = update_mode == UpdateMode::OnDevice || update_mode == UpdateMode::Oracle;
  if (trains_on_device && !device.backprop) {
    const DeviceProfile* profile = find_device_profile(device.profile);
    fail_at(blame({at("platform.device.profile"), "policy.update.mode"}),
            fmt::format("profile {} ({}) cannot train by backpropagation, which update mode {} needs on the device; "
                        "use mode cloud, or give {} (the price of a training MAC) to simulate it anyway",
                        device.profile, profile != nullptr ? profile->hardware : "", name_of(update_mode),
                        at("platform.device.e_mac")));
  }
  check_radio(prefix, device, access);
  check_access_levels(prefix, access);
}

// The radio's energy model and its tail after transfers.
void Reader::check_radio(const std::string& prefix, const DeviceConfig& device, const AccessConfig& access) const {
  const auto at = [&](const std::string& key) { return block_key(prefix, key); };
  if (device.radio_energy == RadioEnergy::WifiStates && access.kind != AccessKind::Wifi) {
    fail_at(blame({at("platform.device.radio_energy"), at("platform.access.kind")}),
            "radio_energy wifi_states needs platform.access.kind wifi");
  }
  if (device.radio_tail == RadioTail::None) return;
  if (device.radio_energy == RadioEnergy::WifiStates) {
    fail_at(blame({at("platform.device.radio_tail"), at("platform.device.radio_energy")}),
            "radio_tail needs radio_energy transmit_power (wifi_states already counts the station's radio "
            "in every state over the whole run)");
  }
  if (device.battery_J > 0) {
    fail_at(blame({at("platform.device.radio_tail"), at("platform.device.battery")}),
            "radio_tail is not simulated on battery-powered devices (a tail is charged when the run ends, "
            "too late to drain a battery)");
  }
  if (device.radio_tail == RadioTail::Constant && (device.radio_tail_power_W <= 0 || device.radio_tail_time_s <= 0)) {
    fail_at(blame({at("platform.device.radio_tail"), at("platform.device.radio_tail_power"),
                   at("platform.device.radio_tail_time")}),
            "radio_tail constant needs radio_tail_power and radio_tail_time");
  }
}

// A Wi-Fi cell's rate levels: the fixed level is one of them, and the shares give one per level.
void Reader::check_access_levels(const std::string& prefix, const AccessConfig& access) const {
  const auto at = [&](const std::string& key) { return block_key(prefix, key); };
  const size_t levels = access.wifi_rates_Bps().size();
  if (access.kind == AccessKind::Wifi && access.stations == StationLevels::Fixed &&
      static_cast<size_t>(access.level) >= levels) {
    fail_at(blame({at("platform.access.level"), at("platform.access.rates")}),
            fmt::format("level {} is not a rate level (the cell has {}, numbered from 0)", access.level, levels));
  }
  if (!access.shares.empty()) {
    if (access.shares.size() != levels) {
      fail_at(blame({at("platform.access.shares"), at("platform.access.rates")}),
              fmt::format("{} shares for {} rate levels (one share per level)", access.shares.size(), levels));
    }
    double total = 0;
    for (const double share : access.shares) total += share;
    if (std::abs(total - 1) > 1e-9)
      fail_at(at("platform.access.shares"), fmt::format("shares must add up to 1, got {}", total));
  }
}

// A workload block's arrival trace (the top level's, or a group's under `prefix`).
void Reader::check_trace(const std::string& prefix, const WorkloadConfig& w) const {
  if (w.arrival == Arrival::Trace && w.trace.empty()) {
    fail_at(block_key(prefix, "workload.arrival"), "arrival 'trace' needs workload.trace (a file of arrival times)");
  }
  std::error_code unreadable;
  if (w.arrival == Arrival::Trace && !std::filesystem::is_regular_file(w.trace, unreadable)) {
    fail_at(block_key(prefix, "workload.trace"), fmt::format("cannot read trace file '{}'", w.trace));
  }
}

// A group's site, when it names one, is one of platform.sites.
void Reader::check_group_site(const std::string& prefix, const GroupConfig& group,
                              const std::vector<SiteConfig>& sites) const {
  if (group.site.empty()) return;
  if (std::none_of(sites.begin(), sites.end(), [&](const SiteConfig& site) { return site.name == group.site; })) {
    std::vector<std::string> names;
    for (const SiteConfig& site : sites) names.push_back(site.name);
    fail_at(prefix + ".site", sites.empty() ? fmt::format("no site '{}': platform.sites is not given", group.site)
                                            : fmt::format("no site '{}' in platform.sites ({})", group.site,
                                                          comma_list(names)));
  }
}

// platform.cloud.latency: a table, when the power model uses one, covers every batch size.
void Reader::check_cloud_latency(const Scenario& s) const {
  const CloudConfig& cloud = s.platform.cloud;
  if (cloud.energy == CloudEnergy::Power && cloud.latency.model == CloudLatencyModel::Table) {
    if (cloud.latency.table.empty()) {
      fail_at("platform.cloud.latency.model", "model table needs platform.cloud.latency.table (e.g. {1: 10ms, 8: 20ms})");
    }
    if (cloud.batch.max > cloud.latency.table.back().batch) {
      fail_at(blame({"platform.cloud.batch.max", "platform.cloud.latency.table"}),
              fmt::format("batch.max {} is beyond the latency table's largest batch ({})", cloud.batch.max,
                          cloud.latency.table.back().batch));
    }
  }
}

// ------------------------------------------------------------------------------------------------
// workload

// Phases for oracle updates, the top-level trace, and one way to end the run.
void Reader::check_workload(const Scenario& s) const {
  const WorkloadConfig& w = s.workload;
  if (s.policy.update.mode == UpdateMode::Oracle && w.phase_length_s <= 0) {
    fail_at(blame({"policy.update.mode", "workload.phase_length"}),
            "oracle updates happen at phase starts: set workload.phase_length");
  }
  check_trace("", w);
  // An override (--set, sweep) of requests_per_device wins over a duration in the file.
  if (w.requests_per_device > 0 && given_.count("workload.duration") != 0 &&
      !(overridden("workload.requests_per_device") && !overridden("workload.duration"))) {
    const Where duration = given_at("workload.duration");
    fail_at(blame({"workload.requests_per_device"}),
            fmt::format("give workload.duration or workload.requests_per_device, not both (duration {})",
                        duration.from_set ? std::string("set by --set")
                                          : fmt::format("on line {}", duration.line)));
  }
}

// ------------------------------------------------------------------------------------------------
// policy.offload and policy.update

// A target share (target_cur, budget.cur) replaces the threshold, or the random filter's rate. Given
// together, an override (--set, a sweep value) wins over the file; otherwise the scenario is refused.
void Reader::check_offload_share(Scenario& s) const {
  OffloadConfig& offload = s.policy.offload;
  const std::string fixed = offload.filter == OffloadFilter::Random ? "policy.offload.rate" : "policy.offload.threshold";
  // `first_share` / `second_share`: the field to drop when the other key's override wins (null: a
  // fixed threshold or rate, which a share just leaves unused).
  const auto exclusive = [&](const std::string& first, double* first_share, const std::string& second,
                             double* second_share) {
    if (given_.count(first) == 0 || given_.count(second) == 0) return;
    if (overridden(first) != overridden(second)) {
      double* dropped = overridden(first) ? second_share : first_share;
      if (dropped != nullptr) *dropped = kNotGiven;
      return;
    }
    const Where at = given_at(first);
    fail(given_at(second), second,
         fmt::format("give {} or {}, not both ({} {})", first, second, first,
                     at.from_set ? std::string("set by --set") : fmt::format("on line {}", at.line)));
  };
  if (offload.filter == OffloadFilter::Plugin && offload.plugin.path.empty()) {
    fail(given_at("policy.offload.filter"), "policy.offload.plugin.path",
         "missing: filter plugin needs the library's path, e.g. plugin: "
         "{path: build/examples/policies/libqueue_aware.so}");
  }
  exclusive(fixed, nullptr, "policy.offload.target_cur", &offload.target_cur);
  exclusive(fixed, nullptr, "policy.offload.budget.cur", &offload.budget_cur);
  exclusive("policy.offload.target_cur", &offload.target_cur, "policy.offload.budget.cur", &offload.budget_cur);
  if (!offload.calibrates()) return;

  const std::string share = offload.budget_cur >= 0 ? "policy.offload.budget.cur" : "policy.offload.target_cur";
  if (offload.filter == OffloadFilter::Plugin && offload.budget_cur >= 0) {
    fail(given_at(share), share,
         "a plugin decides each offload itself: no online budget "
         "(target_cur calibrates the entropy threshold it is told)");
  }
  if (offload.filter == OffloadFilter::EdgeOnly || offload.filter == OffloadFilter::CloudOnly) {
    fail(given_at(share), share,
         fmt::format("the {} baseline offloads {}: use entropy, max_prob, margin or random with a target share",
                     name_of(offload.filter), offload.filter == OffloadFilter::EdgeOnly ? "nothing" : "everything"));
  }
  // explore holds its default by now (apply_dependent_defaults); the message says when it is one.
  const bool explore_given = given_.count("policy.offload.explore") != 0;
  if (offload.target_share() < offload.explore) {
    fail(given_at(share), share,
         fmt::format("{} is below policy.offload.explore ({}{}): exploration alone offloads more", offload.target_share(),
                     offload.explore, explore_given ? "" : ", its default with buffer updates"));
  }
}

void Reader::check_update(const Scenario& s) const {
  if (s.models.edge.format == ModelFormat::Torchscript && s.policy.update.mode != UpdateMode::None) {
    fail_at(blame({"policy.update.mode", "models.edge.format"}),
            fmt::format("mode {} trains the edge model (a new task head, then backpropagation through its spikes), "
                        "which eccsim cannot do to a TorchScript module; use mode none, or the native svgg "
                        "(docs/own-models.md, What trains)",
                        name_of(s.policy.update.mode)));
  }
  if (s.policy.update.trigger > s.policy.update.buffer) {
    fail_at(blame({"policy.update.trigger", "policy.update.buffer"}),
            fmt::format("trigger ({}) exceeds the buffer capacity ({})", s.policy.update.trigger,
                        s.policy.update.buffer));
  }
}

// ------------------------------------------------------------------------------------------------
// faults

namespace {

// A fault target: backhaul, backhaul[site], cloud, cloud[j], device[i] or access[i]; throws on a bad form or
// index. A site is named or numbered; `backhaul` alone is every site's.
FaultTarget parse_fault_target(const std::string& target, const Scenario& s, const std::string& path, Where where) {
  if (target == "backhaul") return {FaultTarget::Kind::Backhaul, -1};
  if (target == "cloud") return {FaultTarget::Kind::Cloud, -1};
  const std::string forms = "backhaul, backhaul[site], cloud, cloud[j], device[i] or access[i]";
  const size_t open = target.find('[');
  const std::string kind = target.substr(0, open);
  const std::string inside =
      open == std::string::npos || target.back() != ']' ? std::string() : target.substr(open + 1, target.size() - open - 2);
  int limit = 0;
  std::string limit_key;
  if (kind == "device" || kind == "access") {
    limit = s.platform.devices;
    limit_key = "platform.devices";
  } else if (kind == "cloud") {
    limit = s.platform.cloud.hosts;
    limit_key = "platform.cloud.hosts";
  } else if (kind == "backhaul") {
    const std::vector<SiteConfig>& sites = s.platform.sites;
    for (size_t k = 0; k < sites.size(); ++k)
      if (sites[k].name == inside) return {FaultTarget::Kind::Backhaul, static_cast<int>(k)};
    limit = std::max<int>(1, static_cast<int>(sites.size()));
    limit_key = "the number of sites";
    if (!inside.empty() && !std::isdigit(static_cast<unsigned char>(inside[0]))) {
      std::vector<std::string> names;
      for (const SiteConfig& site : sites) names.push_back(site.name);
      fail(where, path, sites.empty() ? fmt::format("fault target '{}': platform.sites is not given", target)
                                      : fmt::format("fault target '{}': no such site (platform.sites: {})", target,
                                                    comma_list(names)));
    }
  } else {
    const auto best = closest(kind, {"backhaul", "cloud", "device", "access"});
    fail(where, path,
         fmt::format("unknown fault target '{}' (expected {}{})", target, forms,
                     best ? fmt::format("; did you mean '{}'?", *best == "device" || *best == "access"
                                                                    ? *best + "[i]"
                                                                    : *best)
                          : std::string()));
  }
  const bool canonical = !inside.empty() && inside.size() <= 9 &&
                         std::all_of(inside.begin(), inside.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                         (inside.size() == 1 || inside[0] != '0');
  if (!canonical) {
    fail(where, path,
         fmt::format("bad fault target '{}' (expected {} with a 0-based index, e.g. {}[0])", target, forms, kind));
  }
  const int index = std::stoi(inside);
  if (index >= limit) {
    fail(where, path,
         fmt::format("fault target '{}' is out of range ({} is {}: indices 0..{})", target, limit_key, limit,
                     limit - 1));
  }
  const FaultTarget::Kind parsed = kind == "device"     ? FaultTarget::Kind::Device
                                   : kind == "access"   ? FaultTarget::Kind::Access
                                   : kind == "backhaul" ? FaultTarget::Kind::Backhaul
                                                        : FaultTarget::Kind::Cloud;
  return {parsed, index};
}

}  // namespace

// Each fault's target, parsed against the platform, and its start within the run.
void Reader::check_faults(Scenario& s) const {
  const WorkloadConfig& w = s.workload;
  for (size_t i = 0; i < s.faults.size(); ++i) {
    FaultConfig& fault = s.faults[i];
    const std::string target_path = fmt::format("faults[{}].target", i);
    fault.parsed = parse_fault_target(fault.target, s, target_path, given_at(target_path));
    if (w.requests_per_device == 0 && fault.at_s >= w.duration_s) {
      const std::string at_path = fmt::format("faults[{}].at", i);
      fail_at(at_path, fmt::format("starts at {}, after the run ends (workload.duration is {})",
                                   format_quantity(fault.at_s, UnitKind::time),
                                   format_quantity(w.duration_s, UnitKind::time)));
    }
  }
}

}  // namespace eccsim::scenario_reader
