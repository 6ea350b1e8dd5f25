// The time a batch of n inputs holds one cloud core, from measured or given points (a profile of
// the real cloud model, or a table in the scenario): linear in n between two points, exact at
// them. Fixed cost per batch plus a smaller cost per sample is what makes batching pay.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

class BatchLatencyCurve {
 public:
  BatchLatencyCurve() = default;                          // empty: no curve (latency model flops)
  explicit BatchLatencyCurve(std::vector<BatchLatencyPoint> points, double speed = 1);

  bool empty() const { return points_.empty(); }
  int largest_batch() const { return points_.empty() ? 0 : points_.back().batch; }
  // Seconds for a batch of `batch` inputs (1 <= batch <= largest_batch(); beyond it the last
  // segment's slope goes on), divided by the speed factor.
  double seconds(int batch) const;

 private:
  std::vector<BatchLatencyPoint> points_;                 // ascending batch sizes, from 1
  double speed_ = 1;
};

// The profile `eccsim profile` (or the setup stage) measures, in models.dir: cloud_latency.csv for the
// native cloud model, cloud_latency-<content hash>.csv for a TorchScript one (a changed file is measured anew).
std::filesystem::path latency_profile_file(const Scenario& scenario);

// The profile as CSV: batch,latency_s,samples_per_s, one row per measured size.
std::string latency_profile_csv(const std::vector<BatchLatencyPoint>& points);

// Reads a profile written by latency_profile_csv; InputError "file:line: ..." when it is malformed.
std::vector<BatchLatencyPoint> parse_latency_profile(const std::string& text, const std::string& file);

// The speed factor that scales a profile measured on one machine to a declared core: the profile's
// best throughput, in flop/s at 2 flop per MAC of the model (cloud_macs_per_sample), becomes
// core_flops. The curve keeps its measured shape: the fixed cost per batch, the slow batch sizes.
double declared_core_speed_factor(const std::vector<BatchLatencyPoint>& profile, double cloud_macs_per_sample,
                                  double core_flops);

// What validate and sweep can check before models exist: with model profile and a stored profile,
// batch.max within its largest batch (InputError naming platform.cloud.batch.max). A profile not
// measured yet is not an error here: the setup stage measures it when it trains the cloud model.
void check_stored_latency_profile(const Scenario& scenario);

// The scenario's curve: empty for model flops or energy constant, the table, or the stored profile
// of its models.dir, divided by latency.speed or, when that is not given, scaled to
// platform.cloud.speed by declared_core_speed_factor (InputError naming platform.cloud.latency.model
// when there is no profile, or platform.cloud.batch.max when it is beyond the largest batch).
BatchLatencyCurve cloud_latency_curve(const Scenario& scenario, double cloud_macs_per_sample);

}  // namespace eccsim
