// YAML <-> Scenario: the entry points. One key table (scenario_keys) maps each dotted key path to its
// struct field, value kind, unit and range; reading, --set overrides, sweep checks, "did you mean"
// suggestions and to_yaml all walk it. A scenario is read in this order: the text and its document
// (document.cpp), the --set overrides (overrides.cpp), the Reader (reader.cpp, reader_sweep.cpp) and
// its checks (reader_checks.cpp, reader_network.cpp), then each sweep value. Lines in messages are 1-based.
#include "sim/scenario/scenario_yaml.hpp"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/input_error.hpp"
#include "sim/scenario/reader.hpp"

namespace eccsim {

using namespace scenario_reader;

namespace {

// The file's bytes; an InputError naming the file when it cannot be read.
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

Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  return load_scenario_text(read_text_file(file), file, overrides);
}

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
    note_unused_keys(scenario);
    return scenario;
  } catch (const KeyError& e) {
    throw InputError(one_line(format_error(name, e)));
  }
}

}  // namespace eccsim
