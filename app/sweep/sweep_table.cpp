// Sweep summary table: formatting, reading a point's summary.csv, merging shard tables.
#include "app/sweep/sweep_table.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/csv.hpp"
#include "core/input_error.hpp"

namespace eccsim {

namespace {

// Lines of a text whose lines all end in '\n'; nothing when the last one does not.
std::optional<std::vector<std::string>> complete_lines(const std::string& text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string join_fields(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  return out;
}

}  // namespace

const char* status_name(PointStatus status) {
  switch (status) {
    case PointStatus::Pending: return "pending";
    case PointStatus::Ok: return "ok";
    case PointStatus::Failed: return "failed";
    case PointStatus::Unneeded: return "unneeded";
  }
  return "pending";
}

std::optional<std::vector<std::string>> read_point_summary(const std::string& text,
                                                           const std::vector<std::string>& columns) {
  const auto lines = complete_lines(text);
  if (!lines || lines->size() != 2) return std::nullopt;
  const std::vector<std::string> header = split_csv_record((*lines)[0]);
  const std::vector<std::string> row = split_csv_record((*lines)[1]);
  // The metrics are the last columns; a leading value (the scenario name) may hold an unquoted comma.
  if (header.size() < columns.size() || row.size() < header.size()) return std::nullopt;
  if (!std::equal(columns.begin(), columns.end(), header.end() - static_cast<long>(columns.size()))) {
    return std::nullopt;
  }
  return std::vector<std::string>(row.end() - static_cast<long>(columns.size()), row.end());
}

std::string sweep_table_header(const SweepTableLayout& layout) {
  std::vector<std::string> fields{"point", "status"};
  fields.insert(fields.end(), layout.keys.begin(), layout.keys.end());
  if (layout.replicated) {
    fields.emplace_back("replication");
    fields.emplace_back("seed");
  }
  fields.insert(fields.end(), layout.metrics.begin(), layout.metrics.end());
  fields.push_back("error");
  return join_fields(fields) + "\n";
}

std::string sweep_table_row(const SweepTableLayout& layout, const SweepPoint& point, const PointResult& result) {
  std::vector<std::string> fields{point.id, status_name(result.status)};
  fields.insert(fields.end(), point.values.begin(), point.values.end());
  if (layout.replicated) {
    fields.push_back(std::to_string(point.replication));
    fields.push_back(result.seed);
  }
  const size_t metric_count = layout.metrics.size();
  if (result.status == PointStatus::Ok && result.metrics.size() == metric_count) {
    fields.insert(fields.end(), result.metrics.begin(), result.metrics.end());
  } else {
    fields.resize(fields.size() + metric_count);
  }
  fields.push_back(result.status == PointStatus::Failed ? result.error : "");
  return join_fields(fields) + "\n";
}

std::string sweep_table(const SweepTableLayout& layout, const std::vector<SweepPoint>& points,
                        const std::vector<PointResult>& results) {
  std::string out = sweep_table_header(layout);
  for (size_t i = 0; i < points.size(); ++i) out += sweep_table_row(layout, points[i], results.at(i));
  return out;
}

MergedTable merge_sweep_tables(const std::vector<SweepTableFile>& files) {
  if (files.empty()) throw InputError("merge: no sweep directories given");
  const SweepTableFile* first = &files.front();
  std::map<long long, std::pair<std::string, const SweepTableFile*>> records;  // index -> record, file
  std::string header;
  int expected_points = 0;
  const SweepTableFile* expected_from = nullptr;
  for (const SweepTableFile& file : files) {
    const auto lines = complete_lines(file.text);
    if (!lines || lines->empty() || lines->front().rfind("point,status,", 0) != 0) {
      throw InputError(fmt::format("{}: not a sweep summary (expected a complete CSV whose header starts with "
                                   "point,status)", file.name));
    }
    if (&file == first) {
      header = lines->front();
    } else if (lines->front() != header) {
      throw InputError(fmt::format("{}: header differs from {}'s (shards of different sweeps?)", file.name,
                                   first->name));
    }
    if (file.expected_points > 0) {
      if (expected_points > 0 && file.expected_points != expected_points) {
        throw InputError(fmt::format("{}: a sweep of {} points, but {} is one of {} (shards of different sweeps?)",
                                     file.name, file.expected_points, expected_from->name, expected_points));
      }
      expected_points = file.expected_points;
      expected_from = &file;
    }
    for (size_t i = 1; i < lines->size(); ++i) {
      const std::string& record = (*lines)[i];
      const std::string id = record.substr(0, record.find(','));
      if (!all_digits(id) || id.size() > 12) {
        throw InputError(fmt::format("{}:{}: point: '{}' is not a point id", file.name, i + 1, id));
      }
      const long long index = std::stoll(id);
      const auto [it, added] = records.emplace(index, std::make_pair(record, &file));
      if (!added) {
        throw InputError(fmt::format("{}:{}: point {} is also in {} (a shard given twice?)", file.name, i + 1, id,
                                     it->second.second->name));
      }
    }
  }

  if (expected_points > 0) {
    std::vector<std::string> missing;
    for (long long index = 0; index < expected_points; ++index) {
      if (records.count(index) == 0) missing.push_back(std::to_string(index));
    }
    if (!missing.empty()) {
      const size_t shown = std::min<size_t>(missing.size(), 10);
      std::string list;
      for (size_t i = 0; i < shown; ++i) list += (i > 0 ? ", " : "") + missing[i];
      if (missing.size() > shown) list += ", ...";
      throw InputError(fmt::format("merge: {} of the sweep's {} points are in no directory given (indices {}); "
                                   "was every shard merged?", missing.size(), expected_points, list));
    }
    if (!records.empty() && records.rbegin()->first >= expected_points) {
      const auto& [index, entry] = *records.rbegin();
      throw InputError(fmt::format("{}: point {} is outside the sweep's {} points", entry.second->name, index,
                                   expected_points));
    }
  }

  MergedTable merged;
  merged.text = header + "\n";
  for (const auto& [index, entry] : records) {
    merged.text += entry.first + "\n";
    const std::vector<std::string> fields = split_csv_record(entry.first);
    if (fields.size() > 1 && fields[1] == status_name(PointStatus::Pending)) merged.pending.push_back(fields[0]);
  }
  return merged;
}

}  // namespace eccsim
