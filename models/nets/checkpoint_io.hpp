// Checkpoint files: torch archives written atomically (temp file, then rename) and read back
// with every failure turned into an InputError naming the file. Internal to models/ (torch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

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

// The first line of a torch error (its messages carry long backtraces).
std::string first_line(const std::string& message);

}  // namespace eccsim
