// Atomic file output (temporary file + rename within one directory).
#include "core/file_io.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/input_error.hpp"

namespace eccsim {

void prepare_output_dir(const std::filesystem::path& dir, const std::string& what) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw InputError(fmt::format("{} {}: cannot create directory: {}", what, dir.string(), error.message()));
  if (!std::filesystem::is_directory(dir)) throw InputError(fmt::format("{} {}: not a directory", what, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError(fmt::format("{} {}: not writable: {}", what, dir.string(), std::strerror(errno)));
}

void write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  // One temporary per process: concurrent writers of one file (sweep points sharing a cache) each
  // rename a complete file into place, and the last one wins.
  const std::filesystem::path temporary =
      path.parent_path() / fmt::format(".{}.{}.partial", path.filename().string(), ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << contents;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw InputError(fmt::format("{}: cannot write: {}", path.string(), std::strerror(errno)));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    throw InputError(fmt::format("{}: cannot write: {}", path.string(), error.message()));
  }
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace eccsim
