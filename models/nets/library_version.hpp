// Versions of the learning libraries, for run manifests.
#pragma once

#include <string>

namespace eccsim {

std::string libtorch_version();   // e.g. "1.13.1"

}  // namespace eccsim
