// The eccsim-running helpers; see eccsim_runs.hpp.
#include "tests/support/eccsim_runs.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <regex>

namespace eccsim::testing {

ProcessResult run_eccsim(std::vector<std::string> args, std::chrono::milliseconds timeout,
                         const std::filesystem::path& working_dir) {
  args.insert(args.begin(), eccsim_binary());
  return run_process(args, {timeout, working_dir});
}

std::string tiny_scenario() { return std::string(ECCSIM_SOURCE_DIR) + "/tests/scenarios/tiny.yaml"; }

std::vector<std::string> sim_argv(const SimRun& run, const std::filesystem::path& out) {
  std::vector<std::string> argv{eccsim_binary(), "run", run.scenario, "--out", out.string()};
  if (!run.models_dir.empty()) argv.insert(argv.end(), {"--set", "models.dir=" + run.models_dir});
  argv.insert(argv.end(), run.flags.begin(), run.flags.end());
  for (const std::string& set : run.sets) argv.insert(argv.end(), {"--set", set});
  return argv;
}

ProcessResult run_sim(const SimRun& run, const std::filesystem::path& out) {
  return run_process(sim_argv(run, out), {run.timeout, run.working_dir});
}

std::filesystem::path run_sim_ok(const std::string& name, const SimRun& run, std::string* stdout_text) {
  const std::filesystem::path out = fresh_output_dir(name);
  const ProcessResult result = run_sim(run, out);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  if (stdout_text != nullptr) *stdout_text = result.out;
  return out;
}

std::string example_policy(const std::string& name) {
  return (std::filesystem::path(ECCSIM_EXAMPLE_POLICIES_DIR) / ("lib" + name + ".so")).string();
}

std::string faulty_policy(const std::string& fault) {
  return (std::filesystem::path(ECCSIM_FAULTY_POLICIES_DIR) / ("libfaulty_" + fault + ".so")).string();
}

std::vector<std::string> example_plugin_sets(const std::filesystem::path& scenario) {
  std::ifstream in(scenario);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(R"(path: build/examples/policies/lib(\w+)\.so)"))) return {};
  const std::filesystem::path shipped = std::filesystem::path(ECCSIM_SOURCE_DIR) / "build/examples/policies";
  std::error_code error;
  if (std::filesystem::equivalent(shipped, ECCSIM_EXAMPLE_POLICIES_DIR, error)) return {};
  return {"policy.offload.plugin.path=" + example_policy(match[1].str())};
}

}  // namespace eccsim::testing
