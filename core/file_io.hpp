// Files of a run directory, written atomically: each file goes to a temporary name in
// the same directory and is renamed into place, so a failed or killed run never leaves
// a half-written CSV behind and never clobbers a complete one with a partial one. And the one
// way files are read whole.
#pragma once

#include <filesystem>
#include <string>

namespace eccsim {

// Creates `dir` if needed and checks that files can be written there; InputError otherwise.
void prepare_output_dir(const std::filesystem::path& dir, const std::string& what);

// Writes `contents` to dir/name through a temporary file and a rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& contents);

// The bytes of a file; empty when it does not exist or cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace eccsim
