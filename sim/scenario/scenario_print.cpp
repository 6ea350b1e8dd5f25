// The resolved scenario as YAML: every key of the key table in table order, defaults filled in,
// ignored keys as comments; load_scenario reads the text back to the same scenario.
#include "sim/scenario/scenario_yaml.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "sim/scenario/device_profiles.hpp"
#include "sim/scenario/scenario_keys.hpp"
#include "sim/scenario/units.hpp"

namespace eccsim {

using namespace scenario_table;

namespace {

void emit_string(YAML::Emitter& out, const std::string& text) {
  // The emitter quotes what would read back as something else, except these null spellings.
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    out << YAML::DoubleQuoted << text;
  } else {
    out << text;
  }
}

// True when `text` is a list in flow style (how a plugin parameter's list value is kept).
bool is_flow_list(const std::string& text) {
  if (text.empty() || text.front() != '[') return false;
  try {
    return YAML::Load(text).IsSequence();
  } catch (const YAML::Exception&) {
    return false;
  }
}

template <class Root>
void emit_value(YAML::Emitter& out, const Key<Root>& key, Root& root);

// The keys of `section` (e.g. "platform.device") whose value in `block` differs from `top`, and
// those named in `always`, as the mapping a site or group gives ("speed: 2Gf" below its "device"),
// into `node`.
void add_differences(YAML::Node node, const std::string& section, Scenario& block, Scenario& top,
                     const std::vector<std::string_view>& always = {}) {
  for (const Key<Scenario>& key : scenario_keys()) {
    if (!within(key.path, section) || key.path == section) continue;
    const std::string_view last = key.path.substr(key.path.rfind('.') + 1);
    const auto& workload_keys = group_workload_keys();
    if (section == "workload" && std::find(workload_keys.begin(), workload_keys.end(), last) == workload_keys.end())
      continue;  // the run's, not the group's
    YAML::Emitter mine, theirs;
    emit_value(mine, key, block);
    emit_value(theirs, key, top);
    const bool print_anyway = std::find(always.begin(), always.end(), last) != always.end();
    if (!print_anyway && std::string_view(mine.c_str()) == theirs.c_str()) continue;
    const std::string rest(key.path.substr(section.size() + 1));
    YAML::Node at = node;
    std::stringstream parts(rest);
    std::vector<std::string> names;
    for (std::string part; std::getline(parts, part, '.');) names.push_back(part);
    for (size_t i = 0; i + 1 < names.size(); ++i) at.reset(at[names[i]]);
    at[names.back()] = YAML::Load(mine.c_str());
  }
}

// platform.sites or platform.groups: each element's own keys, then its blocks' keys that differ
// from the top-level blocks (reading the text back fills the rest from them again).
template <class Element>
void emit_elements(YAML::Emitter& out, std::vector<Element>& elements, Scenario& top) {
  if (elements.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (Element& element : elements) {
    YAML::Node node(YAML::NodeType::Map);
    Scenario block = top;
    if constexpr (std::is_same_v<Element, SiteConfig>) {
      node["name"] = element.name;
      block.platform.backhaul = element.backhaul;
      YAML::Node backhaul(YAML::NodeType::Map);
      add_differences(backhaul, "platform.backhaul", block, top);
      if (backhaul.size() > 0) node["backhaul"] = backhaul;
    } else {
      node["name"] = element.name;
      if (element.count >= 0) node["count"] = element.count;
      if (element.share >= 0) node["share"] = YAML::Load(fmt::format("{}", element.share));
      if (!element.site.empty()) node["site"] = element.site;
      block.platform.device = element.device;
      block.platform.access = element.access;
      block.workload = element.workload;
      // A group's own profile would fill the keys it shares with the top level: print those too.
      std::vector<std::string_view> profile_keys;
      if (element.device.profile != top.platform.device.profile)
        profile_keys.assign(std::begin(kProfileFields), std::end(kProfileFields));
      for (const char* section : {"platform.device", "platform.access", "workload"}) {
        YAML::Node differences(YAML::NodeType::Map);
        add_differences(differences, section, block, top,
                        section == std::string_view("platform.device") ? profile_keys : std::vector<std::string_view>{});
        const std::string_view name = std::string_view(section).substr(std::string_view(section).rfind('.') + 1);
        if (differences.size() > 0) node[std::string(name)] = differences;
      }
    }
    out << node;
  }
  out << YAML::EndSeq;
}

template <class Root>
void emit_value(YAML::Emitter& out, const Key<Root>& key, Root& root) {
  std::visit(
      Overloaded{
          [&](const ChoiceField<Root>& field) { emit_string(out, field.names.at(field.get(root))); },
          [&](auto field) {
            auto& value = field(root);
            using T = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<T, std::string>) {
              emit_string(out, value);
            } else if constexpr (std::is_same_v<T, bool>) {
              out << (value ? "true" : "false");
            } else if constexpr (std::is_same_v<T, double>) {
              out << (key.kind == Kind::quantity ? format_quantity(value, key.unit) : fmt::format("{}", value));
            } else if constexpr (std::is_integral_v<T>) {
              out << fmt::format("{}", value);
            } else if constexpr (std::is_same_v<T, std::vector<FaultConfig>>) {
              if (value.empty()) out << YAML::Flow;
              out << YAML::BeginSeq;
              for (FaultConfig& fault : value) {
                out << YAML::Flow << YAML::BeginMap;
                for (const Key<FaultConfig>& fault_key : fault_keys()) {
                  out << YAML::Key << std::string(fault_key.path) << YAML::Value;
                  emit_value(out, fault_key, fault);
                }
                out << YAML::EndMap;
              }
              out << YAML::EndSeq;
            } else if constexpr (std::is_same_v<T, std::vector<BatchLatencyPoint>>) {
              out << YAML::Flow << YAML::BeginMap;
              for (const BatchLatencyPoint& point : value) {
                out << YAML::Key << fmt::format("{}", point.batch) << YAML::Value
                    << format_quantity(point.latency_s, UnitKind::time);
              }
              out << YAML::EndMap;
            } else if constexpr (std::is_same_v<T, std::vector<PluginParam>>) {
              // Flattened keys print flat ({arm.alpha: 1} reads back as {arm: {alpha: 1}}); a list's text as the list.
              out << YAML::Flow << YAML::BeginMap;
              for (const PluginParam& param : value) {
                out << YAML::Key << param.key << YAML::Value;
                if (is_flow_list(param.value)) out << YAML::Load(param.value);
                else emit_string(out, param.value);
              }
              out << YAML::EndMap;
            } else if constexpr (std::is_same_v<T, std::vector<double>>) {
              out << YAML::Flow << YAML::BeginSeq;
              for (const double v : value)
                out << (key.kind == Kind::quantity_list ? format_quantity(v, key.unit) : fmt::format("{}", v));
              out << YAML::EndSeq;
            } else if constexpr (std::is_same_v<T, std::vector<SiteConfig>> ||
                                 std::is_same_v<T, std::vector<GroupConfig>>) {
              if constexpr (std::is_same_v<Root, Scenario>) emit_elements(out, value, root);
            } else if constexpr (std::is_same_v<T, SweepConfig>) {
              const auto emit_axes = [&](const std::vector<SweepAxis>& axes) {
                for (const SweepAxis& axis : axes) {
                  out << YAML::Key << axis.key << YAML::Value << YAML::Flow << YAML::BeginSeq;
                  for (const std::string& text : axis.values) out << YAML::Load(text);
                  out << YAML::EndSeq;
                }
              };
              const SweepReplications& replications = value.replications;
              const bool replicated = replications.n != 1 || replications.models_seed || replications.sequential();
              if (value.grid.empty() && value.zip.empty() && !replicated && value.compare.key.empty()) out << YAML::Flow;
              out << YAML::BeginMap;
              emit_axes(value.grid);
              if (!value.zip.empty()) {
                out << YAML::Key << "zip" << YAML::Value << YAML::BeginMap;
                emit_axes(value.zip);
                out << YAML::EndMap;
              }
              if (replicated) {
                out << YAML::Key << "replications" << YAML::Value;
                if (!replications.models_seed && !replications.sequential()) {
                  out << replications.n;
                } else {
                  out << YAML::Flow << YAML::BeginMap;
                  if (replications.sequential()) {
                    out << YAML::Key << "min" << YAML::Value << replications.min;
                    out << YAML::Key << "max" << YAML::Value << replications.max;
                    out << YAML::Key << "until" << YAML::Value << YAML::BeginMap;
                    out << YAML::Key << "metric" << YAML::Value << replications.metric;
                    out << YAML::Key << "half_width" << YAML::Value << fmt::format("{}", replications.half_width);
                    out << YAML::EndMap;
                  } else {
                    out << YAML::Key << "n" << YAML::Value << replications.n;
                  }
                  out << YAML::Key << "models_seed" << YAML::Value << replications.models_seed;
                  out << YAML::EndMap;
                }
              }
              if (!value.compare.key.empty()) {
                out << YAML::Key << "compare" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
                    << value.compare.key << YAML::Value << YAML::Load(value.compare.value) << YAML::EndMap;
              }
              out << YAML::EndMap;
            }
          }},
      key.field);
}

// Why the keys at or below `path` are ignored: the reason of the first when every one of them is
// (a section then prints as one comment), else nullptr.
const char* unused_reason(const std::string& path, Scenario& s) {
  const char* reason = nullptr;
  for (const Key<Scenario>& key : scenario_keys()) {
    if (!within(key.path, path)) continue;
    const char* why = key.unused != nullptr ? key.unused(s) : nullptr;
    if (why == nullptr) return nullptr;
    if (reason == nullptr) reason = why;
  }
  return reason;
}

// yaml-cpp starts a comment of its own line in column 0: the comment's text begins with one tab
// per level of nesting, which to_yaml turns into the indentation of the keys around it.
constexpr char kIndentMark = '\t';

// An ignored key or section as a comment of its own line: "name: value (reason)", or for an
// optional value the scenario does not give, "name: not given (reason)".
void emit_unused(YAML::Emitter& out, const std::string& path, const std::string& name, const Key<Scenario>* key,
                 const char* reason, Scenario& s) {
  constexpr std::string_view kNotGiven = "not given: ";
  std::string text;
  if (starts_with(reason, kNotGiven)) {
    text = fmt::format("{}: not given ({})", name, std::string_view(reason).substr(kNotGiven.size()));
  } else if (key != nullptr) {
    YAML::Emitter value;
    emit_value(value, *key, s);
    text = fmt::format("{}: {} ({})", name, value.c_str(), reason);
  } else {
    text = fmt::format("{}: ({})", name, reason);
  }
  const auto depth = static_cast<size_t>(std::count(path.begin(), path.end(), '.'));
  out << YAML::Newline << YAML::Comment(std::string(depth, kIndentMark) + text);
}

void emit_section(YAML::Emitter& out, const std::string& prefix, Scenario& s) {
  for (const std::string& name : children_of(scenario_keys(), prefix)) {
    const std::string path = join(prefix, name);
    const Key<Scenario>* key = find_key(scenario_keys(), path);
    if (const char* reason = unused_reason(path, s)) {
      emit_unused(out, path, name, key, reason, s);
      continue;
    }
    out << YAML::Key << name << YAML::Value;
    if (key != nullptr) {
      emit_value(out, *key, s);
    } else {
      out << YAML::BeginMap;
      emit_section(out, path, s);
      out << YAML::EndMap;
    }
  }
}

}  // namespace

std::string to_yaml(const Scenario& scenario) {
  Scenario copy = scenario;  // the field accessors take non-const references
  YAML::Emitter out;
  out << YAML::BeginMap;
  emit_section(out, "", copy);
  out << YAML::EndMap;
  std::istringstream lines(out.c_str());
  std::string text;
  for (std::string line; std::getline(lines, line);) {
    if (starts_with(line, "# ")) {
      const size_t depth = line.find_first_not_of(kIndentMark, 2) - 2;
      line = std::string(2 * depth, ' ') + "# " + line.substr(2 + depth);
    }
    text += line + "\n";
  }
  return text;
}

}  // namespace eccsim
