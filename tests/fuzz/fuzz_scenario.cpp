// libFuzzer target over the scenario reader and validator: the input is scenario YAML whose
// "#set key.path=value" comment lines also become --set overrides. Every input must give either a
// scenario whose to_yaml reads back to the same text (comments aside: an ignored key's comment shows
// the value given, which reading the comment back cannot know), or one InputError line naming the
// file or the --set; another exception, a crash, a hang or a sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace {

constexpr const char* kFile = "fuzz.yaml";
constexpr const char* kResolvedFile = "resolved.yaml";
constexpr const char* kSetPrefix = "#set ";

std::vector<std::string> set_arguments(const std::string& text) {
  std::vector<std::string> arguments;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(kSetPrefix, 0) == 0) arguments.push_back(line.substr(std::string(kSetPrefix).size()));
  }
  return arguments;
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// The resolved text without its comment lines (to_yaml writes comments on lines of their own).
std::string without_comments(const std::string& yaml) {
  std::istringstream lines(yaml);
  std::string kept;
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(' ') == std::string::npos || line[line.find_first_not_of(' ')] != '#') kept += line + "\n";
  }
  return kept;
}

[[noreturn]] void bug(const char* what, const std::string& detail) {
  std::fprintf(stderr, "eccsim fuzz: %s:\n%s\n", what, detail.c_str());
  std::abort();
}

void check_message(const std::string& message) {
  if (message.find_first_of("\n\r") != std::string::npos) bug("error message spans lines", message);
  if (!starts_with(message, kFile) && !starts_with(message, "--set ")) {
    bug("error names neither the file nor a --set", message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string resolved;
  eccsim::Scenario scenario;
  try {
    scenario = eccsim::load_scenario_text(text, kFile, set_arguments(text));
    resolved = eccsim::to_yaml(scenario);
  } catch (const eccsim::InputError& e) {
    check_message(e.what());
    return 0;
  }
  // The admission check (on a fixed 16 GiB machine): an estimate or one InputError line.
  try {
    eccsim::AdmissionLimits limits;
    limits.memory_B = 16.0 * (1 << 30);
    eccsim::admit_sweep(scenario, scenario.sweep, limits);
    eccsim::admit_run(scenario, limits, {784, 40});   // Fashion-MNIST's messages: the target reads no data
  } catch (const eccsim::InputError& e) {
    check_message(e.what());
  }
  try {
    const std::string again = eccsim::to_yaml(eccsim::load_scenario_text(resolved, kResolvedFile));
    if (without_comments(again) != without_comments(resolved)) {
      bug("to_yaml is not a fixed point", resolved + "--- read back as ---\n" + again);
    }
  } catch (const eccsim::InputError& e) {
    bug("the resolved scenario does not read back", std::string(e.what()) + "\n" + resolved);
  }
  return 0;
}
