// Shared by the [models] tests: small, fixed subsets of the real Fashion-MNIST (Debian package)
// so that training in a test takes seconds, and a temporary models directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "tests/support/temp_dir.hpp"

namespace eccsim_test {

// The first `count` images of `set`.
inline eccsim::ImageSet first_images(const eccsim::ImageSet& set, int64_t count) {
  eccsim::ImageSet out = set;
  out.count = std::min(count, set.count);
  out.pixels.resize(static_cast<size_t>(out.count * set.image_bytes()));
  out.labels.resize(static_cast<size_t>(out.count));
  return out;
}

// Fashion-MNIST loaded once per process.
inline const eccsim::Dataset& fashion_mnist() {
  static const eccsim::Dataset data = eccsim::load_dataset(eccsim::DatasetSource{"fashion-mnist", {}});
  return data;
}

// Fashion-MNIST cut to its first `train` training and `test` test images.
inline eccsim::Dataset small_fashion_mnist(int64_t train, int64_t test) {
  eccsim::Dataset data = fashion_mnist();
  data.train = first_images(data.train, train);
  data.test = first_images(data.test, test);
  return data;
}

// 0 .. n-1, to select the first n samples.
inline std::vector<int64_t> range(int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = i;
  return v;
}

// A models directory for one test.
using TempModelsDir = eccsim::testing::TempDir;

}  // namespace eccsim_test
