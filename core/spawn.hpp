// Starting child processes (posix_spawn): the sweep's point runs and the tests' runs of the real
// binary. The child reads /dev/null as stdin (it never blocks on a terminal) and starts with
// SIGINT and SIGTERM at their defaults, whatever handlers the parent installed. POSIX only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace eccsim {

// Where a child's stdout or stderr goes: a file (created or truncated), else a descriptor of the
// parent's (a pipe's write end, say), else the parent's own stream.
struct ChildStream {
  std::filesystem::path file;
  int fd = -1;
};

struct SpawnRequest {
  std::vector<std::string> argv;        // argv[0]: a path, or a name looked up in PATH
  ChildStream out;
  ChildStream err;
  std::filesystem::path working_dir;    // empty: the parent's
};

// The child's pid; std::runtime_error "cannot start <argv[0]>: <reason>" when it cannot start.
pid_t spawn_process(const SpawnRequest& request);

}  // namespace eccsim
