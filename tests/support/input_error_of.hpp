// The message of the InputError an action throws, for unit tests of error paths.
#pragma once

#include <functional>
#include <string>

#include "core/input_error.hpp"

namespace eccsim::testing {

// The InputError's message, or "(no InputError)" when `action` throws none.
inline std::string input_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace eccsim::testing
