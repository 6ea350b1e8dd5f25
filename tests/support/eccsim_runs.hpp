// Running the real eccsim binary from the simulation tests: any command, or one `eccsim run` of a
// scenario on the test models (tests/scenarios/tiny.yaml unless told otherwise), one simulation
// per process.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/run_process.hpp"

namespace eccsim::testing {

inline constexpr auto kEccsimTimeout = std::chrono::minutes(15);

// The eccsim binary with `args`, killed after `timeout`; in `working_dir` when one is given.
ProcessResult run_eccsim(std::vector<std::string> args, std::chrono::milliseconds timeout = kEccsimTimeout,
                         const std::filesystem::path& working_dir = {});

// tests/scenarios/tiny.yaml (two devices, the test models' dataset subset).
std::string tiny_scenario();

// One `eccsim run SCENARIO --out OUT --set models.dir=MODELS FLAGS... --set SETS...`.
// The scenario, sets and flags are given; the rest are set by name where a test needs them.
struct SimRun {
  explicit SimRun(std::string scenario_file, std::vector<std::string> set_args = {},
                  std::vector<std::string> other_flags = {})
      : scenario(std::move(scenario_file)), sets(std::move(set_args)), flags(std::move(other_flags)) {}

  std::string scenario;
  std::vector<std::string> sets;              // after models.dir, in order
  std::vector<std::string> flags;             // other arguments (--admit-anyway, --context-factory ...)
  std::string models_dir = ECCSIM_TEST_MODELS_DIR;   // empty: the scenario's own models.dir
  std::chrono::milliseconds timeout = kEccsimTimeout;
  std::filesystem::path working_dir;          // empty: the test's
};

// Its command line (for run_processes batches), and the run itself.
std::vector<std::string> sim_argv(const SimRun& run, const std::filesystem::path& out);
ProcessResult run_sim(const SimRun& run, const std::filesystem::path& out);

// run_sim into fresh_output_dir(name), required to exit 0 (its stderr shown otherwise); the output
// directory. `stdout_text`, when given, receives what the run printed.
std::filesystem::path run_sim_ok(const std::string& name, const SimRun& run, std::string* stdout_text = nullptr);

// The example policy plugin `name` (examples/policies/, lib<name>.so) of this build tree, and the
// test plugin breaking the interface by `fault` (tests/plugins/faulty_policy.cpp, libfaulty_<fault>.so).
std::string example_policy(const std::string& name);
std::string faulty_policy(const std::string& fault);

// For a shipped scenario that names an example plugin by its path in the default build tree
// (build/examples/policies/libX.so): the --set value pointing it at this build tree's copy when the
// tests are built elsewhere; empty when they are built in build/ (the scenario then runs as shipped).
std::vector<std::string> example_plugin_sets(const std::filesystem::path& scenario);

}  // namespace eccsim::testing
