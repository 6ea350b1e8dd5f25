// `eccsim merge DIR... --out DIR`: the shard tables of one sweep joined into the table a
// single-machine sweep writes (records sorted by point id, copied byte for byte). The grid
// size comes from each shard's sweep.json, so a missing shard is noticed.
#include <fmt/core.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "app/sweep/sweep_table.hpp"
#include "app/sweep_command.hpp"
#include "core/file_io.hpp"
#include "core/input_error.hpp"

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
  write_file_atomically(out_dir / "summary.csv", merged.text);
  // The merged directory is a whole sweep: its manifest says so (plot_sweep.py and later merges read it).
  const fs::path manifest = dirs.front() / "sweep.json";
  nlohmann::ordered_json whole = nlohmann::ordered_json::parse(read_file(manifest), nullptr, false);
  if (whole.is_object()) {
    whole["shard"] = "0/1";
    write_file_atomically(out_dir / "sweep.json", whole.dump(2) + "\n");
  }
  const size_t records = static_cast<size_t>(std::count(merged.text.begin(), merged.text.end(), '\n')) - 1;
  fmt::print("merge: {} points from {} directories -> {}\n", records, dirs.size(), (out_dir / "summary.csv").string());
  if (!merged.pending.empty()) {
    fmt::print(stderr, "merge: warning: {} points had not finished in their shard (status pending), e.g. {}\n",
               merged.pending.size(), merged.pending.front());
  }
  return 0;
}

}  // namespace eccsim
