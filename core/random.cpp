// Seeds and random draws; see random.hpp.
#include "core/random.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace eccsim {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The training stages' seeds were fixed before the simulation's families existed (the shipped
// checkpoints come from them): stream k is SplitMix64's k-th step from the seed.
uint64_t derive_seed(uint64_t seed, uint64_t stream) { return splitmix64(seed + 0x9E3779B97F4A7C15ULL * stream); }

uint64_t derive_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t threshold = (0 - n) % n;   // 2^64 mod n: the biased low range
  for (;;) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

uint64_t uniform_index(std::mt19937_64& rng, uint64_t n) {
  return static_cast<uint64_t>(uniform01(rng) * static_cast<double>(n));
}

double exponential(std::mt19937_64& rng, double mean) { return -std::log1p(-uniform01(rng)) * mean; }

std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

std::vector<int64_t> seeded_subset(std::vector<int64_t> items, size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  count = std::min(count, items.size());
  for (size_t i = 0; i < count; ++i) {
    std::swap(items[i], items[i + uniform_index(rng, items.size() - i)]);
  }
  items.resize(count);
  return items;
}

}  // namespace eccsim
