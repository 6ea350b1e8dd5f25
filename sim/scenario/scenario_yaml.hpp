// YAML <-> Scenario: parsing with defaults, unit strings, validation and --set overrides;
// printing the resolved scenario. Every error is an InputError "file:line: key.path: message".
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

// Reads, applies overrides ("key.path=value", value read as YAML), validates.
Scenario load_scenario(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});

// The same for scenario text already in memory; `file` is only named in messages and recorded as
// source_file (the fuzz target and tests use it).
Scenario load_scenario_text(const std::string& text, const std::filesystem::path& file,
                            const std::vector<std::string>& overrides = {});

// A scenario file read once for the many scenarios of its sweep's points: its text with the sweep
// block's lines left blank, so that building a point reads none of the sweep's values and every
// other key keeps its line for messages. The whole text when the block cannot be cut by lines (a
// one-line flow mapping, an anchor the rest uses).
struct ScenarioWithoutSweep {
  std::filesystem::path file;
  std::string text;
};
ScenarioWithoutSweep read_without_sweep(const std::filesystem::path& file);

// The resolved scenario (every key, defaults filled in) as YAML text that load_scenario accepts.
std::string to_yaml(const Scenario& scenario);

}  // namespace eccsim
