// The points of a sweep: the Cartesian product of the grid axes (first key varies slowest) with
// the zip axes, paired row by row, as one more axis varying fastest. Point ids are the zero-padded
// index in that order, so every machine and every shard agrees on them.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct SweepPoint {
  int index = 0;                        // position in the whole grid
  std::string id;                       // zero-padded index: "0007"
  std::vector<std::string> values;      // YAML text of each swept key's value, in sweep_keys() order
};

// Every swept key in column order: grid keys in file order, then zip keys in file order.
std::vector<std::string> sweep_keys(const SweepConfig& sweep);

// All points in order; none for an empty sweep block.
std::vector<SweepPoint> expand_sweep(const SweepConfig& sweep);

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
