// Readers for the datasets' distribution formats: IDX (MNIST / Fashion-MNIST, gzip or plain,
// read through zlib which passes uncompressed files through) and the CIFAR-10/100 binary batches;
// load_dataset and peek_dataset_shape also dispatch to image_folder.cpp and npy_arrays.cpp.
// Input is untrusted: every header, size and label is checked and each failure becomes one
// InputError line naming the file; nothing is allocated from a header before it is checked.
#include "models/data/dataset.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "core/input_error.hpp"
#include "models/data/image_folder.hpp"
#include "models/data/npy_arrays.hpp"

namespace eccsim {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kIdxImagesMagic = 0x00000803;    // unsigned bytes, 3 dimensions
constexpr uint32_t kIdxLabelsMagic = 0x00000801;    // unsigned bytes, 1 dimension
constexpr unsigned kChunkBytes = 1u << 22;
constexpr int kCifarImageBytes = 3 * 32 * 32;       // CHW: 1024 red, 1024 green, 1024 blue

bool is_regular(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_directory_at(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool exists_at(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// A file read through zlib: gzip-compressed or plain, sequentially.
class GzReader {
 public:
  explicit GzReader(const fs::path& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (file_ == nullptr) {
      throw InputError(fmt::format("{}: cannot open: {}", path.string(),
                                   errno != 0 ? std::strerror(errno) : "out of memory"));
    }
    gzbuffer(file_, 1u << 17);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads up to n bytes into out; returns how many were read (fewer only at end of data).
  int64_t read(uint8_t* out, int64_t n) {
    int64_t got = 0;
    while (got < n && !eof_) {
      const auto want = static_cast<unsigned>(std::min<int64_t>(n - got, kChunkBytes));
      const int r = gzread(file_, out + got, want);
      if (r < 0) {
        int errnum = Z_OK;
        const char* msg = gzerror(file_, &errnum);
        if (errnum == Z_BUF_ERROR) {   // compressed stream cut short: the data simply ends
          cut_short_ = true;
          eof_ = true;
          break;
        }
        throw InputError(fmt::format("{}: read error: {}", path_.string(),
                                     errnum == Z_ERRNO ? std::strerror(errno) : msg));
      }
      if (r == 0) {
        // gzread reports a cut compressed stream as a short read with the error set.
        int errnum = Z_OK;
        gzerror(file_, &errnum);
        cut_short_ = errnum == Z_BUF_ERROR;
        eof_ = true;
        break;
      }
      got += r;
    }
    return got;
  }

  // Reads everything left, appending to out.
  void read_rest(std::vector<uint8_t>& out) {
    while (!eof_) {
      const size_t old = out.size();
      out.resize(old + kChunkBytes);
      const int64_t got = read(out.data() + old, kChunkBytes);
      out.resize(old + static_cast<size_t>(got));
    }
  }

  bool at_end() {
    uint8_t byte = 0;
    return read(&byte, 1) == 0;
  }

  // Suffix for "truncated" messages when the gzip stream itself is incomplete.
  std::string cut_note() const { return cut_short_ ? " (compressed stream ends early)" : ""; }

 private:
  fs::path path_;
  gzFile file_ = nullptr;
  bool eof_ = false;
  bool cut_short_ = false;
};

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// An IDX file of unsigned bytes: its dimensions and its data.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};

IdxArray read_idx(const fs::path& path, uint32_t magic, const char* what) {
  const int ndims = static_cast<int>(magic & 0xff);
  const int64_t header_bytes = 4 + 4 * int64_t{ndims};
  GzReader in(path);
  uint8_t header[16] = {};
  const int64_t got_header = in.read(header, header_bytes);
  if (got_header >= 4 && big_endian_u32(header) != magic) {
    throw InputError(fmt::format("{}: bad magic number 0x{:08x}, expected 0x{:08x} (IDX {})",
                                 path.string(), big_endian_u32(header), magic, what));
  }
  if (got_header < header_bytes) {
    throw InputError(fmt::format("{}: truncated: expected a {}-byte IDX header, got {} bytes{}",
                                 path.string(), header_bytes, got_header, in.cut_note()));
  }

  IdxArray array;
  int64_t body_bytes = 1;
  for (int d = 0; d < ndims; ++d) {
    const int64_t dim = big_endian_u32(header + 4 + 4 * d);
    const int64_t limit = d == 0 ? kMaxCount : kMaxImagePixels;
    if (dim == 0 || dim > limit) {
      throw InputError(fmt::format("{}: implausible dimension {} = {} (allowed 1..{})",
                                   path.string(), d, dim, limit));
    }
    array.dims.push_back(dim);
    body_bytes *= dim;
  }
  if (ndims == 3 && array.dims[1] * array.dims[2] > kMaxImagePixels) {
    throw InputError(fmt::format("{}: implausible image size {}x{}", path.string(),
                                 array.dims[1], array.dims[2]));
  }

  // Grow with the data actually read, so a lying header cannot make us allocate its claim.
  int64_t got = 0;
  while (got < body_bytes) {
    const int64_t want = std::min<int64_t>(body_bytes - got, int64_t{64} << 20);
    array.data.resize(static_cast<size_t>(got + want));
    const int64_t r = in.read(array.data.data() + got, want);
    got += r;
    if (r < want) break;
  }
  if (got < body_bytes) {
    throw InputError(fmt::format("{}: truncated: expected {} bytes, got {}{}", path.string(),
                                 header_bytes + body_bytes, header_bytes + got, in.cut_note()));
  }
  if (!in.at_end()) {
    throw InputError(fmt::format("{}: unexpected data after the {} bytes the IDX header announces",
                                 path.string(), header_bytes + body_bytes));
  }
  return array;
}

// Finds `stem.gz`, then `stem`, in dir.
fs::path find_idx_file(const fs::path& dir, const std::string& stem) {
  const fs::path gz = dir / (stem + ".gz");
  if (is_regular(gz)) return gz;
  const fs::path plain = dir / stem;
  if (is_regular(plain)) return plain;
  throw InputError(fmt::format("{}: not found (nor {})", gz.string(), plain.string()));
}

void check_labels(const fs::path& path, const std::vector<int32_t>& labels, int num_classes,
                  const std::string& dataset) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw InputError(fmt::format("{}: label {} of sample {} out of range 0..{} for {}",
                                   path.string(), labels[i], i, num_classes - 1, dataset));
    }
  }
}

ImageSet load_idx_split(const fs::path& dir, const std::string& prefix, int num_classes,
                        const std::string& dataset) {
  const fs::path images_path = find_idx_file(dir, prefix + "-images-idx3-ubyte");
  const fs::path labels_path = find_idx_file(dir, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(images_path, kIdxImagesMagic, "unsigned-byte images");
  IdxArray labels = read_idx(labels_path, kIdxLabelsMagic, "unsigned-byte labels");
  if (labels.dims[0] != images.dims[0]) {
    throw InputError(fmt::format("{}: {} labels but {} holds {} images", labels_path.string(),
                                 labels.dims[0], images_path.string(), images.dims[0]));
  }
  ImageSet set;
  set.count = images.dims[0];
  set.channels = 1;
  set.height = static_cast<int>(images.dims[1]);
  set.width = static_cast<int>(images.dims[2]);
  set.pixels = std::move(images.data);
  set.labels.assign(labels.data.begin(), labels.data.end());
  check_labels(labels_path, set.labels, num_classes, dataset);
  return set;
}

// CIFAR binary batch: records of `label_bytes` label bytes then 3072 pixel bytes; the last
// label byte is the class (CIFAR-100: coarse then fine).
void append_cifar_batch(const fs::path& path, int label_bytes, int num_classes,
                        const std::string& dataset, ImageSet& set) {
  std::vector<uint8_t> raw;
  GzReader(path).read_rest(raw);
  const int64_t record = label_bytes + kCifarImageBytes;
  const auto size = static_cast<int64_t>(raw.size());
  if (size == 0) throw InputError(fmt::format("{}: empty file, expected {}-byte records", path.string(), record));
  if (size % record != 0) {
    throw InputError(fmt::format("{}: truncated: expected a multiple of {} bytes ({} label byte{} + {} pixels "
                                 "per record), got {}",
                                 path.string(), record, label_bytes, label_bytes > 1 ? "s" : "",
                                 kCifarImageBytes, size));
  }
  const int64_t n = size / record;
  set.pixels.reserve(set.pixels.size() + static_cast<size_t>(n * kCifarImageBytes));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* rec = raw.data() + i * record;
    if (label_bytes == 2 && rec[0] >= 20) {
      throw InputError(fmt::format("{}: coarse label {} of record {} out of range 0..19",
                                   path.string(), rec[0], i));
    }
    const int32_t label = rec[label_bytes - 1];
    if (label >= num_classes) {
      throw InputError(fmt::format("{}: label {} of record {} out of range 0..{} for {}",
                                   path.string(), label, i, num_classes - 1, dataset));
    }
    set.labels.push_back(label);
    set.pixels.insert(set.pixels.end(), rec + label_bytes, rec + record);
  }
  set.count += n;
}

ImageSet load_cifar_split(const fs::path& dir, const std::vector<std::string>& files, int label_bytes,
                          int num_classes, const std::string& dataset) {
  ImageSet set;
  set.channels = 3;
  set.height = 32;
  set.width = 32;
  for (const auto& name : files) {
    const fs::path path = dir / name;
    if (!is_regular(path)) throw InputError(fmt::format("{}: not found", path.string()));
    append_cifar_batch(path, label_bytes, num_classes, dataset, set);
  }
  return set;
}

// The directory holding `first_file`: dir itself or its conventional subdirectory.
fs::path find_cifar_dir(const fs::path& dir, const std::string& subdir, const std::string& first_file,
                        const std::string& dataset) {
  if (is_regular(dir / first_file)) return dir;
  if (is_regular(dir / subdir / first_file)) return dir / subdir;
  throw InputError(fmt::format("{}: not found (nor {}; expected the {} binary version)",
                               (dir / first_file).string(), (dir / subdir / first_file).string(), dataset));
}

// The data directory: the given one, or the Debian package's location.
fs::path resolve_dir(const DatasetSource& source) {
  const std::string& name = source.name;
  if (!source.dir.empty()) {
    if (!exists_at(source.dir)) {
      const std::string hint = name == "fashion-mnist"
                                   ? "install the Debian package dataset-fashion-mnist, or fix dataset.path"
                                   : "fix dataset.path";
      throw InputError(fmt::format("{}: data directory {} not found ({})", name, source.dir.string(), hint));
    }
    if (!is_directory_at(source.dir)) {
      throw InputError(fmt::format("{}: data path {} is not a directory (set dataset.path to the directory "
                                   "holding the files)", name, source.dir.string()));
    }
    return source.dir;
  }
  if (name == "fashion-mnist") {
    const fs::path dir = "/usr/share/datasets/fashion-mnist";
    if (!is_directory_at(dir)) {
      throw InputError(fmt::format("fashion-mnist: data directory {} not found (install the Debian package "
                                   "dataset-fashion-mnist, or set dataset.path)", dir.string()));
    }
    return dir;
  }
  if (name == "mnist") {
    const fs::path dir = "/usr/share/datasets/mnist";
    if (!is_directory_at(dir)) {
      throw InputError(fmt::format("mnist: data directory {} not found (set dataset.path to a directory holding "
                                   "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                                   "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])", dir.string()));
    }
    return dir;
  }
  if (name == "image-folder") {
    throw InputError("dataset.path: image-folder needs a path (a directory with train/ and test/)");
  }
  if (name == "npy") {
    throw InputError("dataset.path: npy needs a path (a directory with train_images.npy, train_labels.npy, "
                     "test_images.npy, test_labels.npy)");
  }
  const bool ten = name == "cifar10";
  throw InputError(fmt::format("{}: no Debian package ships this dataset; set dataset.path to a directory holding "
                               "the CIFAR-{} binary version ({})", name, ten ? "10" : "100",
                               ten ? "data_batch_1.bin .. data_batch_5.bin, test_batch.bin"
                                   : "train.bin, test.bin"));
}

// Per-channel mean and population standard deviation of the training pixels scaled to 0..1, for
// formats without published constants. Counted as a 256-bin histogram per channel (exact), then
// reduced in double and stored as float; a constant channel gets std 1 so normalising stays finite.
// One channel is repeated into all three entries, as for the IDX datasets.
Normalisation training_normalisation(const ImageSet& set) {
  Normalisation norm;
  const int64_t plane = int64_t{set.height} * set.width;
  for (int c = 0; c < set.channels; ++c) {
    std::array<int64_t, 256> histogram{};
    for (int64_t i = 0; i < set.count; ++i) {
      const uint8_t* p = set.pixels.data() + i * set.image_bytes() + c * plane;
      for (int64_t k = 0; k < plane; ++k) ++histogram[p[k]];
    }
    const double n = static_cast<double>(set.count * plane);
    double mean = 0;
    for (int v = 0; v < 256; ++v) mean += static_cast<double>(histogram[static_cast<size_t>(v)]) * (v / 255.0);
    mean /= n;
    double variance = 0;
    for (int v = 0; v < 256; ++v) {
      const double d = v / 255.0 - mean;
      variance += static_cast<double>(histogram[static_cast<size_t>(v)]) * d * d;
    }
    variance /= n;
    const double stddev = variance > 0 ? std::sqrt(variance) : 1.0;
    norm.mean[static_cast<size_t>(c)] = static_cast<float>(mean);
    norm.std[static_cast<size_t>(c)] = static_cast<float>(stddev);
  }
  if (set.channels == 1) {
    norm.mean.fill(norm.mean[0]);
    norm.std.fill(norm.std[0]);
  }
  return norm;
}

void check_same_image_shape(const Dataset& ds, const fs::path& test_source) {
  const ImageSet& a = ds.train;
  const ImageSet& b = ds.test;
  if (a.channels != b.channels || a.height != b.height || a.width != b.width) {
    throw InputError(fmt::format("{}: test images are {}x{}x{} (CxHxW) but training images are {}x{}x{}",
                                 test_source.string(), b.channels, b.height, b.width, a.channels, a.height,
                                 a.width));
  }
}

[[noreturn]] void throw_unknown_dataset(const std::string& name) {
  throw InputError(fmt::format("dataset.name: unknown dataset '{}' (one of fashion-mnist, mnist, cifar10, cifar100, "
                               "image-folder, npy)", name));
}

const std::vector<std::string> kFashionMnistClasses{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
const std::vector<std::string> kMnistClasses{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
const std::vector<std::string> kCifar10Classes{"airplane", "automobile", "bird",  "cat",  "deer",
                                               "dog",      "frog",       "horse", "ship", "truck"};

}  // namespace

Dataset load_dataset(const DatasetSource& source) {
  Dataset ds;
  ds.name = source.name;
  if (ds.name == "fashion-mnist" || ds.name == "mnist") {
    ds.num_classes = 10;
    const fs::path dir = resolve_dir(source);
    ds.train = load_idx_split(dir, "train", ds.num_classes, ds.name);
    ds.test = load_idx_split(dir, "t10k", ds.num_classes, ds.name);
    if (ds.test.height != ds.train.height || ds.test.width != ds.train.width) {
      throw InputError(fmt::format("{}: test images are {}x{} but training images are {}x{}",
                                   find_idx_file(dir, "t10k-images-idx3-ubyte").string(), ds.test.height,
                                   ds.test.width, ds.train.height, ds.train.width));
    }
    const float mean = ds.name == "mnist" ? 0.1307f : 0.2860f;
    const float stddev = ds.name == "mnist" ? 0.3081f : 0.3530f;
    ds.normalisation = {{mean, mean, mean}, {stddev, stddev, stddev}};
    ds.class_names = ds.name == "mnist" ? kMnistClasses : kFashionMnistClasses;
  } else if (ds.name == "cifar10") {
    ds.num_classes = 10;
    const fs::path dir = find_cifar_dir(resolve_dir(source), "cifar-10-batches-bin", "data_batch_1.bin", "CIFAR-10");
    ds.train = load_cifar_split(dir, {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                      "data_batch_4.bin", "data_batch_5.bin"}, 1, ds.num_classes, ds.name);
    ds.test = load_cifar_split(dir, {"test_batch.bin"}, 1, ds.num_classes, ds.name);
    ds.normalisation = {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
    ds.class_names = kCifar10Classes;
  } else if (ds.name == "cifar100") {
    ds.num_classes = 100;
    const fs::path dir = find_cifar_dir(resolve_dir(source), "cifar-100-binary", "train.bin", "CIFAR-100");
    ds.train = load_cifar_split(dir, {"train.bin"}, 2, ds.num_classes, ds.name);
    ds.test = load_cifar_split(dir, {"test.bin"}, 2, ds.num_classes, ds.name);
    ds.normalisation = {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};
  } else if (ds.name == "image-folder" || ds.name == "npy") {
    const bool folder = ds.name == "image-folder";
    const fs::path dir = resolve_dir(source);
    Dataset loaded = folder ? load_image_folder(dir) : load_npy_arrays(dir);
    loaded.name = ds.name;
    ds = std::move(loaded);
    check_same_image_shape(ds, folder ? dir / "test" : dir / "test_images.npy");
    ds.normalisation = training_normalisation(ds.train);
  } else {
    throw_unknown_dataset(ds.name);
  }
  return ds;
}

DatasetShape peek_dataset_shape(const DatasetSource& source) {
  const std::string& name = source.name;
  if (name == "fashion-mnist" || name == "mnist") return {1, 28, 28, 10};
  if (name == "cifar10") return {3, 32, 32, 10};
  if (name == "cifar100") return {3, 32, 32, 100};
  if (name == "image-folder") return peek_image_folder(resolve_dir(source));
  if (name == "npy") return peek_npy_arrays(resolve_dir(source));
  throw_unknown_dataset(name);
}

}  // namespace eccsim
