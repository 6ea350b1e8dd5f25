// Dataset files for the tests; see dataset_files.hpp.
#include "tests/support/dataset_files.hpp"

#include <stb_image_write.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace eccsim::testing {
namespace {

namespace fs = std::filesystem;

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// The split's sample indices class by class, index order within a class (image-folder's order).
std::vector<int64_t> class_major_order(const ImageSet& set) {
  std::vector<int64_t> order(static_cast<size_t>(set.count));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return set.labels[static_cast<size_t>(a)] < set.labels[static_cast<size_t>(b)];
  });
  return order;
}

std::vector<uint8_t> pixels_of(const ImageSet& set, int64_t index) {
  const auto begin = set.pixels.begin() + index * set.image_bytes();
  return {begin, begin + set.image_bytes()};
}

}  // namespace

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out.good()) throw std::runtime_error("cannot write " + path.string());
}

void write_png(const fs::path& path, int width, int height, int components, const std::vector<uint8_t>& hwc) {
  fs::create_directories(path.parent_path());
  if (stbi_write_png(path.c_str(), width, height, components, hwc.data(), width * components) == 0)
    throw std::runtime_error("cannot write " + path.string());
}

std::vector<uint8_t> npy(const std::string& descr, const std::vector<int64_t>& shape, const std::vector<uint8_t>& data,
                         NpyOptions options) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (options.fortran_order ? "True" : "False") +
                     ", 'shape': " + shape_text(shape) + ", }";
  const size_t preamble = options.major == 1 ? 10 : 12;
  while ((preamble + dict.size() + 1) % 64 != 0) dict += ' ';
  dict += '\n';
  std::vector<uint8_t> out{0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(options.major), 0};
  const size_t length_bytes = preamble - 8;
  for (size_t i = 0; i < length_bytes; ++i) out.push_back(static_cast<uint8_t>(dict.size() >> (8 * i)));
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<uint8_t> label_bytes(const std::vector<int64_t>& labels, int bytes) {
  std::vector<uint8_t> out;
  for (const int64_t l : labels) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(l) >> (8 * i)));
  }
  return out;
}

void write_image_folder(const fs::path& dir, const ImageSet& train, const ImageSet& test) {
  for (const auto& [name, set] : {std::pair<std::string, const ImageSet*>{"train", &train}, {"test", &test}}) {
    for (const int64_t i : class_major_order(*set)) {
      char file[24];
      std::snprintf(file, sizeof file, "%07lld.png", static_cast<long long>(i));
      write_png(dir / name / std::to_string(set->labels[static_cast<size_t>(i)]) / file, set->width, set->height, 1,
                pixels_of(*set, i));
    }
  }
}

void write_npy_dataset(const fs::path& dir, const ImageSet& train, const ImageSet& test) {
  for (const auto& [name, set] : {std::pair<std::string, const ImageSet*>{"train", &train}, {"test", &test}}) {
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    for (const int64_t i : class_major_order(*set)) {
      const std::vector<uint8_t> p = pixels_of(*set, i);
      pixels.insert(pixels.end(), p.begin(), p.end());
      labels.push_back(set->labels[static_cast<size_t>(i)]);
    }
    write_bytes(dir / (name + "_images.npy"), npy("|u1", {set->count, set->height, set->width}, pixels));
    write_bytes(dir / (name + "_labels.npy"), npy("<i8", {set->count}, label_bytes(labels, 8)));
  }
}

}  // namespace eccsim::testing
