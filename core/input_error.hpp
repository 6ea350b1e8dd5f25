// Errors caused by the user's input (scenario, flags, data files, checkpoints).
// The CLI maps them to exit code 2 and prints what() as one line on stderr;
// anything else that escapes is an internal error (exit code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace eccsim {

// One-line message, already formatted as "file:line: key.path: message" where known.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failure during a run that is not eccsim's own (a policy plugin's): the CLI prints what() as one
// line and exits 1, publishing no output.
class RunFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace eccsim
