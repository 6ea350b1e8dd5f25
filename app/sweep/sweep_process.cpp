// Point runs started through core/spawn with their output in log files, non-blocking reaping, stop signals.
#include "app/sweep/sweep_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>

#include "core/spawn.hpp"

namespace eccsim {

namespace {

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void record_stop_signal(int signal) { stop_signal = signal; }

ChildExit child_exit(pid_t pid, int status) {
  ChildExit exit;
  exit.pid = pid;
  if (WIFEXITED(status)) exit.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
  return exit;
}

}  // namespace

pid_t spawn_child(const ChildCommand& command) {
  return spawn_process({command.argv, {command.stdout_file}, {command.stderr_file}, {}});
}

std::optional<ChildExit> poll_child_exit() {
  int status = 0;
  pid_t pid = 0;
  do {
    pid = ::waitpid(-1, &status, WNOHANG);
  } while (pid < 0 && errno == EINTR);
  if (pid <= 0) return std::nullopt;
  return child_exit(pid, status);
}

ChildExit wait_for_child(pid_t pid) {
  int status = 0;
  pid_t ended = 0;
  do {
    ended = ::waitpid(pid, &status, 0);
  } while (ended < 0 && errno == EINTR);
  if (ended < 0) throw std::runtime_error(fmt::format("waiting for process {}: {}", pid, std::strerror(errno)));
  return child_exit(pid, status);
}

std::string describe_exit(const ChildExit& exit) {
  if (exit.signal != 0) return fmt::format("killed by signal {} ({})", exit.signal, strsignal(exit.signal));
  return fmt::format("exit code {}", exit.exit_code);
}

std::string last_line_of(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos) continue;
    last = line.substr(begin, line.find_last_not_of(" \t\r") + 1 - begin);
  }
  if (last.size() > 500) last = last.substr(0, 497) + "...";
  return last;
}

std::filesystem::path self_executable() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path("/proc/self/exe") : path;
}

StopSignals::StopSignals() {
  stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int StopSignals::received() const { return stop_signal; }

}  // namespace eccsim
