// `eccsim merge DIR... --out DIR`: the shard tables of one sweep joined into the table a
// single-machine sweep writes (records sorted by point id, copied byte for byte). The grid
// size comes from each shard's sweep.json, so a missing shard is noticed.
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "models/input_error.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/output_files.hpp"
#include "sim/sweep_table.hpp"

namespace eccsim {

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The "points" entry of a sweep.json manifest; 0 when there is none.
int manifest_points(const fs::path& file) {
  std::smatch match;
  const std::string text = read_file(file);
  static const std::regex points(R"("points"\s*:\s*([0-9]{1,9}))");
  return std::regex_search(text, match, points) ? std::stoi(match[1]) : 0;
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
  if (fs::exists(manifest)) {
    std::string text = read_file(manifest);
    text = std::regex_replace(text, std::regex(R"("shard"\s*:\s*"[0-9]+/[0-9]+")"), "\"shard\": \"0/1\"");
    write_file_atomically(out_dir / "sweep.json", text);
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
