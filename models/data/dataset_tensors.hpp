// ImageSet arrays to LibTorch tensors for training and inference: images as normalised float
// [n, C, H, W], labels as int64 [n] (original ids, or re-indexed through a task split).
// Internal to models/*.cpp and tests: the one data-layer header that includes torch.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"

namespace eccsim {

// The selected images as float [n, C, H, W], each channel (x/255 - mean[c]) / std[c].
torch::Tensor images_to_tensor(const ImageSet& set, const Normalisation& norm, const std::vector<int64_t>& indices);

// The selected samples' original class ids as int64 [n].
torch::Tensor labels_to_tensor(const ImageSet& set, const std::vector<int64_t>& indices);

// The selected samples' re-indexed labels (split.new_label_of) as int64 [n].
torch::Tensor labels_to_tensor(const ImageSet& set, const std::vector<int64_t>& indices, const TaskSplit& split);

// 0 .. set.count-1, to select a whole split.
std::vector<int64_t> all_indices(const ImageSet& set);

}  // namespace eccsim
