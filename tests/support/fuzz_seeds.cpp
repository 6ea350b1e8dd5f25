#include "tests/support/fuzz_seeds.hpp"

#include <fmt/core.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace eccsim::testing {

namespace {

// Seeds past libFuzzer's -max_len (scripts/fuzz) would be cut anyway; the tests' huge-value cases
// are kept up to this size so their first bytes still seed the reader's length checks.
constexpr size_t kMaxSeedBytes = 16 * 1024;

uint64_t fnv1a(const std::string& bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

void keep_fuzz_seed(const std::string& text, const std::vector<std::string>& overrides) {
  const char* dir = std::getenv("ECCSIM_FUZZ_SEEDS");
  if (dir == nullptr || *dir == '\0') return;
  std::string seed;
  for (const std::string& o : overrides) seed += "#set " + o + "\n";
  seed += text;
  if (seed.size() > kMaxSeedBytes) seed.resize(kMaxSeedBytes);
  // Named by content: the same case read by two tests is one seed.
  const std::filesystem::path file = std::filesystem::path(dir) / fmt::format("test-{:016x}.yaml", fnv1a(seed));
  std::filesystem::create_directories(dir);
  std::ofstream(file, std::ios::binary) << seed;
}

}  // namespace eccsim::testing
