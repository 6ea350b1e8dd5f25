// The scenario's key table, internal to sim/scenario/: every dotted key path with its struct field,
// value kind, unit and range, and what the reader (reader.hpp), the printer
// (scenario_print.cpp), --set and the sweep checks share: locations, errors and suggestions.
#pragma once

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/units.hpp"

namespace eccsim::scenario_table {

// ------------------------------------------------------------------------------------------------
// Locations and errors

// Where a value came from: a line of the scenario file, or a --set override.
struct Where {
  int line = 0;          // 1-based line in the file; 0: unknown (a default)
  bool from_set = false;
};

// An error before it gets its file name; load_scenario turns it into an InputError.
struct KeyError {
  Where where;
  std::string path;      // key path; empty for errors about the whole file
  std::string message;
};

[[noreturn]] inline void fail(Where where, std::string path, std::string message) {
  throw KeyError{where, std::move(path), std::move(message)};
}

// "file:line: key.path: message", or "--set key.path: message".
std::string format_error(const std::string& file, const KeyError& e);

// Messages are one line: control characters escaped, long values cut.
std::string one_line(std::string_view text, size_t max_length = std::string::npos);

// "nothing", "a list", "a mapping" or the quoted scalar, for messages.
std::string describe(const YAML::Node& node);

// The node's 1-based line, or `fallback` when it has none.
int line_of(const YAML::Node& node, int fallback);

// "prefix.name", or "name" at the top level.
std::string join(std::string_view prefix, std::string_view name);

bool starts_with(std::string_view text, std::string_view prefix);

// True when `path` is `base` or lies below it ("faults[0].at" below "faults", "platform.devices" below
// "platform").
bool within(std::string_view path, std::string_view base);

// The candidate a user most likely meant: a small edit distance, or a longer name it begins.
std::optional<std::string> closest(std::string_view name, const std::vector<std::string>& candidates);

std::string comma_list(const std::vector<std::string>& items);

// ------------------------------------------------------------------------------------------------
// The key table

enum class Kind {
  text,      // any string
  name,      // non-empty string
  flag,      // true | false
  integer,
  real,      // plain number
  quantity,  // unit string, see units.hpp
  choice,    // one of a fixed set of names
  faults,    // list of {at, for, target}
  sweep,     // mapping key path -> list of values, plus zip
  latency_table,  // mapping batch size -> time, e.g. {1: 10ms, 8: 20ms}
  quantity_list,  // list of unit strings, e.g. [54Mbps, 6Mbps]
  real_list,      // list of plain numbers, e.g. [0.5, 0.5]
  sites,          // list of {name, backhaul}
  groups,         // list of {name, count | share, site, device, access, workload}
  params,         // a plugin's mapping of anything: its keys below it are the plugin's, not eccsim's
};

struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;

  bool contains(double v) const { return (lo_open ? v > lo : v >= lo) && v <= hi; }
  std::string describe() const {
    if (std::isfinite(hi)) return fmt::format("must be in {}{}, {}]", lo_open ? "(" : "[", lo, hi);
    return fmt::format("must be {} {}", lo_open ? ">" : ">=", lo);
  }
};

inline Range any_value() { return {}; }
inline Range at_least(double lo) { return {lo}; }
inline Range above(double lo) { return {lo, std::numeric_limits<double>::infinity(), true}; }
inline Range between(double lo, double hi) { return {lo, hi}; }

// std::visit with one lambda per alternative.
template <class... Lambdas>
struct Overloaded : Lambdas... {
  using Lambdas::operator()...;
};
template <class... Lambdas>
Overloaded(Lambdas...) -> Overloaded<Lambdas...>;

// An enum field of Root (a scenario choice, see Choice in scenario.hpp), read and written as the
// index of its name in Choice<E>::names.
template <class Root>
struct ChoiceField {
  size_t (*get)(Root&);
  void (*set)(Root&, size_t);
  std::vector<std::string> names;
};

template <class E>
std::vector<std::string> choice_names() {
  return {Choice<E>::names.begin(), Choice<E>::names.end()};
}

// A field of Root, reached through a captureless accessor (the FIELD macros below).
template <class Root>
using FieldRef = std::variant<std::string& (*)(Root&), bool& (*)(Root&), int& (*)(Root&), int64_t& (*)(Root&),
                              uint64_t& (*)(Root&), double& (*)(Root&), std::vector<FaultConfig>& (*)(Root&),
                              SweepConfig& (*)(Root&), std::vector<BatchLatencyPoint>& (*)(Root&), std::vector<double>& (*)(Root&),
                              std::vector<SiteConfig>& (*)(Root&), std::vector<GroupConfig>& (*)(Root&),
                              std::vector<PluginParam>& (*)(Root&), ChoiceField<Root>>;

template <class Root>
struct Key {
  std::string_view path;                 // dotted YAML key path
  Kind kind;
  FieldRef<Root> field;
  Range range = any_value();             // integer, real, quantity
  UnitKind unit = UnitKind::time;        // quantity
  std::vector<std::string> choices = {}; // choice
  // When the key's value is ignored, the reason; to_yaml then prints it as a comment only, since
  // giving it would conflict (e.g. workload.duration once requests_per_device is set).
  const char* (*unused)(const Root&) = nullptr;
};

template <class Root>
Key<Root> unused_when(Key<Root> key, const char* (*unused)(const Root&)) {
  key.unused = unused;
  return key;
}

template <class Root>
Key<Root> text_key(std::string_view path, std::string& (*field)(Root&)) { return {path, Kind::text, field}; }
template <class Root>
Key<Root> name_key(std::string_view path, std::string& (*field)(Root&)) { return {path, Kind::name, field}; }
template <class Root>
Key<Root> flag_key(std::string_view path, bool& (*field)(Root&)) { return {path, Kind::flag, field}; }
template <class Root, class Int>
Key<Root> integer_key(std::string_view path, Int& (*field)(Root&), Range range) {
  return {path, Kind::integer, field, range};
}
template <class Root>
Key<Root> real_key(std::string_view path, double& (*field)(Root&), Range range) {
  return {path, Kind::real, field, range};
}
template <class Root>
Key<Root> quantity_key(std::string_view path, UnitKind unit, double& (*field)(Root&), Range range) {
  return {path, Kind::quantity, field, range, unit};
}
// A list of numbers, each in `range`: unit strings with `unit`, or plain numbers without.
template <class Root>
Key<Root> list_key(std::string_view path, std::optional<UnitKind> unit, std::vector<double>& (*field)(Root&),
                   Range range) {
  return {path, unit ? Kind::quantity_list : Kind::real_list, field, range, unit.value_or(UnitKind::time)};
}
template <class Root>
Key<Root> choice_key(std::string_view path, std::string& (*field)(Root&), std::vector<std::string> choices) {
  return {path, Kind::choice, field, any_value(), UnitKind::time, std::move(choices)};
}
template <class Root>
Key<Root> choice_key(std::string_view path, ChoiceField<Root> field) {
  std::vector<std::string> names = field.names;
  return {path, Kind::choice, std::move(field), any_value(), UnitKind::time, std::move(names)};
}

// Number of classes of a known dataset name; 0 for a user's own data (image-folder, npy) or an unknown name.
int dataset_classes(std::string_view name);

// Every scenario key, in the order to_yaml prints them. Sections are the dotted prefixes.
const std::vector<Key<Scenario>>& scenario_keys();

// The keys of one fault: `for` and `target` always, `at` unless `rate` makes it a random fault.
const std::vector<Key<FaultConfig>>& fault_keys();

// The keys of one site besides its `backhaul` block (read with the platform.backhaul keys).
const std::vector<Key<SiteConfig>>& site_keys();

// The keys of one group besides its blocks: `device` and `access` (read with the platform.device
// and platform.access keys) and `workload` (only the keys in group_workload_keys).
const std::vector<Key<GroupConfig>>& group_keys();
const std::vector<std::string>& group_workload_keys();

// The top-level section a block of a site or group is read with: "backhaul" -> "platform.backhaul",
// "device" -> "platform.device", "access" -> "platform.access", "workload" -> "workload"; empty when
// `block` is none of a `list_key`'s ("platform.sites" or "platform.groups") blocks.
std::string block_section(std::string_view list_key, std::string_view block);
// The keys one element of `list_key` (faults, platform.sites, platform.groups) takes, blocks last.
std::vector<std::string> element_key_names(std::string_view list_key);

template <class Root>
const Key<Root>* find_key(const std::vector<Key<Root>>& keys, std::string_view path) {
  for (const Key<Root>& key : keys) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

// find_key(scenario_keys(), path) through an index: sweep checks read the scenario once per value.
const Key<Scenario>* find_scenario_key(std::string_view path);

// Names directly below `prefix` ("" = top level), in table order.
template <class Root>
std::vector<std::string> children_of(const std::vector<Key<Root>>& keys, std::string_view prefix) {
  std::vector<std::string> names;
  for (const Key<Root>& key : keys) {
    std::string_view rest = key.path;
    if (!prefix.empty()) {
      if (!starts_with(rest, prefix) || rest.size() <= prefix.size() || rest[prefix.size()] != '.') continue;
      rest.remove_prefix(prefix.size() + 1);
    }
    const std::string name(rest.substr(0, rest.find('.')));
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// True when `path` is a proper dotted prefix of a key path ("platform", "platform.access").
bool is_section(std::string_view path);

// "unknown key (did you mean 'access'?)" for `name` below `prefix` in the file's nested maps.
std::string unknown_key_message(std::string_view prefix, std::string_view name);

// The first problem of a dotted key path given as text (--set, sweep keys), or nothing when valid.
std::optional<KeyError> key_path_problem(const std::string& path, Where where);

}  // namespace eccsim::scenario_table
