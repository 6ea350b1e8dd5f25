// The Reader: a YAML tree into a Scenario. Each key is read by the kind the key table gives it
// (scalars here, lists, tables and the sites' and groups' blocks below, the sweep block in
// reader_sweep.cpp); then the groups' devices and the defaults that depend on other keys are resolved,
// once, before the cross-field checks (reader_checks.cpp) read them.
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sim/scenario/device_profiles.hpp"

namespace eccsim::scenario_reader {

// ------------------------------------------------------------------------------------------------
// Scalar values

namespace {

std::string with_article(std::string_view noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) != std::string_view::npos;
  return fmt::format("{} {}", vowel ? "an" : "a", noun);
}

void check_range(const Range& range, double value, const std::string& shown, const std::string& path,
                 Where where) {
  if (!range.contains(value)) fail(where, path, fmt::format("{}, got {}", range.describe(), shown));
}

}  // namespace

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
    case Kind::params: return "a mapping of the plugin's parameters, e.g. {alpha: 0.5}";
  }
  return "a value";
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
template int read_integer<int>(const Range& range, const std::string& text, const std::string& path,
                                 Where where);

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

namespace {

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

}  // namespace

// ------------------------------------------------------------------------------------------------
// Reading a YAML tree

Scenario Reader::read(const YAML::Node& root) {
  Scenario s;
  read_section(root, "", "", Where{line_of(root, 1), false}, s);
  read_lists(s);
  resolve_groups(s);
  apply_dependent_defaults(s);
  check_consistency(s);
  return s;
}

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

std::string Reader::block_key(const std::string& prefix, const std::string& key) const {
  const std::string own = prefix.empty() ? key : join(prefix, starts_with(key, "platform.") ? key.substr(9) : key);
  return given_.count(own) != 0 || given_.count(key) == 0 ? own : key;
}

void Reader::fail_at(const std::string& path, const std::string& message) const {
  fail(given_at(path), path, message);
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
      else if (key->kind == Kind::params) {
        auto& params = std::get<std::vector<PluginParam>& (*)(Scenario&)>(key->field)(s);
        params.clear();
        read_params(entry.second, shown_path, here, params);
      } else if (key->kind == Kind::quantity_list || key->kind == Kind::real_list)
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

// A plugin's parameters, whatever their shape: nested mappings flattened to dotted keys, every other
// value passed as its YAML text (a scalar as written, a list in flow style). Each key given once.
void Reader::read_params(const YAML::Node& node, const std::string& path, Where where,
                         std::vector<PluginParam>& params) {
  if (!node.IsMap()) {
    const std::string expected = expectation(Kind::params, UnitKind::time, {});
    if (!node.IsDefined() || node.IsNull()) fail(where, path, fmt::format("missing value (expected {})", expected));
    fail(where, path, fmt::format("expected {}, got {}", expected, describe(node)));
  }
  constexpr std::string_view kParamsPath = "policy.offload.plugin.params";
  for (const auto& entry : node) {
    if (!entry.first.IsScalar() || entry.first.Scalar().empty())
      fail(where_of(path, line_of(entry.first, where.line)), path, "keys must be plain names");
    const std::string entry_path = join(path, entry.first.Scalar());
    const Where here = where_of(entry_path, line_of(entry.first, where.line));
    given_[entry_path] = here;
    if (entry.second.IsMap()) {
      read_params(entry.second, entry_path, here, params);
      continue;
    }
    if (!entry.second.IsDefined() || entry.second.IsNull()) fail(here, entry_path, "missing value");
    const std::string key = entry_path.substr(kParamsPath.size() + 1);
    const auto same = [&](const PluginParam& p) { return p.key == key; };
    if (std::any_of(params.begin(), params.end(), same)) fail(here, entry_path, "duplicate key");
    params.push_back({key, entry.second.IsScalar() ? entry.second.Scalar() : yaml_text(entry.second)});
  }
  // A plugin refuses its params as a whole: blame --set when it gave any of them.
  if (path == kParamsPath && std::any_of(params.begin(), params.end(), [&](const PluginParam& p) {
        return given_at(join(path, p.key)).from_set;
      }))
    given_[path] = Where{0, true};
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

// ------------------------------------------------------------------------------------------------
// Resolving what depends on other keys, once, before the checks read it

namespace {

std::string group_path(size_t i, const char* key) { return fmt::format("platform.groups[{}].{}", i, key); }

}  // namespace

// Each group's devices: its count, its share of platform.devices (rounded; without a group taking
// the rest, by largest remainder so that the groups add up), or, for the one group that gives
// neither, the devices left. With counts only, platform.devices defaults to their sum.
void Reader::resolve_groups(Scenario& s) const {
  std::vector<GroupConfig>& groups = s.platform.groups;
  if (groups.empty()) return;
  const GroupCounts counts = count_groups(groups);
  const bool devices_given = given_.count("platform.devices") != 0;
  if (!devices_given && counts.shared.empty() && counts.rest < 0) {
    if (counts.counted < 1 || counts.counted > std::numeric_limits<int>::max())
      fail(given_at("platform.groups"), "platform.groups",
           fmt::format("the groups' counts add up to {}", counts.counted));
    s.platform.devices = static_cast<int>(counts.counted);
  }
  const int devices = s.platform.devices;
  const std::string devices_text = devices_given ? fmt::format("platform.devices is {}", devices)
                                                 : fmt::format("platform.devices is {}, its default", devices);
  for (GroupConfig& g : groups)
    if (g.count >= 0) g.devices = g.count;
  if (counts.rest >= 0) share_with_rest(groups, counts, devices, devices_text);
  else share_exactly(groups, counts, devices, devices_given, devices_text);
}

// Which groups give a count (added up), a share, or neither (at most one: it takes the rest).
Reader::GroupCounts Reader::count_groups(const std::vector<GroupConfig>& groups) const {
  GroupCounts counts;
  for (size_t i = 0; i < groups.size(); ++i) {
    const GroupConfig& g = groups[i];
    if (g.count >= 0 && g.share >= 0)
      fail(given_at(group_path(i, "share")), group_path(i, "share"), "give count or share, not both");
    if (g.count >= 0) {
      counts.counted += g.count;
    } else if (g.share >= 0) {
      counts.shared.push_back(i);
    } else if (counts.rest >= 0) {
      fail(given_at(fmt::format("platform.groups[{}]", i)), fmt::format("platform.groups[{}]", i),
           fmt::format("gives neither count nor share, like platform.groups[{}]: only one group can take the "
                       "devices left", counts.rest));
    } else {
      counts.rest = static_cast<int>(i);
    }
  }
  return counts;
}

// Shares round to the nearest device; the rest group takes what the others leave.
void Reader::share_with_rest(std::vector<GroupConfig>& groups, const GroupCounts& counts, int devices,
                             const std::string& devices_text) const {
  int64_t taken = counts.counted;
  for (const size_t i : counts.shared) {
    groups[i].devices = static_cast<int>(std::lround(groups[i].share * devices));
    taken += groups[i].devices;
  }
  check_shares_got_devices(groups, counts.shared, devices);
  if (taken >= devices)
    fail(given_at(fmt::format("platform.groups[{}]", counts.rest)), fmt::format("platform.groups[{}]", counts.rest),
         fmt::format("no device left for this group: the others take {} and {}", taken, devices_text));
  groups[static_cast<size_t>(counts.rest)].devices = static_cast<int>(devices - taken);
}

// Without a rest group, counts and shares must add up to platform.devices; shares are then shared out
// by largest remainder: each share's floor, then the devices left to the largest fractional parts,
// the first group first on ties.
void Reader::share_exactly(std::vector<GroupConfig>& groups, const GroupCounts& counts, int devices,
                           bool devices_given, const std::string& devices_text) const {
  const int64_t counted = counts.counted;
  const std::vector<size_t>& shared = counts.shared;
  double share_total = 0;
  for (const size_t i : shared) share_total += groups[i].share;
  if (shared.empty() ? counted != devices
                     : std::abs(share_total * devices - static_cast<double>(devices - counted)) >
                           1e-6 * std::max(1, devices)) {
    const std::string blamed = devices_given ? "platform.devices" : "platform.groups";
    fail(given_at(blamed), blamed,
         shared.empty() ? fmt::format("the groups' counts add up to {}, but {}", counted, devices_text)
                        : fmt::format("the groups' counts ({}) and shares ({} x {} devices) add up to {:.6g}, but {} "
                                      "(or let one group give neither count nor share, to take the devices left)",
                                      counted, share_total, devices, counted + share_total * devices,
                                      devices_text));
  }
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
  check_shares_got_devices(groups, shared, devices);
}

// A share too small for one device would leave its group empty: refused, not dropped.
void Reader::check_shares_got_devices(const std::vector<GroupConfig>& groups, const std::vector<size_t>& shared,
                                      int devices) const {
  for (const size_t i : shared) {
    if (groups[i].devices > 0) continue;
    fail(given_at(group_path(i, "share")), group_path(i, "share"),
         fmt::format("{} of {} devices is no device (give a larger share, a count, or more devices)",
                     groups[i].share, devices));
  }
}

// Defaults that depend on other keys, decided here once, before any check reads them (and the
// checks' messages still tell a default from a given value by given_).
void Reader::apply_dependent_defaults(Scenario& s) const {
  // policy.offload.explore: kBufferExploreDefault with buffer-driven updates (on_device, cloud).
  const UpdateMode update_mode = s.policy.update.mode;
  if (given_.count("policy.offload.explore") == 0 &&
      (update_mode == UpdateMode::OnDevice || update_mode == UpdateMode::Cloud))
    s.policy.offload.explore = kBufferExploreDefault;
}

}  // namespace eccsim::scenario_reader
