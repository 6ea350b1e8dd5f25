// posix_spawn with stream redirections and default stop signals; see spawn.hpp.
#include "core/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

extern char** environ;

namespace eccsim {

namespace {

void redirect(posix_spawn_file_actions_t& actions, const ChildStream& stream, int target) {
  if (!stream.file.empty()) {
    posix_spawn_file_actions_addopen(&actions, target, stream.file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  } else if (stream.fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, stream.fd, target);
  }
}

}  // namespace

pid_t spawn_process(const SpawnRequest& request) {
  if (request.argv.empty()) throw std::runtime_error("spawn_process: empty argv");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  redirect(actions, request.out, STDOUT_FILENO);
  redirect(actions, request.err, STDERR_FILENO);
  if (!request.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, request.working_dir.c_str());

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> args;
  for (const std::string& arg : request.argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) throw std::runtime_error("cannot start " + request.argv[0] + ": " + std::strerror(error));
  return pid;
}

}  // namespace eccsim
