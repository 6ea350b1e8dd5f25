// The sweep-running helpers; see sweep_runs.hpp.
#include "tests/support/sweep_runs.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim::testing {

std::filesystem::path write_sweep_scenario(const std::filesystem::path& dir, const std::string& sweep,
                                           std::vector<std::string> sets) {
  sets.push_back(std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR);
  sets.push_back("sweep=" + sweep);
  const Scenario scenario = load_scenario(tiny_scenario(), sets);
  const std::filesystem::path file = dir / "sweep.yaml";
  std::ofstream(file) << to_yaml(scenario);
  return file;
}

ProcessResult sweep_ok(const std::filesystem::path& scenario, const std::filesystem::path& out,
                       std::vector<std::string> extra) {
  std::vector<std::string> args{"sweep", scenario.string(), "--out", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  ProcessResult result = run_eccsim(args);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return result;
}

}  // namespace eccsim::testing
