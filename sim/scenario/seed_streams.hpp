// The simulation's random streams. Every concern draws from generators of its own, derived from the
// scenario's seed with derive_seed(seed, stream, index), so that one concern's draws do not move when
// another's change (a fault added leaves the arrivals alone). The numbers are part of the results:
// renumbering a stream changes every CSV that draws from it.
#pragma once

#include <cstdint>

#include "core/random.hpp"

namespace eccsim {

enum class SeedStream : uint64_t {
  Arrivals = 1,             // a device's request schedule; index: device
  OffloadFilter = 2,        // the random filter's draws and tie splits; index: device
  UpdateTraining = 3,       // an update's training order and new head; index: task x 1,000,003 + device + 1
  OracleSamples = 4,        // the oracle's task samples and rehearsal memory; index: task (x 1000 + old task)
  RandomFaults = 5,         // a random fault's outages; index: fault
  Exploration = 6,          // exploration offloads; index: device
  CalibrationSamples = 7,   // the test images held out to calibrate a target share
  WifiLevels = 8,           // Wi-Fi stations' rate levels; index: 0, or a group's first device + 1
  EvaluationSamples = 9,    // the test images held out for evaluation
  OffloadPlugin = 10,       // a policy plugin instance's own stream (eccsim_policy_setup.seed); index: device
};

inline uint64_t derive_seed(uint64_t seed, SeedStream stream, uint64_t index) {
  return derive_seed(seed, static_cast<uint64_t>(stream), index);
}

}  // namespace eccsim
