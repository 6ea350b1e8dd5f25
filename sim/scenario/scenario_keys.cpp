// The scenario key table and the locations, errors and suggestions the reader and printer share.
#include "sim/scenario/scenario_keys.hpp"

#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "sim/scenario/device_profiles.hpp"

namespace eccsim::scenario_table {

// ------------------------------------------------------------------------------------------------
// Locations and errors


std::string format_error(const std::string& file, const KeyError& e) {
  if (e.where.from_set) return fmt::format("--set {}: {}", e.path, e.message);
  const std::string location = e.where.line > 0 ? fmt::format("{}:{}", file, e.where.line) : file;
  if (e.path.empty()) return fmt::format("{}: {}", location, e.message);
  return fmt::format("{}: {}: {}", location, e.path, e.message);
}

// Messages are one line: control characters escaped, long values cut.
std::string one_line(std::string_view text, size_t max_length) {
  std::string out;
  for (const char c : text.substr(0, max_length)) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  if (text.size() > max_length) out += "...";
  return out;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return fmt::format("'{}'", one_line(node.Scalar(), 60));
}

int line_of(const YAML::Node& node, int fallback) {
  const int line = node.Mark().line;
  return line >= 0 ? line + 1 : fallback;
}

std::string join(std::string_view prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : fmt::format("{}.{}", prefix, name);
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// True when `path` is `base` or lies below it ("faults[0].at" below "faults", "platform.devices" below
// "platform").
bool within(std::string_view path, std::string_view base) {
  if (!starts_with(path, base)) return false;
  return path.size() == base.size() || path[base.size()] == '.' || path[base.size()] == '[';
}

// ------------------------------------------------------------------------------------------------
// Suggestions

namespace {

// Edit distance counting an adjacent swap as one edit ("fro" -> "for"), case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b) {
  const auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

// The candidate a user most likely meant: a small edit distance, or a longer name it begins.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(1, name.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const size_t d = edit_distance(name, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (!best && name.size() >= 3) {
    for (const std::string& c : candidates) {
      if (starts_with(c, name)) return c;
    }
  }
  return best;
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

// ------------------------------------------------------------------------------------------------
// The key table

namespace {

struct DatasetInfo {
  std::string_view name;
  int classes;   // 0: counted once the files are read (a user's own data)
};
constexpr DatasetInfo kDatasets[] = {{"fashion-mnist", 10}, {"mnist", 10},        {"cifar10", 10},
                                     {"cifar100", 100},     {"image-folder", 0}, {"npy", 0}};

std::vector<std::string> dataset_names() {
  std::vector<std::string> names;
  for (const DatasetInfo& d : kDatasets) names.emplace_back(d.name);
  return names;
}

const char* unused_on_wifi(const Scenario& s) {
  return s.platform.access.kind == AccessKind::Wifi ? "unused: Wi-Fi access" : nullptr;
}
const char* unused_wired(const Scenario& s) {
  return s.platform.access.kind == AccessKind::Wifi ? nullptr : "unused: wired access";
}
const char* unused_native_edge(const Scenario& s) {
  return s.models.edge.format == ModelFormat::Torchscript ? "unused: format torchscript" : nullptr;
}
const char* unused_native_cloud(const Scenario& s) {
  return s.models.cloud.format == ModelFormat::Torchscript ? "unused: format torchscript" : nullptr;
}
const char* unused_on_packet(const Scenario& s) {
  return s.platform.network.model == NetworkModel::Packet ? "unused: network model packet" : nullptr;
}

}  // namespace

int dataset_classes(std::string_view name) {
  for (const DatasetInfo& d : kDatasets) {
    if (d.name == name) return d.classes;
  }
  return 0;
}

#define SCENARIO_FIELD(member) +[](Scenario& s) -> auto& { return s.member; }
#define SCENARIO_CHOICE(member)                                                                                  \
  ChoiceField<Scenario> {                                                                                        \
    +[](Scenario& s) { return static_cast<size_t>(s.member); },                                                  \
        +[](Scenario& s, size_t index) { s.member = static_cast<decltype(s.member)>(index); },                   \
        choice_names<decltype(Scenario::member)>()                                                               \
  }
#define FAULT_FIELD(member) +[](FaultConfig& f) -> auto& { return f.member; }

// Every scenario key, in the order to_yaml prints them. Sections are the dotted prefixes.
const std::vector<Key<Scenario>>& scenario_keys() {
  using U = UnitKind;
  static const std::vector<Key<Scenario>> keys{
      name_key("name", SCENARIO_FIELD(name)),
      integer_key("seed", SCENARIO_FIELD(seed), at_least(0)),

      choice_key("dataset.name", SCENARIO_FIELD(dataset.name), dataset_names()),
      text_key("dataset.path", SCENARIO_FIELD(dataset.path)),
      integer_key("dataset.tasks", SCENARIO_FIELD(dataset.tasks), at_least(1)),
      integer_key("dataset.base_classes", SCENARIO_FIELD(dataset.base_classes), at_least(0)),
      unused_when(list_key("dataset.class_order", std::nullopt, SCENARIO_FIELD(dataset.class_order), at_least(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.dataset.class_order.empty() ? "not given: shuffled by models.seed" : nullptr;
                  }),
      real_key("dataset.evaluation_share", SCENARIO_FIELD(dataset.evaluation_share), between(0, 0.5)),

      name_key("models.dir", SCENARIO_FIELD(models.dir)),
      integer_key("models.seed", SCENARIO_FIELD(models.seed), at_least(0)),
      choice_key("models.edge.format", SCENARIO_CHOICE(models.edge.format)),
      unused_when(text_key("models.edge.path", SCENARIO_FIELD(models.edge.path)),
                  +[](const Scenario& s) -> const char* {
                    return s.models.edge.format == ModelFormat::Native ? "unused: format native" : nullptr;
                  }),
      unused_when(choice_key("models.edge.arch", SCENARIO_FIELD(models.edge.arch), {"svgg"}), unused_native_edge),
      unused_when(integer_key("models.edge.timesteps", SCENARIO_FIELD(models.edge.timesteps), at_least(1)),
                  unused_native_edge),
      choice_key("models.cloud.format", SCENARIO_CHOICE(models.cloud.format)),
      unused_when(text_key("models.cloud.path", SCENARIO_FIELD(models.cloud.path)),
                  +[](const Scenario& s) -> const char* {
                    return s.models.cloud.format == ModelFormat::Native ? "unused: format native" : nullptr;
                  }),
      unused_when(choice_key("models.cloud.arch", SCENARIO_FIELD(models.cloud.arch), {"cnn"}), unused_native_cloud),
      choice_key("models.train.profile", SCENARIO_FIELD(models.train.profile), {"full", "quick"}),
      integer_key("models.train.cloud_epochs", SCENARIO_FIELD(models.train.cloud_epochs), at_least(0)),
      integer_key("models.train.edge_epochs", SCENARIO_FIELD(models.train.edge_epochs), at_least(0)),
      integer_key("models.train.cloud_samples", SCENARIO_FIELD(models.train.cloud_samples), at_least(0)),
      integer_key("models.train.edge_samples", SCENARIO_FIELD(models.train.edge_samples), at_least(0)),
      integer_key("models.train.batch_size", SCENARIO_FIELD(models.train.batch_size), at_least(1)),
      real_key("models.train.learning_rate", SCENARIO_FIELD(models.train.learning_rate), above(0)),
      flag_key("models.train.allow", SCENARIO_FIELD(models.train.allow)),
      flag_key("models.train.distill.enabled", SCENARIO_FIELD(models.train.distill.enabled)),
      real_key("models.train.distill.weight", SCENARIO_FIELD(models.train.distill.weight), at_least(0)),
      real_key("models.train.distill.temperature", SCENARIO_FIELD(models.train.distill.temperature), above(0)),
      flag_key("models.cache", SCENARIO_FIELD(models.cache)),
      flag_key("models.persistent_cache", SCENARIO_FIELD(models.persistent_cache)),

      integer_key("platform.devices", SCENARIO_FIELD(platform.devices), at_least(1)),
      choice_key("platform.device_actors", SCENARIO_CHOICE(platform.device_actors)),
      choice_key("platform.device.profile", SCENARIO_FIELD(platform.device.profile), device_profile_choices()),
      quantity_key("platform.device.speed", U::speed, SCENARIO_FIELD(platform.device.speed_ops), above(0)),
      quantity_key("platform.device.power_idle", U::power, SCENARIO_FIELD(platform.device.power_idle_W), at_least(0)),
      quantity_key("platform.device.power_busy", U::power, SCENARIO_FIELD(platform.device.power_busy_W), at_least(0)),
      unused_when(
          quantity_key("platform.device.radio_tx", U::power, SCENARIO_FIELD(platform.device.radio_tx_W), at_least(0)),
          +[](const Scenario& s) -> const char* {
            return s.platform.device.radio_energy == RadioEnergy::WifiStates ? "unused: radio_energy wifi_states"
                                                                             : nullptr;
          }),
      choice_key("platform.device.radio_energy", SCENARIO_CHOICE(platform.device.radio_energy)),
      choice_key("platform.device.radio_tail", SCENARIO_CHOICE(platform.device.radio_tail)),
      unused_when(quantity_key("platform.device.radio_tail_power", U::power,
                               SCENARIO_FIELD(platform.device.radio_tail_power_W), above(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.radio_tail == RadioTail::Constant ? nullptr : "unused: radio_tail not constant";
                  }),
      unused_when(quantity_key("platform.device.radio_tail_time", U::time,
                               SCENARIO_FIELD(platform.device.radio_tail_time_s), above(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.radio_tail == RadioTail::Constant ? nullptr : "unused: radio_tail not constant";
                  }),
      choice_key("platform.device.energy", SCENARIO_CHOICE(platform.device.energy)),
      unused_when(choice_key("platform.device.first_layer", SCENARIO_CHOICE(platform.device.first_layer)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.energy == DeviceEnergy::Constant ? "unused: energy constant" : nullptr;
                  }),
      quantity_key("platform.device.e_mac", U::energy, SCENARIO_FIELD(platform.device.e_mac_J), at_least(0)),
      quantity_key("platform.device.e_ac", U::energy, SCENARIO_FIELD(platform.device.e_ac_J), at_least(0)),
      unused_when(quantity_key("platform.device.e_mem", U::energy, SCENARIO_FIELD(platform.device.e_mem_J), at_least(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.energy == DeviceEnergy::Ops ? nullptr : "unused: energy not ops";
                  }),
      unused_when(choice_key("platform.device.memory_energy", SCENARIO_CHOICE(platform.device.memory_energy)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.energy == DeviceEnergy::Ops ? nullptr : "unused: energy not ops";
                  }),
      quantity_key("platform.device.constant_latency", U::time, SCENARIO_FIELD(platform.device.constant_latency_s),
                   at_least(0)),
      quantity_key("platform.device.constant_energy", U::energy, SCENARIO_FIELD(platform.device.constant_energy_J),
                   at_least(0)),
      unused_when(quantity_key("platform.device.battery", U::energy, SCENARIO_FIELD(platform.device.battery_J), above(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.device.battery_J > 0 ? nullptr : "not given: mains powered";
                  }),
      choice_key("platform.access.kind", SCENARIO_CHOICE(platform.access.kind)),
      quantity_key("platform.access.bandwidth", U::bandwidth, SCENARIO_FIELD(platform.access.bandwidth_Bps), above(0)),
      unused_when(quantity_key("platform.access.downlink_bandwidth", U::bandwidth,
                               SCENARIO_FIELD(platform.access.downlink_bandwidth_Bps), at_least(0)),
                  unused_on_wifi),
      quantity_key("platform.access.latency", U::time, SCENARIO_FIELD(platform.access.latency_s), at_least(0)),
      unused_when(quantity_key("platform.access.power_idle", U::power, SCENARIO_FIELD(platform.access.power_idle_W),
                               at_least(0)),
                  unused_on_wifi),
      unused_when(quantity_key("platform.access.power_busy", U::power, SCENARIO_FIELD(platform.access.power_busy_W),
                               at_least(0)),
                  unused_on_wifi),
      unused_when(list_key("platform.access.rates", U::bandwidth, SCENARIO_FIELD(platform.access.rates_Bps), above(0)),
                  +[](const Scenario& s) -> const char* {
                    if (s.platform.access.kind != AccessKind::Wifi) return "unused: wired access";
                    return s.platform.access.rates_Bps.empty() ? "not given: one level, the bandwidth" : nullptr;
                  }),
      unused_when(choice_key("platform.access.stations", SCENARIO_CHOICE(platform.access.stations)), unused_wired),
      unused_when(integer_key("platform.access.level", SCENARIO_FIELD(platform.access.level), at_least(0)),
                  +[](const Scenario& s) -> const char* {
                    if (s.platform.access.kind != AccessKind::Wifi) return "unused: wired access";
                    return s.platform.access.stations == StationLevels::Fixed ? nullptr : "unused: stations not fixed";
                  }),
      unused_when(list_key("platform.access.shares", std::nullopt, SCENARIO_FIELD(platform.access.shares),
                           between(0, 1)),
                  +[](const Scenario& s) -> const char* {
                    if (s.platform.access.kind != AccessKind::Wifi) return "unused: wired access";
                    if (s.platform.access.stations != StationLevels::Random) return "unused: stations not random";
                    return s.platform.access.shares.empty() ? "not given: equal shares" : nullptr;
                  }),
      unused_when(quantity_key("platform.access.wifi_power.idle", U::power,
                               SCENARIO_FIELD(platform.access.wifi_power.idle_W), at_least(0)),
                  unused_wired),
      unused_when(quantity_key("platform.access.wifi_power.tx", U::power,
                               SCENARIO_FIELD(platform.access.wifi_power.tx_W), at_least(0)),
                  unused_wired),
      unused_when(quantity_key("platform.access.wifi_power.rx", U::power,
                               SCENARIO_FIELD(platform.access.wifi_power.rx_W), at_least(0)),
                  unused_wired),
      quantity_key("platform.backhaul.bandwidth", U::bandwidth, SCENARIO_FIELD(platform.backhaul.bandwidth_Bps),
                   above(0)),
      quantity_key("platform.backhaul.latency", U::time, SCENARIO_FIELD(platform.backhaul.latency_s), at_least(0)),
      quantity_key("platform.backhaul.power_idle", U::power, SCENARIO_FIELD(platform.backhaul.power_idle_W),
                   at_least(0)),
      quantity_key("platform.backhaul.power_busy", U::power, SCENARIO_FIELD(platform.backhaul.power_busy_W),
                   at_least(0)),
      choice_key("platform.network.model", SCENARIO_CHOICE(platform.network.model)),
      unused_when(real_key("platform.network.latency_factor", SCENARIO_FIELD(platform.network.latency_factor), above(0)),
                  unused_on_packet),
      unused_when(real_key("platform.network.bandwidth_factor", SCENARIO_FIELD(platform.network.bandwidth_factor),
                           above(0)),
                  unused_on_packet),
      unused_when(text_key("platform.network.calibration", SCENARIO_FIELD(platform.network.calibration)),
                  unused_on_packet),
      {"platform.sites", Kind::sites, SCENARIO_FIELD(platform.sites)},
      {"platform.groups", Kind::groups, SCENARIO_FIELD(platform.groups)},
      integer_key("platform.cloud.hosts", SCENARIO_FIELD(platform.cloud.hosts), at_least(1)),
      quantity_key("platform.cloud.speed", U::speed, SCENARIO_FIELD(platform.cloud.speed_flops), above(0)),
      integer_key("platform.cloud.cores", SCENARIO_FIELD(platform.cloud.cores), at_least(1)),
      quantity_key("platform.cloud.power_idle", U::power, SCENARIO_FIELD(platform.cloud.power_idle_W), at_least(0)),
      quantity_key("platform.cloud.power_busy", U::power, SCENARIO_FIELD(platform.cloud.power_busy_W), at_least(0)),
      choice_key("platform.cloud.energy", SCENARIO_CHOICE(platform.cloud.energy)),
      quantity_key("platform.cloud.constant_latency", U::time, SCENARIO_FIELD(platform.cloud.constant_latency_s),
                   at_least(0)),
      quantity_key("platform.cloud.constant_energy", U::energy, SCENARIO_FIELD(platform.cloud.constant_energy_J),
                   at_least(0)),
      integer_key("platform.cloud.batch.max", SCENARIO_FIELD(platform.cloud.batch.max), at_least(1)),
      quantity_key("platform.cloud.batch.wait", U::time, SCENARIO_FIELD(platform.cloud.batch.wait_s), at_least(0)),
      unused_when(choice_key("platform.cloud.latency.model", SCENARIO_CHOICE(platform.cloud.latency.model)),
                  +[](const Scenario& s) -> const char* {
                    return s.platform.cloud.energy == CloudEnergy::Constant ? "unused: energy constant" : nullptr;
                  }),
      unused_when(real_key("platform.cloud.latency.speed", SCENARIO_FIELD(platform.cloud.latency.speed), above(0)),
                  +[](const Scenario& s) -> const char* {
                    const CloudConfig& cloud = s.platform.cloud;
                    if (cloud.energy == CloudEnergy::Constant) return "unused: energy constant";
                    if (cloud.latency.model == CloudLatencyModel::Flops) return "unused: model flops";
                    if (cloud.latency.speed != kScaleToDeclaredCore) return nullptr;
                    return cloud.latency.model == CloudLatencyModel::Profile
                               ? "not given: the profile is scaled to platform.cloud.speed"
                               : "not given: the table's times as given";
                  }),
      unused_when(Key<Scenario>{"platform.cloud.latency.table", Kind::latency_table,
                                SCENARIO_FIELD(platform.cloud.latency.table)},
                  +[](const Scenario& s) -> const char* {
                    if (s.platform.cloud.latency.model == CloudLatencyModel::Table) return nullptr;
                    return s.platform.cloud.latency.table.empty() ? "not given: model is not table"
                                                                  : "unused: model is not table";
                  }),

      choice_key("workload.arrival", SCENARIO_CHOICE(workload.arrival)),
      quantity_key("workload.rate", U::rate, SCENARIO_FIELD(workload.rate_per_s), above(0)),
      text_key("workload.trace", SCENARIO_FIELD(workload.trace)),
      integer_key("workload.requests_per_device", SCENARIO_FIELD(workload.requests_per_device), at_least(0)),
      unused_when(quantity_key("workload.duration", U::time, SCENARIO_FIELD(workload.duration_s), above(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.workload.requests_per_device > 0 ? "unused: requests_per_device is set" : nullptr;
                  }),
      quantity_key("workload.phase_length", U::time, SCENARIO_FIELD(workload.phase_length_s), at_least(0)),
      choice_key("workload.classes", SCENARIO_CHOICE(workload.classes)),

      choice_key("policy.offload.filter", SCENARIO_CHOICE(policy.offload.filter)),
      unused_when(real_key("policy.offload.threshold", SCENARIO_FIELD(policy.offload.threshold), between(0, 1)),
                  +[](const Scenario& s) -> const char* {
                    if (s.policy.offload.filter == OffloadFilter::Random) return "unused: the random filter";
                    return s.policy.offload.calibrates() ? "unused: calibrated from the target share" : nullptr;
                  }),
      unused_when(real_key("policy.offload.rate", SCENARIO_FIELD(policy.offload.rate), between(0, 1)),
                  +[](const Scenario& s) -> const char* {
                    if (s.policy.offload.filter != OffloadFilter::Random) return "unused: only the random filter";
                    return s.policy.offload.calibrates() ? "unused: the target share sets it" : nullptr;
                  }),
      unused_when(real_key("policy.offload.target_cur", SCENARIO_FIELD(policy.offload.target_cur), between(0, 1)),
                  +[](const Scenario& s) -> const char* {
                    return s.policy.offload.target_cur < 0 ? "not given: threshold decides" : nullptr;
                  }),
      unused_when(flag_key("policy.offload.recalibrate", SCENARIO_FIELD(policy.offload.recalibrate)),
                  +[](const Scenario& s) -> const char* {
                    return s.policy.offload.calibrates() ? nullptr : "unused: no target share";
                  }),
      unused_when(real_key("policy.offload.calibration_share", SCENARIO_FIELD(policy.offload.calibration_share),
                           Range{0, 0.9, true}),
                  +[](const Scenario& s) -> const char* {
                    return s.policy.offload.calibrates() ? nullptr : "unused: no target share";
                  }),
      unused_when(real_key("policy.offload.budget.cur", SCENARIO_FIELD(policy.offload.budget_cur), between(0, 1)),
                  +[](const Scenario& s) -> const char* {
                    return s.policy.offload.budget_cur < 0 ? "not given: no online budget" : nullptr;
                  }),
      unused_when(quantity_key("policy.offload.budget.window", U::time, SCENARIO_FIELD(policy.offload.budget_window_s),
                               above(0)),
                  +[](const Scenario& s) -> const char* {
                    return s.policy.offload.budget_cur < 0 ? "unused: no online budget" : nullptr;
                  }),
      unused_when(text_key("policy.offload.plugin.path", SCENARIO_FIELD(policy.offload.plugin.path)),
                  +[](const Scenario& s) -> const char* {
                    if (s.policy.offload.filter == OffloadFilter::Plugin) return nullptr;
                    return "unused: the filter is not plugin";
                  }),
      unused_when(Key<Scenario>{"policy.offload.plugin.params", Kind::params,
                                SCENARIO_FIELD(policy.offload.plugin.params)},
                  +[](const Scenario& s) -> const char* {
                    if (s.policy.offload.filter != OffloadFilter::Plugin) return "unused: the filter is not plugin";
                    return s.policy.offload.plugin.params.empty() ? "not given: none" : nullptr;
                  }),
      real_key("policy.offload.explore", SCENARIO_FIELD(policy.offload.explore), between(0, 1)),
      quantity_key("policy.offload.timeout", U::time, SCENARIO_FIELD(policy.offload.timeout_s), above(0)),
      integer_key("policy.offload.backoff_after", SCENARIO_FIELD(policy.offload.backoff_after), at_least(0)),
      quantity_key("policy.offload.backoff", U::time, SCENARIO_FIELD(policy.offload.backoff_s), at_least(0)),
      choice_key("policy.update.mode", SCENARIO_CHOICE(policy.update.mode)),
      choice_key("policy.update.method", SCENARIO_CHOICE(policy.update.method)),
      integer_key("policy.update.buffer", SCENARIO_FIELD(policy.update.buffer), at_least(1)),
      choice_key("policy.update.buffer_policy", SCENARIO_CHOICE(policy.update.buffer_policy)),
      integer_key("policy.update.trigger", SCENARIO_FIELD(policy.update.trigger), at_least(1)),
      choice_key("policy.update.classes", SCENARIO_CHOICE(policy.update.classes)),
      integer_key("policy.update.epochs", SCENARIO_FIELD(policy.update.epochs), at_least(1)),
      integer_key("policy.update.batch_size", SCENARIO_FIELD(policy.update.batch_size), at_least(1)),
      choice_key("policy.update.scope", SCENARIO_CHOICE(policy.update.scope)),
      integer_key("policy.update.oracle_samples", SCENARIO_FIELD(policy.update.oracle_samples), at_least(0)),
      flag_key("policy.update.exclude_trained", SCENARIO_FIELD(policy.update.exclude_trained)),

      {"faults", Kind::faults, SCENARIO_FIELD(faults)},

      name_key("output.dir", SCENARIO_FIELD(output.dir)),
      flag_key("output.requests", SCENARIO_FIELD(output.requests)),
      choice_key("output.idle_energy", SCENARIO_CHOICE(output.idle_energy)),

      {"sweep", Kind::sweep, SCENARIO_FIELD(sweep)},
  };
  return keys;
}

// The keys of one fault: `for` and `target` always, `at` unless `rate` makes it a random fault.
const std::vector<Key<FaultConfig>>& fault_keys() {
  static const std::vector<Key<FaultConfig>> keys{
      quantity_key("at", UnitKind::time, FAULT_FIELD(at_s), at_least(0)),
      quantity_key("for", UnitKind::time, FAULT_FIELD(for_s), above(0)),
      quantity_key("rate", UnitKind::rate, FAULT_FIELD(rate_per_s), at_least(0)),
      name_key("target", FAULT_FIELD(target)),
  };
  return keys;
}

const std::vector<Key<SiteConfig>>& site_keys() {
  static const std::vector<Key<SiteConfig>> keys{
      name_key("name", +[](SiteConfig& site) -> auto& { return site.name; }),
  };
  return keys;
}

const std::vector<Key<GroupConfig>>& group_keys() {
  static const std::vector<Key<GroupConfig>> keys{
      name_key("name", +[](GroupConfig& g) -> auto& { return g.name; }),
      integer_key("count", +[](GroupConfig& g) -> auto& { return g.count; }, at_least(0)),
      real_key("share", +[](GroupConfig& g) -> auto& { return g.share; }, between(0, 1)),
      name_key("site", +[](GroupConfig& g) -> auto& { return g.site; }),
  };
  return keys;
}

const std::vector<std::string>& group_workload_keys() {
  static const std::vector<std::string> keys{"arrival", "rate", "trace"};
  return keys;
}

std::string block_section(std::string_view list_key, std::string_view block) {
  if (list_key == "platform.sites") return block == "backhaul" ? "platform.backhaul" : "";
  if (list_key != "platform.groups") return "";
  if (block == "device" || block == "access") return join("platform", block);
  return block == "workload" ? "workload" : "";
}

#undef SCENARIO_FIELD
#undef FAULT_FIELD


// find_key(scenario_keys(), path) through an index: sweep checks read the scenario once per value.
const Key<Scenario>* find_scenario_key(std::string_view path) {
  static const std::map<std::string_view, const Key<Scenario>*> index = [] {
    std::map<std::string_view, const Key<Scenario>*> keys;
    for (const Key<Scenario>& key : scenario_keys()) keys.emplace(key.path, &key);
    return keys;
  }();
  const auto it = index.find(path);
  return it == index.end() ? nullptr : it->second;
}


// True when `path` is a proper dotted prefix of a key path ("platform", "platform.access").
bool is_section(std::string_view path) {
  static const std::set<std::string_view> sections = [] {
    std::set<std::string_view> prefixes;
    for (const Key<Scenario>& key : scenario_keys()) {
      for (size_t dot = key.path.find('.'); dot != std::string_view::npos; dot = key.path.find('.', dot + 1)) {
        prefixes.insert(key.path.substr(0, dot));
      }
    }
    return prefixes;
  }();
  return sections.count(path) != 0;
}

namespace {

// Every key path and section path, for suggestions of a key given at the wrong level.
std::vector<std::string> all_paths() {
  std::vector<std::string> paths;
  for (const Key<Scenario>& key : scenario_keys()) {
    std::string_view path = key.path;
    for (size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1)) {
      const std::string section(path.substr(0, dot));
      if (std::find(paths.begin(), paths.end(), section) == paths.end()) paths.push_back(section);
    }
    paths.emplace_back(path);
  }
  return paths;
}

std::string last_component(std::string_view path) {
  const size_t dot = path.rfind('.');
  return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

}  // namespace

// "unknown key (did you mean 'access'?)" for `name` below `prefix` in the file's nested maps.
std::string unknown_key_message(std::string_view prefix, std::string_view name) {
  const std::vector<std::string> siblings = children_of(scenario_keys(), prefix);
  if (auto best = closest(name, siblings)) return fmt::format("unknown key (did you mean '{}'?)", *best);
  std::vector<std::string> lasts;
  for (const std::string& path : all_paths()) lasts.push_back(last_component(path));
  if (auto best = closest(name, lasts)) {
    for (const std::string& path : all_paths()) {
      if (last_component(path) == *best) return fmt::format("unknown key (did you mean '{}'?)", path);
    }
  }
  return fmt::format("unknown key (expected one of: {})", comma_list(siblings));
}

std::vector<std::string> element_key_names(std::string_view list_key) {
  std::vector<std::string> names = list_key == "platform.sites"    ? children_of(site_keys(), "")
                                   : list_key == "platform.groups" ? children_of(group_keys(), "")
                                                                   : children_of(fault_keys(), "");
  for (const std::string block : {"backhaul", "device", "access", "workload"})
    if (!block_section(list_key, block).empty()) names.push_back(block);
  return names;
}

namespace {

// The problem of `rest`, the parts of a path after "platform.sites[k]" or "platform.groups[k]"
// (`list_path`, shown as `element`), or nothing when they name one of its keys or blocks.
std::optional<KeyError> element_path_problem(const std::string& list_path, const std::string& element,
                                             const std::vector<std::string>& rest, Where where) {
  if (rest.empty()) return std::nullopt;  // the whole element
  const std::vector<std::string> names = element_key_names(list_path);
  const std::string section = block_section(list_path, rest[0]);
  const bool own_key = section.empty() && std::find(names.begin(), names.end(), rest[0]) != names.end();
  const std::string shown = join(element, rest[0]);
  if (own_key) {
    if (rest.size() == 1) return std::nullopt;
    return KeyError{where, join(shown, rest[1]), fmt::format("unknown key ('{}' is a single value, not a section)", shown)};
  }
  if (section.empty()) {
    const auto best = closest(rest[0], names);
    return KeyError{where, shown,
                    best ? fmt::format("unknown key (did you mean '{}'?)", join(element, *best))
                         : fmt::format("unknown key (expected one of: {})", comma_list(names))};
  }
  if (rest.size() == 1) return std::nullopt;  // the whole block
  if (section == "workload") {
    const auto& allowed = group_workload_keys();
    if (rest.size() == 2 && std::find(allowed.begin(), allowed.end(), rest[1]) != allowed.end()) return std::nullopt;
    return KeyError{where, join(shown, rest[1]),
                    fmt::format("unknown key (a group's workload gives only {})", comma_list(allowed))};
  }
  std::string inner = section;
  for (size_t i = 1; i < rest.size(); ++i) inner += "." + rest[i];
  if (auto problem = key_path_problem(inner, where)) {
    problem->path = shown + problem->path.substr(std::min(problem->path.size(), section.size()));
    const std::string section_text = fmt::format("'{}.", section);
    for (size_t at = problem->message.find(section_text); at != std::string::npos;
         at = problem->message.find(section_text, at + 1))
      problem->message.replace(at + 1, section.size(), shown);
    return problem;
  }
  return std::nullopt;
}

}  // namespace

// The first problem of a dotted key path given as text (--set, sweep keys), or nothing when valid.
// An element of platform.sites or platform.groups is addressed by its index: platform.groups[1].count.
std::optional<KeyError> key_path_problem(const std::string& path, Where where) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  if (path.empty() || path.back() == '.' ||
      std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return KeyError{where, path, "malformed key path (expected names joined by dots, e.g. platform.devices)"};
  }
  std::string prefix;
  for (size_t i = 0; i < parts.size(); ++i) {
    const size_t open = parts[i].find('[');
    if (open != std::string::npos) {
      const std::string list_path = join(prefix, parts[i].substr(0, open));
      const Key<Scenario>* key = find_scenario_key(list_path);
      const std::string digits = parts[i].back() == ']' ? parts[i].substr(open + 1, parts[i].size() - open - 2) : "";
      if (key == nullptr || (key->kind != Kind::sites && key->kind != Kind::groups))
        return KeyError{where, join(prefix, parts[i]),
                        "unknown key (only platform.sites and platform.groups take an index, e.g. platform.groups[0])"};
      if (digits.empty() || digits.size() > 6 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
        return KeyError{where, join(prefix, parts[i]), "malformed index (expected a 0-based number, e.g. [0])"};
      return element_path_problem(list_path, join(prefix, parts[i]),
                                  std::vector<std::string>(parts.begin() + static_cast<long>(i) + 1, parts.end()),
                                  where);
    }
    const std::string here = join(prefix, parts[i]);
    if (const Key<Scenario>* key = find_scenario_key(here)) {
      if (i + 1 == parts.size() || key->kind == Kind::params) return std::nullopt;
      return KeyError{where, join(here, parts[i + 1]),
                      fmt::format("unknown key ('{}' is a single value, not a section)", here)};
    }
    if (!is_section(here)) {
      const std::vector<std::string> siblings = children_of(scenario_keys(), prefix);
      if (auto best = closest(parts[i], siblings)) {
        return KeyError{where, here, fmt::format("unknown key (did you mean '{}'?)", join(prefix, *best))};
      }
      return KeyError{where, here, unknown_key_message(prefix, parts[i])};
    }
    prefix = here;
  }
  return std::nullopt;
}

}  // namespace eccsim::scenario_table
