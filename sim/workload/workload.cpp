// Request streams: Poisson, periodic or trace arrivals per device, samples drawn uniformly
// from the test images of the classes the current phase allows. Uses its own uniform and
// exponential draws on mt19937_64 so schedules are identical across standard libraries.
#include "sim/workload/workload.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

#include "core/input_error.hpp"
#include "core/random.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace eccsim {

namespace {

bool allowed(ClassMix classes, int phase, int task) {
  if (classes == ClassMix::All) return true;
  if (classes == ClassMix::Current) return task == phase;
  return task <= phase;  // cumulative
}

}  // namespace

int phase_at(const WorkloadConfig& workload, int tasks, double t_s) {
  if (workload.phase_length_s <= 0) return 0;
  const double phase = std::floor(t_s / workload.phase_length_s);
  return phase >= tasks - 1 ? tasks - 1 : static_cast<int>(phase);
}

SamplePools::SamplePools(const WorkloadConfig& workload, const TaskSplit& split,
                         const std::vector<int32_t>& test_labels, const std::vector<int64_t>& held_out) {
  pools_.resize(split.num_tasks());
  for (int phase = 0; phase < split.num_tasks(); ++phase) {
    for (int64_t i = 0; i < static_cast<int64_t>(test_labels.size()); ++i) {
      if (std::binary_search(held_out.begin(), held_out.end(), i)) continue;
      const int task = split.task_of(split.new_label_of.at(test_labels[i]));
      if (allowed(workload.classes, phase, task)) pools_[phase].push_back(i);
    }
  }
}

std::vector<EvaluationPoint> phase_ends(const WorkloadConfig& workload, int tasks, double end_s) {
  const int last = phase_at(workload, tasks, end_s);
  std::vector<EvaluationPoint> points;
  for (int phase = 0; phase <= last; ++phase) {
    const double t_s = phase < last ? (phase + 1) * workload.phase_length_s : end_s;
    points.push_back({t_s, workload.classes == ClassMix::All ? tasks : phase + 1});
  }
  return points;
}

std::vector<double> read_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(fmt::format("{}: cannot read trace file", path));
  std::vector<double> times;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    double t = 0;
    std::string rest;
    if (!(fields >> t) || (fields >> rest) || !std::isfinite(t))
      throw InputError(fmt::format("{}:{}: workload.trace: not a time in seconds: '{}'", path, line_no, line));
    if (t < 0) throw InputError(fmt::format("{}:{}: workload.trace: negative time {}", path, line_no, t));
    if (!times.empty() && t < times.back())
      throw InputError(fmt::format("{}:{}: workload.trace: times must be non-decreasing ({} after {})", path,
                                   line_no, t, times.back()));
    times.push_back(t);
  }
  return times;
}

std::vector<ScheduledRequest> device_schedule(const WorkloadConfig& workload, uint64_t seed, int device,
                                              const SamplePools& pools, const TaskSplit& split,
                                              const std::vector<int32_t>& test_labels,
                                              const std::vector<double>& trace) {
  std::mt19937_64 rng(derive_seed(seed, SeedStream::Arrivals, static_cast<uint64_t>(device)));
  const bool by_count = workload.requests_per_device > 0;
  const double horizon_s = by_count ? std::numeric_limits<double>::infinity() : workload.duration_s;
  const double period_s = 1.0 / workload.rate_per_s;

  std::vector<ScheduledRequest> schedule;
  double t = 0;
  if (workload.arrival == Arrival::Periodic) t = uniform01(rng) * period_s;  // desynchronise devices
  for (size_t k = 0;; ++k) {
    if (by_count && static_cast<int64_t>(schedule.size()) >= workload.requests_per_device) break;
    if (workload.arrival == Arrival::Trace) {
      if (k >= trace.size()) break;
      t = trace[k];
    } else if (workload.arrival == Arrival::Poisson) {
      t += exponential(rng, period_s);
    } else if (k > 0) {
      t += period_s;
    }
    if (t > horizon_s) break;
    const int phase = phase_at(workload, split.num_tasks(), t);
    const std::vector<int64_t>& pool = pools.pool(phase);
    if (pool.empty()) continue;
    const int64_t sample = pool[uniform_index(rng, pool.size())];
    schedule.push_back({t, sample, split.new_label_of.at(test_labels[sample]), phase});
  }
  return schedule;
}

}  // namespace eccsim
