// The `npy` dataset format: a directory of four NumPy arrays, images uint8 (N, H, W) or
// (N, H, W, C) channels last, labels 1-D integers; class ids are the label values 0..max.
#pragma once

#include <filesystem>

#include "models/data/dataset.hpp"

namespace eccsim {

// File names inside the directory, in the order they are read.
inline constexpr const char* kNpyFiles[] = {"train_images.npy", "train_labels.npy", "test_images.npy",
                                            "test_labels.npy"};

// Reads dir's four arrays into num_classes, train and test (images stored C x H x W); name,
// normalisation and class_names are left to the caller. Throws InputError naming the file.
Dataset load_npy_arrays(const std::filesystem::path& dir);

// The shape load_npy_arrays would give, from train_images.npy's header and the two label arrays
// (test_images.npy and the image data are not read). Throws as it does.
DatasetShape peek_npy_arrays(const std::filesystem::path& dir);

}  // namespace eccsim
