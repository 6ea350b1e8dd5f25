// eccsim command line: a thin dispatcher onto the sim/ library (docs/scenarios.md, Commands).
// Exit codes: 0 ok, 2 bad input (InputError or a flag error), 1 internal error.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <exception>
#include <string>
#include <vector>

#include "app/calibrate_command.hpp"
#include "app/export_command.hpp"
#include "app/profile_command.hpp"
#include "app/run_command.hpp"
#include "app/sweep_command.hpp"
#include "app/train_command.hpp"
#include "core/input_error.hpp"
#include "sim/model_setup.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/offload_plugin.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"eccsim: edge-cloud collaboration simulator for spiking neural networks"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("eccsim ") + eccsim::kEccsimVersion);

  std::string scenario_file;
  std::vector<std::string> overrides;

  auto* validate = app.add_subcommand("validate", "Parse and check a scenario; exit 0, or 2 with file:line: key: message");
  validate->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  validate->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");
  bool print_resolved = false;
  validate->add_flag("--print", print_resolved, "Print the resolved scenario as YAML");
  // The admission check (docs/robustness.md, Admission) refuses what cannot fit this machine or would not finish.
  bool admit_anyway = false;
  const char* admit_anyway_help = "Skip the admission check (estimated requests, events, memory, horizon, "
                                  "undeliverable transfers, sweep points): for machines the estimate underrates";
  validate->add_flag("--admit-anyway", admit_anyway, admit_anyway_help);

  auto* train = app.add_subcommand("train", "Setup stage: train the cloud ANN and the edge SNN (joint distillation)");
  train->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  bool quick = false;
  train->add_flag("--quick", quick, "Quick profile: data subset and few epochs");
  train->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");

  auto* export_models = app.add_subcommand(
      "export", "Write the scenario's native models as TorchScript files (docs/own-models.md) into --out");
  export_models->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  export_models->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");
  std::string export_dir;
  export_models->add_option("--out", export_dir, "Directory for edge.pt and cloud.pt")->required();

  auto* profile = app.add_subcommand(
      "profile", "Time the cloud model at batch sizes 1 ... 256 (one thread) into models.dir/cloud_latency.csv");
  profile->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  profile->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");

  auto* calibrate = app.add_subcommand(
      "calibrate", "Fit the flow model's latency and bandwidth factors to packet-level runs of the scenario's messages");
  calibrate->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  calibrate->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");
  std::vector<double> calibrate_sizes;
  calibrate->add_option("--sizes", calibrate_sizes, "More message sizes in bytes, both ways (e.g. 65536,1048576)")
      ->delimiter(',');
  std::string calibration_file;
  calibrate->add_option("--out", calibration_file, "File to write (default: output.dir/network-calibration.yaml)");

  auto* run = app.add_subcommand("run", "Run one simulation (trains missing models first)");
  run->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  std::string out_dir;
  run->add_option("--out", out_dir, "Output directory (default: output.dir)");
  run->add_option("--set", overrides, "Override a key: key.path=value (value read as YAML)");
  eccsim::EngineOptions engine;
  run->add_option("--context-factory", engine.context_factory,
                  "SimGrid's actor contexts (default raw); thread runs each actor on an OS thread, "
                  "for sanitizers and debuggers. Results do not depend on it")
      ->envname("ECCSIM_CONTEXT_FACTORY")
      ->check(CLI::IsMember({"raw", "ucontext", "boost", "thread"}));
  run->add_option("--actor-stack", engine.actor_stack_KiB,
                  "KiB of stack per actor (default 16; LibTorch never runs on it). For checking the margin")
      ->check(CLI::Range(8, 8192));
  int inference_threads = 0;
  run->add_option("--threads", inference_threads,
                  "LibTorch threads for inference (default: every core this process may use). Results do "
                  "not depend on it")
      ->check(CLI::Range(1, 1024));
  run->add_flag("--admit-anyway", admit_anyway, admit_anyway_help);

  auto* sweep = app.add_subcommand("sweep", "Run the scenario's sweep grid, one process per point");
  sweep->add_option("scenario", scenario_file, "Scenario YAML file")->required();
  sweep->add_option("--out", out_dir, "Output directory (default: output.dir)");
  int sweep_jobs = 1;
  sweep->add_option("-j,--jobs", sweep_jobs,
                    "Points run at once (one process each); each infers on cores / N threads");
  std::string shard;
  sweep->add_option("--shard", shard, "Run only the points whose index % N == K (K/N, e.g. 0/10)");
  bool resume = false;
  sweep->add_flag("--resume", resume, "Skip points whose results are complete and whose scenario is unchanged");
  sweep->add_option("--set", overrides, "Override a key of the base scenario, the sweep block included: key.path=value");
  sweep->add_flag("--admit-anyway", admit_anyway, admit_anyway_help);
  int replications = 0;
  auto* replications_option = sweep->add_option("--replications", replications,
                    "Runs of each grid point, each with its own seed (1 to 1000; replaces sweep.replications)");
  eccsim::SlurmSubmitOptions slurm;
  auto* slurm_flag = sweep->add_flag("--slurm", slurm.submit,
                                     "Submit to Slurm: a training job, a job array of shards (-j points at once "
                                     "each) and a merge job into --out; print their ids and exit");
  sweep->add_option("--shards", slurm.shards, "With --slurm: array tasks (default: one per point)")
      ->needs(slurm_flag)
      ->check(CLI::PositiveNumber);
  sweep->add_option("--sbatch-option", slurm.sbatch_options,
                    "With --slurm: an extra #SBATCH line for every job, e.g. --sbatch-option=--partition=long")
      ->needs(slurm_flag);
  sweep->add_flag("--dry-run", slurm.dry_run, "With --slurm: write the scripts into --out/slurm, submit nothing")
      ->needs(slurm_flag);

  auto* merge = app.add_subcommand("merge", "Join sweep shard outputs into one summary.csv (and aggregate.csv, compare.csv)");
  std::vector<std::string> merge_dirs;
  merge->add_option("dirs", merge_dirs, "Shard output directories")->required();
  merge->add_option("--out", out_dir, "Output directory")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  try {
    if (*validate) {
      const eccsim::Scenario scenario = eccsim::load_scenario(scenario_file, overrides);
      for (const std::string& warning : scenario.warnings) fmt::print(stderr, "warning: {}\n", warning);
      // A sweep is checked as `eccsim sweep` checks it, every grid point built and admitted;
      // a scenario without one as `eccsim run` admits it.
      const eccsim::SweepConfig& sweep = scenario.sweep;
      if (!sweep.grid.empty() || !sweep.zip.empty() || sweep.replications.slots() > 1) {
        eccsim::checked_sweep_config(scenario, {scenario_file, {}, 1, {}, false, overrides, {}, {}, admit_anyway});
      } else {
        eccsim::AdmissionLimits limits = eccsim::machine_limits();
        limits.admit_anyway = admit_anyway;
        const eccsim::OffloadMessageBytes messages = eccsim::offload_message_bytes(scenario);
        eccsim::admit_run(scenario, limits, messages);
        for (const std::string& warning : eccsim::shared_link_warnings(scenario, messages))
          fmt::print(stderr, "warning: {}\n", warning);
        eccsim::check_stored_latency_profile(scenario);
        eccsim::open_offload_plugin(scenario);
        eccsim::check_model_files(scenario);
      }
      if (print_resolved) fmt::print("{}", eccsim::to_yaml(scenario));
      else fmt::print("{}: ok\n", scenario_file);
      return kExitOk;
    }
    if (*train) return eccsim::train_command({scenario_file, overrides, quick});
    if (*export_models) return eccsim::export_command({scenario_file, overrides, export_dir});
    if (*profile) return eccsim::profile_command({scenario_file, overrides});
    if (*calibrate) return eccsim::calibrate_command({scenario_file, overrides, calibrate_sizes, calibration_file});
    if (*run) {
      std::string command_line;
      for (int i = 0; i < argc; ++i) command_line += (i > 0 ? " " : "") + std::string(argv[i]);
      return eccsim::run_command(
          {scenario_file, overrides, out_dir, command_line, engine, inference_threads, admit_anyway});
    }
    if (*sweep) {
      std::optional<int> replications_given;
      if (replications_option->count() > 0) replications_given = replications;
      const eccsim::SweepCommandOptions options{scenario_file, out_dir, sweep_jobs, shard, resume, overrides, slurm,
                                                replications_given, admit_anyway};
      return slurm.submit ? eccsim::submit_sweep_to_slurm(options) : eccsim::run_sweep_command(options);
    }
    if (*merge) return eccsim::run_merge_command({merge_dirs.begin(), merge_dirs.end()}, out_dir);
  } catch (const eccsim::InputError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return kExitBadInput;
  } catch (const eccsim::RunFailure& e) {
    fmt::print(stderr, "eccsim: {}\n", e.what());
    return kExitInternal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "eccsim: internal error: {}\n", e.what());
    return kExitInternal;
  }
  return kExitOk;
}
