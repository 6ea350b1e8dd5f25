// The scenario texts the unit tests read become seeds of the scenario fuzzer (tests/fuzz): when
// ECCSIM_FUZZ_SEEDS names a directory, each text is written there in the fuzz target's input format
// (its --set overrides as leading "#set key=value" lines). scripts/fuzz starts from these seeds and
// keeps those that reach new code; ctest replays them all through the fuzz target's checks.
#pragma once

#include <string>
#include <vector>

namespace eccsim::testing {

// Keeps `text` with its overrides as a fuzz seed; does nothing without ECCSIM_FUZZ_SEEDS.
void keep_fuzz_seed(const std::string& text, const std::vector<std::string>& overrides = {});

}  // namespace eccsim::testing
