// The batch scripts of a sweep on a Slurm cluster (`eccsim sweep --slurm`): a training job that
// trains every model configuration the points need once, a job array whose task K runs the sweep's
// shard K/N with --resume in its own directory, and a merge job after every task succeeded. Plain
// text in, plain text out; written into the sweep's directory so a user can read and resubmit them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace eccsim {

struct SlurmSweepPlan {
  std::string name;                                    // job names: eccsim-<name>-train, ...
  std::filesystem::path executable;                    // absolute path of eccsim
  std::filesystem::path work_dir;                      // each job's working directory (relative paths in the scenario)
  std::filesystem::path scenario_file;                 // absolute
  std::vector<std::string> overrides;                  // the sweep's --set arguments
  int replications = 0;                                // the sweep's --replications; 0: none given
  bool admit_anyway = false;                           // the sweep's --admit-anyway, passed to every task
  std::filesystem::path out_dir;                       // absolute; shards in out_dir/shards/K, table in out_dir
  int shards = 1;                                      // array tasks
  int jobs_per_task = 1;                               // each task's -j, and its --cpus-per-task
  std::vector<std::string> sbatch_options;             // extra #SBATCH lines, e.g. "--partition=long"
  std::vector<std::filesystem::path> training_scenarios;  // one resolved scenario per model configuration
};

struct SlurmScripts {
  std::string train;                                   // train.sbatch
  std::string array;                                   // array.sbatch
  std::string merge;                                   // merge.sbatch
  std::string submit;                                  // submit.sh [TASKS]: the three, chained by afterok
};

SlurmScripts slurm_scripts(const SlurmSweepPlan& plan);

// `text` as one word for bash: single-quoted unless it is plain ([A-Za-z0-9_./:=@%+,-] only).
std::string shell_quote(const std::string& text);

// Job ids from submit.sh's output lines "train ID", "array ID", "merge ID"; 0 where a line is missing.
struct SlurmJobIds {
  long train = 0;
  long array = 0;
  long merge = 0;
};
SlurmJobIds parse_submitted_jobs(const std::string& submit_output);

}  // namespace eccsim
