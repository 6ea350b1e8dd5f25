// `eccsim export`: the scenario's native models written as TorchScript files (docs/own-models.md),
// the reference export for a user's own models and the way to run eccsim's models elsewhere.
#pragma once

#include <string>
#include <vector>

namespace eccsim {

struct ExportCommandOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;   // --set key.path=value
  std::string out_dir;                  // edge.pt and cloud.pt are written here
};

int export_command(const ExportCommandOptions& options);

}  // namespace eccsim
