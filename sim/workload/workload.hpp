// Request streams: per device, when requests arrive and which test image each one carries.
// Schedules are drawn before the engine starts from per-device generators seeded from
// (scenario seed, device index), so they never depend on simulated dynamics.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "models/data/task_split.hpp"
#include "sim/report/metrics.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct ScheduledRequest {
  double t_arrival_s = 0;
  int64_t sample = 0;       // index into the test split
  int32_t label = 0;        // re-indexed class
  int phase = 0;            // workload phase (task index) at arrival
};

// Which test samples each phase may draw from, given workload.classes; never the `held_out` ones
// (sorted: the evaluation and calibration sets).
class SamplePools {
 public:
  SamplePools() = default;
  SamplePools(const WorkloadConfig& workload, const TaskSplit& split, const std::vector<int32_t>& test_labels,
              const std::vector<int64_t>& held_out = {});
  const std::vector<int64_t>& pool(int phase) const { return pools_.at(phase); }
  int phases() const { return static_cast<int>(pools_.size()); }

  // `drawn` (a sample of phase's pool), or when `excluded(drawn)` the next sample of the pool,
  // cyclically, that is not excluded; -1 when the pool holds none. Deterministic.
  template <typename Excluded>
  int64_t first_allowed(int phase, int64_t drawn, const Excluded& excluded) const {
    if (!excluded(drawn)) return drawn;
    const std::vector<int64_t>& pool = pools_.at(phase);
    const size_t start = static_cast<size_t>(std::lower_bound(pool.begin(), pool.end(), drawn) - pool.begin());
    for (size_t step = 1; step <= pool.size(); ++step) {
      const int64_t candidate = pool[(start + step) % pool.size()];
      if (!excluded(candidate)) return candidate;
    }
    return -1;
  }

 private:
  std::vector<std::vector<int64_t>> pools_;
};

// Arrival times of one trace file (seconds, one per line, non-decreasing); InputError on bad lines.
std::vector<double> read_trace(const std::string& path);

// The full request schedule of one device, whose group's arrivals `workload` gives; seeded from (seed, device).
std::vector<ScheduledRequest> device_schedule(const WorkloadConfig& workload, uint64_t seed, int device,
                                              const SamplePools& pools,
                                              const TaskSplit& split, const std::vector<int32_t>& test_labels,
                                              const std::vector<double>& trace);

// Phase of time t: floor(t / phase_length), capped at the last task; 0 when there are no phases.
int phase_at(const WorkloadConfig& workload, int tasks, double t_s);

// The end of every phase the run reached (the last one ends with the run, at end_s), with the tasks
// its requests had brought by then: where the continual-learning metrics look at the models.
std::vector<EvaluationPoint> phase_ends(const WorkloadConfig& workload, int tasks, double end_s);

}  // namespace eccsim
