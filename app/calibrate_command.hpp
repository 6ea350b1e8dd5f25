// `eccsim calibrate`: fits the flow model's latency and bandwidth factors to packet-level runs
// of the scenario's own messages on its own routes and writes them to a file that
// platform.network.calibration reads (docs/modelling.md, Network models).
#pragma once

#include <string>
#include <vector>

namespace eccsim {

struct CalibrateCommandOptions {
  std::string scenario_file;
  std::vector<std::string> overrides;   // --set key.path=value
  std::vector<double> extra_bytes;      // --sizes: more message sizes, both ways
  std::string out_file;                 // default: output.dir/network-calibration.yaml
};

int calibrate_command(const CalibrateCommandOptions& options);

}  // namespace eccsim
