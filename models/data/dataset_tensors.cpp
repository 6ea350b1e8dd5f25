// Conversion of ImageSet arrays into tensors: a copy per call, normalised per channel in float.
// Indices are trusted to come from the same set (task_samples, all_indices); out-of-range ones
// are a programming error and throw std::out_of_range.
#include "models/data/dataset_tensors.hpp"

#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace eccsim {
namespace {

void check_index(const ImageSet& set, int64_t index) {
  if (index < 0 || index >= set.count) {
    throw std::out_of_range(fmt::format("sample index {} outside a set of {} samples", index, set.count));
  }
}

}  // namespace

torch::Tensor images_to_tensor(const ImageSet& set, const Normalisation& norm, const std::vector<int64_t>& indices) {
  if (set.channels < 1 || set.channels > 3) {
    throw std::invalid_argument(fmt::format("images_to_tensor: {} channels, expected 1..3", set.channels));
  }
  const auto n = static_cast<int64_t>(indices.size());
  const int64_t plane = int64_t{set.height} * set.width;
  torch::Tensor out = torch::empty({n, set.channels, set.height, set.width}, torch::kFloat32);
  float* dst = out.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t index = indices[static_cast<size_t>(i)];
    check_index(set, index);
    const uint8_t* src = set.pixels.data() + index * set.image_bytes();
    for (int c = 0; c < set.channels; ++c) {
      const float scale = 1.f / (255.f * norm.std[static_cast<size_t>(c)]);
      const float offset = -norm.mean[static_cast<size_t>(c)] / norm.std[static_cast<size_t>(c)];
      for (int64_t p = 0; p < plane; ++p) *dst++ = static_cast<float>(*src++) * scale + offset;
    }
  }
  return out;
}

torch::Tensor labels_to_tensor(const ImageSet& set, const std::vector<int64_t>& indices) {
  torch::Tensor out = torch::empty({static_cast<int64_t>(indices.size())}, torch::kInt64);
  int64_t* dst = out.data_ptr<int64_t>();
  for (int64_t index : indices) {
    check_index(set, index);
    *dst++ = set.labels[static_cast<size_t>(index)];
  }
  return out;
}

torch::Tensor labels_to_tensor(const ImageSet& set, const std::vector<int64_t>& indices, const TaskSplit& split) {
  torch::Tensor out = labels_to_tensor(set, indices);
  int64_t* p = out.data_ptr<int64_t>();
  for (int64_t i = 0; i < out.numel(); ++i) {
    if (p[i] < 0 || p[i] >= static_cast<int64_t>(split.new_label_of.size())) {
      throw std::out_of_range(fmt::format("label {} outside a {}-class split", p[i], split.new_label_of.size()));
    }
    p[i] = split.new_label_of[static_cast<size_t>(p[i])];
  }
  return out;
}

std::vector<int64_t> all_indices(const ImageSet& set) {
  std::vector<int64_t> indices(static_cast<size_t>(set.count));
  std::iota(indices.begin(), indices.end(), int64_t{0});
  return indices;
}

}  // namespace eccsim
