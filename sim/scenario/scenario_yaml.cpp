// YAML <-> Scenario. One key table (scenario_keys) maps each dotted key path to its struct field,
// value kind, unit and range; reading, --set overrides, sweep checks, "did you mean" suggestions and
// to_yaml all walk it. Overrides replace the value at their path in the YAML tree before conversion,
// so a map given to a section replaces the whole section. Lines in messages are 1-based.
#include "sim/scenario/scenario_yaml.hpp"

#include <fmt/core.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "core/input_error.hpp"
#include "sim/scenario/device_profiles.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/units.hpp"

namespace eccsim {

using namespace scenario_table;

namespace {

int line_of_mark(const YAML::Mark& mark) { return mark.line >= 0 ? mark.line + 1 : 1; }

// Bounds met while reading, before anything is built from the text (the admission check,
// admission.hpp, bounds what the scenario would then run).
constexpr size_t kMaxScenarioBytes = 2 << 20;   // the largest shipped scenario is a few KB
constexpr size_t kMaxSweepValues = 10'000;      // per sweep axis, and entries per flow collection

// ------------------------------------------------------------------------------------------------
// Scalar values

std::string with_article(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

std::string expectation(Kind kind, UnitKind unit, const std::vector<std::string>& choices) {
  switch (kind) {
    case Kind::text: return "a string";
    case Kind::name: return "a non-empty string";
    case Kind::flag: return "true or false";
    case Kind::integer: return "an integer";
    case Kind::real: return "a number";
    case Kind::quantity: return fmt::format("{}, e.g. {}", with_article(unit_kind_name(unit)), unit_kind_example(unit));
    case Kind::choice: return fmt::format("one of: {}", comma_list(choices));
    case Kind::faults: return "a list of faults like [{at: 60s, for: 10s, target: backhaul}]";
    case Kind::sweep: return "a mapping of key paths to lists of values, e.g. {platform.devices: [1, 10]}";
    case Kind::latency_table: return "a mapping of batch sizes to times, e.g. {1: 10ms, 8: 20ms, 32: 50ms}";
    case Kind::quantity_list:
      return fmt::format("a non-empty list of {}s, e.g. [{}]", unit_kind_name(unit), unit_kind_example(unit));
    case Kind::real_list: return "a non-empty list of numbers, e.g. [0.5, 0.5]";
    case Kind::sites: return "a list of sites like [{name: north, backhaul: {bandwidth: 20Mbps}}]";
    case Kind::groups: return "a list of groups like [{name: mcu, share: 0.7, device: {speed: 100Mf}}]";
  }
  return "a value";
}

template <class Root>
const std::string& scalar_of(const Key<Root>& key, const YAML::Node& node, const std::string& path, Where where) {
  if (!node.IsDefined() || node.IsNull()) {
    fail(where, path, fmt::format("missing value (expected {})", expectation(key.kind, key.unit, key.choices)));
  }
  if (!node.IsScalar()) {
    fail(where, path, fmt::format("expected {}, got {}", expectation(key.kind, key.unit, key.choices), describe(node)));
  }
  return node.Scalar();
}

void check_range(const Range& range, double value, const std::string& shown, const std::string& path,
                 Where where) {
  if (!range.contains(value)) fail(where, path, fmt::format("{}, got {}", range.describe(), shown));
}

template <class Root>
std::string read_string(const Key<Root>& key, const std::string& text, const std::string& path, Where where) {
  if (key.kind == Kind::name && text.empty()) fail(where, path, "must not be empty");
  if (key.kind == Kind::choice &&
      std::find(key.choices.begin(), key.choices.end(), text) == key.choices.end()) {
    const auto best = closest(text, key.choices);
    fail(where, path,
         fmt::format("unknown value '{}' (expected one of: {}{})", text, comma_list(key.choices),
                     best ? fmt::format("; did you mean '{}'?", *best) : std::string()));
  }
  return text;
}

bool read_flag(const std::string& text, const std::string& path, Where where) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true") return true;
  if (lower == "false") return false;
  fail(where, path, fmt::format("expected true or false, got '{}'", text));
}

template <class Int>
Int read_integer(const Range& range, const std::string& text, const std::string& path, Where where) {
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  const bool negative = !digits.empty() && digits[0] == '-';
  const size_t first = negative ? 1 : 0;
  if (digits.size() <= first || digits.find_first_not_of("0123456789", first) != std::string_view::npos) {
    fail(where, path, fmt::format("expected an integer, got '{}'", text));
  }
  if constexpr (std::is_unsigned_v<Int>) {
    if (negative) fail(where, path, fmt::format("{}, got {}", range.describe(), text));
  }
  std::conditional_t<std::is_unsigned_v<Int>, uint64_t, int64_t> value = 0;
  const auto result = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (result.ec != std::errc() || value > std::numeric_limits<Int>::max() ||
      value < std::numeric_limits<Int>::min()) {
    fail(where, path, fmt::format("'{}' is out of range", text));
  }
  check_range(range, static_cast<double>(value), text, path, where);
  return static_cast<Int>(value);
}

double read_double(const Kind kind, UnitKind unit, const Range& range, const std::string& text,
                   const std::string& path, Where where) {
  double value = 0;
  try {
    value = kind == Kind::quantity ? parse_quantity(text, unit) : parse_number(text);
  } catch (const UnitError& e) {
    fail(where, path, e.what());
  }
  if (kind == Kind::real && !std::isfinite(value)) fail(where, path, fmt::format("'{}' is out of range", text));
  check_range(range, value, kind == Kind::quantity ? fmt::format("'{}'", text) : text, path, where);
  return value;
}

// Reads one scalar value into its field. Faults and sweep have their own readers.
template <class Root>
void assign(const Key<Root>& key, Root& root, const YAML::Node& node, const std::string& path, Where where) {
  const std::string& text = scalar_of(key, node, path, where);
  std::visit(
      Overloaded{
          [&](const ChoiceField<Root>& field) {
            const std::string name = read_string(key, text, path, where);
            field.set(root, static_cast<size_t>(std::find(field.names.begin(), field.names.end(), name) -
                                                field.names.begin()));
          },
          [&](auto field) {
            auto& target = field(root);
            using T = std::decay_t<decltype(target)>;
            if constexpr (std::is_same_v<T, std::string>) {
              target = read_string(key, text, path, where);
            } else if constexpr (std::is_same_v<T, bool>) {
              target = read_flag(text, path, where);
            } else if constexpr (std::is_same_v<T, double>) {
              target = read_double(key.kind, key.unit, key.range, text, path, where);
            } else if constexpr (std::is_integral_v<T>) {
              target = read_integer<T>(key.range, text, path, where);
            } else {
              throw std::logic_error(fmt::format("assign: key {} is not a scalar", key.path));
            }
          }},
      key.field);
}

// ------------------------------------------------------------------------------------------------
// Reading a YAML tree

// Where each overridden key path's value came from (a --set, or a sweep value being checked).
using Overrides = std::map<std::string, Where>;

// One sweep axis as written, kept to check each value against the rest of the scenario.
struct AxisSource {
  std::string key;
  bool zip = false;
  std::vector<YAML::Node> values;
  std::vector<int> lines;
};

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

class Reader {
 public:
  explicit Reader(Overrides overrides) : overrides_(std::move(overrides)) {}

  // The scenario of a root mapping, every key checked; cross-field checks included.
  Scenario read(const YAML::Node& root);

  const std::map<std::string, Where>& given() const { return given_; }
  const std::vector<AxisSource>& axes() const { return axes_; }

 private:
  Where where_of(const std::string& path, int line) const;
  // Reads `node` as the section `prefix` of the key table; `shown` is its path in the file (a
  // site's or group's block: "platform.groups[1].device" for the section "platform.device").
  void read_section(const YAML::Node& node, const std::string& prefix, const std::string& shown, Where where,
                    Scenario& s);
  // One mapping of a list (faults, sites, groups); returns the keys given, with their lines.
  template <class Element>
  std::map<std::string, int> read_element(const YAML::Node& element, const std::string& list_key,
                                          const std::string& path, Where here, const std::vector<Key<Element>>& keys,
                                          Element& out, Scenario* blocks);
  void apply_profile(const std::string& shown, const std::map<std::string, int>& block_keys, DeviceConfig& device) const;
  void read_lists(Scenario& s);
  void resolve_groups(Scenario& s) const;
  void read_faults(const YAML::Node& node, Where where, Scenario& s);
  void read_latency_table(const YAML::Node& node, const std::string& path, Where where, Scenario& s);
  void read_list(const Key<Scenario>& key, const YAML::Node& node, const std::string& path, Where where, Scenario& s);
  void read_sweep(const YAML::Node& node, Where where, Scenario& s);
  SweepAxis read_axis(const std::string& key, const YAML::Node& values, const std::string& path, Where where,
                      bool zip);
  void read_replications(const YAML::Node& node, Where where, SweepReplications& out);
  void read_compare(const YAML::Node& node, Where where, SweepConfig& sweep);
  void check_consistency(Scenario& s) const;   // and parses the fault targets
  void check_offload_share(Scenario& s) const;
  void check_packet_network(const Scenario& s) const;
  void read_network_calibration(Scenario& s) const;
  // A key of the device, access, backhaul or workload block under `prefix` (a site or group; empty:
  // the top level): its own path when given there or not given at the top level, else the top-level one.
  std::string block_key(const std::string& prefix, const std::string& key) const;
  Where given_at(const std::string& path) const;
  bool overridden(const std::string& path) const;
  // The first of `paths` given explicitly (defaults are never inconsistent among themselves).
  std::string blame(std::initializer_list<std::string> paths) const;

  // platform.sites and platform.groups as found, read after the rest of the file.
  struct PendingList {
    Kind kind;
    YAML::Node node;
    Where where;
  };

  Overrides overrides_;
  std::map<std::string, Where> given_;   // key path -> where its value was given
  std::vector<PendingList> lists_;
  std::vector<AxisSource> axes_;
};

Where Reader::where_of(const std::string& path, int line) const {
  const Where* found = nullptr;
  size_t found_length = 0;
  for (const auto& [base, where] : overrides_) {
    if (within(path, base) && (found == nullptr || base.size() > found_length)) {
      found = &where;
      found_length = base.size();
    }
  }
  return found != nullptr ? *found : Where{line, false};
}

bool Reader::overridden(const std::string& path) const {
  return std::any_of(overrides_.begin(), overrides_.end(), [&](const auto& o) { return within(path, o.first); });
}

Where Reader::given_at(const std::string& path) const {
  const auto it = given_.find(path);
  return it == given_.end() ? Where{} : it->second;
}

std::string Reader::blame(std::initializer_list<std::string> paths) const {
  for (const std::string& path : paths) {
    if (given_.count(path) != 0) return path;
  }
  return *paths.begin();
}

Scenario Reader::read(const YAML::Node& root) {
  Scenario s;
  read_section(root, "", "", Where{line_of(root, 1), false}, s);
  read_lists(s);
  resolve_groups(s);
  check_consistency(s);
  return s;
}

void Reader::read_section(const YAML::Node& node, const std::string& prefix, const std::string& shown, Where where,
                          Scenario& s) {
  if (!node.IsMap()) {
    const std::string keys = comma_list(children_of(scenario_keys(), prefix));
    if (!node.IsDefined() || node.IsNull()) {
      fail(where, shown, fmt::format("missing value (expected a mapping with keys {})", keys));
    }
    fail(where, shown, fmt::format("expected a mapping with keys {}, got {}", keys, describe(node)));
  }
  std::map<std::string, int> first_line;
  for (const auto& entry : node) {
    const int line = line_of(entry.first, where.line);
    if (!entry.first.IsScalar()) fail(where_of(shown, line), shown, "keys must be plain names");
    const std::string& name = entry.first.Scalar();
    const std::string path = join(prefix, name);
    const std::string shown_path = join(shown, name);
    const Where here = where_of(shown_path, line);
    if (first_line.count(name) != 0) {
      fail(here, shown_path, here.from_set ? std::string("duplicate key")
                                           : fmt::format("duplicate key (first given on line {})", first_line[name]));
    }
    first_line[name] = line;
    given_[shown_path] = here;
    if (const Key<Scenario>* key = find_scenario_key(path)) {
      if (key->kind == Kind::faults) read_faults(entry.second, here, s);
      else if (key->kind == Kind::sweep) read_sweep(entry.second, here, s);
      else if (key->kind == Kind::latency_table) read_latency_table(entry.second, path, here, s);
      else if (key->kind == Kind::sites || key->kind == Kind::groups) lists_.push_back({key->kind, entry.second, here});
      else if (key->kind == Kind::quantity_list || key->kind == Kind::real_list)
        read_list(*key, entry.second, shown_path, here, s);
      else assign(*key, s, entry.second, shown_path, here);
    } else if (is_section(path)) {
      read_section(entry.second, path, shown_path, here, s);
    } else {
      fail(here, shown_path, unknown_key_message(prefix, name));
    }
  }
  if (prefix == "platform.device" && first_line.count("profile") != 0)
    apply_profile(shown, first_line, s.platform.device);
}

// A device block's profile fills the fields the block does not give itself (a group's profile
// replaces what it inherits from the top-level block). Its idle power must be given: no profile has one.
void Reader::apply_profile(const std::string& shown, const std::map<std::string, int>& block_keys,
                           DeviceConfig& device) const {
  const DeviceProfile* profile = find_device_profile(device.profile);
  if (profile == nullptr) return;  // "none"
  apply_device_profile(*profile, device, [&](std::string_view key) { return block_keys.count(std::string(key)) != 0; });
  if (block_keys.count("power_idle") == 0 && given_.count("platform.device.power_idle") == 0) {
    fail(given_at(join(shown, "profile")), join(shown, "profile"),
         fmt::format("profile {} ({}) gives no idle power (no source publishes one); give {}.power_idle too",
                     profile->name, profile->hardware, shown));
  }
}

// One element of faults, platform.sites or platform.groups (`list_key`): a mapping of the element's
// own keys and, for sites and groups, of blocks, each block read with the top-level section it
// overrides (block_section) into `blocks`, a copy of the scenario read so far.
template <class Element>
std::map<std::string, int> Reader::read_element(const YAML::Node& element, const std::string& list_key,
                                                const std::string& path, Where here,
                                                const std::vector<Key<Element>>& keys, Element& out,
                                                Scenario* blocks) {
  const std::vector<std::string> names = element_key_names(list_key);
  if (!element.IsMap()) {
    fail(here, path, fmt::format("expected a mapping with keys {}, got {}", comma_list(names), describe(element)));
  }
  std::map<std::string, int> first_line;
  for (const auto& entry : element) {
    const int line = line_of(entry.first, here.line);
    if (!entry.first.IsScalar()) fail(where_of(path, line), path, "keys must be plain names");
    const std::string& name = entry.first.Scalar();
    const std::string key_path = fmt::format("{}.{}", path, name);
    const Where key_where = where_of(key_path, line);
    if (first_line.count(name) != 0) {
      fail(key_where, key_path, fmt::format("duplicate key (first given on line {})", first_line[name]));
    }
    first_line[name] = line;
    given_[key_path] = key_where;
    if (const Key<Element>* key = find_key(keys, name)) {
      assign(*key, out, entry.second, key_path, key_where);
      continue;
    }
    const std::string section = block_section(list_key, name);
    if (section.empty() || blocks == nullptr) {
      const auto best = closest(name, names);
      fail(key_where, key_path,
           best ? fmt::format("unknown key (did you mean '{}'?)", *best)
                : fmt::format("unknown key (expected one of: {})", comma_list(names)));
    }
    if (section == "workload" && entry.second.IsMap()) {
      for (const auto& workload_entry : entry.second) {
        const std::string workload_key = workload_entry.first.Scalar();
        const auto& allowed = group_workload_keys();
        if (std::find(allowed.begin(), allowed.end(), workload_key) != allowed.end()) continue;
        const std::string workload_path = fmt::format("{}.{}", key_path, workload_key);
        fail(where_of(workload_path, line_of(workload_entry.first, line)), workload_path,
             fmt::format("unknown key (a group's workload gives only {}; the rest is the run's)",
                         comma_list(allowed)));
      }
    }
    read_section(entry.second, section, key_path, key_where, *blocks);
  }
  return first_line;
}

// platform.sites and platform.groups, read once the rest of the file is (their blocks start from
// the top-level ones, wherever those are written).
void Reader::read_lists(Scenario& s) {
  std::sort(lists_.begin(), lists_.end(), [](const PendingList& a, const PendingList& b) {
    return a.kind == Kind::sites && b.kind != Kind::sites;
  });
  for (const PendingList& list : lists_) {
    const bool sites = list.kind == Kind::sites;
    const std::string list_key = sites ? "platform.sites" : "platform.groups";
    const std::string expected = expectation(list.kind, UnitKind::time, {});
    if (!list.node.IsDefined() || list.node.IsNull())
      fail(list.where, list_key, fmt::format("missing value (expected {})", expected));
    if (!list.node.IsSequence())  // [] gives none: the single site or group
      fail(list.where, list_key, fmt::format("expected {}, got {}", expected, describe(list.node)));
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < list.node.size(); ++i) {
      const YAML::Node& element = list.node[i];
      const std::string path = fmt::format("{}[{}]", list_key, i);
      const Where here = where_of(path, line_of(element, list.where.line));
      given_[path] = here;
      Scenario blocks = s;
      std::string name;
      if (sites) {
        SiteConfig site;
        if (read_element(element, list_key, path, here, site_keys(), site, &blocks).count("name") == 0)
          fail(here, path, "missing 'name'");
        site.backhaul = blocks.platform.backhaul;
        name = site.name;
        s.platform.sites.push_back(site);
      } else {
        GroupConfig group;
        if (read_element(element, list_key, path, here, group_keys(), group, &blocks).count("name") == 0)
          fail(here, path, "missing 'name'");
        group.device = blocks.platform.device;
        group.access = blocks.platform.access;
        group.workload = blocks.workload;
        name = group.name;
        s.platform.groups.push_back(group);
      }
      if (index_of.count(name) != 0)
        fail(given_at(path + ".name"), path + ".name",
             fmt::format("'{}' is already the name of {}[{}]", name, list_key, index_of[name]));
      index_of[name] = i;
    }
  }
}

// Batch sizes in ascending order from 1, each with a positive time.
void Reader::read_latency_table(const YAML::Node& node, const std::string& path, Where where, Scenario& s) {
  const std::string expected = expectation(Kind::latency_table, UnitKind::time, {});
  if (!node.IsDefined() || node.IsNull()) fail(where, path, fmt::format("missing value (expected {})", expected));
  if (!node.IsMap()) fail(where, path, fmt::format("expected {}, got {}", expected, describe(node)));
  std::vector<BatchLatencyPoint>& table = s.platform.cloud.latency.table;
  table.clear();
  for (const auto& entry : node) {
    const Where here = where_of(path, line_of(entry.first, where.line));
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
      fail(here, path, fmt::format("expected {}, got an entry {}: {}", expected, describe(entry.first),
                                   describe(entry.second)));
    }
    const std::string size_path = fmt::format("{}[{}]", path, entry.first.Scalar());
    BatchLatencyPoint point;
    point.batch = read_integer<int>(at_least(1), entry.first.Scalar(), size_path, here);
    point.latency_s = read_double(Kind::quantity, UnitKind::time, above(0), entry.second.Scalar(), size_path, here);
    if (!table.empty() && point.batch <= table.back().batch) {
      fail(here, size_path, fmt::format("batch sizes must ascend (after {})", table.back().batch));
    }
    table.push_back(point);
  }
  if (table.empty() || table.front().batch != 1) {
    fail(where, path, "must give the time of a batch of 1 (e.g. {1: 10ms, 8: 20ms})");
  }
}

// A non-empty flow or block list; each element a number in the key's range, element k named path[k].
void Reader::read_list(const Key<Scenario>& key, const YAML::Node& node, const std::string& path, Where where,
                       Scenario& s) {
  const std::string expected = expectation(key.kind, key.unit, {});
  if (!node.IsDefined() || node.IsNull()) fail(where, path, fmt::format("missing value (expected {})", expected));
  if (!node.IsSequence() || node.size() == 0) fail(where, path, fmt::format("expected {}, got {}", expected, describe(node)));
  std::vector<double>& values = std::get<std::vector<double>& (*)(Scenario&)>(key.field)(s);
  values.clear();
  for (size_t k = 0; k < node.size(); ++k) {
    const std::string element_path = fmt::format("{}[{}]", path, k);
    const Where here = where_of(element_path, line_of(node[k], where.line));
    if (!node[k].IsScalar()) fail(here, element_path, fmt::format("expected {}, got {}", expected, describe(node[k])));
    const Kind scalar = key.kind == Kind::quantity_list ? Kind::quantity : Kind::real;
    values.push_back(read_double(scalar, key.unit, key.range, node[k].Scalar(), element_path, here));
  }
}

void Reader::read_faults(const YAML::Node& node, Where where, Scenario& s) {
  const std::string expected = expectation(Kind::faults, UnitKind::time, {});
  if (!node.IsDefined() || node.IsNull()) fail(where, "faults", fmt::format("missing value (expected {})", expected));
  if (!node.IsSequence()) fail(where, "faults", fmt::format("expected {}, got {}", expected, describe(node)));
  s.faults.clear();
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& element = node[i];
    const std::string path = fmt::format("faults[{}]", i);
    const Where here = where_of(path, line_of(element, where.line));
    given_[path] = here;
    FaultConfig fault;
    const std::map<std::string, int> first_line = read_element(element, "faults", path, here, fault_keys(), fault, nullptr);
    const bool random = fault.rate_per_s > 0;  // starts at 0 s unless `at` says otherwise
    for (const std::string required : {"at", "for", "target"}) {
      if (first_line.count(required) != 0 || (random && required == "at")) continue;
      fail(here, path, fmt::format("missing '{}' (a fault needs at, for and target; random faults rate, for and "
                                   "target)", required));
    }
    s.faults.push_back(fault);
  }
}

SweepAxis Reader::read_axis(const std::string& key, const YAML::Node& values, const std::string& path, Where where,
                            bool zip) {
  if (key == "sweep" || starts_with(key, "sweep.")) fail(where, path, "the sweep block cannot sweep itself");
  if (auto problem = key_path_problem(key, where)) {
    problem->path = "sweep." + problem->path;
    throw *problem;
  }
  if (!values.IsSequence() || values.size() == 0) {
    fail(where, path, fmt::format("expected a non-empty list of values, got {}", describe(values)));
  }
  if (values.size() > kMaxSweepValues) {
    fail(where, path, fmt::format("{} values (at most {} per axis; each is checked against the scenario)",
                                  values.size(), kMaxSweepValues));
  }
  SweepAxis axis{key, {}};
  AxisSource source{key, zip, {}, {}};
  for (size_t i = 0; i < values.size(); ++i) {
    axis.values.push_back(yaml_text(values[i]));
    source.values.push_back(YAML::Clone(values[i]));
    source.lines.push_back(where.from_set ? 0 : line_of(values[i], where.line));
  }
  axes_.push_back(std::move(source));
  return axis;
}

void Reader::read_sweep(const YAML::Node& node, Where where, Scenario& s) {
  const std::string expected = expectation(Kind::sweep, UnitKind::time, {});
  if (!node.IsDefined() || node.IsNull()) fail(where, "sweep", fmt::format("missing value (expected {})", expected));
  if (!node.IsMap()) fail(where, "sweep", fmt::format("expected {}, got {}", expected, describe(node)));
  s.sweep = SweepConfig{};
  axes_.clear();
  std::map<std::string, int> first_line;
  const auto read_entries = [&](const YAML::Node& map, const std::string& prefix, bool zip,
                                std::vector<SweepAxis>& out) {
    for (const auto& entry : map) {
      const int line = line_of(entry.first, where.line);
      if (!entry.first.IsScalar()) fail(where_of(prefix, line), prefix, "keys must be key paths");
      const std::string& key = entry.first.Scalar();
      const std::string path = fmt::format("{}.{}", prefix, key);
      const Where here = where_of(path, line);
      if (!zip && (key == "zip" || key == "replications" || key == "compare")) continue;
      if (first_line.count(key) != 0) {
        fail(here, path, fmt::format("duplicate sweep key (first given on line {})", first_line[key]));
      }
      for (const auto& [other, other_line] : first_line) {
        if (within(key, other) || within(other, key)) {
          fail(here, path, fmt::format("overlaps sweep key '{}' (line {})", other, other_line));
        }
      }
      first_line[key] = line;
      given_[path] = here;
      out.push_back(read_axis(key, entry.second, path, here, zip));
    }
  };
  read_entries(node, "sweep", false, s.sweep.grid);
  for (const auto& entry : node) {
    if (!entry.first.IsScalar() || entry.first.Scalar() != "zip") continue;
    const Where here = where_of("sweep.zip", line_of(entry.first, where.line));
    given_["sweep.zip"] = here;
    if (!entry.second.IsMap() || entry.second.size() == 0) {
      fail(here, "sweep.zip",
           fmt::format("expected a mapping of key paths to lists of equal length, got {}", describe(entry.second)));
    }
    read_entries(entry.second, "sweep.zip", true, s.sweep.zip);
  }
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;
    const std::string& name = entry.first.Scalar();
    if (name != "replications" && name != "compare") continue;
    const std::string path = "sweep." + name;
    const Where here = where_of(path, line_of(entry.first, where.line));
    given_[path] = here;
    if (name == "replications") read_replications(entry.second, here, s.sweep.replications);
    else read_compare(entry.second, here, s.sweep);
  }
  for (const SweepAxis& axis : s.sweep.zip) {
    const SweepAxis& first = s.sweep.zip.front();
    if (axis.values.size() != first.values.size()) {
      const std::string path = "sweep.zip." + axis.key;
      fail(given_at(path), path,
           fmt::format("{} values but {} has {} (zip lists must have the same length)", axis.values.size(),
                       first.key, first.values.size()));
    }
  }
}

// sweep.replications: a count, or {n, models_seed} or {min, max, until: {metric, half_width}, models_seed}.
// The metric's name is checked by the sweep command, which knows the summary's columns.
void Reader::read_replications(const YAML::Node& node, Where where, SweepReplications& out) {
  out = SweepReplications{};
  const std::string path = "sweep.replications";
  const Range count = between(1, SweepReplications::kMax);
  if (node.IsScalar()) {
    out.n = read_integer<int>(count, node.Scalar(), path, where);
    return;
  }
  const std::string expected = fmt::format(
      "expected a count (1 to {}) or a mapping with keys n, models_seed, min, max, until, got {}",
      SweepReplications::kMax, describe(node));
  if (!node.IsMap()) fail(where, path, expected);
  const auto scalar = [&](const YAML::Node& value, const std::string& key_path, Where here) -> const std::string& {
    if (!value.IsScalar()) fail(here, key_path, fmt::format("expected a single value, got {}", describe(value)));
    return value.Scalar();
  };
  std::set<std::string> seen;
  for (const auto& entry : node) {
    const int line = line_of(entry.first, where.line);
    if (!entry.first.IsScalar()) fail(where_of(path, line), path, "keys must be plain names");
    const std::string& name = entry.first.Scalar();
    const std::string key_path = path + "." + name;
    const Where here = where_of(key_path, line);
    if (!seen.insert(name).second) fail(here, key_path, "duplicate key");
    given_[key_path] = here;
    if (name == "n") {
      out.n = read_integer<int>(count, scalar(entry.second, key_path, here), key_path, here);
    } else if (name == "models_seed") {
      out.models_seed = read_flag(scalar(entry.second, key_path, here), key_path, here);
    } else if (name == "min") {
      out.min = read_integer<int>(between(2, SweepReplications::kMax), scalar(entry.second, key_path, here), key_path,
                                  here);
    } else if (name == "max") {
      out.max = read_integer<int>(between(2, SweepReplications::kMax), scalar(entry.second, key_path, here), key_path,
                                  here);
    } else if (name == "until") {
      if (!entry.second.IsMap()) {
        fail(here, key_path,
             fmt::format("expected a mapping like {{metric: accuracy, half_width: 0.005}}, got {}",
                         describe(entry.second)));
      }
      for (const auto& until : entry.second) {
        const int until_line = line_of(until.first, line);
        const std::string until_name = until.first.IsScalar() ? until.first.Scalar() : std::string();
        const std::string until_path = key_path + "." + until_name;
        const Where at = where_of(until_path, until_line);
        given_[until_path] = at;
        if (until_name == "metric") {
          out.metric = scalar(until.second, until_path, at);
          if (out.metric.empty()) fail(at, until_path, "must not be empty");
        } else if (until_name == "half_width") {
          out.half_width = read_double(Kind::real, UnitKind::time, above(0), scalar(until.second, until_path, at),
                                       until_path, at);
        } else {
          fail(at, until_path, fmt::format("unknown key '{}' (expected metric, half_width)", until_name));
        }
      }
      if (out.metric.empty()) fail(here, key_path + ".metric", "missing (the summary metric whose half-width decides)");
      if (out.half_width <= 0) fail(here, key_path + ".half_width", "missing (the 95 % half-width to reach, > 0)");
    } else {
      const auto best = closest(name, {"n", "models_seed", "min", "max", "until"});
      fail(here, key_path,
           fmt::format("unknown key '{}' (expected n, models_seed, min, max, until{})", name,
                       best ? fmt::format("; did you mean '{}'?", *best) : std::string()));
    }
  }
  const bool bounds = seen.count("min") != 0 || seen.count("max") != 0;
  if (out.sequential() && seen.count("n") != 0) {
    fail(given_at(path + ".n"), path + ".n", "n and until exclude each other (until runs min to max replications)");
  }
  if (bounds && !out.sequential()) {
    const std::string key_path = path + (seen.count("min") != 0 ? ".min" : ".max");
    fail(given_at(key_path), key_path, "min and max need until: {metric: ..., half_width: ...}");
  }
  if (out.min > out.max) {
    fail(given_at(path + ".min"), path + ".min", fmt::format("min {} is above max {}", out.min, out.max));
  }
}

// sweep.compare: {grid.key: baseline value}; the key must be a grid key and the value one of its values.
void Reader::read_compare(const YAML::Node& node, Where where, SweepConfig& sweep) {
  const std::string path = "sweep.compare";
  if (!node.IsMap() || node.size() != 1) {
    fail(where, path,
         fmt::format("expected one grid key and its baseline value, e.g. {{policy.offload.filter: random}}, got {}",
                     describe(node)));
  }
  const auto entry = *node.begin();
  const int line = line_of(entry.first, where.line);
  if (!entry.first.IsScalar()) fail(where_of(path, line), path, "keys must be key paths");
  const std::string key = entry.first.Scalar();
  const std::string key_path = path + "." + key;
  const Where here = where_of(key_path, line);
  given_[key_path] = here;
  const auto axis = std::find_if(sweep.grid.begin(), sweep.grid.end(), [&](const SweepAxis& a) { return a.key == key; });
  if (axis == sweep.grid.end()) {
    std::vector<std::string> keys;
    for (const SweepAxis& a : sweep.grid) keys.push_back(a.key);
    fail(here, key_path,
         fmt::format("not a grid key of this sweep (grid keys: {})", keys.empty() ? "none" : comma_list(keys)));
  }
  if (!entry.second.IsScalar()) fail(here, key_path, fmt::format("expected one value, got {}", describe(entry.second)));
  const std::string value = yaml_text(entry.second);
  if (std::find(axis->values.begin(), axis->values.end(), value) == axis->values.end()) {
    fail(here, key_path, fmt::format("value {} is not on the axis (its values: {})", value, comma_list(axis->values)));
  }
  if (axis->values.size() < 2) fail(here, key_path, "the axis has one value: nothing to compare with");
  sweep.compare = {key, value};
}

// Each group's devices: its count, its share of platform.devices (rounded; without a group taking
// the rest, by largest remainder so that the groups add up), or, for the one group that gives
// neither, the devices left. With counts only, platform.devices defaults to their sum.
void Reader::resolve_groups(Scenario& s) const {
  std::vector<GroupConfig>& groups = s.platform.groups;
  if (groups.empty()) return;
  const auto path_of = [](size_t i, const char* key) { return fmt::format("platform.groups[{}].{}", i, key); };
  int64_t counted = 0;
  int rest = -1;
  std::vector<size_t> shared;
  for (size_t i = 0; i < groups.size(); ++i) {
    GroupConfig& g = groups[i];
    if (g.count >= 0 && g.share >= 0)
      fail(given_at(path_of(i, "share")), path_of(i, "share"), "give count or share, not both");
    if (g.count >= 0) {
      counted += g.count;
    } else if (g.share >= 0) {
      shared.push_back(i);
    } else if (rest >= 0) {
      fail(given_at(fmt::format("platform.groups[{}]", i)), fmt::format("platform.groups[{}]", i),
           fmt::format("gives neither count nor share, like platform.groups[{}]: only one group can take the "
                       "devices left", rest));
    } else {
      rest = static_cast<int>(i);
    }
  }
  const bool devices_given = given_.count("platform.devices") != 0;
  if (!devices_given && shared.empty() && rest < 0) {
    if (counted < 1 || counted > std::numeric_limits<int>::max())
      fail(given_at("platform.groups"), "platform.groups", fmt::format("the groups' counts add up to {}", counted));
    s.platform.devices = static_cast<int>(counted);
  }
  const int devices = s.platform.devices;
  const auto devices_text = [&] {
    return devices_given ? fmt::format("platform.devices is {}", devices)
                         : fmt::format("platform.devices is {}, its default", devices);
  };
  for (GroupConfig& g : groups)
    if (g.count >= 0) g.devices = g.count;
  // A share too small for one device would leave its group empty: refused, not dropped.
  const auto check_shares_got_devices = [&] {
    for (const size_t i : shared) {
      if (groups[i].devices > 0) continue;
      fail(given_at(path_of(i, "share")), path_of(i, "share"),
           fmt::format("{} of {} devices is no device (give a larger share, a count, or more devices)",
                       groups[i].share, devices));
    }
  };
  if (rest >= 0) {
    // Shares round to the nearest device; the rest group takes what the others leave.
    int64_t taken = counted;
    for (const size_t i : shared) {
      groups[i].devices = static_cast<int>(std::lround(groups[i].share * devices));
      taken += groups[i].devices;
    }
    check_shares_got_devices();
    if (taken >= devices)
      fail(given_at(fmt::format("platform.groups[{}]", rest)), fmt::format("platform.groups[{}]", rest),
           fmt::format("no device left for this group: the others take {} and {}", taken, devices_text()));
    groups[static_cast<size_t>(rest)].devices = static_cast<int>(devices - taken);
    return;
  }
  double share_total = 0;
  for (const size_t i : shared) share_total += groups[i].share;
  if (shared.empty() ? counted != devices
                     : std::abs(share_total * devices - static_cast<double>(devices - counted)) >
                           1e-6 * std::max(1, devices)) {
    const std::string blamed = devices_given ? "platform.devices" : "platform.groups";
    fail(given_at(blamed), blamed,
         shared.empty() ? fmt::format("the groups' counts add up to {}, but {}", counted, devices_text())
                        : fmt::format("the groups' counts ({}) and shares ({} x {} devices) add up to {:.6g}, but {} "
                                      "(or let one group give neither count nor share, to take the devices left)",
                                      counted, share_total, devices, counted + share_total * devices,
                                      devices_text()));
  }
  // Largest remainder: each share's floor, then the devices left to the largest fractional parts,
  // the first group first on ties.
  int64_t taken = counted;
  for (const size_t i : shared) {
    groups[i].devices = static_cast<int>(std::floor(groups[i].share * devices + 1e-9));
    taken += groups[i].devices;
  }
  std::vector<size_t> by_remainder = shared;
  std::stable_sort(by_remainder.begin(), by_remainder.end(), [&](size_t a, size_t b) {
    return groups[a].share * devices - groups[a].devices > groups[b].share * devices - groups[b].devices;
  });
  for (int64_t k = 0; k < devices - taken; ++k) ++groups[by_remainder[static_cast<size_t>(k)]].devices;
  check_shares_got_devices();
}

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
  exclusive(fixed, nullptr, "policy.offload.target_cur", &offload.target_cur);
  exclusive(fixed, nullptr, "policy.offload.budget.cur", &offload.budget_cur);
  exclusive("policy.offload.target_cur", &offload.target_cur, "policy.offload.budget.cur", &offload.budget_cur);
  if (!offload.calibrates()) return;

  const std::string share = offload.budget_cur >= 0 ? "policy.offload.budget.cur" : "policy.offload.target_cur";
  if (offload.filter == OffloadFilter::EdgeOnly || offload.filter == OffloadFilter::CloudOnly) {
    fail(given_at(share), share,
         fmt::format("the {} baseline offloads {}: use entropy, max_prob, margin or random with a target share",
                     name_of(offload.filter), offload.filter == OffloadFilter::EdgeOnly ? "nothing" : "everything"));
  }
  const bool buffer_updates = s.policy.update.mode == UpdateMode::OnDevice || s.policy.update.mode == UpdateMode::Cloud;
  const bool explore_given = given_.count("policy.offload.explore") != 0;
  const double explore = explore_given ? offload.explore : buffer_updates ? kBufferExploreDefault : 0;
  if (offload.target_share() < explore) {
    fail(given_at(share), share,
         fmt::format("{} is below policy.offload.explore ({}{}): exploration alone offloads more", offload.target_share(),
                     explore, explore_given ? "" : ", its default with buffer updates"));
  }
}

std::string Reader::block_key(const std::string& prefix, const std::string& key) const {
  const std::string own = prefix.empty() ? key : join(prefix, starts_with(key, "platform.") ? key.substr(9) : key);
  return given_.count(own) != 0 || given_.count(key) == 0 ? own : key;
}

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
  if (!std::filesystem::is_regular_file(file)) fail(given_at(key), key, fmt::format("cannot read calibration file '{}'", file));
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
  NetworkConfig& network = s.platform.network;
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

void Reader::check_consistency(Scenario& s) const {
  const auto fail_at = [&](const std::string& path, const std::string& message) {
    fail(given_at(path), path, message);
  };

  const int classes = dataset_classes(s.dataset.name);
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
  if (s.policy.offload.calibrates() && s.dataset.evaluation_share + s.policy.offload.calibration_share > 0.9) {
    fail_at(blame({"policy.offload.calibration_share", "dataset.evaluation_share"}),
            fmt::format("the evaluation set ({}) and the calibration set ({}) leave less than 10 % of the test "
                        "images to request",
                        s.dataset.evaluation_share, s.policy.offload.calibration_share));
  }
  if (!s.dataset.path.empty() && !std::filesystem::is_directory(s.dataset.path)) {
    fail_at("dataset.path", fmt::format("no such directory '{}'", s.dataset.path));
  }

  // `busy` and `idle`: the keys to blame, the first given first.
  const auto check_power = [&](const std::string& busy, const std::string& idle, double idle_W, double busy_W) {
    if (busy_W < idle_W) {
      fail_at(blame({busy, idle}), fmt::format("power_busy ({}) is below power_idle ({})",
                                               format_quantity(busy_W, UnitKind::power),
                                               format_quantity(idle_W, UnitKind::power)));
    }
  };
  check_power("platform.cloud.power_busy", "platform.cloud.power_idle", s.platform.cloud.power_idle_W, s.platform.cloud.power_busy_W);
  // A device, access and backhaul block: the top-level ones, and each site's and group's, whose
  // values are the top-level ones unless given there (`prefix` empty: the top level).
  const auto key_of = [&](const std::string& prefix, const std::string& key) { return block_key(prefix, key); };
  const auto check_block_power = [&](const std::string& prefix, const std::string& section, double idle_W,
                                     double busy_W) {
    check_power(key_of(prefix, section + ".power_busy"), key_of(prefix, section + ".power_idle"), idle_W, busy_W);
  };
  const auto check_trace = [&](const std::string& prefix, const WorkloadConfig& w) {
    if (w.arrival == Arrival::Trace && w.trace.empty()) {
      fail_at(key_of(prefix, "workload.arrival"), "arrival 'trace' needs workload.trace (a file of arrival times)");
    }
    if (w.arrival == Arrival::Trace && !std::filesystem::is_regular_file(w.trace)) {
      fail_at(key_of(prefix, "workload.trace"), fmt::format("cannot read trace file '{}'", w.trace));
    }
  };
  const auto check_blocks = [&](const std::string& prefix, const DeviceConfig& device, const AccessConfig& access) {
    const auto at = [&](const std::string& key) { return key_of(prefix, key); };
    // Values are checked whether or not this scenario uses them (an unused key is a warning).
    check_block_power(prefix, "platform.device", device.power_idle_W, device.power_busy_W);
    check_block_power(prefix, "platform.access", access.power_idle_W, access.power_busy_W);
    const bool trains_on_device = s.policy.update.mode == UpdateMode::OnDevice || s.policy.update.mode == UpdateMode::Oracle;
    if (trains_on_device && !device.backprop) {
      const DeviceProfile* profile = find_device_profile(device.profile);
      fail_at(blame({at("platform.device.profile"), "policy.update.mode"}),
              fmt::format("profile {} ({}) cannot train by backpropagation, which update mode {} needs on the device; "
                          "use mode cloud, or give {} (the price of a training MAC) to simulate it anyway",
                          device.profile, profile != nullptr ? profile->hardware : "", name_of(s.policy.update.mode),
                          at("platform.device.e_mac")));
    }
    if (device.radio_energy == RadioEnergy::WifiStates && access.kind != AccessKind::Wifi) {
      fail_at(blame({at("platform.device.radio_energy"), at("platform.access.kind")}),
              "radio_energy wifi_states needs platform.access.kind wifi");
    }
    if (device.radio_tail != RadioTail::None) {
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
  };
  check_blocks("", s.platform.device, s.platform.access);
  check_block_power("", "platform.backhaul", s.platform.backhaul.power_idle_W, s.platform.backhaul.power_busy_W);
  for (size_t k = 0; k < s.platform.sites.size(); ++k) {
    const BackhaulConfig& backhaul = s.platform.sites[k].backhaul;
    check_block_power(fmt::format("platform.sites[{}]", k), "platform.backhaul", backhaul.power_idle_W,
                      backhaul.power_busy_W);
  }
  for (size_t i = 0; i < s.platform.groups.size(); ++i) {
    const GroupConfig& group = s.platform.groups[i];
    const std::string prefix = fmt::format("platform.groups[{}]", i);
    check_blocks(prefix, group.device, group.access);
    check_trace(prefix, group.workload);
    if (group.site.empty()) continue;
    const auto& sites = s.platform.sites;
    if (std::none_of(sites.begin(), sites.end(), [&](const SiteConfig& site) { return site.name == group.site; })) {
      std::vector<std::string> names;
      for (const SiteConfig& site : sites) names.push_back(site.name);
      fail_at(prefix + ".site", sites.empty() ? fmt::format("no site '{}': platform.sites is not given", group.site)
                                              : fmt::format("no site '{}' in platform.sites ({})", group.site,
                                                            comma_list(names)));
    }
  }
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

  check_offload_share(s);
  check_packet_network(s);
  read_network_calibration(s);

  if (s.policy.update.trigger > s.policy.update.buffer) {
    fail_at(blame({"policy.update.trigger", "policy.update.buffer"}),
            fmt::format("trigger ({}) exceeds the buffer capacity ({})", s.policy.update.trigger,
                        s.policy.update.buffer));
  }

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

// ------------------------------------------------------------------------------------------------
// Documents, overrides, sweep checks

// Where the first documents of a YAML stream begin, from parser events alone (no nodes). It stands in
// for YAML::LoadAll, which in yaml-cpp 0.7 loops forever, allocating, when a document does not consume
// its first token (a stray ',' outside brackets: jbeder/yaml-cpp#1040); such a "document" starts where
// the previous one did, so three starts are enough to tell it from a real second document.
class DocumentStarts : public YAML::EventHandler {
 public:
  struct Start {
    YAML::Mark document;   // its first token
    YAML::Mark node;       // its root node
  };

  static std::vector<Start> first_three(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts events;
    while (events.starts_.size() < 3 && parser.HandleNextDocument(events)) {}
    return events.starts_;
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    starts_.push_back({mark, mark});
    in_root_ = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { root_at(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { root_at(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
    root_at(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root_at(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    root_at(mark);
  }
  void OnMapEnd() override {}

 private:
  void root_at(const YAML::Mark& mark) {
    if (in_root_) starts_.back().node = mark;
    in_root_ = false;
  }

  std::vector<Start> starts_;
  bool in_root_ = false;
};


// The longest scalar any key takes (a file path: PATH_MAX); longer ones are refused before any
// message could echo them.
constexpr size_t kMaxScalarLength = 4096;

// Refuses explicit YAML tags (`!!str 1`, `!custom x`: the reader goes by each key's own kind, so a
// tag would be ignored silently; untagged nodes carry "?" (plain) or "!" (quoted) in yaml-cpp) and
// scalars too long for any key.
void check_nodes(const YAML::Node& node, const std::string& path, bool from_set) {
  const Where where{from_set ? 0 : line_of(node, 1), from_set};
  const std::string& tag = node.Tag();
  if (!tag.empty() && tag != "?" && tag != "!") {
    fail(where, path, fmt::format("YAML tags are not supported (got '{}'): write the plain value", one_line(tag, 60)));
  }
  if (node.IsScalar() && node.Scalar().size() > kMaxScalarLength) {
    fail(where, path, fmt::format("a value of {} characters (at most {}): '{}'", node.Scalar().size(),
                                  kMaxScalarLength, one_line(node.Scalar(), 40)));
  }
  if (node.IsSequence()) {
    for (size_t k = 0; k < node.size(); ++k) check_nodes(node[k], fmt::format("{}[{}]", path, k), from_set);
  } else if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string name = entry.first.IsScalar() ? one_line(entry.first.Scalar(), 60) : std::string("?");
      check_nodes(entry.first, path, from_set);
      check_nodes(entry.second, join(path, name), from_set);
    }
  }
}

// Before YAML parses it: a text larger than any scenario needs, a NUL byte (the file is not text),
// flow collections nested deeper than any scenario needs (yaml-cpp would stop with "bad file") and
// flow lists longer than a sweep axis may be (yaml-cpp takes about 0.5 KB and a few us per node, so
// an 8 MB list took 35 s and 2.4 GB before the sweep reader saw it). Brackets inside quotes are
// skipped; the scan is a guard, the parser stays the judge.
void check_text(const std::string& text) {
  constexpr int kMaxFlowDepth = 64;
  if (text.size() > kMaxScenarioBytes) {
    fail(Where{1, false}, "", fmt::format("a scenario of {} bytes (at most {}): long lists of values belong in a "
                                          "trace file or several sweeps", text.size(), kMaxScenarioBytes));
  }
  int line = 1, depth = 0;
  char quote = 0;
  std::vector<size_t> items(1, 0);   // commas seen in each open flow collection
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\0') fail(Where{line, false}, "", fmt::format("a NUL byte at byte {}: a scenario is YAML text", i + 1));
    if (c == '\n') ++line;
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n' && text[i + 1] != '\0') ++i;   // a comment
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxFlowDepth)
        fail(Where{line, false}, "", fmt::format("lists and mappings nested deeper than {} levels", kMaxFlowDepth));
      items.push_back(0);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
      items.pop_back();
    } else if (c == ',' && depth > 0 && ++items.back() >= kMaxSweepValues) {
      fail(Where{line, false}, "", fmt::format("a list or mapping of more than {} entries (a sweep axis takes at most "
                                               "{} values)", kMaxSweepValues, kMaxSweepValues));
    }
  }
}

YAML::Node parse_document(const std::string& text) {
  check_text(text);
  std::vector<DocumentStarts::Start> starts;
  YAML::Node root;
  try {
    starts = DocumentStarts::first_three(text);
    for (size_t i = 1; i < starts.size(); ++i) {
      const YAML::Mark& at = starts[i].document;
      if (at.pos != starts[i - 1].document.pos) continue;
      const bool inside = at.pos >= 0 && static_cast<size_t>(at.pos) < text.size();
      const std::string token = inside ? one_line(text.substr(static_cast<size_t>(at.pos), 1)) : std::string();
      fail(Where{line_of_mark(at), false}, "", fmt::format("YAML syntax error: unexpected '{}'", token));
    }
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    fail(Where{e.mark.line >= 0 ? e.mark.line + 1 : 0, false}, "", fmt::format("YAML syntax error: {}", e.msg));
  }
  if (starts.empty() || !root.IsDefined() || root.IsNull()) {
    fail(Where{1, false}, "",
         fmt::format("empty scenario (expected a mapping of top-level keys: {})",
                     comma_list(children_of(scenario_keys(), ""))));
  }
  if (starts.size() > 1) fail(Where{line_of_mark(starts[1].node), false}, "", "expected one YAML document, got several");
  check_nodes(root, "", false);
  if (!root.IsMap()) {
    fail(Where{line_of(root, 1), false}, "",
         fmt::format("expected a mapping of top-level keys ({}), got {}", comma_list(children_of(scenario_keys(), "")),
                     describe(root)));
  }
  return root;
}

// "key.path=value" -> path and the value read as YAML.
std::pair<std::string, YAML::Node> parse_override(const std::string& argument) {
  const size_t equals = argument.find('=');
  if (equals == std::string::npos) {
    fail(Where{0, true}, argument, "expected key.path=value (the value is read as YAML)");
  }
  std::string path = argument.substr(0, equals);
  path.erase(0, path.find_first_not_of(" \t"));
  path.erase(path.find_last_not_of(" \t") + 1);
  if (path == "sweep" || starts_with(path, "sweep.")) {
    if (path != "sweep") fail(Where{0, true}, path, "the sweep block is set as a whole: --set 'sweep={...}'");
  } else if (auto problem = key_path_problem(path, Where{0, true})) {
    throw *problem;
  }
  YAML::Node value;
  try {
    value = YAML::Load(argument.substr(equals + 1));
  } catch (const YAML::ParserException& e) {
    fail(Where{0, true}, path, fmt::format("value is not valid YAML: {}", e.msg));
  }
  check_nodes(value, path, true);
  return {path, value};
}

// Replaces (or adds) the value at `path` in the tree; missing or empty sections on the way become
// mappings, and "name[k]" steps into element k of an existing list. `overrides` learns that
// everything under `path` now comes from `where`.
void apply_override(YAML::Node root, const std::string& path, const YAML::Node& value, Where where,
                    Overrides& overrides) {
  std::vector<std::string> parts;
  std::stringstream stream(path);
  for (std::string part; std::getline(stream, part, '.');) parts.push_back(part);
  YAML::Node node = root;
  std::string here;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const size_t open = parts[i].find('[');
    const std::string name = parts[i].substr(0, open);
    here = join(here, name);
    if (open != std::string::npos) {  // key_path_problem checked the form
      const size_t index = std::stoul(parts[i].substr(open + 1));
      YAML::Node list = node[name];
      const auto it = overrides.find(here);
      const Where list_where = it != overrides.end() ? it->second : Where{line_of(list, 0), false};
      if (!list.IsSequence() || index >= list.size()) {
        const size_t size = list.IsSequence() ? list.size() : 0;
        fail(where, here + parts[i].substr(open),
             size == 0 ? fmt::format("{} is not given as a list", here)
                       : fmt::format("{} has {} elements ({}[0] to {}[{}]{})", here, size, here, here, size - 1,
                                     list_where.line > 0 ? fmt::format(", line {}", list_where.line) : ""));
      }
      here += parts[i].substr(open);
      if (last) {
        list[index] = YAML::Clone(value);
        break;
      }
      node.reset(list[index]);
      if (!node.IsMap()) {
        fail(where, here, fmt::format("expected a mapping, got {}", describe(node)));
      }
      continue;
    }
    if (last) {
      node[name] = YAML::Clone(value);
      break;
    }
    YAML::Node next = node[name];
    if (!next.IsDefined() || next.IsNull()) {
      node[name] = YAML::Node(YAML::NodeType::Map);
      next.reset(node[name]);
    } else if (!next.IsMap()) {
      const auto it = overrides.find(here);
      fail(it != overrides.end() ? it->second : Where{line_of(next, 0), false}, here,
           fmt::format("expected a mapping with keys {}, got {}", comma_list(children_of(scenario_keys(), here)),
                       describe(next)));
    }
    node.reset(next);
  }
  for (auto it = overrides.begin(); it != overrides.end();) {
    it = within(it->first, path) ? overrides.erase(it) : std::next(it);
  }
  overrides[path] = where;
}

// A sweep value's own error becomes "file:line: sweep.key...: message"; a conflict it causes
// elsewhere is reported at the value's line and names the key that objects.
KeyError sweep_value_error(const KeyError& inner, const AxisSource& axis, size_t index, const std::string& file) {
  const Where at{axis.lines[index], axis.lines[index] == 0};
  const std::string prefix = axis.zip ? "sweep.zip." : "sweep.";
  if (within(inner.path, axis.key) && inner.where.line == at.line && inner.where.from_set == at.from_set) {
    return KeyError{at, prefix + inner.path, inner.message};
  }
  return KeyError{at, prefix + axis.key,
                  fmt::format("value {} conflicts with the scenario: {}", yaml_text(axis.values[index]),
                              format_error(file, inner))};
}

// The file's tree (`root`, freshly parsed) with the --set overrides applied; `origins` learns which
// paths they replaced.
YAML::Node build_tree(YAML::Node root, const std::vector<std::string>& set_arguments, Overrides& origins) {
  for (const std::string& argument : set_arguments) {
    const auto [path, value] = parse_override(argument);
    apply_override(root, path, value, Where{0, true}, origins);
  }
  return root;
}

// Every sweep value (every zip row together) applied to the scenario must validate. Checks read a
// YAML::Clone of the scenario (--set applied: `root`, `set_origins`) without its sweep block, so each
// costs the same however long the sweep is (re-parsing the text per value made a 2000-value sweep
// take 12 s), and a row of values already checked (by text, as the sweep applies them) is not checked
// again. Clones have no marks: a value that fails is checked again on the re-read text, whose marks
// give the message its lines.
void check_sweep_values(const std::string& text, const std::vector<std::string>& set_arguments,
                        const YAML::Node& root, const Overrides& set_origins, const std::vector<AxisSource>& axes,
                        const std::string& file) {
  YAML::Node without_sweep = YAML::Clone(root);
  without_sweep.remove("sweep");
  const auto read_with = [](YAML::Node tree, Overrides overrides, const std::vector<const AxisSource*>& applied,
                            size_t index) {
    for (const AxisSource* axis : applied) {
      const Where at{axis->lines[index], axis->lines[index] == 0};
      apply_override(tree, axis->key, axis->values[index], at, overrides);
    }
    Reader(overrides).read(tree);
  };
  std::set<std::vector<std::string>> checked;  // axis keys and value texts
  const auto check = [&](const std::vector<const AxisSource*>& applied, size_t index) {
    std::vector<std::string> row;
    for (const AxisSource* axis : applied) {
      row.push_back(axis->key);
      row.push_back(yaml_text(axis->values[index]));
    }
    if (!checked.insert(row).second) return;
    try {
      read_with(YAML::Clone(without_sweep), set_origins, applied, index);
      return;
    } catch (const KeyError&) {
      // fails: again with marks, below
    }
    Overrides overrides;
    YAML::Node copy = build_tree(YAML::Load(text), set_arguments, overrides);  // text passed parse_document
    copy.remove("sweep");
    try {
      read_with(copy, overrides, applied, index);
    } catch (const KeyError& inner) {
      const AxisSource* culprit = applied.front();
      for (const AxisSource* axis : applied) {
        if (within(inner.path, axis->key)) culprit = axis;
      }
      throw sweep_value_error(inner, *culprit, index, file);
    }
    throw std::logic_error(fmt::format("check_sweep_values: {} value {} failed without marks only",
                                       applied.front()->key, index));
  };
  std::vector<const AxisSource*> zip;
  for (const AxisSource& axis : axes) {
    if (axis.zip) {
      zip.push_back(&axis);
      continue;
    }
    for (size_t i = 0; i < axis.values.size(); ++i) check({&axis}, i);
  }
  if (!zip.empty()) {
    for (size_t i = 0; i < zip.front()->values.size(); ++i) check(zip, i);
  }
}

std::string read_text_file(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    throw InputError(fmt::format("{}: cannot read (no such file)", file.string()));
  }
  if (std::filesystem::is_directory(file, error)) {
    throw InputError(fmt::format("{}: cannot read (a directory, expected a YAML file)", file.string()));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot read", file.string()));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(fmt::format("{}: cannot read", file.string()));
  return text;
}

}  // namespace

namespace {

// Every key given that the resolved scenario ignores (the same reasons to_yaml prints as comments)
// becomes a warning: a value the user meant to matter does not.
void note_unused_keys(Scenario& scenario) {
  constexpr std::string_view kUnusedPrefix = "unused: ";
  for (const auto& [path, line] : scenario.key_lines) {
    const Key<Scenario>* key = find_scenario_key(path);
    if (key == nullptr || key->unused == nullptr) continue;
    const char* why = key->unused(scenario);
    if (why == nullptr) continue;
    std::string_view reason = why;
    if (starts_with(reason, kUnusedPrefix)) reason.remove_prefix(kUnusedPrefix.size());
    scenario.warnings.push_back(fmt::format("{}: given but unused ({})", scenario.where(path), reason));
  }
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  return load_scenario_text(read_text_file(file), file, overrides);
}

namespace {

// `text` with the lines of its top-level sweep block blank (from the `sweep` key's line up to the next
// key's), or "" when that would read as anything but the same mapping without the sweep.
std::string blank_sweep_lines(const std::string& text, const YAML::Node& root) {
  int sweep_line = -1;
  int next_line = -1;   // -1: the sweep block runs to the end
  std::set<int> key_lines;
  for (const auto& entry : root) {
    const int line = entry.first.Mark().line;
    if (!key_lines.insert(line).second) return "";   // two keys on one line: a flow mapping
    if (sweep_line >= 0 && next_line < 0) next_line = line;
    if (entry.first.as<std::string>() == "sweep") sweep_line = line;
  }
  if (sweep_line < 0) return "";
  std::string blanked;
  int line = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    end = end == std::string::npos ? text.size() : end + 1;
    const bool in_sweep = line >= sweep_line && (next_line < 0 || line < next_line);
    blanked += in_sweep ? std::string(text[end - 1] == '\n' ? "\n" : "") : text.substr(start, end - start);
    start = end;
    ++line;
  }
  YAML::Node without = YAML::Clone(root);
  without.remove("sweep");
  try {
    if (YAML::Dump(YAML::Load(blanked)) == YAML::Dump(without)) return blanked;
  } catch (const YAML::Exception&) {
    // an anchor defined in the sweep block and used after it, say
  }
  return "";
}

}  // namespace

ScenarioWithoutSweep read_without_sweep(const std::filesystem::path& file) {
  ScenarioWithoutSweep source{file, read_text_file(file)};
  try {
    std::string blanked = blank_sweep_lines(source.text, parse_document(source.text));
    if (!blanked.empty()) source.text = std::move(blanked);
  } catch (const KeyError&) {
    // the whole text, whose reading gives the message
  }
  return source;
}

Scenario load_scenario_text(const std::string& text, const std::filesystem::path& file,
                            const std::vector<std::string>& overrides) {
  const std::string name = file.string();
  try {
    Overrides origins;
    const YAML::Node root = build_tree(parse_document(text), overrides, origins);
    Reader reader(origins);
    Scenario scenario = reader.read(root);
    check_sweep_values(text, overrides, root, origins, reader.axes(), name);
    scenario.source_file = file;
    for (const auto& [path, where] : reader.given()) scenario.key_lines[path] = where.from_set ? 0 : where.line;
    const UpdateMode update_mode = scenario.policy.update.mode;
    if (scenario.key_lines.count("policy.offload.explore") == 0 &&
        (update_mode == UpdateMode::OnDevice || update_mode == UpdateMode::Cloud))
      scenario.policy.offload.explore = kBufferExploreDefault;
    note_unused_keys(scenario);
    return scenario;
  } catch (const KeyError& e) {
    throw InputError(one_line(format_error(name, e)));
  }
}


}  // namespace eccsim