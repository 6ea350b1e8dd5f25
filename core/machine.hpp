// What the machine offers this process.
#pragma once

namespace eccsim {

// CPUs this process may run on (its affinity mask: a container's or taskset's limit), at least 1.
int available_cores();

}  // namespace eccsim
