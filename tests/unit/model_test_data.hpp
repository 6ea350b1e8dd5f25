// Shared by the [models] tests: small, fixed subsets of the real Fashion-MNIST (Debian package)
// so that training in a test takes seconds, and a temporary models directory.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/dataset.hpp"

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

// A fresh directory under the system temp dir, removed at scope end.
class TempModelsDir {
 public:
  TempModelsDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("eccsim-test-models-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempModelsDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempModelsDir(const TempModelsDir&) = delete;
  TempModelsDir& operator=(const TempModelsDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace eccsim_test
