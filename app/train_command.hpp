// `eccsim train`: the setup stage on its own (cloud ANN, then edge SNN with joint distillation).
#pragma once

#include <string>
#include <vector>

namespace eccsim {

struct TrainCommandOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;   // --set key.path=value
  bool quick = false;                   // force the quick profile
};

int train_command(const TrainCommandOptions& options);

}  // namespace eccsim
