// The points of a sweep: the Cartesian product of the grid axes (first key varies slowest) with
// the zip axes, paired row by row, as one more axis, then the replications, varying fastest: point
// index = grid index x replications + k. Point ids are the zero-padded index in that order, so
// every machine and every shard agrees on them, and a replication is a point like any other.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct SweepPoint {
  int index = 0;                        // position in the whole sweep
  int grid_index = 0;                   // position of its values in the grid (index / replications)
  int replication = 0;                  // k in 0..replications-1; 0 runs the scenario's own seed
  std::string id;                       // zero-padded index: "0007"
  std::vector<std::string> values;      // YAML text of each swept key's value, in sweep_keys() order
};

// Every swept key in column order: grid keys in file order, then zip keys in file order.
std::vector<std::string> sweep_keys(const SweepConfig& sweep);

// All points in order; none for an empty sweep block. A block with replications and no axes has
// one grid point with no values.
std::vector<SweepPoint> expand_sweep(const SweepConfig& sweep);

// The seed of replication k of a point whose own seed is `seed`: the seed itself for k = 0, else
// the k-th output of SplitMix64 seeded with it (Steele et al., 2014). The same for every grid point of one seed, so replication k of
// two points shares its arrivals and samples (common random numbers).
uint64_t replication_seed(uint64_t seed, int replication);

// Width of the ids of a sweep of `count` points: at least 4 digits.
int point_id_width(size_t count);

// The point's --set arguments, "key=value", in sweep_keys() order.
std::vector<std::string> point_overrides(const std::vector<std::string>& keys, const SweepPoint& point);

// --shard K/N: this machine runs the points whose index % count == index.
struct Shard {
  int index = 0;
  int count = 1;
  bool contains(const SweepPoint& point) const { return point.index % count == index; }
};

// Parses "K/N" with 0 <= K < N; InputError "--shard: ..." otherwise.
Shard parse_shard(const std::string& text);

}  // namespace eccsim
