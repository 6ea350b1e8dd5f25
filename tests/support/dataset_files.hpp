// Datasets written in the formats eccsim reads from a user's own data (tests only): PNG files with
// Debian's stb_image_write, .npy files as numpy writes them, and whole splits in either layout.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"

namespace eccsim::testing {

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);   // parents created

// A PNG of height x width x components bytes, interleaved (as stb takes it).
void write_png(const std::filesystem::path& path, int width, int height, int components, const std::vector<uint8_t>& hwc);

struct NpyOptions {
  int major = 1;               // format version 1.0, 2.0 or 3.0
  bool fortran_order = false;
};
// A .npy file: magic, version, header length, the header dict padded to 64 bytes, then `data`.
std::vector<uint8_t> npy(const std::string& descr, const std::vector<int64_t>& shape, const std::vector<uint8_t>& data,
                         NpyOptions options = {});
// Integer labels, little-endian in `bytes` bytes each.
std::vector<uint8_t> label_bytes(const std::vector<int64_t>& labels, int bytes);

// Gray (1-channel) splits as dir/{train,test}/<class id>/<index>.png, and as dir/{train,test}_{images,labels}.npy
// in the order image-folder reads them back (class by class, index order within a class), so both
// layouts give the same dataset.
void write_image_folder(const std::filesystem::path& dir, const ImageSet& train, const ImageSet& test);
void write_npy_dataset(const std::filesystem::path& dir, const ImageSet& train, const ImageSet& test);

}  // namespace eccsim::testing
