// Grid expansion, point ids, shards and per-point scenarios of a sweep.
#include "app/sweep/sweep_grid.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "core/input_error.hpp"
#include "core/random.hpp"

namespace eccsim {

namespace {

// Strict non-negative decimal integer; nothing else (no sign, no spaces, no overflow).
bool parse_count(const std::string& text, int& value) {
  if (text.empty() || text.size() > 9) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  value = std::stoi(text);
  return true;
}

}  // namespace

std::vector<std::string> sweep_keys(const SweepConfig& sweep) {
  std::vector<std::string> keys;
  for (const SweepAxis& axis : sweep.grid) keys.push_back(axis.key);
  for (const SweepAxis& axis : sweep.zip) keys.push_back(axis.key);
  return keys;
}

int point_id_width(size_t count) {
  int width = 1;
  for (size_t largest = count > 0 ? count - 1 : 0; largest >= 10; largest /= 10) ++width;
  return width < 4 ? 4 : width;
}

std::vector<SweepPoint> expand_sweep(const SweepConfig& sweep) {
  // Axis sizes, slowest first; the zip block is one axis whose rows set every zip key together.
  std::vector<size_t> sizes;
  for (const SweepAxis& axis : sweep.grid) sizes.push_back(axis.values.size());
  if (!sweep.zip.empty()) sizes.push_back(sweep.zip.front().values.size());
  const size_t replications = static_cast<size_t>(std::max(1, sweep.replications.slots()));
  if (sizes.empty() && replications == 1) return {};
  size_t total = 1;
  for (const size_t size : sizes) {
    if (size == 0) return {};
    if (total > static_cast<size_t>(std::numeric_limits<int>::max()) / size) {
      throw InputError("sweep: the grid has more than 2^31 points");
    }
    total *= size;
  }

  if (total > static_cast<size_t>(std::numeric_limits<int>::max()) / replications) {
    throw InputError("sweep: the grid times its replications has more than 2^31 points");
  }
  total *= replications;

  const int width = point_id_width(total);
  std::vector<SweepPoint> points;
  points.reserve(total);
  for (size_t index = 0; index < total; ++index) {
    const size_t grid_index = index / replications;
    // Mixed-radix digits of the grid index, last axis fastest.
    std::vector<size_t> digit(sizes.size());
    size_t rest = grid_index;
    for (size_t axis = sizes.size(); axis-- > 0;) {
      digit[axis] = rest % sizes[axis];
      rest /= sizes[axis];
    }
    SweepPoint point;
    point.index = static_cast<int>(index);
    point.grid_index = static_cast<int>(grid_index);
    point.replication = static_cast<int>(index % replications);
    point.id = fmt::format("{:0{}}", index, width);
    for (size_t axis = 0; axis < sweep.grid.size(); ++axis) {
      point.values.push_back(sweep.grid[axis].values[digit[axis]]);
    }
    for (const SweepAxis& axis : sweep.zip) point.values.push_back(axis.values.at(digit.back()));
    points.push_back(std::move(point));
  }
  return points;
}

uint64_t replication_seed(uint64_t seed, int replication) {
  // splitmix64(x) advances x by the golden gamma before mixing: the k-th output of the generator
  // whose state starts at `seed` is splitmix64(seed + (k - 1) gamma).
  constexpr uint64_t kGamma = 0x9E3779B97F4A7C15ULL;
  return replication == 0 ? seed : splitmix64(seed + kGamma * static_cast<uint64_t>(replication - 1));
}

std::vector<std::string> point_overrides(const std::vector<std::string>& keys, const SweepPoint& point) {
  std::vector<std::string> overrides;
  for (size_t i = 0; i < keys.size(); ++i) overrides.push_back(keys[i] + "=" + point.values.at(i));
  return overrides;
}

Shard parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !parse_count(text.substr(0, slash), shard.index) ||
      !parse_count(text.substr(slash + 1), shard.count)) {
    throw InputError(fmt::format("--shard {}: expected K/N with 0 <= K < N, e.g. --shard 0/10", text));
  }
  if (shard.count < 1 || shard.index >= shard.count) {
    throw InputError(fmt::format("--shard {}: K must be in 0..N-1 (0 <= K < N), e.g. --shard 0/10", text));
  }
  return shard;
}

}  // namespace eccsim
