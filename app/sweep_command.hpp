// `eccsim sweep` and `eccsim merge`: a scenario's sweep grid run as one process per point
// (`eccsim run` on the point's resolved scenario), models trained once per distinct model
// configuration beforehand, DIR/summary.csv rewritten atomically after every finished point.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

// `--slurm`: the sweep submitted to a Slurm cluster as a training job, a job array and a merge job.
struct SlurmSubmitOptions {
  bool submit = false;                  // --slurm
  int shards = 0;                       // array tasks; 0: one per point
  std::vector<std::string> sbatch_options;  // extra #SBATCH lines
  bool dry_run = false;                 // write the scripts, do not submit them
};

// The files of a sweep directory's output set (core/output_set.hpp), written by sweep and merge.
inline const std::vector<std::string> kSweepOutputFiles{"sweep.json", "summary.csv", "aggregate.csv", "compare.csv"};

struct SweepCommandOptions {
  std::filesystem::path scenario_file;
  std::filesystem::path out_dir;        // empty: the scenario's output.dir
  int jobs = 1;                         // points run at once
  std::string shard;                    // "K/N"; empty: every point
  bool resume = false;                  // skip points whose results are complete and current
  std::vector<std::string> overrides;   // --set on the base scenario (the sweep block included), before each point's values
  SlurmSubmitOptions slurm;
  std::optional<int> replications;      // --replications N: replaces sweep.replications
  bool admit_anyway = false;            // --admit-anyway: no admission check (sim/scenario/admission.hpp)
};

// The sweep block of `base` with --replications applied and the combinations a sweep refuses
// checked (an unknown `until` metric, sequential stopping with shards or models_seed, a grid point
// whose values together make a scenario the reader refuses, a sweep or a point the admission check
// refuses: too many points, or a point that cannot fit this machine or finish); InputError.
// validate calls it too.
SweepConfig checked_sweep_config(const Scenario& base, const SweepCommandOptions& options);

// Returns the exit code: 0 when every point ran, 1 when some failed, 128+signal when stopped.
// InputError on a bad scenario or flag.
int run_sweep_command(const SweepCommandOptions& options);

// `eccsim sweep --slurm`: writes DIR/slurm/{train,array,merge}.sbatch and submit.sh, runs submit.sh
// (unless dry_run) and prints the job ids. InputError on a bad scenario or flag, or no sbatch on PATH.
int submit_sweep_to_slurm(const SweepCommandOptions& options);

// Joins the summary.csv of shard directories into out_dir/summary.csv (and aggregate.csv,
// compare.csv); InputError on a mismatch.
int run_merge_command(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out_dir);

}  // namespace eccsim
