// Output sets published with one rename (see output_set.hpp). Layout in DIR:
//   .eccsim-set.<pid>.<n>/   a set's files (staged, then current; the previous one is removed)
//   .eccsim-current          symlink to the current set directory: renaming a new one over it is the switch
//   <name>                   symlink .eccsim-current/<name> for each output name
// A plain file where an output goes (an earlier eccsim's output, an edited one) is first linked into
// the current set, so that what readers see never changes before the switch.
#include "core/output_set.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>

#include "core/content_hash.hpp"
#include "core/input_error.hpp"

namespace eccsim {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCurrent = ".eccsim-current";
constexpr std::string_view kUntouched = " (the previous outputs are unchanged)";

int next_serial() {
  static int serial = 0;
  return serial++;
}

[[noreturn]] void fail(const fs::path& path, std::string_view what, int error, std::string_view tail = "") {
  throw InputError(fmt::format("{}: {}: {}{}", path.string(), what, std::strerror(error), tail));
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "cannot open", errno);
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) fail(dir, "cannot sync", error);
}

// The writer's process id in a name this file (or write_file_atomically) gives to temporary
// entries: .eccsim-{set,current,link}.<pid>.<n> or .<file>.<pid>.partial; 0 for any other name.
pid_t writer_of(const std::string& name) {
  std::string_view digits;
  for (std::string_view prefix : {".eccsim-set.", ".eccsim-current.", ".eccsim-link."}) {
    if (name.rfind(prefix, 0) == 0) {
      digits = std::string_view(name).substr(prefix.size());
      digits = digits.substr(0, digits.find('.'));
    }
  }
  constexpr std::string_view kPartial = ".partial";
  if (digits.empty() && name.size() > kPartial.size() && name[0] == '.' &&
      name.compare(name.size() - kPartial.size(), kPartial.size(), kPartial) == 0) {
    const std::string_view stem = std::string_view(name).substr(0, name.size() - kPartial.size());
    digits = stem.substr(stem.rfind('.') + 1);
  }
  if (digits.empty() || digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), ::isdigit)) return 0;
  return static_cast<pid_t>(std::stol(std::string(digits)));
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

// Removes the set directories and temporary entries of writers that are no longer running (killed
// runs), except the current set; and a .eccsim-current that is not a symlink (a copy that followed
// links, which turned the outputs into plain files too).
void remove_stale(const fs::path& dir) {
  std::error_code error;
  const fs::file_status link = fs::symlink_status(dir / kCurrent, error);
  if (fs::exists(link) && !fs::is_symlink(link)) fs::remove_all(dir / kCurrent, error);
  const fs::path current = fs::read_symlink(dir / kCurrent, error);
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    const pid_t pid = writer_of(name);
    if (pid <= 0 || pid == ::getpid() || alive(pid) || fs::path(name) == current) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

// Replaces `path` by a symlink to `target` in one rename.
void place_symlink(const fs::path& dir, const fs::path& path, const std::string& target, std::string_view kind) {
  const fs::path temporary = dir / fmt::format(".eccsim-{}.{}.{}", kind, ::getpid(), next_serial());
  if (::symlink(target.c_str(), temporary.c_str()) != 0) fail(temporary, "cannot create symlink", errno, kUntouched);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(path, "cannot replace", error, kUntouched);
  }
}

// The bytes readers see at `from` (a plain file, or a symlink to one) also at `to`, without copying
// when a hard link can do it.
void keep_copy(const fs::path& from, const fs::path& to) {
  const fs::path temporary = to.parent_path() / fmt::format(".keep.{}", next_serial());
  std::error_code error;
  fs::remove(temporary, error);
  if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, temporary.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    fs::copy_file(from, temporary, error);
    if (error) throw InputError(fmt::format("{}: cannot keep a copy: {}{}", from.string(), error.message(), kUntouched));
  }
  if (::rename(temporary.c_str(), to.c_str()) != 0) fail(to, "cannot write", errno, kUntouched);
}

}  // namespace

OutputSet::OutputSet(fs::path dir, std::vector<std::string> owned) : dir_(std::move(dir)), owned_(std::move(owned)) {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) throw InputError(fmt::format("{}: cannot create directory: {}", dir_.string(), error.message()));
  remove_stale(dir_);
  set_name_ = fmt::format(".eccsim-set.{}.{}", ::getpid(), next_serial());
  if (::mkdir((dir_ / set_name_).c_str(), 0777) != 0) fail(dir_ / set_name_, "cannot create directory", errno, kUntouched);
}

OutputSet::~OutputSet() {
  if (published_) return;
  std::error_code ignored;
  fs::remove_all(dir_ / set_name_, ignored);
}

void OutputSet::add(const std::string& name, const std::string& contents) {
  const fs::path path = dir_ / set_name_ / name;
  const fs::path shown = dir_ / name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(shown, "cannot write", errno, kUntouched);
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t written = ::write(fd, contents.data() + done, contents.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      const int error = errno;
      ::close(fd);
      fail(shown, "cannot write", error, kUntouched);
    }
    done += static_cast<size_t>(written);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail(shown, "cannot write", error, kUntouched);
  }
  if (::close(fd) != 0) fail(shown, "cannot write", errno, kUntouched);
  files_.push_back({name, contents.size(), ContentHash().add(contents).hex()});
}

void OutputSet::publish() {
  sync_directory(dir_ / set_name_);
  std::error_code error;
  fs::path old_set = fs::read_symlink(dir_ / kCurrent, error);
  if (error || !fs::is_directory(dir_ / old_set, error)) old_set.clear();

  std::vector<std::string> names = owned_;
  for (const OutputFileEntry& file : files_) {
    if (std::find(names.begin(), names.end(), file.name) == names.end()) names.push_back(file.name);
  }
  const auto staged = [this](const std::string& name) {
    return std::any_of(files_.begin(), files_.end(), [&](const OutputFileEntry& f) { return f.name == name; });
  };
  // Before the switch: every output name a symlink through .eccsim-current, showing the old set.
  for (const std::string& name : names) {
    const fs::path path = dir_ / name;
    const std::string target = fmt::format("{}/{}", kCurrent, name);
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0) {
      if (errno != ENOENT) fail(path, "cannot read", errno, kUntouched);
      if (staged(name)) place_symlink(dir_, path, target, "link");
      continue;
    }
    if (S_ISLNK(status.st_mode) && fs::read_symlink(path, error) == target) continue;
    if (S_ISDIR(status.st_mode)) {
      throw InputError(fmt::format("{}: a directory where eccsim writes a file{}", path.string(), kUntouched));
    }
    if (fs::exists(path, error)) {   // a plain file (or a symlink to one): kept in the old set
      if (old_set.empty()) {
        old_set = fmt::format(".eccsim-set.{}.{}", ::getpid(), next_serial());
        if (::mkdir((dir_ / old_set).c_str(), 0777) != 0) fail(dir_ / old_set, "cannot create directory", errno, kUntouched);
        place_symlink(dir_, dir_ / kCurrent, old_set.string(), "current");
      }
      keep_copy(path, dir_ / old_set / name);
    }
    place_symlink(dir_, path, target, "link");
  }
  // The switch.
  place_symlink(dir_, dir_ / kCurrent, set_name_, "current");
  published_ = true;
  sync_directory(dir_);
  // After it: the old set, and the links to names the new set does not have (of this kind of set
  // or another that shared the directory).
  if (!old_set.empty() && old_set != set_name_) fs::remove_all(dir_ / old_set, error);
  const std::string prefix = fmt::format("{}/", kCurrent);
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_, error)) {
    std::error_code ignored;
    if (entry.is_symlink(ignored) && fs::read_symlink(entry.path(), ignored).string().rfind(prefix, 0) == 0 &&
        !fs::exists(entry.path(), ignored))
      fs::remove(entry.path(), ignored);
  }
}

}  // namespace eccsim
