// `eccsim merge DIR... --out DIR`: the shard tables of one sweep joined into the table a
// single-machine sweep writes (records sorted by point id, copied byte for byte). The grid
// size comes from each shard's sweep.json, so a missing shard is noticed.
#include <fmt/core.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "app/sweep/sweep_stats.hpp"
#include "app/sweep/sweep_table.hpp"
#include "app/sweep_command.hpp"
#include "core/csv.hpp"
#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "core/output_set.hpp"

namespace eccsim {

namespace {

namespace fs = std::filesystem;

// The "points" entry of a sweep.json manifest; 0 when there is none or it does not parse.
int manifest_points(const fs::path& file) {
  const nlohmann::json manifest = nlohmann::json::parse(read_file(file), nullptr, /*allow_exceptions=*/false);
  if (!manifest.is_object()) return 0;
  const auto points = manifest.find("points");
  return points != manifest.end() && points->is_number_unsigned() ? points->get<int>() : 0;
}

// What aggregate.csv and compare.csv need: the manifest's keys, replications and compare entries,
// and the metric columns of the merged table's header (between the keys and error).
SweepStatsLayout stats_layout(const fs::path& manifest_file, const std::string& table) {
  const nlohmann::json manifest = nlohmann::json::parse(read_file(manifest_file), nullptr, false);
  SweepStatsLayout layout;
  if (!manifest.is_object()) return layout;
  if (const auto keys = manifest.find("keys"); keys != manifest.end() && keys->is_array()) {
    for (const auto& key : *keys) layout.table.keys.push_back(key.get<std::string>());
  }
  if (const auto n = manifest.find("replications"); n != manifest.end() && n->is_number_unsigned()) {
    layout.replications = n->get<int>();
  }
  if (const auto compare = manifest.find("compare"); compare != manifest.end() && compare->is_object()) {
    layout.compare_key = compare->value("key", "");
    layout.compare_value = compare->value("value", "");
  }
  layout.table.replicated = layout.replications > 1;
  const std::vector<std::string> header = split_csv_record(table.substr(0, table.find('\n')));
  const size_t first = 2 + layout.table.keys.size() + (layout.table.replicated ? 2 : 0);
  for (size_t i = first; i + 1 < header.size(); ++i) layout.table.metrics.push_back(header[i]);
  return layout;
}

}  // namespace

int run_merge_command(const std::vector<fs::path>& dirs, const fs::path& out_dir) {
  std::vector<SweepTableFile> files;
  for (const fs::path& dir : dirs) {
    const fs::path summary = dir / "summary.csv";
    std::error_code error;
    if (!fs::is_directory(dir, error)) throw InputError(fmt::format("{}: not a directory", dir.string()));
    if (!fs::is_regular_file(summary, error)) {
      throw InputError(fmt::format("{}: no summary.csv (not an eccsim sweep output directory)", dir.string()));
    }
    files.push_back({summary.string(), read_file(summary), manifest_points(dir / "sweep.json")});
  }
  const MergedTable merged = merge_sweep_tables(files);
  prepare_output_dir(out_dir, "--out");
  OutputSet outputs(out_dir, kSweepOutputFiles);   // published whole, as a sweep's
  outputs.add("summary.csv", merged.text);
  // The merged directory is a whole sweep: its manifest says so (plot_sweep.py and later merges read it).
  const fs::path manifest = dirs.front() / "sweep.json";
  nlohmann::ordered_json whole = nlohmann::ordered_json::parse(read_file(manifest), nullptr, false);
  if (whole.is_object()) {
    whole["shard"] = "0/1";
    outputs.add("sweep.json", whole.dump(2) + "\n");
  }
  // Statistics over the merged table: the bytes a single-machine sweep writes. A table with points
  // still pending (a shard that stopped) gets none, as an interrupted sweep does.
  if (merged.pending.empty() && fs::exists(manifest)) {
    const SweepStatsLayout layout = stats_layout(manifest, merged.text);
    outputs.add("aggregate.csv", aggregate_table(layout, merged.text));
    if (!layout.compare_key.empty()) outputs.add("compare.csv", compare_table(layout, merged.text));
  }
  outputs.publish();
  const size_t records = static_cast<size_t>(std::count(merged.text.begin(), merged.text.end(), '\n')) - 1;
  fmt::print("merge: {} points from {} directories -> {}\n", records, dirs.size(), (out_dir / "summary.csv").string());
  if (!merged.pending.empty()) {
    fmt::print(stderr, "merge: warning: {} points had not finished in their shard (status pending), e.g. {}\n",
               merged.pending.size(), merged.pending.front());
  }
  return 0;
}

}  // namespace eccsim
