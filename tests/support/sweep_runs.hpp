// Running `eccsim sweep` from the simulation tests: a sweep scenario on the test models and a sweep
// that must succeed.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"

namespace eccsim::testing {

// tests/scenarios/tiny.yaml on the test models with `sets` applied and `sweep` as its sweep
// block, written resolved to dir/sweep.yaml.
std::filesystem::path write_sweep_scenario(const std::filesystem::path& dir, const std::string& sweep,
                                           std::vector<std::string> sets = {});

// `eccsim sweep scenario --out out extra...`, required to exit 0 (its stderr shown otherwise).
ProcessResult sweep_ok(const std::filesystem::path& scenario, const std::filesystem::path& out,
                       std::vector<std::string> extra = {});

}  // namespace eccsim::testing
