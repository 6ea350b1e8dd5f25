// Checkpoint files: torch archives written atomically (temp file, then rename) and read back
// with every failure turned into an InputError naming the file. Internal to models/ (torch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/input_error.hpp"
#include "models/data/dataset.hpp"

namespace eccsim {

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file);

// Opens `file` as a checkpoint of `kind` ("edge" or "cloud"): its "eccsim.kind" entry must match.
torch::serialize::InputArchive open_archive(const std::filesystem::path& file, const std::string& kind);

// Typed entries; readers throw c10::Error on a missing or mistyped key (open_archive's callers
// wrap their reads and report the file).
void write_kind(torch::serialize::OutputArchive& archive, const std::string& kind);
void write_int(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value);
void write_ints(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<int64_t>& values);
void write_doubles(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<double>& values);
void write_string(torch::serialize::OutputArchive& archive, const std::string& key, const std::string& value);
int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key);
std::vector<int64_t> read_ints(torch::serialize::InputArchive& archive, const std::string& key);
std::vector<double> read_doubles(torch::serialize::InputArchive& archive, const std::string& key);
std::string read_string(torch::serialize::InputArchive& archive, const std::string& key);
// The integers of `key`, or nothing when the archive has no such entry (a key added to the format later).
std::optional<std::vector<int64_t>> read_ints_if_any(torch::serialize::InputArchive& archive, const std::string& key);

// The first line of a torch error (its messages carry long backtraces).
std::string first_line(const std::string& message);

// Every checkpoint starts with its kind, layout version, architecture and input shape, and ends with
// the input normalisation and the net's weights; in between each net writes its own options.
void write_checkpoint_head(torch::serialize::OutputArchive& archive, const std::string& kind, const std::string& arch,
                           int64_t channels, int64_t height, int64_t width);
void write_checkpoint_tail(torch::serialize::OutputArchive& archive, const Normalisation& normalisation,
                           const torch::nn::Module& net);

struct CheckpointHead {
  std::string arch;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
};
CheckpointHead read_checkpoint_head(torch::serialize::InputArchive& archive);   // layout version checked
Normalisation read_normalisation(torch::serialize::InputArchive& archive);
void read_weights(torch::serialize::InputArchive& archive, torch::nn::Module& net);

// Opens `file` as a checkpoint of `kind` and returns read(archive); any failure of `read` is an
// InputError "<file>: corrupt <kind> checkpoint (<first line of the error>)".
template <class Read>
auto read_checkpoint(const std::filesystem::path& file, const std::string& kind, Read read) {
  torch::serialize::InputArchive archive = open_archive(file, kind);
  std::string error;
  try {
    return read(archive);
  } catch (const std::exception& e) {
    error = e.what();
  }
  throw InputError(file.string() + ": corrupt " + kind + " checkpoint (" + first_line(error) + ")");
}

}  // namespace eccsim
