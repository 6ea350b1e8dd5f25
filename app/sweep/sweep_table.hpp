// The summary table of a sweep (DIR/summary.csv): one CSV record per point, in point order, with
// columns point, status, one per swept key, replication and seed (replicated sweeps only), the
// run's summary columns and error. Metric values are
// copied as text from each point's own summary.csv, never recomputed, so a merge is byte-exact.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/sweep/sweep_grid.hpp"

namespace eccsim {

// Unneeded: a replication that sequential stopping did not run (the interval was narrow enough).
enum class PointStatus { Pending, Ok, Failed, Unneeded };
const char* status_name(PointStatus status);

struct PointResult {
  PointStatus status = PointStatus::Pending;
  std::vector<std::string> metrics;     // Ok: one value per metric column, as the run wrote it
  std::string error;                    // Failed: one line saying why (the point's last stderr line)
  std::string seed;                     // the seed the point runs (replicated sweeps' seed column)
};

// The columns of a sweep's table: the swept keys, and the run summary's metric columns that each
// point's summary.csv ends with (the run's own list, passed in: this library knows no simulation).
struct SweepTableLayout {
  std::vector<std::string> keys;
  std::vector<std::string> metrics;
  bool replicated = false;              // columns replication and seed after the keys
};

// The metric values of a point's summary.csv text (its last columns, after leading ones such as the
// scenario name); nothing when it is not a complete summary (no final newline, not exactly one row,
// fields or columns missing).
std::optional<std::vector<std::string>> read_point_summary(const std::string& text,
                                                           const std::vector<std::string>& metric_columns);

std::string sweep_table_header(const SweepTableLayout& layout);
std::string sweep_table_row(const SweepTableLayout& layout, const SweepPoint& point, const PointResult& result);

// The whole table: `points` in order with their results (same length).
std::string sweep_table(const SweepTableLayout& layout, const std::vector<SweepPoint>& points,
                        const std::vector<PointResult>& results);

struct SweepTableFile {
  std::string name;                     // for messages: "results/x-0/summary.csv"
  std::string text;
  int expected_points = 0;              // the sweep's grid size when known (sweep.json), else 0
};

struct MergedTable {
  std::string text;                     // header + every record, sorted by point id
  std::vector<std::string> pending;     // ids of points that had not finished in their shard
};

// Joins shard tables. InputError (one line naming the file) on a file that is not a sweep table, headers
// that differ, a point given twice, different grid sizes, or points of the grid that no file has.
MergedTable merge_sweep_tables(const std::vector<SweepTableFile>& files);

}  // namespace eccsim
