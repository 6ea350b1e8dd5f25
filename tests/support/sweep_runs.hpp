// Running `eccsim sweep` from the simulation tests: a sweep scenario on the test models, the
// binary with a sweep's time limit, and a sweep that must succeed.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/run_process.hpp"

namespace eccsim::testing {

inline constexpr auto kSweepTimeout = std::chrono::minutes(15);

// tests/scenarios/tiny.yaml on the test models with `sets` applied and `sweep` as its sweep
// block, written resolved to dir/sweep.yaml.
std::filesystem::path write_sweep_scenario(const std::filesystem::path& dir, const std::string& sweep,
                                           std::vector<std::string> sets = {});

// The eccsim binary with `args`, within kSweepTimeout.
ProcessResult run_eccsim(std::vector<std::string> args);

// `eccsim sweep scenario --out out extra...`, required to exit 0 (its stderr shown otherwise).
ProcessResult sweep_ok(const std::filesystem::path& scenario, const std::filesystem::path& out,
                       std::vector<std::string> extra = {});

}  // namespace eccsim::testing
