// The sweep driver: points -> per-point directories -> model training (serial, once per model
// configuration) -> a pool of -j child processes -> the summary table after each finished point.
// Each point's run publishes its outputs as one set (core/output_set.hpp); so does the sweep:
// sweep.json and summary.csv after every finished point, with aggregate.csv and compare.csv at the end.
#include "app/sweep_command.hpp"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "app/point_scenario.hpp"
#include "app/sweep/sweep_grid.hpp"
#include "app/sweep/sweep_process.hpp"
#include "app/sweep/sweep_stats.hpp"
#include "app/sweep/sweep_table.hpp"
#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "core/machine.hpp"
#include "core/output_set.hpp"
#include "sim/model_setup.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/offload_plugin.hpp"
#include "sim/report/csv_report.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string sweep_manifest(const SweepCommandOptions& options, size_t points, const Shard& shard,
                           const std::vector<std::string>& keys, const SweepConfig& sweep) {
  nlohmann::ordered_json manifest;
  manifest["scenario"] = options.scenario_file.string();
  manifest["set"] = options.overrides;
  manifest["points"] = points;
  manifest["shard"] = fmt::format("{}/{}", shard.index, shard.count);
  manifest["keys"] = keys;
  // Replicated sweeps only, so that an unreplicated sweep's manifest is what it was.
  if (sweep.replications.slots() > 1) manifest["replications"] = sweep.replications.slots();
  if (!sweep.compare.key.empty()) manifest["compare"] = {{"key", sweep.compare.key}, {"value", sweep.compare.value}};
  return manifest.dump(2) + "\n";
}

std::string clock_text(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

// Whether the scenario a point ran (its scenario.yaml) is `expected`, the point's resolved scenario
// for `dir`, wherever its directory was then: a copied or moved sweep directory resumes too, since
// output.dir does not change results.
bool same_point_scenario(const fs::path& dir, const std::string& expected) {
  const fs::path file = dir / "scenario.yaml";
  const std::string stored = read_file(file);
  if (stored == expected) return true;
  if (stored.empty()) return false;
  try {
    Scenario ran = load_scenario(file);
    ran.output.dir = dir.string();
    return to_yaml(ran) == expected;
  } catch (const InputError&) {
    return false;  // no longer a valid scenario: run the point again
  }
}

// One selected point and where it stands.
struct PointJob {
  SweepPoint point;
  fs::path dir;
  std::string scenario_yaml;            // resolved scenario; empty when it did not resolve
  std::string model_key;
  PointResult result;
};

class SweepDriver {
 public:
  explicit SweepDriver(const SweepCommandOptions& options) : options_(options) {}
  int run();

 private:
  void prepare_points();
  void train_models();
  void run_points();
  void finish_point(PointJob& job, const ChildExit& exit);
  // Publishes sweep.json and the table, with the statistics when `statistics`.
  void write_table(bool statistics = false);
  // Sequential stopping: queues the grid point's next replications, or marks the rest unneeded.
  void plan_replications(int grid_index, std::deque<PointJob*>& queue, const std::map<pid_t, PointJob*>& running);
  void progress(bool final_line = false);
  // Runs one child to its end (training); a stop signal is passed on to it.
  ChildExit run_serially(const ChildCommand& command);

  SweepCommandOptions options_;
  Scenario base_;
  SweepConfig sweep_;                   // base_.sweep with --replications applied
  fs::path out_;
  std::string manifest_;                // sweep.json
  Shard shard_;
  SweepTableLayout layout_;            // swept keys and the run summary's metric columns
  std::vector<SweepPoint> all_points_;
  std::vector<PointJob> jobs_;
  StopSignals stop_;
  fs::path exe_ = self_executable();
  Clock::time_point started_ = Clock::now();
  size_t skipped_ = 0;                  // complete from an earlier sweep (--resume)
  size_t finished_now_ = 0;             // points run to an end by this process
  size_t failed_ = 0;
  size_t running_ = 0;
  bool tty_ = ::isatty(STDERR_FILENO) != 0;
  size_t last_done_ = static_cast<size_t>(-1);  // done count of the last line printed to a non-terminal
};

int SweepDriver::run() {
  base_ = load_scenario(options_.scenario_file, options_.overrides);
  sweep_ = checked_sweep_config(base_, options_);
  base_.sweep = sweep_;
  layout_ = {sweep_keys(sweep_), summary_metric_columns(), sweep_.replications.slots() > 1};
  all_points_ = sweep_points(base_, options_.scenario_file);
  if (options_.jobs < 1) throw InputError(fmt::format("-j {}: expected at least 1 point at a time", options_.jobs));
  shard_ = options_.shard.empty() ? Shard{} : parse_shard(options_.shard);
  out_ = options_.out_dir.empty() ? fs::path(base_.output.dir) : options_.out_dir;
  prepare_output_dir(out_, "--out");
  prepare_output_dir(out_ / "points", "--out");
  manifest_ = sweep_manifest(options_, all_points_.size(), shard_, layout_.keys, sweep_);

  prepare_points();
  write_table();
  train_models();
  if (stop_.received() == 0) run_points();
  write_table(stop_.received() == 0);
  progress(true);

  if (stop_.received() != 0) {
    fmt::print(stderr, "sweep: stopped by signal {}; finished points are in {}; --resume goes on\n",
               stop_.received(), (out_ / "summary.csv").string());
    return 128 + stop_.received();
  }
  size_t ok = 0;
  size_t unneeded = 0;
  for (const PointJob& job : jobs_) {
    ok += job.result.status == PointStatus::Ok ? 1 : 0;
    unneeded += job.result.status == PointStatus::Unneeded ? 1 : 0;
  }
  const std::string unneeded_text = unneeded > 0 ? fmt::format(", {} unneeded", unneeded) : "";
  fmt::print("sweep: {} points ({} ok, {} failed{}, {} resumed) -> {}\n", jobs_.size(), ok, failed_, unneeded_text,
             skipped_, (out_ / "summary.csv").string());
  if (failed_ > 0) {
    fmt::print(stderr, "sweep: {} of {} points failed; their error column in {} and points/<id>/stderr.log say why\n",
               failed_, jobs_.size(), (out_ / "summary.csv").string());
    return 1;
  }
  return 0;
}

void SweepDriver::prepare_points() {
  const ScenarioWithoutSweep base = read_without_sweep(options_.scenario_file);
  for (const SweepPoint& point : all_points_) {
    if (!shard_.contains(point)) continue;
    PointJob job;
    job.point = point;
    job.dir = out_ / "points" / point.id;
    std::vector<std::string> overrides = options_.overrides;
    try {
      const Scenario scenario = sweep_point_scenario(base, sweep_, overrides, point, job.dir, true);
      job.scenario_yaml = to_yaml(scenario);
      job.model_key = model_config_key(scenario);
      job.result.seed = std::to_string(scenario.seed);
    } catch (const InputError& e) {
      // Each value was checked alone when the sweep was read; this combination is what fails.
      job.result.status = PointStatus::Failed;
      job.result.error = e.what();
    }

    std::string overrides_text;
    for (const std::string& override_text : overrides) overrides_text += override_text + "\n";
    // Complete: the same resolved scenario, a whole summary.csv, and run.json (published with the set).
    if (options_.resume && !job.scenario_yaml.empty() && fs::exists(job.dir / "run.json") &&
        same_point_scenario(job.dir, job.scenario_yaml)) {
      if (auto metrics = read_point_summary(read_file(job.dir / "summary.csv"), layout_.metrics)) {
        job.result.status = PointStatus::Ok;
        job.result.metrics = std::move(*metrics);
        ++skipped_;
        jobs_.push_back(std::move(job));
        continue;
      }
    }
    // A fresh directory: nothing stale (an old summary.csv) can pass for this point's result.
    std::error_code error;
    fs::remove_all(job.dir, error);
    prepare_output_dir(job.dir, "--out");
    write_file_atomically(job.dir / "overrides.txt", overrides_text);
    if (!job.scenario_yaml.empty()) write_file_atomically(job.dir / "scenario.yaml", job.scenario_yaml);
    if (job.result.status == PointStatus::Failed) ++failed_;
    jobs_.push_back(std::move(job));
  }
}

ChildExit SweepDriver::run_serially(const ChildCommand& command) {
  const pid_t pid = spawn_child(command);
  bool forwarded = false;
  for (;;) {
    if (auto exit = poll_child_exit(); exit && exit->pid == pid) return *exit;
    if (stop_.received() != 0 && !forwarded) {
      ::kill(pid, SIGTERM);
      forwarded = true;
    }
    ::usleep(100'000);
  }
}

void SweepDriver::train_models() {
  // First pending point of each distinct model configuration, in point order.
  std::map<std::string, size_t> first_of;
  std::vector<std::string> order;
  for (size_t i = 0; i < jobs_.size(); ++i) {
    const PointJob& job = jobs_[i];
    if (job.result.status != PointStatus::Pending) continue;
    if (first_of.emplace(job.model_key, i).second) order.push_back(job.model_key);
  }
  for (size_t n = 0; n < order.size() && stop_.received() == 0; ++n) {
    const PointJob& first = jobs_[first_of[order[n]]];
    const fs::path dir = out_ / "training" / std::to_string(n);
    prepare_output_dir(dir, "--out");
    Scenario scenario = load_scenario(first.dir / "scenario.yaml");
    scenario.models.train.allow = true;
    write_file_atomically(dir / "scenario.yaml", to_yaml(scenario));
    fmt::print(stderr, "sweep: models for configuration {}/{} ({}), as point {} needs them; log in {}\n", n + 1,
               order.size(), scenario.models.dir, first.point.id, (dir / "stderr.log").string());
    const ChildExit exit = run_serially(
        {{exe_.string(), "train", (dir / "scenario.yaml").string()}, dir / "stdout.log", dir / "stderr.log"});
    if (exit.ok() || stop_.received() != 0) continue;
    std::string why = last_line_of(dir / "stderr.log");
    if (why.empty()) why = describe_exit(exit);
    fmt::print(stderr, "sweep: training failed: {}\n", why);
    for (PointJob& job : jobs_) {
      if (job.result.status != PointStatus::Pending || job.model_key != order[n]) continue;
      job.result.status = PointStatus::Failed;
      job.result.error = "training the models failed: " + why;
      ++failed_;
    }
    write_table();
  }
}

void SweepDriver::run_points() {
  std::deque<PointJob*> queue;
  std::map<pid_t, PointJob*> running;
  if (sweep_.replications.sequential()) {
    for (const SweepPoint& point : all_points_) {
      if (point.replication == 0) plan_replications(point.grid_index, queue, running);
    }
  } else {
    for (PointJob& job : jobs_) {
      if (job.result.status == PointStatus::Pending) queue.push_back(&job);
    }
  }
  started_ = Clock::now();
  // Points running at once share the cores: jobs x threads <= cores (results do not depend on it).
  const int point_threads = std::max(1, available_cores() / options_.jobs);
  // Training keeps two threads (its results depend on the count), so points training at once can
  // outnumber the cores; OpenMP's threads then spin for a partner that is not running (7x slower on
  // 2 cores, docs/performance.md). Passive waiting changes no result. A user's own setting wins.
  if (options_.jobs > 1) ::setenv("OMP_WAIT_POLICY", "PASSIVE", /*overwrite=*/0);
  auto last_tick = Clock::now();
  bool forwarded = false;
  progress();
  while ((!queue.empty() && stop_.received() == 0) || !running.empty()) {
    while (!queue.empty() && stop_.received() == 0 && running.size() < static_cast<size_t>(options_.jobs)) {
      PointJob* job = queue.front();
      queue.pop_front();
      const fs::path scenario = job->dir / "scenario.yaml";
      try {
        std::vector<std::string> argv{exe_.string(), "run", scenario.string(), "--out", job->dir.string(),
                                      "--threads", std::to_string(point_threads)};
        if (options_.admit_anyway) argv.emplace_back("--admit-anyway");
        const pid_t pid = spawn_child({argv, job->dir / "stdout.log", job->dir / "stderr.log"});
        running[pid] = job;
      } catch (const std::runtime_error& e) {
        job->result.status = PointStatus::Failed;
        job->result.error = e.what();
        ++failed_;
        ++finished_now_;
        write_table();
      }
      running_ = running.size();
      progress();
    }
    if (stop_.received() != 0 && !forwarded) {
      for (const auto& entry : running) ::kill(entry.first, SIGTERM);
      forwarded = true;
    }
    if (auto exit = poll_child_exit()) {
      const auto it = running.find(exit->pid);
      if (it == running.end()) continue;
      PointJob* job = it->second;
      running.erase(it);
      running_ = running.size();
      finish_point(*job, *exit);
      if (sweep_.replications.sequential() && stop_.received() == 0) {
        plan_replications(job->point.grid_index, queue, running);
      }
      write_table();
      progress();
      continue;
    }
    ::usleep(100'000);
    if (tty_ && Clock::now() - last_tick > std::chrono::seconds(1)) {
      last_tick = Clock::now();
      progress();
    }
  }
}

void SweepDriver::finish_point(PointJob& job, const ChildExit& exit) {
  if (stop_.received() != 0 && !exit.ok()) return;  // interrupted: still pending, --resume runs it
  ++finished_now_;
  if (exit.ok()) {
    if (auto metrics = read_point_summary(read_file(job.dir / "summary.csv"), layout_.metrics)) {
      job.result.status = PointStatus::Ok;
      job.result.metrics = std::move(*metrics);
      return;
    }
  }
  job.result.status = PointStatus::Failed;
  job.result.error = last_line_of(job.dir / "stderr.log");
  if (exit.ok()) {
    job.result.error = "finished without a complete summary.csv";
  } else if (job.result.error.empty()) {
    job.result.error = describe_exit(exit);
  }
  ++failed_;
}

void SweepDriver::write_table(bool statistics) {
  std::vector<SweepPoint> points;
  std::vector<PointResult> results;
  for (const PointJob& job : jobs_) {
    points.push_back(job.point);
    results.push_back(job.result);
  }
  const std::string table = sweep_table(layout_, points, results);
  OutputSet outputs(out_, kSweepOutputFiles);
  outputs.add("sweep.json", manifest_);
  outputs.add("summary.csv", table);
  if (statistics) {
    const SweepStatsLayout layout{layout_, sweep_.replications.slots(), sweep_.compare.key, sweep_.compare.value};
    outputs.add("aggregate.csv", aggregate_table(layout, table));
    if (!layout.compare_key.empty()) outputs.add("compare.csv", compare_table(layout, table));
  }
  outputs.publish();
}

void SweepDriver::plan_replications(int grid_index, std::deque<PointJob*>& queue,
                                    const std::map<pid_t, PointJob*>& running) {
  // jobs_ holds every point (no shards with sequential stopping), replications of a grid point together.
  const SweepReplications& plan = sweep_.replications;
  const size_t first = static_cast<size_t>(grid_index) * static_cast<size_t>(plan.slots());
  std::vector<PointJob*> group;
  for (size_t i = first; i < first + static_cast<size_t>(plan.slots()); ++i) group.push_back(&jobs_.at(i));
  for (PointJob* job : group) {
    if (std::find(queue.begin(), queue.end(), job) != queue.end()) return;  // still to run
    for (const auto& entry : running) {
      if (entry.second == job) return;
    }
  }
  std::vector<double> values;
  size_t done = 0;
  const size_t metric = static_cast<size_t>(
      std::find(layout_.metrics.begin(), layout_.metrics.end(), plan.metric) - layout_.metrics.begin());
  for (const PointJob* job : group) {
    if (job->result.status == PointStatus::Pending) continue;
    ++done;
    if (job->result.status == PointStatus::Ok && !job->result.metrics.at(metric).empty()) {
      values.push_back(std::stod(job->result.metrics[metric]));
    }
  }
  const bool wide = values.size() < 2 || sample_stats(values).hw95 > plan.half_width;
  // The first min replications at once; then one more at a time while the interval is too wide.
  size_t wanted = done < static_cast<size_t>(plan.min) ? static_cast<size_t>(plan.min) - done : (wide ? 1 : 0);
  for (PointJob* job : group) {
    if (job->result.status != PointStatus::Pending) continue;
    if (wanted > 0) {
      queue.push_back(job);
      --wanted;
    } else if (!wide && done >= static_cast<size_t>(plan.min)) {
      job->result.status = PointStatus::Unneeded;  // narrow enough: never run
    }
  }
}

void SweepDriver::progress(bool final_line) {
  size_t done = 0;
  for (const PointJob& job : jobs_) done += job.result.status != PointStatus::Pending ? 1 : 0;
  const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
  const size_t to_run = jobs_.size() - done;
  std::string eta = "--";
  if (to_run == 0) {
    eta = "0:00";
  } else if (finished_now_ > 0) {
    eta = clock_text(elapsed / static_cast<double>(finished_now_) * static_cast<double>(to_run));
  }
  const std::string shard = shard_.count > 1 ? fmt::format(" (shard {}/{})", shard_.index, shard_.count) : "";
  const std::string resumed = skipped_ > 0 ? fmt::format(", {} resumed", skipped_) : "";
  const std::string line = fmt::format("sweep: {}/{} points done{}{}, {} failed, {} running, {} elapsed, ETA {}",
                                       done, jobs_.size(), shard, resumed, failed_, running_, clock_text(elapsed), eta);
  if (tty_) {
    fmt::print(stderr, "\r{}\x1b[K{}", line, final_line ? "\n" : "");
  } else if (done != last_done_ && !final_line) {
    fmt::print(stderr, "{}\n", line);  // a log gets one line per finished point, not one per tick
    last_done_ = done;
  }
  std::fflush(stderr);
}

}  // namespace

namespace {

// Each value of the sweep was checked alone when the scenario was read; here every grid point is
// built as the sweep will build it, so that a combination the reader refuses (edge_only with a
// target share) is refused before anything runs, naming the point. Replications differ only in
// their seed, so one per grid point is built.
void check_point_combinations(const Scenario& base, const SweepConfig& sweep, const SweepCommandOptions& options,
                              const AdmissionLimits& limits) {
  const std::vector<std::string> keys = sweep_keys(sweep);
  const ScenarioWithoutSweep file = read_without_sweep(options.scenario_file);
  for (const SweepPoint& point : expand_sweep(sweep)) {
    if (point.replication != 0) continue;
    const std::vector<std::string> values = point_overrides(keys, point);
    std::vector<std::string> overrides = options.overrides;
    overrides.insert(overrides.end(), values.begin(), values.end());
    try {
      const Scenario scenario = point_scenario(file, overrides, {}, false);
      admit_run(scenario, limits, offload_message_bytes(scenario));
      check_stored_latency_profile(scenario);
      open_offload_plugin(scenario);   // the library loads and takes the point's params
      check_model_files(scenario);     // its TorchScript files exist
    } catch (const InputError& e) {
      std::string why = e.what();
      if (why.rfind("--set ", 0) == 0) why.erase(0, 6);   // the point's values are not the user's --set
      throw InputError(fmt::format("{}: point {} ({}) cannot run: {}", base.where("sweep"), point.id,
                                   fmt::join(values, ", "), why));
    }
  }
}

}  // namespace

SweepConfig checked_sweep_config(const Scenario& base, const SweepCommandOptions& options) {
  SweepConfig sweep = base.sweep;
  if (options.replications) {
    const int n = *options.replications;
    if (n < 1 || n > SweepReplications::kMax) {
      throw InputError(fmt::format("--replications {}: expected 1 to {}", n, SweepReplications::kMax));
    }
    const bool models_seed = sweep.replications.models_seed;
    sweep.replications = SweepReplications{};
    sweep.replications.n = n;
    sweep.replications.models_seed = models_seed;
  }
  const SweepReplications& replications = sweep.replications;
  if (replications.sequential()) {
    const std::vector<std::string> metrics = summary_metric_columns();
    if (std::find(metrics.begin(), metrics.end(), replications.metric) == metrics.end()) {
      throw InputError(fmt::format("{}: unknown metric '{}' (expected a summary.csv column, e.g. accuracy, "
                                   "latency_p95_s, energy_per_request_J)",
                                   base.where("sweep.replications.until.metric"), replications.metric));
    }
    if (!options.shard.empty() || options.slurm.submit) {
      throw InputError(fmt::format("{}: sequential stopping needs every replication of a grid point in one "
                                   "sweep process (no --shard, no --slurm; give n instead)",
                                   base.where("sweep.replications.until")));
    }
    if (replications.models_seed) {
      throw InputError(fmt::format("{}: models_seed with until is not supported (it would train max model sets "
                                   "up front; give n instead)", base.where("sweep.replications.models_seed")));
    }
  }
  // Points run -j at a time, each in its share of the memory; a Slurm sweep's points run on nodes
  // whose memory this machine does not know (their shards check it there).
  AdmissionLimits limits = machine_limits(options.jobs);
  limits.admit_anyway = options.admit_anyway;
  if (options.slurm.submit) limits.memory_B = 0;
  admit_sweep(base, sweep, limits);
  check_point_combinations(base, sweep, options, limits);
  return sweep;
}

int run_sweep_command(const SweepCommandOptions& options) {
  SweepDriver driver(options);
  return driver.run();
}

}  // namespace eccsim
