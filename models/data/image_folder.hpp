// The `image-folder` dataset format: ROOT/train/<class>/<image> and ROOT/test/<class>/<image>,
// images decoded with stb (.png .jpg .jpeg .bmp .pgm .ppm); class ids follow the sorted class names.
#pragma once

#include <filesystem>

#include "models/data/dataset.hpp"

namespace eccsim {

// Reads root's train/ and test/ trees into num_classes, class_names, train and test (images stored
// C x H x W); name and normalisation are left to the caller. Throws InputError naming the file.
Dataset load_image_folder(const std::filesystem::path& root);

// The shape load_image_folder would give, from train/'s class directories and the header of its
// first image (first class, first file in sort order), nothing else read. Throws as it does.
DatasetShape peek_image_folder(const std::filesystem::path& root);

}  // namespace eccsim
