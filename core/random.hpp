// Seeds and random draws, the same numbers with every standard library: std::mt19937_64 is fully
// specified, but std::shuffle and the std:: distributions are each library's own algorithm, so
// every bounded or real draw here is computed from the generator's raw bits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace eccsim {

// SplitMix64's output function (Steele et al., 2014): a well-mixed 64-bit value of x.
uint64_t splitmix64(uint64_t x);

// Seed of one stage of model training: stream `stream` of the models' seed.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

// Seed of generator `index` of the simulation's family `stream` (one family per concern: arrivals,
// offload draws, faults, ...; named in sim/scenario/seed_streams.hpp), so that a family's draws do
// not move when another's change.
uint64_t derive_seed(uint64_t seed, uint64_t stream, uint64_t index);

// A seeded std::mt19937_64 made at its first use. The generator's state is 2.5 KB: a fleet of
// 100,000 devices holds two per device, which most runs never draw from. Copies are independent.
class DeferredGenerator {
 public:
  explicit DeferredGenerator(uint64_t seed) : seed_(seed) {}
  DeferredGenerator(const DeferredGenerator& other)
      : seed_(other.seed_), rng_(other.rng_ ? std::make_unique<std::mt19937_64>(*other.rng_) : nullptr) {}
  DeferredGenerator& operator=(const DeferredGenerator& other) {
    if (this != &other) *this = DeferredGenerator(other);
    return *this;
  }
  DeferredGenerator(DeferredGenerator&&) noexcept = default;
  DeferredGenerator& operator=(DeferredGenerator&&) noexcept = default;

  std::mt19937_64& get() {
    if (!rng_) rng_ = std::make_unique<std::mt19937_64>(seed_);
    return *rng_;
  }

 private:
  uint64_t seed_;
  std::unique_ptr<std::mt19937_64> rng_;
};

// Uniform in [0, n) without modulo bias (rejection of the low range), n > 0.
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n);

// Uniform in [0, n) by scaling a uniform01 draw (bias below n / 2^53), n > 0.
uint64_t uniform_index(std::mt19937_64& rng, uint64_t n);

// Uniform in [0, 1) from the generator's top 53 bits.
double uniform01(std::mt19937_64& rng);

// An exponential draw of the given mean, by inversion.
double exponential(std::mt19937_64& rng, double mean);

// A permutation of 0..n-1: Fisher-Yates with uniform_below.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed);

// `count` of `items` drawn without replacement, in draw order (a partial Fisher-Yates shuffle on
// uniform01 draws); all of them when count >= items.size().
std::vector<int64_t> seeded_subset(std::vector<int64_t> items, size_t count, uint64_t seed);

}  // namespace eccsim
