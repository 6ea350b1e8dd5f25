// Runs a program in its own process for tests that exercise the real eccsim binary: argv in;
// exit code, stdout and stderr out. Both streams are drained concurrently (no pipe deadlock) and
// the child is killed when the timeout passes. POSIX only (posix_spawn, poll).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace eccsim::testing {

struct RunOptions {
  std::chrono::milliseconds timeout{60'000};  // the child is killed (SIGKILL) after this
  std::filesystem::path working_dir;          // empty: the caller's working directory
};

struct ProcessResult {
  int exit_code = -1;       // the child's exit status; -1 when it was killed or did not start
  int signal = 0;           // the signal that ended it, 0 if it exited
  bool timed_out = false;
  std::string out;          // everything written to stdout
  std::string err;          // everything written to stderr
};

// Runs argv[0] (a path, or a name searched in PATH) with the given arguments and the caller's
// environment; stdin is /dev/null. Throws std::runtime_error only when the process cannot start.
ProcessResult run_process(const std::vector<std::string>& argv, const RunOptions& options = {});

// Runs several commands, up to `jobs` at a time (0: one per hardware thread); results in input order.
std::vector<ProcessResult> run_processes(const std::vector<std::vector<std::string>>& commands,
                                         const RunOptions& options = {}, unsigned jobs = 0);

// Path of the eccsim binary under test (the ECCSIM_BINARY compile definition).
std::string eccsim_binary();

// A fresh (removed, not yet created) directory for one simulation test's outputs:
// <build>/test-output/<name>-<pid>, kept after the run so a failure can be inspected.
std::filesystem::path fresh_output_dir(const std::string& name);

}  // namespace eccsim::testing
