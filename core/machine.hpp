// What the machine offers this process.
#pragma once

#include <string>

namespace eccsim {

// CPUs this process may run on (its affinity mask: a container's or taskset's limit), at least 1.
int available_cores();

// How OpenMP's idle threads wait, as this process was started (OMP_WAIT_POLICY, read by the
// OpenMP runtime when it loads; "" when unset: spin a while, then sleep).
std::string omp_wait_policy();

}  // namespace eccsim
