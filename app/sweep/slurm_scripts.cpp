// Text of the Slurm scripts of a sweep; see slurm_scripts.hpp. Every path in them is absolute, so
// they run the same from any directory and can be resubmitted as they are.
#include "app/sweep/slurm_scripts.hpp"

#include <fmt/core.h>

#include <sstream>

namespace eccsim {

namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& path) { return shell_quote(path.string()); }

// The #SBATCH lines every job shares: name, working directory, log file, the user's options last
// (sbatch lets a later directive override an earlier one).
std::string directives(const SlurmSweepPlan& plan, const std::string& job, const std::string& log_name,
                       const std::vector<std::string>& own) {
  std::string text;
  text += fmt::format("#SBATCH --job-name={}\n", shell_quote("eccsim-" + plan.name + job));
  text += fmt::format("#SBATCH --chdir={}\n", quoted(plan.work_dir));
  text += fmt::format("#SBATCH --output={}\n", quoted(plan.out_dir / "slurm" / "logs" / log_name));
  for (const std::string& line : own) text += "#SBATCH " + line + "\n";
  for (const std::string& option : plan.sbatch_options) text += "#SBATCH " + option + "\n";
  return text;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                             "0123456789_./:=@%+,-") == std::string::npos;
  if (plain) return text;
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

SlurmScripts slurm_scripts(const SlurmSweepPlan& plan) {
  const std::string exe = quoted(plan.executable);
  const std::string cpus = fmt::format("--cpus-per-task={}", plan.jobs_per_task);
  SlurmScripts scripts;

  scripts.train = "#!/bin/bash\n";
  scripts.train += fmt::format(
      "# Sweep {} on Slurm, job 1 of 3: trains (or loads) the models of every configuration the points\n"
      "# use, once, so that no two array tasks train the same checkpoints at the same time.\n",
      plan.name);
  scripts.train += directives(plan, "-train", "train-%j.out", {cpus});
  scripts.train += "set -euo pipefail\n";
  for (const fs::path& scenario : plan.training_scenarios) scripts.train += fmt::format("{} train {}\n", exe, quoted(scenario));
  if (plan.training_scenarios.empty()) scripts.train += "true  # no point's scenario resolved: nothing to train\n";

  std::string sets;
  for (const std::string& value : plan.overrides) sets += " --set " + shell_quote(value);
  if (plan.replications > 0) sets += fmt::format(" --replications {}", plan.replications);
  if (plan.admit_anyway) sets += " --admit-anyway";
  scripts.array = "#!/bin/bash\n";
  scripts.array += fmt::format(
      "# Sweep {} on Slurm, job 2 of 3: array task K runs the points whose index % {} == K, in\n"
      "# {}/K; --resume makes a re-queued or resubmitted task go on where it stopped.\n",
      plan.name, plan.shards, (plan.out_dir / "shards").string());
  scripts.array += directives(plan, "", "shard-%a-%A.out",
                              {fmt::format("--array=0-{}", plan.shards - 1), cpus, "--requeue"});
  scripts.array += "set -euo pipefail\n";
  scripts.array += "shard=$SLURM_ARRAY_TASK_ID\n";
  scripts.array += fmt::format("exec {} sweep {}{} --out {}/\"$shard\" --shard \"$shard\"/{} -j {} --resume\n", exe,
                               quoted(plan.scenario_file), sets, quoted(plan.out_dir / "shards"), plan.shards,
                               plan.jobs_per_task);

  std::string shard_dirs;
  for (int k = 0; k < plan.shards; ++k) shard_dirs += " " + quoted(plan.out_dir / "shards" / std::to_string(k));
  scripts.merge = "#!/bin/bash\n";
  scripts.merge += fmt::format(
      "# Sweep {} on Slurm, job 3 of 3: joins the shards' tables into {}\n"
      "# (exit 2 when a point is in no shard). Cancelled by Slurm when an array task fails.\n",
      plan.name, (plan.out_dir / "summary.csv").string());
  scripts.merge += directives(plan, "-merge", "merge-%j.out", {"--kill-on-invalid-dep=yes"});
  scripts.merge += "set -euo pipefail\n";
  scripts.merge += fmt::format("exec {} merge{} --out {}\n", exe, shard_dirs, quoted(plan.out_dir));

  scripts.submit = fmt::format(
      "#!/usr/bin/env bash\n"
      "# Submits sweep {} to Slurm: training, then the array once training succeeded, then the merge once\n"
      "# every array task succeeded; prints the three job ids. Written by `eccsim sweep --slurm`.\n"
      "# Resubmit with `submit.sh TASKS` (e.g. 1 or 0,2): only those array tasks run, each resuming\n"
      "# where it stopped, then the merge of every shard.\n"
      "set -euo pipefail\n"
      "cd \"$(dirname \"$0\")\"\n"
      "tasks=()\n"
      "if [ $# -gt 0 ]; then tasks=(--array=\"$1\"); fi\n"
      "submit() {{ local out; out=\"$(sbatch --parsable \"$@\")\"; echo \"${{out%%;*}}\"; }}\n"
      "train=$(submit train.sbatch)\n"
      "array=$(submit --dependency=afterok:\"$train\" \"${{tasks[@]}}\" array.sbatch)\n"
      "merge=$(submit --dependency=afterok:\"$array\" merge.sbatch)\n"
      "echo \"train $train\"\n"
      "echo \"array $array\"\n"
      "echo \"merge $merge\"\n",
      plan.name);
  return scripts;
}

SlurmJobIds parse_submitted_jobs(const std::string& submit_output) {
  SlurmJobIds ids;
  std::istringstream in(submit_output);
  std::string role;
  long id = 0;
  while (in >> role >> id) {
    if (role == "train") ids.train = id;
    if (role == "array") ids.array = id;
    if (role == "merge") ids.merge = id;
  }
  return ids;
}

}  // namespace eccsim
