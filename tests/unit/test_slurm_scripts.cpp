// The Slurm scripts of `eccsim sweep --slurm` as text, and submit.sh run against a recording sbatch
// on PATH (a test double that prints job ids): the three jobs chained by afterok, resubmission of
// chosen tasks, shell quoting of paths and --set values.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "app/sweep/slurm_scripts.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace eccsim;
using eccsim::testing::TempDir;

namespace {

SlurmSweepPlan plan_in(const fs::path& out) {
  SlurmSweepPlan plan;
  plan.name = "grid";
  plan.executable = "/opt/eccsim/eccsim";
  plan.work_dir = "/home/me/study";
  plan.scenario_file = "/home/me/study/my sweep.yaml";
  plan.overrides = {"platform.devices=10", "faults=[{at: 20s, target: cloud, for: 10s}]"};
  plan.out_dir = out;
  plan.shards = 3;
  plan.jobs_per_task = 2;
  plan.sbatch_options = {"--partition=long", "--cpus-per-task=4"};
  plan.training_scenarios = {out / "training/0/scenario.yaml", out / "training/1/scenario.yaml"};
  return plan;
}

}  // namespace

TEST_CASE("slurm: shell quoting leaves plain words alone and quotes the rest", "[sweep][slurm]") {
  CHECK(shell_quote("/a/b-c_d.yaml") == "/a/b-c_d.yaml");
  CHECK(shell_quote("platform.devices=10") == "platform.devices=10");
  CHECK(shell_quote("my sweep.yaml") == "'my sweep.yaml'");
  CHECK(shell_quote("it's $HOME") == "'it'\\''s $HOME'");
  CHECK(shell_quote("") == "''");
}

TEST_CASE("slurm: the array, training and merge scripts", "[sweep][slurm]") {
  const SlurmScripts scripts = slurm_scripts(plan_in("/scratch/out"));
  CHECK_THAT(scripts.train, Catch::StartsWith("#!/bin/bash\n") && Catch::Contains("#SBATCH --chdir=/home/me/study\n") &&
                                Catch::Contains("/opt/eccsim/eccsim train /scratch/out/training/0/scenario.yaml\n"
                                                "/opt/eccsim/eccsim train /scratch/out/training/1/scenario.yaml\n"));
  // Own directives first, the user's last, so that theirs win.
  CHECK_THAT(scripts.array, Catch::Contains("#SBATCH --array=0-2\n#SBATCH --cpus-per-task=2\n#SBATCH --requeue\n"
                                            "#SBATCH --partition=long\n#SBATCH --cpus-per-task=4\n"));
  CHECK_THAT(scripts.array, Catch::Contains("#SBATCH --output=/scratch/out/slurm/logs/shard-%a-%A.out\n"));
  CHECK_THAT(scripts.array,
             Catch::Contains("exec /opt/eccsim/eccsim sweep '/home/me/study/my sweep.yaml' --set platform.devices=10 "
                             "--set 'faults=[{at: 20s, target: cloud, for: 10s}]' --out /scratch/out/shards/\"$shard\" "
                             "--shard \"$shard\"/3 -j 2 --resume\n"));
  CHECK_THAT(scripts.merge, Catch::Contains("#SBATCH --kill-on-invalid-dep=yes\n") &&
                                Catch::Contains("exec /opt/eccsim/eccsim merge /scratch/out/shards/0 /scratch/out/shards/1 "
                                                "/scratch/out/shards/2 --out /scratch/out\n"));
  CHECK(scripts.merge.find("--array") == std::string::npos);
  CHECK(scripts.array.find("--admit-anyway") == std::string::npos);
}

TEST_CASE("slurm: a sweep admitted anyway runs its array tasks with --admit-anyway", "[sweep][slurm]") {
  SlurmSweepPlan plan = plan_in("/scratch/out");
  plan.admit_anyway = true;
  plan.replications = 3;
  CHECK_THAT(slurm_scripts(plan).array,
             Catch::Contains("--set 'faults=[{at: 20s, target: cloud, for: 10s}]' --replications 3 --admit-anyway --out "));
}

TEST_CASE("slurm: submit.sh chains the jobs by afterok and resubmits chosen tasks", "[sweep][slurm]") {
  TempDir tmp("slurm-submit");
  const fs::path slurm = tmp.path() / "out" / "slurm";
  fs::create_directories(slurm);
  const SlurmScripts scripts = slurm_scripts(plan_in(tmp.path() / "out"));
  tmp.write("out/slurm/submit.sh", scripts.submit);
  for (const char* name : {"train.sbatch", "array.sbatch", "merge.sbatch"}) tmp.write(std::string("out/slurm/") + name, "");
  // sbatch's double: records its arguments, answers "id;cluster" as --parsable does on a federation.
  fs::create_directories(tmp.path() / "bin");
  const fs::path sbatch = tmp.write("bin/sbatch",
                                    "#!/bin/bash\n"
                                    "n=$(( $(cat \"$0.count\" 2>/dev/null || echo 40) + 1 )); echo $n > \"$0.count\"\n"
                                    "echo \"$*\" >> \"$0.calls\"\n"
                                    "echo \"$n;local\"\n");
  fs::permissions(sbatch, fs::perms::owner_all);
  const std::string path = std::getenv("PATH");
  ::setenv("PATH", ((tmp.path() / "bin").string() + ":" + path).c_str(), 1);
  const auto first = eccsim::testing::run_process({"/bin/bash", (slurm / "submit.sh").string()});
  const auto again = eccsim::testing::run_process({"/bin/bash", (slurm / "submit.sh").string(), "1,2"});
  ::setenv("PATH", path.c_str(), 1);
  INFO(first.err << again.err);
  REQUIRE(first.exit_code == 0);
  REQUIRE(again.exit_code == 0);
  CHECK(first.out == "train 41\narray 42\nmerge 43\n");
  const SlurmJobIds ids = parse_submitted_jobs(again.out);
  CHECK(ids.train == 44);
  CHECK(ids.array == 45);
  CHECK(ids.merge == 46);
  CHECK(eccsim::testing::file_bytes(tmp.path() / "bin" / "sbatch.calls") ==
        "--parsable train.sbatch\n"
        "--parsable --dependency=afterok:41 array.sbatch\n"
        "--parsable --dependency=afterok:42 merge.sbatch\n"
        "--parsable train.sbatch\n"
        "--parsable --dependency=afterok:44 --array=1,2 array.sbatch\n"
        "--parsable --dependency=afterok:45 merge.sbatch\n");
  CHECK(parse_submitted_jobs("").merge == 0);
}
