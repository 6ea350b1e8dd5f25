// The resolved scenario as YAML: every key of the key table in table order, defaults filled in,
// ignored keys as comments; load_scenario reads the text back to the same scenario.
#include "sim/scenario/scenario_yaml.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <type_traits>
#include <vector>

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
            } else if constexpr (std::is_same_v<T, SweepConfig>) {
              const auto emit_axes = [&](const std::vector<SweepAxis>& axes) {
                for (const SweepAxis& axis : axes) {
                  out << YAML::Key << axis.key << YAML::Value << YAML::Flow << YAML::BeginSeq;
                  for (const std::string& text : axis.values) out << YAML::Load(text);
                  out << YAML::EndSeq;
                }
              };
              if (value.grid.empty() && value.zip.empty()) out << YAML::Flow;
              out << YAML::BeginMap;
              emit_axes(value.grid);
              if (!value.zip.empty()) {
                out << YAML::Key << "zip" << YAML::Value << YAML::BeginMap;
                emit_axes(value.zip);
                out << YAML::EndMap;
              }
              out << YAML::EndMap;
            }
          }},
      key.field);
}

void emit_section(YAML::Emitter& out, const std::string& prefix, Scenario& s) {
  for (const std::string& name : children_of(scenario_keys(), prefix)) {
    const std::string path = join(prefix, name);
    const Key<Scenario>* key = find_key(scenario_keys(), path);
    if (key != nullptr && key->unused != nullptr && key->unused(s) != nullptr) {
      YAML::Emitter value;
      emit_value(value, *key, s);
      out << YAML::Comment(fmt::format("{}: {} ({})", name, value.c_str(), key->unused(s)));
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
  return std::string(out.c_str()) + "\n";
}

}  // namespace eccsim
