// `eccsim profile`: measures the cloud model's serving latency at batch sizes 1 ... 256 on this
// machine and stores it beside the checkpoints, for platform.cloud.latency.model: profile.
#pragma once

#include <string>
#include <vector>

namespace eccsim {

struct ProfileCommandOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;   // --set key.path=value
};

int profile_command(const ProfileCommandOptions& options);

}  // namespace eccsim
