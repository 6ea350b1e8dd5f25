// Aggregates and paired differences of a sweep's replications, from its summary table.
#include "app/sweep/sweep_stats.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

#include "core/csv.hpp"
#include "core/random.hpp"

namespace eccsim {

namespace {

// One ok run of a grid point: its metric texts, by metric column.
using RunMetrics = std::vector<std::string>;

struct GridRow {
  std::vector<std::string> values;      // swept key values, as in the table
  std::map<int, RunMetrics> runs;       // replication k -> metrics of an ok run
};

struct ParsedTable {
  std::map<int, GridRow> grid;          // grid index -> row, in grid order
  std::vector<int> decimals;            // per metric: decimals of its values (first one seen)
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

size_t column_of(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::invalid_argument(fmt::format("sweep table: no column {}", name));
  return static_cast<size_t>(it - header.begin());
}

int decimals_of(const std::string& text) {
  const size_t dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

ParsedTable parse_table(const SweepStatsLayout& layout, const std::string& text) {
  const std::vector<std::string> lines = lines_of(text);
  if (lines.empty()) throw std::invalid_argument("sweep table: empty");
  const std::vector<std::string> header = split_csv_record(lines.front());
  const size_t point_column = column_of(header, "point");
  const size_t status_column = column_of(header, "status");
  std::vector<size_t> key_columns;
  for (const std::string& key : layout.table.keys) key_columns.push_back(column_of(header, key));
  std::vector<size_t> metric_columns;
  for (const std::string& metric : layout.table.metrics) metric_columns.push_back(column_of(header, metric));

  ParsedTable table;
  table.decimals.assign(metric_columns.size(), -1);
  const int slots = std::max(1, layout.replications);
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> fields = split_csv_record(lines[i]);
    if (fields.size() != header.size()) {
      throw std::invalid_argument(fmt::format("sweep table: record {} has {} fields, the header {}", i + 1,
                                              fields.size(), header.size()));
    }
    const int index = std::stoi(fields[point_column]);
    GridRow& row = table.grid[index / slots];
    if (row.values.empty()) {
      for (const size_t column : key_columns) row.values.push_back(fields[column]);
    }
    if (fields[status_column] != status_name(PointStatus::Ok)) continue;
    RunMetrics metrics;
    for (size_t m = 0; m < metric_columns.size(); ++m) {
      metrics.push_back(fields[metric_columns[m]]);
      if (table.decimals[m] < 0 && !metrics.back().empty()) table.decimals[m] = decimals_of(metrics.back());
    }
    row.runs[index % slots] = std::move(metrics);
  }
  return table;
}

void append_number(std::string& out, double value, int decimals) {
  out += ',';
  if (std::isfinite(value)) append_fixed(out, value, std::min(15, std::max(0, decimals) + 3));
}

void append_empty(std::string& out, int fields) { out.append(static_cast<size_t>(fields), ','); }

// ,mean,sd,hw95,n of `values` (sd and hw95 empty below two values, all but n empty for none). n
// counts the values: a run whose cell is empty (a metric over no request) is left out of it.
void append_stats(std::string& out, const std::vector<double>& values, int decimals) {
  if (values.empty()) {
    append_empty(out, 3);
  } else {
    const SampleStats stats = sample_stats(values);
    append_number(out, stats.mean, decimals);
    if (stats.n < 2) {
      append_empty(out, 2);
    } else {
      append_number(out, stats.sd, decimals);
      append_number(out, stats.hw95, decimals);
    }
  }
  out += "," + std::to_string(values.size());
}

std::string key_fields(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) out += (i > 0 ? "," : "") + csv_field(values[i]);
  return out;
}

}  // namespace

double t_quantile_975(int df) {
  if (df < 1) throw std::invalid_argument("t_quantile_975: df must be >= 1");
  const boost::math::students_t distribution(static_cast<double>(df));
  return boost::math::quantile(distribution, 0.975);
}

SampleStats sample_stats(const std::vector<double>& values) {
  SampleStats stats;
  stats.n = values.size();
  if (stats.n == 0) return stats;
  double sum = 0;
  for (const double v : values) sum += v;
  stats.mean = sum / static_cast<double>(stats.n);
  if (stats.n < 2) {
    stats.hw95 = std::numeric_limits<double>::infinity();
    return stats;
  }
  double squares = 0;
  for (const double v : values) squares += (v - stats.mean) * (v - stats.mean);
  stats.sd = std::sqrt(squares / static_cast<double>(stats.n - 1));
  stats.hw95 = t_quantile_975(static_cast<int>(stats.n) - 1) * stats.sd / std::sqrt(static_cast<double>(stats.n));
  return stats;
}

Interval bootstrap_mean_interval(const std::vector<double>& values, uint64_t seed, int resamples) {
  if (values.empty() || resamples < 1) return {};
  std::mt19937_64 rng(seed);
  std::vector<double> means;
  means.reserve(static_cast<size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[uniform_below(rng, values.size())];
    means.push_back(sum / static_cast<double>(values.size()));
  }
  std::sort(means.begin(), means.end());
  const auto at = [&](double q) {
    const double position = q * static_cast<double>(resamples);
    const size_t index = static_cast<size_t>(std::max(0.0, std::ceil(position) - 1));
    return means[std::min(index, means.size() - 1)];
  };
  return {at(0.025), at(0.975)};
}

bool is_percentile_metric(const std::string& metric) {
  return metric == "latency_p50_s" || metric == "latency_p95_s" || metric == "latency_p99_s";
}

std::string aggregate_table(const SweepStatsLayout& layout, const std::string& summary_text) {
  const ParsedTable table = parse_table(layout, summary_text);
  const std::vector<std::string>& metrics = layout.table.metrics;
  std::vector<std::string> header = layout.table.keys;
  header.push_back("n");
  for (const std::string& metric : metrics) {
    for (const char* suffix : {"_mean", "_sd", "_hw95", "_n"}) header.push_back(metric + suffix);
    if (is_percentile_metric(metric)) {
      header.push_back(metric + "_boot_lo");
      header.push_back(metric + "_boot_hi");
    }
  }
  std::string out = key_fields(header) + "\n";
  for (const auto& [grid_index, row] : table.grid) {
    out += key_fields(row.values);
    if (!row.values.empty()) out += ',';
    out += std::to_string(row.runs.size());
    for (size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> values;
      for (const auto& [k, run] : row.runs) {
        if (!run[m].empty()) values.push_back(std::stod(run[m]));
      }
      append_stats(out, values, table.decimals[m]);
      if (!is_percentile_metric(metrics[m])) continue;
      if (values.empty()) {
        append_empty(out, 2);
        continue;
      }
      const Interval interval =
          bootstrap_mean_interval(values, derive_seed(static_cast<uint64_t>(grid_index), static_cast<uint64_t>(m)));
      append_number(out, interval.lo, table.decimals[m]);
      append_number(out, interval.hi, table.decimals[m]);
    }
    out += '\n';
  }
  return out;
}

std::string compare_table(const SweepStatsLayout& layout, const std::string& summary_text) {
  const ParsedTable table = parse_table(layout, summary_text);
  const std::vector<std::string>& keys = layout.table.keys;
  const size_t axis = static_cast<size_t>(std::find(keys.begin(), keys.end(), layout.compare_key) - keys.begin());
  if (axis >= keys.size()) throw std::invalid_argument("compare_table: the compare key is not a swept key");
  // Grid points by their values, to find each point's baseline: the same values but on the compared axis.
  std::map<std::vector<std::string>, const GridRow*> by_values;
  for (const auto& entry : table.grid) by_values[entry.second.values] = &entry.second;

  const std::vector<std::string>& metrics = layout.table.metrics;
  std::vector<std::string> header = keys;
  header.push_back("baseline");
  header.push_back("n");
  for (const std::string& metric : metrics) {
    for (const char* suffix : {"_diff_mean", "_diff_sd", "_diff_hw95", "_diff_n"}) header.push_back(metric + suffix);
  }
  std::string out = key_fields(header) + "\n";
  for (const auto& [grid_index, row] : table.grid) {
    if (row.values.at(axis) == layout.compare_value) continue;
    std::vector<std::string> baseline_values = row.values;
    baseline_values[axis] = layout.compare_value;
    const auto found = by_values.find(baseline_values);
    if (found == by_values.end()) continue;  // not in this table (cannot happen for a whole grid)
    const GridRow& baseline = *found->second;
    std::vector<std::pair<const RunMetrics*, const RunMetrics*>> pairs;
    for (const auto& [k, run] : row.runs) {
      const auto other = baseline.runs.find(k);
      if (other != baseline.runs.end()) pairs.emplace_back(&run, &other->second);
    }
    out += key_fields(row.values) + "," + csv_field(layout.compare_value) + "," + std::to_string(pairs.size());
    for (size_t m = 0; m < metrics.size(); ++m) {
      std::vector<double> differences;
      for (const auto& [run, base] : pairs) {
        if (!(*run)[m].empty() && !(*base)[m].empty()) differences.push_back(std::stod((*run)[m]) - std::stod((*base)[m]));
      }
      append_stats(out, differences, table.decimals[m]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace eccsim
