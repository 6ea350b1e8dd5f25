// Image classification datasets as plain arrays, read from their distribution formats:
// IDX (MNIST / Fashion-MNIST layout, gzip-compressed or not), the CIFAR-10/100 binary batches,
// a folder of image files per class (image-folder) and NumPy .npy arrays (npy).
// No torch here: models/*.cpp turn these into normalised tensors.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace eccsim {

// Plausibility limits every reader checks an untrusted header against before allocating.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 24;   // height * width of one image
inline constexpr int64_t kMaxCount = int64_t{1} << 31;         // samples in one split

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
  std::string name;              // "fashion-mnist", "mnist", "cifar10", "cifar100", "image-folder", "npy"
  int num_classes = 0;
  ImageSet train;
  ImageSet test;
  Normalisation normalisation;
  std::vector<std::string> class_names;   // one per class id; empty where unknown (cifar100, npy)
};

struct DatasetSource {
  std::string name = "fashion-mnist";
  std::filesystem::path dir;     // empty: the Debian package's location (required for image-folder, npy)
};

// Loads both splits; throws InputError naming the file (or the package to install) on failure.
Dataset load_dataset(const DatasetSource& source);

// What one sample looks like, as load_dataset would give it: image channels x height x width and classes.
struct DatasetShape {
  int channels = 0;
  int height = 0;
  int width = 0;
  int num_classes = 0;

  int64_t image_bytes() const { return int64_t{channels} * height * width; }   // one image, bytes
};

// The shape without loading the images: fixed for the packaged datasets (no file read); for a
// user's own data, image-folder's class directories and first training image's header, npy's
// train_images.npy header and its label arrays. Throws InputError as load_dataset does on failure.
DatasetShape peek_dataset_shape(const DatasetSource& source);

}  // namespace eccsim
