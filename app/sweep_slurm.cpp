// `eccsim sweep --slurm`: the sweep's grid handed to a Slurm cluster. The models of every distinct
// configuration are trained by a first job; a job array runs one shard per task (--shard K/N
// --resume, each in DIR/shards/K); a merge job joins the shards' tables into DIR/summary.csv. The
// scripts are written into DIR/slurm before anything is submitted, so they can be read and resubmitted.
#include <fmt/core.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "app/point_scenario.hpp"
#include "app/sweep/slurm_scripts.hpp"
#include "app/sweep/sweep_process.hpp"
#include "app/sweep_command.hpp"
#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// One resolved scenario per distinct model configuration of the points, in point order, written to
// out/training/N/scenario.yaml with training allowed. A point that does not resolve is left to its
// shard, which records it as failed with its error, as a local sweep does.
std::vector<fs::path> write_training_scenarios(const SweepCommandOptions& options, const std::vector<SweepPoint>& points,
                                               const SweepConfig& sweep, const fs::path& out) {
  std::map<std::string, fs::path> written;
  std::vector<fs::path> files;
  const ScenarioWithoutSweep base = read_without_sweep(options.scenario_file);
  for (const SweepPoint& point : points) {
    std::vector<std::string> overrides = options.overrides;
    const fs::path dir = out / "training" / std::to_string(files.size());
    Scenario scenario;
    try {
      scenario = sweep_point_scenario(base, sweep, overrides, point, dir, /*models_ready=*/false);
    } catch (const InputError&) {
      continue;
    }
    if (!written.emplace(model_config_key(scenario), dir).second) continue;
    scenario.models.train.allow = true;
    prepare_output_dir(dir, "--out");
    write_file_atomically(dir / "scenario.yaml", to_yaml(scenario));
    files.push_back(dir / "scenario.yaml");
  }
  return files;
}

}  // namespace

int submit_sweep_to_slurm(const SweepCommandOptions& options) {
  const SlurmSubmitOptions& slurm = options.slurm;
  if (!options.shard.empty()) throw InputError("--shard: --slurm splits the sweep itself (--shards N)");
  if (options.jobs < 1) throw InputError(fmt::format("-j {}: expected at least 1 point at a time", options.jobs));
  for (const std::string& option : slurm.sbatch_options) {
    if (option.empty() || option[0] != '-' || option.find('\n') != std::string::npos) {
      throw InputError(fmt::format("--sbatch-option {}: expected one sbatch option, e.g. --partition=long", option));
    }
  }
  Scenario base = load_scenario(options.scenario_file, options.overrides);
  base.sweep = checked_sweep_config(base, options);
  const std::vector<SweepPoint> points = sweep_points(base, options.scenario_file);
  const int shards = slurm.shards == 0 ? static_cast<int>(points.size()) : slurm.shards;
  if (shards < 1 || shards > static_cast<int>(points.size())) {
    throw InputError(fmt::format("--shards {}: expected 1 to {} (the sweep's points)", slurm.shards, points.size()));
  }
  const fs::path out = fs::absolute(options.out_dir.empty() ? fs::path(base.output.dir) : options.out_dir);
  prepare_output_dir(out / "slurm" / "logs", "--out");

  SlurmSweepPlan plan;
  plan.name = base.name;
  plan.executable = self_executable();
  plan.work_dir = fs::current_path();
  plan.scenario_file = fs::absolute(options.scenario_file);
  plan.overrides = options.overrides;
  plan.out_dir = out;
  plan.shards = shards;
  plan.jobs_per_task = options.jobs;
  plan.sbatch_options = slurm.sbatch_options;
  plan.replications = options.replications.value_or(0);
  plan.admit_anyway = options.admit_anyway;
  plan.training_scenarios = write_training_scenarios(options, points, base.sweep, out);
  const SlurmScripts scripts = slurm_scripts(plan);
  const fs::path dir = out / "slurm";
  write_file_atomically(dir / "train.sbatch", scripts.train);
  write_file_atomically(dir / "array.sbatch", scripts.array);
  write_file_atomically(dir / "merge.sbatch", scripts.merge);
  write_file_atomically(dir / "submit.sh", scripts.submit);
  fs::permissions(dir / "submit.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add);

  const std::string what = fmt::format("{} points in {} array tasks, {} model configuration{}", points.size(), shards,
                                       plan.training_scenarios.size(), plan.training_scenarios.size() == 1 ? "" : "s");
  if (slurm.dry_run) {
    fmt::print("sweep: {}: wrote {}/{{train,array,merge}}.sbatch; not submitted (--dry-run): {} submits them\n", what,
               dir.string(), (dir / "submit.sh").string());
    return 0;
  }
  if (!on_path("sbatch")) {
    throw InputError(
        "sweep --slurm: sbatch is not on PATH (Slurm's client commands; scripts/slurm-local start runs a one-node "
        "cluster; --dry-run only writes the scripts)");
  }
  const ChildExit exit =
      wait_for_child(spawn_child({{"/bin/bash", (dir / "submit.sh").string()}, dir / "submit.out", dir / "submit.err"}));
  const SlurmJobIds ids = parse_submitted_jobs(read_file(dir / "submit.out"));
  if (!exit.ok() || ids.merge == 0) {
    std::string why = last_line_of(dir / "submit.err");
    if (why.empty()) why = describe_exit(exit);
    fmt::print(stderr, "sweep: submitting {} failed: {}\n", (dir / "submit.sh").string(), why);
    return 1;
  }
  fmt::print("sweep: {} submitted to Slurm (scripts in {})\n", what, dir.string());
  fmt::print("  training job {}\n", ids.train);
  fmt::print("  array    job {} (tasks 0-{}, outputs in {}/K)\n", ids.array, shards - 1, (out / "shards").string());
  fmt::print("  merge    job {} -> {}\n", ids.merge, (out / "summary.csv").string());
  return 0;
}

}  // namespace eccsim
