// CPU count from sched_getaffinity, which honours cgroup cpusets and taskset where
// std::thread::hardware_concurrency reports the whole machine.
#include "core/machine.hpp"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace eccsim {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::string omp_wait_policy() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  return policy == nullptr ? "" : policy;
}

}  // namespace eccsim
