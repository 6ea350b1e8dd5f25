// `eccsim run`: scenario, models, one simulation, output files, a summary on stdout.
#pragma once

#include <string>
#include <vector>

#include "sim/simulation.hpp"

namespace eccsim {

inline constexpr const char* kEccsimVersion = ECCSIM_VERSION;   // --version and run.json (CMake's project())

struct RunCommandOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;   // --set key.path=value
  std::string out_dir;                  // empty: the scenario's output.dir
  std::string command_line;             // recorded in run.json
  EngineOptions engine;                 // SimGrid's contexts
  int inference_threads = 0;            // LibTorch intra-op threads; 0: available_cores()
  bool admit_anyway = false;            // --admit-anyway: no admission check (sim/scenario/admission.hpp)
};

int run_command(const RunCommandOptions& options);

}  // namespace eccsim
