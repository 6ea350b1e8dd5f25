// Reader for a folder of image files per class, decoded with Debian's stb (libstb, which already
// holds the implementation). Classes and files are sorted by byte order so sample order and class
// ids are the same on every machine. Input is untrusted: each image's header is checked (size,
// pixel count) before stb decodes it, and each failure is one InputError line naming the file.
#include "models/data/image_folder.hpp"

#include <stb_image.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "core/input_error.hpp"

namespace eccsim {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kMaxImageFileBytes = int64_t{1} << 30;
constexpr const char* kExtensionList = ".png, .jpg, .jpeg, .bmp, .pgm, .ppm";

bool is_hidden(const fs::path& p) { return p.filename().string().rfind('.', 0) == 0; }

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".pgm" || ext == ".ppm";
}

// The non-hidden entries of dir that pass `keep`, sorted by name (byte order).
template <typename Keep>
std::vector<fs::path> sorted_entries(const fs::path& dir, Keep keep) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!is_hidden(it->path()) && keep(*it)) out.push_back(it->path());
  }
  if (ec) throw InputError(fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return out;
}

std::vector<std::string> class_names_in(const fs::path& split_dir) {
  std::vector<std::string> names;
  for (const fs::path& p : sorted_entries(split_dir, [](const fs::directory_entry& e) {
         std::error_code ec;
         return e.is_directory(ec);   // follows symlinks
       })) {
    names.push_back(p.filename().string());
  }
  return names;
}

std::vector<fs::path> image_files_in(const fs::path& class_dir) {
  return sorted_entries(class_dir, [](const fs::directory_entry& e) {
    std::error_code ec;
    return e.is_regular_file(ec) && has_image_extension(e.path());
  });
}

std::vector<uint8_t> read_file(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw InputError(fmt::format("{}: cannot read: {}", path.string(), ec.message()));
  if (size > static_cast<uintmax_t>(kMaxImageFileBytes)) {
    throw InputError(fmt::format("{}: {} bytes, more than the {} an image file may have", path.string(), size,
                                 kMaxImageFileBytes));
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError(fmt::format("{}: cannot open: {}", path.string(),
                                 errno != 0 ? std::strerror(errno) : "unknown error"));
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) {
    throw InputError(fmt::format("{}: read error: the file ended early (changed while being read?)",
                                 path.string()));
  }
  return bytes;
}

// stb's failure reason is sticky (never cleared) and a few decode failures leave it unset. This
// sets it to a known value ("unknown image type", from probing one zero byte) and returns it, so a
// later failure can tell its own reason from a stale one, whatever ran before.
const char* reset_failure_reason() {
  const stbi_uc zero = 0;
  int w = 0, h = 0, components = 0;
  stbi_info_from_memory(&zero, 1, &w, &h, &components);
  return stbi_failure_reason();
}

// `stale`: the reason before the failing call; an unchanged reason is not the call's own.
[[noreturn]] void throw_undecodable(const fs::path& path, const char* stale) {
  const char* reason = stbi_failure_reason();
  if (reason == nullptr || reason == stale || *reason == '\0') reason = "corrupt or truncated image data";
  throw InputError(fmt::format("{}: cannot decode: {}", path.string(), reason));
}

struct ImageInfo {
  int width = 0;
  int height = 0;
  int components = 0;   // as stored in the file: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA
};

// The image's header, read without decoding its pixels.
ImageInfo image_info(const fs::path& path, const std::vector<uint8_t>& bytes) {
  if (bytes.empty()) throw InputError(fmt::format("{}: cannot decode: empty file", path.string()));
  ImageInfo info;
  if (stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &info.width, &info.height,
                            &info.components) == 0) {
    throw_undecodable(path, nullptr);   // a failed probe always ends with a reason
  }
  return info;
}

// Decodes every file of one split, class by class, into set (C x H x W); each image must be
// width x height and is converted by stb to `channels` components.
void load_split(const std::vector<std::vector<fs::path>>& files_per_class, int channels, int width, int height,
                ImageSet& set) {
  set.channels = channels;
  set.width = width;
  set.height = height;
  const int64_t plane = int64_t{width} * height;
  for (size_t label = 0; label < files_per_class.size(); ++label) {
    for (const fs::path& path : files_per_class[label]) {
      const std::vector<uint8_t> bytes = read_file(path);
      const ImageInfo info = image_info(path, bytes);
      if (info.width != width || info.height != height) {
        throw InputError(fmt::format("{}: {}x{} image, the dataset's images are {}x{}", path.string(), info.width,
                                     info.height, width, height));
      }
      int w = 0, h = 0, components = 0;
      const char* before = reset_failure_reason();
      std::unique_ptr<stbi_uc, void (*)(void*)> decoded(
          stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &components, channels),
          stbi_image_free);
      if (decoded == nullptr) throw_undecodable(path, before);
      if (w != width || h != height) {   // stb's header scan and decoder disagree: treat as corrupt
        throw InputError(fmt::format("{}: cannot decode: header says {}x{}, data decodes as {}x{}", path.string(),
                                     info.width, info.height, w, h));
      }
      // stb gives H x W x C interleaved; ImageSet holds C x H x W.
      const size_t offset = set.pixels.size();
      set.pixels.resize(offset + static_cast<size_t>(plane * channels));
      uint8_t* dst = set.pixels.data() + offset;
      const stbi_uc* src = decoded.get();
      for (int64_t p = 0; p < plane; ++p) {
        for (int c = 0; c < channels; ++c) dst[c * plane + p] = src[p * channels + c];
      }
      set.labels.push_back(static_cast<int32_t>(label));
      ++set.count;
    }
  }
}

void check_split_dir(const fs::path& dir, const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(fmt::format("{}: {} (image-folder expects {}/train/<class>/<image> and {}/test/<class>/<image>)",
                                 dir.string(), fs::exists(dir, ec) ? "not a directory" : "not found", root.string(),
                                 root.string()));
  }
}

// The class names (class ids in sort order) of the training split, at least one.
std::vector<std::string> training_classes(const fs::path& train_dir) {
  std::vector<std::string> classes = class_names_in(train_dir);
  if (classes.empty()) {
    throw InputError(fmt::format("{}: no class directories (image-folder expects {}/<class>/<image>)",
                                 train_dir.string(), train_dir.string()));
  }
  return classes;
}

// The image files of one training class, at least one.
std::vector<fs::path> training_files(const fs::path& class_dir) {
  std::vector<fs::path> files = image_files_in(class_dir);
  if (files.empty()) {
    throw InputError(fmt::format("{}: no image files ({}); every class needs a training image", class_dir.string(),
                                 kExtensionList));
  }
  return files;
}

struct ImageShape {
  int channels = 0;
  int width = 0;
  int height = 0;
};

// The first training image fixes the size and the channels of every image (1 or 2 components:
// gray; 3 or 4: RGB; alpha is dropped). Decodes its header only.
ImageShape first_image_shape(const fs::path& first) {
  const ImageInfo info = image_info(first, read_file(first));
  if (int64_t{info.width} * info.height > kMaxImagePixels) {
    throw InputError(fmt::format("{}: implausible image size {}x{} (at most {} pixels)", first.string(), info.width,
                                 info.height, kMaxImagePixels));
  }
  return {info.components <= 2 ? 1 : 3, info.width, info.height};
}

}  // namespace

DatasetShape peek_image_folder(const fs::path& root) {
  const fs::path train_dir = root / "train";
  check_split_dir(train_dir, root);
  const std::vector<std::string> classes = training_classes(train_dir);
  const ImageShape shape = first_image_shape(training_files(train_dir / classes.front()).front());
  return {shape.channels, shape.height, shape.width, static_cast<int>(classes.size())};
}

Dataset load_image_folder(const fs::path& root) {
  const fs::path train_dir = root / "train";
  const fs::path test_dir = root / "test";
  check_split_dir(train_dir, root);
  check_split_dir(test_dir, root);

  const std::vector<std::string> classes = training_classes(train_dir);
  const std::vector<std::string> test_classes = class_names_in(test_dir);
  // The first class name (in sort order) present in only one of the splits.
  for (size_t i = 0; i < std::max(classes.size(), test_classes.size()); ++i) {
    const bool in_train = i < classes.size(), in_test = i < test_classes.size();
    if (in_train && in_test && classes[i] == test_classes[i]) continue;
    const bool test_lacks = !in_test || (in_train && classes[i] < test_classes[i]);
    const std::string& name = test_lacks ? classes[i] : test_classes[i];
    throw InputError(fmt::format("{}: no class directory '{}' ({} has one; train and test need the same classes)",
                                 (test_lacks ? test_dir : train_dir).string(), name,
                                 (test_lacks ? train_dir : test_dir).string()));
  }

  std::vector<std::vector<fs::path>> train_files, test_files;
  int64_t train_count = 0, test_count = 0;
  for (const std::string& name : classes) {
    train_files.push_back(training_files(train_dir / name));
    test_files.push_back(image_files_in(test_dir / name));
    train_count += static_cast<int64_t>(train_files.back().size());
    test_count += static_cast<int64_t>(test_files.back().size());
  }
  if (test_count == 0) {
    throw InputError(fmt::format("{}: no image files ({}) in any class directory", test_dir.string(), kExtensionList));
  }
  if (train_count > kMaxCount || test_count > kMaxCount) {
    throw InputError(fmt::format("{}: more than {} images in one split", root.string(), kMaxCount));
  }

  const ImageShape shape = first_image_shape(train_files.front().front());
  Dataset ds;
  ds.num_classes = static_cast<int>(classes.size());
  ds.class_names = classes;
  load_split(train_files, shape.channels, shape.width, shape.height, ds.train);
  load_split(test_files, shape.channels, shape.width, shape.height, ds.test);
  return ds;
}

}  // namespace eccsim
