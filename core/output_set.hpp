// A directory's output set, published all or nothing: the files are written and fsynced into a
// hidden set directory beside them, then one rename of the symlink DIR/.eccsim-current makes the
// new set current; each output DIR/<name> is a symlink .eccsim-current/<name>. A reader (or a kill
// at any moment) sees the whole old set or the whole new one. One writer per directory at a time.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace eccsim {

// One file of a set as written: name, size and FNV-1a 64 hash of its bytes (for a manifest).
struct OutputFileEntry {
  std::string name;
  size_t bytes = 0;
  std::string fnv1a64;
};

class OutputSet {
 public:
  // Starts a set in `dir` (created if needed). `owned` names every file this kind of set may hold:
  // a name of the previous set that the new one lacks is removed when the new one is published.
  // Removes what killed writers left (set directories and temporary files of dead processes).
  OutputSet(std::filesystem::path dir, std::vector<std::string> owned);
  ~OutputSet();   // not published: the staged files are removed, the current set is untouched
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  // Writes `contents` as `name` (one of `owned`) into the staged set, fsynced. InputError on a
  // write error (a full disk), naming the file; the current set stays as it was.
  void add(const std::string& name, const std::string& contents);

  // The files added so far, in order.
  const std::vector<OutputFileEntry>& files() const { return files_; }

  // Makes the staged files the directory's current set in one rename; InputError on failure.
  void publish();

 private:
  std::filesystem::path dir_;
  std::vector<std::string> owned_;
  std::string set_name_;   // the staged set's directory name in dir_
  std::vector<OutputFileEntry> files_;
  bool published_ = false;
};

}  // namespace eccsim
