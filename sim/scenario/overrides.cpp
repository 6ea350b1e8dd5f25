// Overrides: --set arguments ("key.path=value", the value read as YAML) replace the value at their
// path in the file's tree before any key is read, so a map given to a section replaces the whole
// section; and every sweep value, applied the same way to the scenario without its sweep block, must
// read and check as a scenario of its own.
#include "sim/scenario/reader.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace eccsim::scenario_reader {

namespace {

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
  const Where at = axis.where(index);
  const std::string prefix = axis.zip ? "sweep.zip." : "sweep.";
  if (within(inner.path, axis.key) && inner.where.line == at.line && inner.where.from_set == at.from_set) {
    return KeyError{at, prefix + inner.path, inner.message};
  }
  return KeyError{at, prefix + axis.key,
                  fmt::format("value {} conflicts with the scenario: {}", yaml_text(axis.values[index]),
                              format_error(file, inner))};
}

}  // namespace

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
      apply_override(tree, axis->key, axis->values[index], axis->where(index), overrides);
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

}  // namespace eccsim::scenario_reader
