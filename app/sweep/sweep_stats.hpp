// Statistics over a sweep's replications: per grid point the mean, standard deviation and 95 %
// Student-t half-width of every metric (DIR/aggregate.csv), and paired differences against a
// baseline value of one grid axis, replication by replication (DIR/compare.csv). Both are computed
// from the sweep's summary table text alone, so a sweep and a merge of its shards write the same bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/sweep/sweep_table.hpp"

namespace eccsim {

// Mean, sample standard deviation and 95 % half-width of the mean of some values.
struct SampleStats {
  size_t n = 0;
  double mean = 0;
  double sd = 0;                        // n - 1 in the denominator; 0 for n < 2
  double hw95 = 0;                      // t(0.975, n - 1) x sd / sqrt(n); infinite for n < 2
};
SampleStats sample_stats(const std::vector<double>& values);

// The 0.975 quantile of Student's t with `df` >= 1 degrees of freedom (Boost.Math).
double t_quantile_975(int df);

// 95 % bootstrap percentile interval of the mean: `resamples` means of n values drawn with
// replacement (draws from a generator seeded with `seed`), their 2.5 % and 97.5 % order statistics.
struct Interval {
  double lo = 0;
  double hi = 0;
};
Interval bootstrap_mean_interval(const std::vector<double>& values, uint64_t seed, int resamples = 2000);

// What the statistics need to know about the sweep beyond its table.
struct SweepStatsLayout {
  SweepTableLayout table;               // swept keys and metric columns of summary.csv
  int replications = 1;                 // point slots per grid point (sweep.replications n, or max)
  std::string compare_key;              // empty: no compare.csv
  std::string compare_value;            // the baseline's value as written in the table
};

// Metrics that also get a bootstrap interval of their mean (percentiles of latency).
bool is_percentile_metric(const std::string& metric);

// DIR/aggregate.csv from DIR/summary.csv's text: one row per grid point, the swept keys, n (ok runs),
// then <metric>_mean, <metric>_sd, <metric>_hw95 for every metric (and <metric>_boot_lo/_boot_hi for
// percentiles). A metric's empty values (not defined for a run) are left out of its statistics.
std::string aggregate_table(const SweepStatsLayout& layout, const std::string& summary_text);

// DIR/compare.csv: for every grid point off the baseline, the swept keys, baseline, n (replications
// ok in both) and <metric>_diff_mean/_diff_sd/_diff_hw95 of (point - baseline), paired by replication.
std::string compare_table(const SweepStatsLayout& layout, const std::string& summary_text);

}  // namespace eccsim
