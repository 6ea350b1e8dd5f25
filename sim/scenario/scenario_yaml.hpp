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

// The resolved scenario (every key, defaults filled in) as YAML text that load_scenario accepts.
std::string to_yaml(const Scenario& scenario);

}  // namespace eccsim
