// Image classification datasets as plain arrays, read from their distribution formats:
// IDX (MNIST / Fashion-MNIST layout, gzip-compressed or not) and the CIFAR-10/100 binary
// batches. No torch here: models/*.cpp turn these into normalised tensors.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace eccsim {

// One split (train or test): N images of C x H x W bytes, row-major, plus labels.
struct ImageSet {
  int64_t count = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;   // count * channels * height * width, values 0..255
  std::vector<int32_t> labels;   // count, original dataset class ids

  int64_t image_bytes() const { return int64_t{channels} * height * width; }
};

// Per-channel normalisation applied when images become tensors: (x/255 - mean) / std.
struct Normalisation {
  std::array<float, 3> mean{0.f, 0.f, 0.f};
  std::array<float, 3> std{1.f, 1.f, 1.f};
};

struct Dataset {
  std::string name;              // "fashion-mnist", "mnist", "cifar10", "cifar100"
  int num_classes = 0;
  ImageSet train;
  ImageSet test;
  Normalisation normalisation;
};

struct DatasetSource {
  std::string name = "fashion-mnist";
  std::filesystem::path dir;     // empty: the Debian package's location for this dataset
};

// Loads both splits; throws InputError naming the file (or the package to install) on failure.
Dataset load_dataset(const DatasetSource& source);

}  // namespace eccsim
