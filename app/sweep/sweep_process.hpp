// Child processes of a sweep (one simulation per process, a SimGrid constraint): started with
// posix_spawn, stdin from /dev/null and both output streams into log files, reaped without
// blocking so a SIGINT/SIGTERM to the sweep can stop them cleanly. POSIX only.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eccsim {

struct ChildCommand {
  std::vector<std::string> argv;        // argv[0] is a path
  std::filesystem::path stdout_file;    // created or truncated
  std::filesystem::path stderr_file;
};

struct ChildExit {
  pid_t pid = 0;
  int exit_code = -1;                   // -1 when ended by a signal
  int signal = 0;
  bool ok() const { return exit_code == 0; }
};

// Starts the command; std::runtime_error when it cannot be started.
pid_t spawn_child(const ChildCommand& command);

// A child that has ended, if any (never blocks).
std::optional<ChildExit> poll_child_exit();

// Waits for that child to end.
ChildExit wait_for_child(pid_t pid);

// "exit code 2" or "killed by signal 9 (Killed)".
std::string describe_exit(const ChildExit& exit);

// The last non-blank line of a text file, trimmed and cut to 500 characters; "" when there is none.
std::string last_line_of(const std::filesystem::path& file);

// Path of the running executable (/proc/self/exe resolved).
std::filesystem::path self_executable();

// SIGINT and SIGTERM set a flag instead of ending the process, while an instance lives.
class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int received() const;                 // the signal received, 0 if none
};

}  // namespace eccsim
