// Dataset readers: the real Fashion-MNIST files from the Debian package, and small IDX and
// CIFAR binary files written here to exercise plain/gzip input and every error path.
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include "models/data/dataset_tensors.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include "core/input_error.hpp"
#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::testing::TempDir;
using eccsim::DatasetSource;
using eccsim::InputError;
using eccsim::load_dataset;
using Catch::Matchers::Contains;

namespace {

const fs::path kFashionDir = "/usr/share/datasets/fashion-mnist";

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

void write_gz(const fs::path& path, const std::vector<uint8_t>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(f) == Z_OK);
}

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

std::vector<uint8_t> idx_images(uint32_t count, uint32_t h, uint32_t w, const std::vector<uint8_t>& pixels,
                                uint32_t magic = 0x803) {
  std::vector<uint8_t> out;
  put_u32(out, magic);
  put_u32(out, count);
  put_u32(out, h);
  put_u32(out, w);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

std::vector<uint8_t> idx_labels(uint32_t count, const std::vector<uint8_t>& labels, uint32_t magic = 0x801) {
  std::vector<uint8_t> out;
  put_u32(out, magic);
  put_u32(out, count);
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

// A tiny valid IDX dataset (n train, 2 test samples of 2x3 pixels), uncompressed.
void write_tiny_idx(const fs::path& dir, uint32_t n = 4) {
  std::vector<uint8_t> pixels(n * 6), labels(n);
  for (uint32_t i = 0; i < n * 6; ++i) pixels[i] = static_cast<uint8_t>(i);
  for (uint32_t i = 0; i < n; ++i) labels[i] = static_cast<uint8_t>(i % 10);
  write_bytes(dir / "train-images-idx3-ubyte", idx_images(n, 2, 3, pixels));
  write_bytes(dir / "train-labels-idx1-ubyte", idx_labels(n, labels));
  write_bytes(dir / "t10k-images-idx3-ubyte", idx_images(2, 2, 3, std::vector<uint8_t>(12, 7)));
  write_bytes(dir / "t10k-labels-idx1-ubyte", idx_labels(2, {3, 9}));
}

std::string load_error(const DatasetSource& source) {
  try {
    load_dataset(source);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("load_dataset did not throw InputError");
  return {};
}

const eccsim::Dataset& fashion() {
  static const eccsim::Dataset ds = load_dataset(DatasetSource{});
  return ds;
}

// CIFAR record: label bytes then 3072 pixels, pixel k of record r = (r * 7 + k) mod 256.
void append_cifar_record(std::vector<uint8_t>& out, const std::vector<uint8_t>& label_bytes, int r) {
  out.insert(out.end(), label_bytes.begin(), label_bytes.end());
  for (int k = 0; k < 3072; ++k) out.push_back(static_cast<uint8_t>((r * 7 + k) % 256));
}

void write_cifar10(const fs::path& dir, const std::vector<int>& batch_sizes, int test_records) {
  fs::create_directories(dir);
  int r = 0;
  for (size_t b = 0; b < batch_sizes.size(); ++b) {
    std::vector<uint8_t> bytes;
    for (int i = 0; i < batch_sizes[b]; ++i, ++r) append_cifar_record(bytes, {static_cast<uint8_t>(r % 10)}, r);
    write_bytes(dir / ("data_batch_" + std::to_string(b + 1) + ".bin"), bytes);
  }
  std::vector<uint8_t> test;
  for (int i = 0; i < test_records; ++i) append_cifar_record(test, {static_cast<uint8_t>(9 - i % 10)}, 1000 + i);
  write_bytes(dir / "test_batch.bin", test);
}

}  // namespace

TEST_CASE("real Fashion-MNIST loads from the Debian package", "[data]") {
  const auto& ds = fashion();
  CHECK(ds.name == "fashion-mnist");
  CHECK(ds.num_classes == 10);
  for (const auto* set : {&ds.train, &ds.test}) {
    CHECK(set->channels == 1);
    CHECK(set->height == 28);
    CHECK(set->width == 28);
    CHECK(set->pixels.size() == static_cast<size_t>(set->count) * 784);
    CHECK(set->labels.size() == static_cast<size_t>(set->count));
  }
  REQUIRE(ds.train.count == 60000);
  REQUIRE(ds.test.count == 10000);

  std::vector<int> train_per_class(10), test_per_class(10);
  for (int32_t l : ds.train.labels) {
    REQUIRE((l >= 0 && l < 10));
    ++train_per_class[static_cast<size_t>(l)];
  }
  for (int32_t l : ds.test.labels) {
    REQUIRE((l >= 0 && l < 10));
    ++test_per_class[static_cast<size_t>(l)];
  }
  CHECK(train_per_class == std::vector<int>(10, 6000));
  CHECK(test_per_class == std::vector<int>(10, 1000));

  // Facts measured independently (Python gzip + struct) on the package's files.
  CHECK(std::vector<int32_t>(ds.train.labels.begin(), ds.train.labels.begin() + 5) ==
        std::vector<int32_t>{9, 0, 0, 3, 0});
  CHECK(std::vector<int32_t>(ds.test.labels.begin(), ds.test.labels.begin() + 5) ==
        std::vector<int32_t>{9, 2, 1, 1, 6});
  CHECK(ds.train.pixels[14 * 28 + 14] == 217);
  CHECK(ds.test.pixels[14 * 28 + 14] == 110);
  int64_t sum0 = 0;
  for (int k = 0; k < 784; ++k) sum0 += ds.train.pixels[static_cast<size_t>(k)];
  CHECK(sum0 == 76247);

  // The normalisation mean is the training set's pixel mean.
  double total = 0;
  for (uint8_t p : ds.train.pixels) total += p;
  CHECK(total / static_cast<double>(ds.train.pixels.size()) / 255.0 == Approx(0.2860).margin(1e-4));
  CHECK(ds.normalisation.mean[0] == Approx(0.2860f));
  CHECK(ds.normalisation.std[0] == Approx(0.3530f));
}

TEST_CASE("IDX files are read uncompressed, gzip first when both exist", "[data]") {
  const auto& real = fashion();
  TempDir tmp;
  const uint32_t n = 100;
  const std::vector<uint8_t> pixels(real.train.pixels.begin(), real.train.pixels.begin() + n * 784);
  std::vector<uint8_t> labels;
  for (uint32_t i = 0; i < n; ++i) labels.push_back(static_cast<uint8_t>(real.train.labels[i]));
  write_bytes(tmp.path() / "train-images-idx3-ubyte", idx_images(n, 28, 28, pixels));
  write_bytes(tmp.path() / "train-labels-idx1-ubyte", idx_labels(n, labels));
  // The test split mixes plain and gzip-compressed files.
  fs::copy_file(kFashionDir / "t10k-images-idx3-ubyte.gz", tmp.path() / "t10k-images-idx3-ubyte.gz");
  write_bytes(tmp.path() / "t10k-labels-idx1-ubyte", read_bytes(kFashionDir / "t10k-labels-idx1-ubyte.gz"));
  write_gz(tmp.path() / "t10k-labels-idx1-ubyte.gz",
           idx_labels(10000, std::vector<uint8_t>(real.test.labels.begin(), real.test.labels.end())));

  SECTION("as fashion-mnist") {
    const auto ds = load_dataset({"fashion-mnist", tmp.path()});
    CHECK(ds.train.count == n);
    CHECK(ds.train.pixels == pixels);
    CHECK(std::vector<int32_t>(ds.train.labels) ==
          std::vector<int32_t>(real.train.labels.begin(), real.train.labels.begin() + n));
    CHECK(ds.test.count == 10000);
    CHECK(ds.test.labels == real.test.labels);   // the .gz was chosen over the (garbage) plain file
  }
  SECTION("as mnist, with MNIST's normalisation") {
    const auto ds = load_dataset({"mnist", tmp.path()});
    CHECK(ds.num_classes == 10);
    CHECK(ds.train.pixels == pixels);
    CHECK(ds.normalisation.mean[0] == Approx(0.1307f));
    CHECK(ds.normalisation.std[0] == Approx(0.3081f));
  }
}

TEST_CASE("IDX errors name the file and the problem", "[data]") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  write_tiny_idx(dir);

  SECTION("truncated labels") {
    std::vector<uint8_t> bytes = idx_labels(60000, std::vector<uint8_t>(992, 1));
    write_bytes(dir / "train-labels-idx1-ubyte", bytes);
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "train-labels-idx1-ubyte").string() + ": truncated: expected 60008 bytes, got 1000");
  }
  SECTION("truncated images") {
    auto bytes = idx_images(4, 2, 3, std::vector<uint8_t>(23, 0));
    write_bytes(dir / "train-images-idx3-ubyte", bytes);
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "train-images-idx3-ubyte").string() + ": truncated: expected 40 bytes, got 39");
  }
  SECTION("truncated header") {
    write_bytes(dir / "train-images-idx3-ubyte", {0, 0, 8, 3, 0});
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "train-images-idx3-ubyte").string() + ": truncated: expected a 16-byte IDX header, got 5 bytes");
  }
  SECTION("gzip stream cut short") {
    fs::remove(dir / "train-labels-idx1-ubyte");
    const auto gz = read_bytes(kFashionDir / "train-labels-idx1-ubyte.gz");
    write_bytes(dir / "train-labels-idx1-ubyte.gz", std::vector<uint8_t>(gz.begin(), gz.begin() + gz.size() / 2));
    const std::string msg = load_error({"fashion-mnist", dir});
    CHECK_THAT(msg, Contains((dir / "train-labels-idx1-ubyte.gz").string() + ": truncated: expected 60008 bytes"));
    CHECK_THAT(msg, Contains("compressed stream ends early"));
  }
  SECTION("corrupt gzip data") {
    fs::remove(dir / "train-labels-idx1-ubyte");
    auto gz = read_bytes(kFashionDir / "train-labels-idx1-ubyte.gz");
    for (size_t i = gz.size() / 2; i < gz.size() / 2 + 64; ++i) gz[i] = static_cast<uint8_t>(gz[i] ^ 0x5a);
    write_bytes(dir / "train-labels-idx1-ubyte.gz", gz);
    CHECK_THAT(load_error({"fashion-mnist", dir}), Contains((dir / "train-labels-idx1-ubyte.gz").string() +
                                                            ": read error: "));
  }
  SECTION("wrong magic") {
    write_bytes(dir / "train-images-idx3-ubyte", idx_images(4, 2, 3, std::vector<uint8_t>(24, 0), 0x801));
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "train-images-idx3-ubyte").string() +
              ": bad magic number 0x00000801, expected 0x00000803 (IDX unsigned-byte images)");
  }
  SECTION("labels file given as images") {
    fs::copy_file(dir / "train-labels-idx1-ubyte", dir / "train-images-idx3-ubyte",
                  fs::copy_options::overwrite_existing);
    CHECK_THAT(load_error({"fashion-mnist", dir}), Contains("bad magic number 0x00000801"));
  }
  SECTION("label out of range") {
    write_bytes(dir / "train-labels-idx1-ubyte", idx_labels(4, {0, 1, 2, 10}));
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "train-labels-idx1-ubyte").string() + ": label 10 of sample 3 out of range 0..9 for fashion-mnist");
  }
  SECTION("count mismatch") {
    write_bytes(dir / "t10k-labels-idx1-ubyte", idx_labels(3, {1, 2, 3}));
    CHECK(load_error({"fashion-mnist", dir}) == (dir / "t10k-labels-idx1-ubyte").string() + ": 3 labels but " +
                                                    (dir / "t10k-images-idx3-ubyte").string() + " holds 2 images");
  }
  SECTION("zero dimension") {
    write_bytes(dir / "train-images-idx3-ubyte", idx_images(4, 0, 3, {}));
    CHECK_THAT(load_error({"fashion-mnist", dir}), Contains("implausible dimension 1 = 0"));
  }
  SECTION("huge header claim does not allocate it") {
    write_bytes(dir / "train-images-idx3-ubyte", idx_images(0x7fffffff, 8192, 4096, std::vector<uint8_t>(10, 0)));
    CHECK_THAT(load_error({"fashion-mnist", dir}), Contains("implausible image size 8192x4096"));
    write_bytes(dir / "train-images-idx3-ubyte", idx_images(0x7fffffff, 28, 28, std::vector<uint8_t>(10, 0)));
    CHECK_THAT(load_error({"fashion-mnist", dir}), Contains("truncated: expected 1683627179264 bytes, got 26"));
  }
  SECTION("trailing data") {
    write_bytes(dir / "t10k-labels-idx1-ubyte", idx_labels(2, {3, 9, 4}));
    CHECK(load_error({"fashion-mnist", dir}) == (dir / "t10k-labels-idx1-ubyte").string() +
                                                    ": unexpected data after the 10 bytes the IDX header announces");
  }
  SECTION("test images of another size") {
    write_bytes(dir / "t10k-images-idx3-ubyte", idx_images(2, 3, 2, std::vector<uint8_t>(12, 0)));
    CHECK(load_error({"fashion-mnist", dir}) ==
          (dir / "t10k-images-idx3-ubyte").string() + ": test images are 3x2 but training images are 2x3");
  }
  SECTION("missing file") {
    fs::remove(dir / "t10k-labels-idx1-ubyte");
    CHECK(load_error({"mnist", dir}) == (dir / "t10k-labels-idx1-ubyte.gz").string() + ": not found (nor " +
                                            (dir / "t10k-labels-idx1-ubyte").string() + ")");
  }
  SECTION("the tiny set itself is valid") {
    const auto ds = load_dataset({"fashion-mnist", dir});
    CHECK(ds.train.count == 4);
    CHECK(ds.train.height == 2);
    CHECK(ds.train.width == 3);
    CHECK(ds.train.pixels[23] == 23);
    CHECK(ds.test.labels == std::vector<int32_t>{3, 9});
  }
}

TEST_CASE("missing directories and unknown names explain what to do", "[data]") {
  TempDir tmp;
  const fs::path missing = tmp.path() / "nope";
  CHECK(load_error({"fashion-mnist", missing}) ==
        "fashion-mnist: data directory " + missing.string() +
            " not found (install the Debian package dataset-fashion-mnist, or fix dataset.path)");
  CHECK(load_error({"cifar10", missing}) == "cifar10: data directory " + missing.string() + " not found (fix dataset.path)");

  write_bytes(tmp.path() / "file", {1});
  CHECK_THAT(load_error({"mnist", tmp.path() / "file"}), Contains("is not a directory"));

  CHECK_THAT(load_error({"cifar10", {}}), Contains("cifar10: no Debian package ships this dataset; set dataset.path"));
  CHECK_THAT(load_error({"cifar100", {}}), Contains("train.bin, test.bin"));
  if (!fs::exists("/usr/share/datasets/mnist")) {
    CHECK_THAT(load_error({"mnist", {}}),
               Contains("mnist: data directory /usr/share/datasets/mnist not found (set dataset.path"));
  }
  CHECK(load_error({"imagenet", {}}) ==
        "dataset.name: unknown dataset 'imagenet' (one of fashion-mnist, mnist, cifar10, cifar100, image-folder, npy)");
}

TEST_CASE("CIFAR-10 binary batches", "[data]") {
  TempDir tmp;

  SECTION("any whole number of records, in dir or in cifar-10-batches-bin") {
    const bool nested = GENERATE(false, true);
    const fs::path dir = nested ? tmp.path() / "cifar-10-batches-bin" : tmp.path();
    write_cifar10(dir, {3, 2, 1, 1, 1}, 2);
    const auto ds = load_dataset({"cifar10", tmp.path()});
    CHECK(ds.num_classes == 10);
    REQUIRE(ds.train.count == 8);
    REQUIRE(ds.test.count == 2);
    CHECK(ds.train.channels == 3);
    CHECK(ds.train.height == 32);
    CHECK(ds.train.width == 32);
    CHECK(ds.train.labels == std::vector<int32_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(ds.test.labels == std::vector<int32_t>{9, 8});
    REQUIRE(ds.train.pixels.size() == 8u * 3072);
    CHECK(ds.train.pixels[5 * 3072 + 1024] == (5 * 7 + 1024) % 256);   // record 5 (batch 2), green plane start
    CHECK(ds.test.pixels[3072 + 3071] == (1001 * 7 + 3071) % 256);
    CHECK(ds.normalisation.mean == std::array<float, 3>{0.4914f, 0.4822f, 0.4465f});
    CHECK(ds.normalisation.std == std::array<float, 3>{0.2470f, 0.2435f, 0.2616f});
  }
  SECTION("partial record is truncated") {
    write_cifar10(tmp.path(), {2, 1, 1, 1, 1}, 1);
    auto bytes = read_bytes(tmp.path() / "data_batch_3.bin");
    bytes.push_back(4);
    write_bytes(tmp.path() / "data_batch_3.bin", bytes);
    CHECK(load_error({"cifar10", tmp.path()}) ==
          (tmp.path() / "data_batch_3.bin").string() +
              ": truncated: expected a multiple of 3073 bytes (1 label byte + 3072 pixels per record), "
              "got 3074");
  }
  SECTION("label out of range") {
    write_cifar10(tmp.path(), {1, 1, 1, 1, 1}, 1);
    std::vector<uint8_t> bytes;
    append_cifar_record(bytes, {1}, 0);
    append_cifar_record(bytes, {10}, 1);
    write_bytes(tmp.path() / "test_batch.bin", bytes);
    CHECK(load_error({"cifar10", tmp.path()}) ==
          (tmp.path() / "test_batch.bin").string() + ": label 10 of record 1 out of range 0..9 for cifar10");
  }
  SECTION("missing batch") {
    write_cifar10(tmp.path(), {1, 1, 1, 1}, 1);
    CHECK(load_error({"cifar10", tmp.path()}) == (tmp.path() / "data_batch_5.bin").string() + ": not found");
  }
  SECTION("empty batch") {
    write_cifar10(tmp.path(), {1, 1, 1, 1, 1}, 0);
    CHECK_THAT(load_error({"cifar10", tmp.path()}), Contains("test_batch.bin: empty file"));
  }
  SECTION("no batches at all") {
    CHECK(load_error({"cifar10", tmp.path()}) ==
          (tmp.path() / "data_batch_1.bin").string() + ": not found (nor " +
              (tmp.path() / "cifar-10-batches-bin" / "data_batch_1.bin").string() +
              "; expected the CIFAR-10 binary version)");
  }
}

TEST_CASE("CIFAR-100 binary files use the fine label", "[data]") {
  TempDir tmp;
  const fs::path dir = tmp.path() / "cifar-100-binary";
  fs::create_directories(dir);
  std::vector<uint8_t> train, test;
  append_cifar_record(train, {3, 99}, 0);
  append_cifar_record(train, {19, 0}, 1);
  append_cifar_record(train, {0, 42}, 2);
  append_cifar_record(test, {7, 57}, 3);
  write_bytes(dir / "train.bin", train);
  write_bytes(dir / "test.bin", test);

  SECTION("valid") {
    const auto ds = load_dataset({"cifar100", tmp.path()});
    CHECK(ds.num_classes == 100);
    CHECK(ds.train.count == 3);
    CHECK(ds.train.labels == std::vector<int32_t>{99, 0, 42});
    CHECK(ds.test.labels == std::vector<int32_t>{57});
    CHECK(ds.train.pixels[2 * 3072] == 14);
    CHECK(ds.normalisation.mean[2] == Approx(0.4409f));
    CHECK(ds.normalisation.std[1] == Approx(0.2564f));
  }
  SECTION("fine label out of range") {
    append_cifar_record(test, {7, 100}, 4);
    write_bytes(dir / "test.bin", test);
    CHECK(load_error({"cifar100", tmp.path()}) ==
          (dir / "test.bin").string() + ": label 100 of record 1 out of range 0..99 for cifar100");
  }
  SECTION("coarse label out of range") {
    append_cifar_record(train, {20, 1}, 4);
    write_bytes(dir / "train.bin", train);
    CHECK(load_error({"cifar100", tmp.path()}) ==
          (dir / "train.bin").string() + ": coarse label 20 of record 3 out of range 0..19");
  }
  SECTION("partial record") {
    train.resize(train.size() - 3000);
    write_bytes(dir / "train.bin", train);
    CHECK_THAT(load_error({"cifar100", tmp.path()}),
               Contains("train.bin: truncated: expected a multiple of 3074 bytes (2 label bytes + 3072 pixels"));
  }
}

TEST_CASE("images and labels become normalised tensors", "[data]") {
  eccsim::ImageSet set;
  set.count = 3;
  set.channels = 3;
  set.height = 1;
  set.width = 2;
  set.pixels = {0, 255, 0, 255, 0, 255,      // sample 0: each channel 0 then 255
                10, 20, 30, 40, 50, 60,      // sample 1
                255, 255, 255, 255, 255, 255};
  set.labels = {4, 7, 1};
  const eccsim::Normalisation norm{{0.5f, 0.25f, 0.f}, {0.5f, 0.25f, 2.f}};

  const torch::Tensor x = eccsim::images_to_tensor(set, norm, {1, 0});
  REQUIRE(x.sizes() == torch::IntArrayRef({2, 3, 1, 2}));
  CHECK(x.dtype() == torch::kFloat32);
  CHECK(x[1][0][0][0].item<float>() == Approx(-1.f));          // (0 - 0.5) / 0.5
  CHECK(x[1][0][0][1].item<float>() == Approx(1.f));           // (1 - 0.5) / 0.5
  CHECK(x[1][1][0][0].item<float>() == Approx(-1.f));          // (0 - 0.25) / 0.25
  CHECK(x[1][1][0][1].item<float>() == Approx(3.f));           // (1 - 0.25) / 0.25
  CHECK(x[1][2][0][1].item<float>() == Approx(0.5f));          // (1 - 0) / 2
  CHECK(x[0][2][0][1].item<float>() == Approx((60 / 255.f) / 2.f));

  CHECK(eccsim::labels_to_tensor(set, {2, 0}).equal(torch::tensor({1, 4}, torch::kInt64)));
  CHECK(eccsim::all_indices(set) == std::vector<int64_t>{0, 1, 2});
  CHECK_THROWS_AS(eccsim::images_to_tensor(set, norm, {3}), std::out_of_range);
  CHECK(eccsim::images_to_tensor(set, norm, {}).size(0) == 0);

  SECTION("re-indexed labels follow the split") {
    const auto split = eccsim::make_task_split({10, 5, 0, 7, {}});
    const torch::Tensor y = eccsim::labels_to_tensor(set, {0, 1, 2}, split);
    CHECK(y[0].item<int64_t>() == split.new_label_of[4]);
    CHECK(y[1].item<int64_t>() == split.new_label_of[7]);
    CHECK(y[2].item<int64_t>() == split.new_label_of[1]);
  }
  SECTION("real Fashion-MNIST normalises to about zero mean, unit std") {
    const auto& ds = fashion();
    std::vector<int64_t> every_tenth;
    for (int64_t i = 0; i < ds.train.count; i += 10) every_tenth.push_back(i);
    const torch::Tensor t = eccsim::images_to_tensor(ds.train, ds.normalisation, every_tenth);
    CHECK(t.sizes() == torch::IntArrayRef({6000, 1, 28, 28}));
    CHECK(t.mean().item<double>() == Approx(0.0).margin(0.02));
    CHECK(t.std().item<double>() == Approx(1.0).margin(0.02));
  }
}
