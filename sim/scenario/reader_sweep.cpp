// The Reader's sweep block: grid axes, zip rows, replications and the compared baseline. Values are
// kept as written (AxisSource) for overrides.cpp to check each against the rest of the scenario;
// the sweep command reads them back as text.
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace eccsim::scenario_reader {

std::string yaml_text(const YAML::Node& node) {
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
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

// The sweep block: grid keys, then the zip block's, then replications and compare (which names a
// grid key); every key path given once, none inside another.
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
  check_zip_lengths(s.sweep.zip);
}

// The zip lists run together: each as long as the first.
void Reader::check_zip_lengths(const std::vector<SweepAxis>& zip) const {
  for (const SweepAxis& axis : zip) {
    const SweepAxis& first = zip.front();
    if (axis.values.size() != first.values.size()) {
      const std::string path = "sweep.zip." + axis.key;
      fail(given_at(path), path,
           fmt::format("{} values but {} has {} (zip lists must have the same length)", axis.values.size(),
                       first.key, first.values.size()));
    }
  }
}

namespace {

// A replications key's value, which must be one scalar.
const std::string& single_value(const YAML::Node& value, const std::string& key_path, Where here) {
  if (!value.IsScalar()) fail(here, key_path, fmt::format("expected a single value, got {}", describe(value)));
  return value.Scalar();
}

}  // namespace

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
      out.n = read_integer<int>(count, single_value(entry.second, key_path, here), key_path, here);
    } else if (name == "models_seed") {
      out.models_seed = read_flag(single_value(entry.second, key_path, here), key_path, here);
    } else if (name == "min") {
      out.min = read_integer<int>(between(2, SweepReplications::kMax), single_value(entry.second, key_path, here),
                                  key_path, here);
    } else if (name == "max") {
      out.max = read_integer<int>(between(2, SweepReplications::kMax), single_value(entry.second, key_path, here),
                                  key_path, here);
    } else if (name == "until") {
      read_until(entry.second, key_path, here, line, out);
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

// sweep.replications.until: {metric, half_width}, both required (`line`: the until key's).
void Reader::read_until(const YAML::Node& node, const std::string& key_path, Where here, int line,
                        SweepReplications& out) {
  if (!node.IsMap()) {
    fail(here, key_path,
         fmt::format("expected a mapping like {{metric: accuracy, half_width: 0.005}}, got {}", describe(node)));
  }
  for (const auto& until : node) {
    const int until_line = line_of(until.first, line);
    const std::string until_name = until.first.IsScalar() ? until.first.Scalar() : std::string();
    const std::string until_path = key_path + "." + until_name;
    const Where at = where_of(until_path, until_line);
    given_[until_path] = at;
    if (until_name == "metric") {
      out.metric = single_value(until.second, until_path, at);
      if (out.metric.empty()) fail(at, until_path, "must not be empty");
    } else if (until_name == "half_width") {
      out.half_width = read_double(Kind::real, UnitKind::time, above(0), single_value(until.second, until_path, at),
                                   until_path, at);
    } else {
      fail(at, until_path, fmt::format("unknown key '{}' (expected metric, half_width)", until_name));
    }
  }
  if (out.metric.empty()) fail(here, key_path + ".metric", "missing (the summary metric whose half-width decides)");
  if (out.half_width <= 0) fail(here, key_path + ".half_width", "missing (the 95 % half-width to reach, > 0)");
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

}  // namespace eccsim::scenario_reader
