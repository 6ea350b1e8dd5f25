// The image-folder and npy dataset formats: tiny datasets written here with stb_image_write and a
// hand-built .npy writer, checked for exact round trips, class order, channel conversion,
// normalisation and every error message; plus a round trip of real Fashion-MNIST test images.
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/input_error.hpp"
#include "models/data/dataset.hpp"
#include "tests/support/dataset_files.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::Dataset;
using eccsim::DatasetSource;
using eccsim::load_dataset;
using eccsim::testing::input_error_of;
using eccsim::testing::label_bytes;
using eccsim::testing::npy;
using eccsim::testing::NpyOptions;
using eccsim::testing::write_bytes;
using eccsim::testing::TempDir;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::vector<uint8_t> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An image as stb takes it: height x width x components, interleaved.
struct Hwc {
  int width = 0;
  int height = 0;
  int components = 0;
  std::vector<uint8_t> data;
};

// Pixel (y, x, c) = (seed + 37 y + 11 x + 101 c) mod 256: distinct enough to catch any transposition.
Hwc pattern(int width, int height, int components, int seed) {
  Hwc img{width, height, components, {}};
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      for (int c = 0; c < components; ++c) {
        img.data.push_back(static_cast<uint8_t>((seed + 37 * y + 11 * x + 101 * c) % 256));
      }
    }
  }
  return img;
}

// The same image as ImageSet stores it: C x H x W.
std::vector<uint8_t> chw(const Hwc& img) {
  std::vector<uint8_t> out(img.data.size());
  const int plane = img.width * img.height;
  for (int p = 0; p < plane; ++p) {
    for (int c = 0; c < img.components; ++c) {
      out[static_cast<size_t>(c * plane + p)] = img.data[static_cast<size_t>(p * img.components + c)];
    }
  }
  return out;
}

// A binary PGM (P5, one component) or PPM (P6, three), as stb reads them.
void write_pnm(const fs::path& path, const Hwc& img) {
  const std::string header = std::string(img.components == 1 ? "P5" : "P6") + "\n" + std::to_string(img.width) +
                             " " + std::to_string(img.height) + "\n255\n";
  std::vector<uint8_t> bytes(header.begin(), header.end());
  bytes.insert(bytes.end(), img.data.begin(), img.data.end());
  write_bytes(path, bytes);
}

std::string load_error(const DatasetSource& source) {
  return input_error_of([&] { load_dataset(source); });
}

void write_png(const fs::path& path, const Hwc& img) {
  eccsim::testing::write_png(path, img.width, img.height, img.components, img.data);
}

// A valid npy dataset: 4 train and 2 test images of 2x3 gray pixels, labels 0 1 2 1 / 2 0 as '<i8'.
void write_tiny_npy(const fs::path& dir) {
  std::vector<uint8_t> train(24), test(12);
  std::iota(train.begin(), train.end(), uint8_t{0});
  std::iota(test.begin(), test.end(), uint8_t{100});
  write_bytes(dir / "train_images.npy", npy("|u1", {4, 2, 3}, train));
  write_bytes(dir / "train_labels.npy", npy("<i8", {4}, label_bytes({0, 1, 2, 1}, 8)));
  write_bytes(dir / "test_images.npy", npy("|u1", {2, 2, 3}, test));
  write_bytes(dir / "test_labels.npy", npy("<i8", {2}, label_bytes({2, 0}, 8)));
}

}  // namespace


TEST_CASE("image-folder: gray PNGs round-trip, classes and files in byte order", "[dataset]") {
  TempDir tmp;
  const fs::path root = tmp.path();
  // Class ids follow std::string order: "Zebra" < "a_dog" < "b_cat"; files too: "10.png" < "2.png" < "X.PNG".
  const Hwc zebra10 = pattern(4, 3, 1, 1), zebra2 = pattern(4, 3, 1, 2), dog = pattern(4, 3, 1, 3);
  const Hwc cat_upper = pattern(4, 3, 1, 4), test_dog = pattern(4, 3, 1, 5), test_cat = pattern(4, 3, 1, 6);
  write_png(root / "train" / "Zebra" / "2.png", zebra2);
  write_png(root / "train" / "Zebra" / "10.png", zebra10);
  write_png(root / "train" / "a_dog" / "x.png", dog);
  write_png(root / "train" / "b_cat" / "X.PNG", cat_upper);
  write_png(root / "test" / "a_dog" / "t.png", test_dog);
  write_png(root / "test" / "b_cat" / "t.png", test_cat);
  fs::create_directories(root / "test" / "Zebra");   // a class may have no test image
  // Skipped: other extensions, hidden files and directories, subdirectories of a class.
  write_bytes(root / "train" / "a_dog" / "notes.txt", {1, 2, 3});
  write_bytes(root / "train" / "a_dog" / ".hidden.png", {1, 2, 3});
  write_bytes(root / "train" / ".ipynb_checkpoints" / "a.png", {1, 2, 3});
  write_bytes(root / "train" / "a_dog" / "sub" / "y.png", {1, 2, 3});
  write_bytes(root / "train" / "README", {1});

  const Dataset ds = load_dataset({"image-folder", root});
  CHECK(ds.name == "image-folder");
  CHECK(ds.num_classes == 3);
  CHECK(ds.class_names == std::vector<std::string>{"Zebra", "a_dog", "b_cat"});
  CHECK(ds.train.channels == 1);
  CHECK(ds.train.height == 3);
  CHECK(ds.train.width == 4);
  REQUIRE(ds.train.count == 4);
  CHECK(ds.train.labels == std::vector<int32_t>{0, 0, 1, 2});
  std::vector<uint8_t> expected;
  for (const Hwc* img : {&zebra10, &zebra2, &dog, &cat_upper}) {
    expected.insert(expected.end(), img->data.begin(), img->data.end());
  }
  CHECK(ds.train.pixels == expected);
  REQUIRE(ds.test.count == 2);
  CHECK(ds.test.labels == std::vector<int32_t>{1, 2});
  CHECK(ds.test.channels == 1);
  expected = test_dog.data;
  expected.insert(expected.end(), test_cat.data.begin(), test_cat.data.end());
  CHECK(ds.test.pixels == expected);
}

TEST_CASE("image-folder: RGB PNGs are stored channel-planar (CHW)", "[dataset]") {
  TempDir tmp;
  const Hwc a = pattern(5, 2, 3, 10), b = pattern(5, 2, 3, 20), t = pattern(5, 2, 3, 30);
  write_png(tmp.path() / "train" / "a" / "0.png", a);
  write_png(tmp.path() / "train" / "b" / "0.png", b);
  write_png(tmp.path() / "test" / "b" / "0.png", t);
  fs::create_directories(tmp.path() / "test" / "a");

  const Dataset ds = load_dataset({"image-folder", tmp.path()});
  CHECK(ds.train.channels == 3);
  CHECK(ds.train.height == 2);
  CHECK(ds.train.width == 5);
  std::vector<uint8_t> expected = chw(a);
  const auto chw_b = chw(b);
  expected.insert(expected.end(), chw_b.begin(), chw_b.end());
  CHECK(ds.train.pixels == expected);
  CHECK(ds.train.pixels[10] == a.data[1]);   // green plane starts after 5 x 2 red pixels
  CHECK(ds.test.pixels == chw(t));
  CHECK(ds.test.labels == std::vector<int32_t>{1});
}

TEST_CASE("image-folder: the first training image fixes the channels, stb converts the rest", "[dataset]") {
  TempDir tmp;
  const fs::path root = tmp.path();
  const Hwc red{1, 1, 3, {255, 0, 0}};
  const Hwc rgb{1, 1, 3, {10, 200, 30}};

  SECTION("gray first: RGB images become luminance, gray+alpha loses its alpha") {
    write_png(root / "train" / "a" / "0.png", Hwc{1, 1, 1, {77}});
    write_png(root / "train" / "a" / "1.png", rgb);
    write_png(root / "train" / "a" / "2.png", Hwc{1, 1, 2, {99, 5}});
    write_png(root / "test" / "a" / "0.png", red);
    const Dataset ds = load_dataset({"image-folder", root});
    CHECK(ds.train.channels == 1);
    // stb's luminance: (77 r + 150 g + 29 b) >> 8.
    CHECK(ds.train.pixels == std::vector<uint8_t>{77, (10 * 77 + 200 * 150 + 30 * 29) >> 8, 99});
    CHECK(ds.test.pixels == std::vector<uint8_t>{(255 * 77) >> 8});
  }
  SECTION("gray+alpha first: one channel") {
    write_png(root / "train" / "a" / "0.png", Hwc{1, 1, 2, {40, 0}});
    write_png(root / "test" / "a" / "0.png", rgb);
    const Dataset ds = load_dataset({"image-folder", root});
    CHECK(ds.train.channels == 1);
    CHECK(ds.train.pixels == std::vector<uint8_t>{40});
  }
  SECTION("RGB first: gray images are repeated into three channels") {
    write_png(root / "train" / "a" / "0.png", rgb);
    write_png(root / "train" / "a" / "1.png", Hwc{1, 1, 1, {123}});
    write_png(root / "test" / "a" / "0.png", Hwc{1, 1, 2, {50, 7}});
    const Dataset ds = load_dataset({"image-folder", root});
    CHECK(ds.train.channels == 3);
    CHECK(ds.train.pixels == std::vector<uint8_t>{10, 200, 30, 123, 123, 123});
    CHECK(ds.test.pixels == std::vector<uint8_t>{50, 50, 50});
  }
  SECTION("RGBA first: three channels, alpha dropped") {
    write_png(root / "train" / "a" / "0.png", Hwc{2, 1, 4, {1, 2, 3, 4, 5, 6, 7, 8}});
    write_png(root / "test" / "a" / "0.png", Hwc{2, 1, 4, {9, 10, 11, 0, 13, 14, 15, 255}});
    const Dataset ds = load_dataset({"image-folder", root});
    CHECK(ds.train.channels == 3);
    CHECK(ds.train.pixels == std::vector<uint8_t>{1, 5, 2, 6, 3, 7});
    CHECK(ds.test.pixels == std::vector<uint8_t>{9, 13, 10, 14, 11, 15});
  }
}

TEST_CASE("image-folder: BMP, PGM, PPM and JPEG files decode", "[dataset]") {
  TempDir tmp;
  const fs::path root = tmp.path();
  const Hwc a = pattern(8, 8, 3, 1), b = pattern(8, 8, 3, 2), gray = pattern(8, 8, 1, 3);
  fs::create_directories(root / "train" / "c");
  fs::create_directories(root / "test" / "c");
  REQUIRE(stbi_write_bmp((root / "train" / "c" / "0.bmp").c_str(), 8, 8, 3, a.data.data()) != 0);
  write_pnm(root / "train" / "c" / "1.ppm", b);
  write_pnm(root / "train" / "c" / "2.Pgm", gray);
  // A flat JPEG at quality 100 decodes to within a step or two of its value.
  const Hwc flat{8, 8, 3, std::vector<uint8_t>(192, 0)};
  Hwc jpeg_source = flat;
  for (size_t i = 0; i < jpeg_source.data.size(); i += 3) {
    jpeg_source.data[i] = 200;
    jpeg_source.data[i + 1] = 100;
    jpeg_source.data[i + 2] = 50;
  }
  REQUIRE(stbi_write_jpg((root / "test" / "c" / "0.JPEG").c_str(), 8, 8, 3, jpeg_source.data.data(), 100) != 0);
  fs::copy_file(root / "test" / "c" / "0.JPEG", root / "test" / "c" / "1.jpg");

  const Dataset ds = load_dataset({"image-folder", root});
  REQUIRE(ds.train.count == 3);
  REQUIRE(ds.train.channels == 3);
  const auto chw_a = chw(a), chw_b = chw(b);
  CHECK(std::vector<uint8_t>(ds.train.pixels.begin(), ds.train.pixels.begin() + 192) == chw_a);
  CHECK(std::vector<uint8_t>(ds.train.pixels.begin() + 192, ds.train.pixels.begin() + 384) == chw_b);
  for (int c = 0; c < 3; ++c) {   // the PGM's gray repeated into each plane
    CHECK(std::vector<uint8_t>(ds.train.pixels.begin() + 384 + 64 * c, ds.train.pixels.begin() + 448 + 64 * c) ==
          gray.data);
  }
  REQUIRE(ds.test.count == 2);
  const int expected[3] = {200, 100, 50};
  for (int64_t k = 0; k < ds.test.count * 192; ++k) {
    const int want = expected[(k % 192) / 64];
    REQUIRE(std::abs(ds.test.pixels[static_cast<size_t>(k)] - want) <= 3);
  }
}

TEST_CASE("image-folder errors name the file or directory", "[dataset]") {
  TempDir tmp;
  const fs::path root = tmp.path();
  const Hwc img = pattern(28, 28, 1, 0);
  write_png(root / "train" / "a" / "0.png", img);
  write_png(root / "train" / "b" / "0.png", img);
  write_png(root / "test" / "a" / "0.png", img);
  write_png(root / "test" / "b" / "0.png", img);
  REQUIRE(load_dataset({"image-folder", root}).train.count == 2);

  SECTION("an image of another size") {
    write_png(root / "test" / "b" / "1.png", pattern(32, 30, 1, 0));
    CHECK(load_error({"image-folder", root}) ==
          (root / "test" / "b" / "1.png").string() + ": 32x30 image, the dataset's images are 28x28");
  }
  SECTION("an undecodable file") {
    write_bytes(root / "train" / "b" / "1.jpg", std::vector<uint8_t>(100, 0x42));
    CHECK(load_error({"image-folder", root}) ==
          (root / "train" / "b" / "1.jpg").string() + ": cannot decode: unknown image type");
  }
  SECTION("a truncated PNG") {
    const auto bytes = read_bytes(root / "train" / "a" / "0.png");
    write_bytes(root / "test" / "a" / "1.png", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 60));
    CHECK_THAT(load_error({"image-folder", root}), StartsWith((root / "test" / "a" / "1.png").string() +
                                                              ": cannot decode: "));
  }
  SECTION("a PNG cut right after its size: stb's decoder sets no reason of its own") {
    const auto bytes = read_bytes(root / "train" / "a" / "0.png");
    write_bytes(root / "test" / "b" / "1.png", std::vector<uint8_t>(bytes.begin(), bytes.begin() + 25));
    CHECK(load_error({"image-folder", root}) ==
          (root / "test" / "b" / "1.png").string() + ": cannot decode: corrupt or truncated image data");
  }
  SECTION("an empty image file") {
    write_bytes(root / "train" / "a" / "1.png", {});
    CHECK(load_error({"image-folder", root}) ==
          (root / "train" / "a" / "1.png").string() + ": cannot decode: empty file");
  }
  SECTION("a class missing from test") {
    write_png(root / "train" / "c" / "0.png", img);
    write_png(root / "train" / "d" / "0.png", img);
    CHECK(load_error({"image-folder", root}) ==
          (root / "test").string() + ": no class directory 'c' (" + (root / "train").string() +
              " has one; train and test need the same classes)");
  }
  SECTION("a class only in test") {
    write_png(root / "test" / "B" / "0.png", img);
    CHECK(load_error({"image-folder", root}) ==
          (root / "train").string() + ": no class directory 'B' (" + (root / "test").string() +
              " has one; train and test need the same classes)");
  }
  SECTION("a class without a training image") {
    fs::remove(root / "train" / "b" / "0.png");
    write_bytes(root / "train" / "b" / "0.txt", {1});
    CHECK(load_error({"image-folder", root}) ==
          (root / "train" / "b").string() +
              ": no image files (.png, .jpg, .jpeg, .bmp, .pgm, .ppm); every class needs a training image");
  }
  SECTION("no test image at all") {
    fs::remove(root / "test" / "a" / "0.png");
    fs::remove(root / "test" / "b" / "0.png");
    CHECK(load_error({"image-folder", root}) ==
          (root / "test").string() + ": no image files (.png, .jpg, .jpeg, .bmp, .pgm, .ppm) in any class directory");
  }
  SECTION("no class directories") {
    fs::remove_all(root / "train");
    fs::create_directories(root / "train");
    CHECK(load_error({"image-folder", root}) == (root / "train").string() + ": no class directories (image-folder "
                                                                            "expects " +
                                                    (root / "train").string() + "/<class>/<image>)");
  }
  SECTION("no test directory") {
    fs::remove_all(root / "test");
    CHECK(load_error({"image-folder", root}) ==
          (root / "test").string() + ": not found (image-folder expects " + root.string() +
              "/train/<class>/<image> and " + root.string() + "/test/<class>/<image>)");
  }
  SECTION("train is a file") {
    fs::remove_all(root / "train");
    write_bytes(root / "train", {1});
    CHECK_THAT(load_error({"image-folder", root}), StartsWith((root / "train").string() + ": not a directory"));
  }
  SECTION("no path, a missing path") {
    CHECK(load_error({"image-folder", {}}) ==
          "dataset.path: image-folder needs a path (a directory with train/ and test/)");
    CHECK(load_error({"image-folder", root / "nope"}) ==
          "image-folder: data directory " + (root / "nope").string() + " not found (fix dataset.path)");
  }
}

TEST_CASE("npy: pixels and labels round-trip for every label dtype", "[dataset]") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  write_tiny_npy(dir);
  const auto [descr, bytes] = GENERATE(table<std::string, int>({{"|u1", 1}, {"|i1", 1}, {"<i2", 2}, {"<u2", 2},
                                                                {"<i4", 4}, {"<u4", 4}, {"<i8", 8}, {"<u8", 8}}));
  CAPTURE(descr);
  write_bytes(dir / "train_labels.npy", npy(descr, {4}, label_bytes({0, 1, 2, 1}, bytes)));

  const Dataset ds = load_dataset({"npy", dir});
  CHECK(ds.name == "npy");
  CHECK(ds.num_classes == 3);
  CHECK(ds.class_names.empty());
  CHECK(ds.train.count == 4);
  CHECK(ds.train.channels == 1);
  CHECK(ds.train.height == 2);
  CHECK(ds.train.width == 3);
  std::vector<uint8_t> train(24), test(12);
  std::iota(train.begin(), train.end(), uint8_t{0});
  std::iota(test.begin(), test.end(), uint8_t{100});
  CHECK(ds.train.pixels == train);
  CHECK(ds.train.labels == std::vector<int32_t>{0, 1, 2, 1});
  CHECK(ds.test.pixels == test);
  CHECK(ds.test.labels == std::vector<int32_t>{2, 0});
}

TEST_CASE("npy: channels-last images become CHW; (N, H, W, 1) is gray", "[dataset]") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  write_tiny_npy(dir);

  SECTION("(N, H, W, 3)") {
    const Hwc a = pattern(3, 2, 3, 7), b = pattern(3, 2, 3, 8), t = pattern(3, 2, 3, 9);
    std::vector<uint8_t> hwc = a.data;
    hwc.insert(hwc.end(), b.data.begin(), b.data.end());
    write_bytes(dir / "train_images.npy", npy("|u1", {2, 2, 3, 3}, hwc));
    write_bytes(dir / "train_labels.npy", npy("|u1", {2}, {1, 0}));
    write_bytes(dir / "test_images.npy", npy("|u1", {1, 2, 3, 3}, t.data));
    write_bytes(dir / "test_labels.npy", npy("|u1", {1}, {1}));
    const Dataset ds = load_dataset({"npy", dir});
    CHECK(ds.train.channels == 3);
    CHECK(ds.train.height == 2);
    CHECK(ds.train.width == 3);
    std::vector<uint8_t> expected = chw(a);
    const auto chw_b = chw(b);
    expected.insert(expected.end(), chw_b.begin(), chw_b.end());
    CHECK(ds.train.pixels == expected);
    CHECK(ds.test.pixels == chw(t));
    CHECK(ds.num_classes == 2);
  }
  SECTION("(N, H, W, 1)") {
    std::vector<uint8_t> train(24);
    std::iota(train.begin(), train.end(), uint8_t{50});
    write_bytes(dir / "train_images.npy", npy("|u1", {4, 2, 3, 1}, train));
    const Dataset ds = load_dataset({"npy", dir});
    CHECK(ds.train.channels == 1);
    CHECK(ds.train.pixels == train);
  }
}

TEST_CASE("npy: format versions 2.0 and 3.0 (4-byte header length) read like 1.0", "[dataset]") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  write_tiny_npy(dir);
  const int major = GENERATE(2, 3);
  std::vector<uint8_t> train(24);
  std::iota(train.begin(), train.end(), uint8_t{0});
  write_bytes(dir / "train_images.npy", npy("|u1", {4, 2, 3}, train, {major, false}));
  write_bytes(dir / "test_labels.npy", npy("<i8", {2}, label_bytes({2, 0}, 8), {major, false}));
  const auto bytes = read_bytes(dir / "train_images.npy");
  REQUIRE(bytes[6] == major);
  REQUIRE((bytes.size() - 24) % 64 == 0);

  const Dataset ds = load_dataset({"npy", dir});
  CHECK(ds.train.pixels == train);
  CHECK(ds.test.labels == std::vector<int32_t>{2, 0});
}

TEST_CASE("npy errors name the file and what was expected", "[dataset]") {
  TempDir tmp;
  const fs::path dir = tmp.path();
  write_tiny_npy(dir);
  REQUIRE(load_dataset({"npy", dir}).num_classes == 3);
  const std::string train_images = (dir / "train_images.npy").string();
  const std::string train_labels = (dir / "train_labels.npy").string();
  const std::string test_images = (dir / "test_images.npy").string();
  const std::string test_labels = (dir / "test_labels.npy").string();
  const std::vector<uint8_t> pixels(24, 0);

  SECTION("float images") {
    write_bytes(dir / "train_images.npy", npy("<f4", {4, 2, 3}, std::vector<uint8_t>(96, 0)));
    CHECK(load_error({"npy", dir}) ==
          train_images + ": dtype '<f4', expected uint8 ('|u1'): convert with (x * 255).astype(np.uint8)");
  }
  SECTION("int64 images") {
    write_bytes(dir / "test_images.npy", npy("<i8", {2, 2, 3}, std::vector<uint8_t>(96, 0)));
    CHECK(load_error({"npy", dir}) ==
          test_images + ": dtype '<i8', expected uint8 ('|u1'): convert with x.astype(np.uint8)");
  }
  SECTION("float labels") {
    write_bytes(dir / "train_labels.npy", npy("<f8", {4}, std::vector<uint8_t>(32, 0)));
    CHECK(load_error({"npy", dir}) ==
          train_labels + ": dtype '<f8', expected integer labels (one of |u1 |i1 <i2 <u2 <i4 <u4 <i8 <u8): "
                         "convert with y.astype(np.int64)");
  }
  SECTION("big-endian labels") {
    write_bytes(dir / "train_labels.npy", npy(">i4", {4}, std::vector<uint8_t>(16, 0)));
    CHECK_THAT(load_error({"npy", dir}),
               StartsWith(train_labels + ": dtype '>i4', big-endian, expected little-endian"));
  }
  SECTION("truncated data") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels);
    bytes.resize(bytes.size() - 5);
    write_bytes(dir / "train_images.npy", bytes);
    CHECK(load_error({"npy", dir}) ==
          train_images + ": truncated: expected 152 bytes (128-byte header + 24 data bytes for shape (4, 2, 3) "
                         "'|u1'), got 147");
  }
  SECTION("trailing data") {
    auto bytes = npy("<i8", {2}, label_bytes({2, 0}, 8));
    bytes.push_back(0);
    write_bytes(dir / "test_labels.npy", bytes);
    CHECK(load_error({"npy", dir}) == test_labels + ": 145 bytes, more than the 144 the header announces (128-byte "
                                                    "header + 16 data bytes for shape (2,) '<i8')");
  }
  SECTION("a huge shape claim allocates nothing") {
    write_bytes(dir / "train_images.npy", npy("|u1", {int64_t{1} << 31, 4096, 4096}, pixels));
    CHECK(load_error({"npy", dir}) == train_images + ": truncated: expected 36028797018964096 bytes (128-byte header "
                                                     "+ 36028797018963968 data bytes for shape (2147483648, 4096, "
                                                     "4096) '|u1'), got 152");
    write_bytes(dir / "train_images.npy", npy("|u1", {4, 8192, 4096}, pixels));
    CHECK(load_error({"npy", dir}) == train_images + ": shape (4, 8192, 4096): implausible image size 8192x4096 (at "
                                                     "most 16777216 pixels)");
  }
  SECTION("truncated header") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels);
    bytes.resize(40);
    write_bytes(dir / "train_images.npy", bytes);
    CHECK(load_error({"npy", dir}) == train_images + ": truncated: expected a 118-byte .npy header, got 30 bytes");
  }
  SECTION("fortran order") {
    write_bytes(dir / "train_images.npy", npy("|u1", {4, 2, 3}, pixels, {1, true}));
    CHECK(load_error({"npy", dir}) ==
          train_images + ": fortran_order True, expected C order: save np.ascontiguousarray(x)");
  }
  SECTION("flat images") {
    write_bytes(dir / "train_images.npy", npy("|u1", {4, 6}, pixels));
    CHECK(load_error({"npy", dir}) ==
          train_images + ": shape (4, 6), expected (N, H, W) or (N, H, W, C) with C 1 or 3, channels last");
  }
  SECTION("channels first") {
    write_bytes(dir / "train_images.npy", npy("|u1", {2, 3, 2, 2}, pixels));
    CHECK(load_error({"npy", dir}) == train_images + ": shape (2, 3, 2, 2), expected (N, H, W) or (N, H, W, C) with "
                                                     "C 1 or 3, channels last: channels first? convert with "
                                                     "x.transpose(0, 2, 3, 1)");
  }
  SECTION("RGBA") {
    write_bytes(dir / "train_images.npy", npy("|u1", {2, 1, 3, 4}, pixels));
    CHECK_THAT(load_error({"npy", dir}), Contains("drop the alpha channel with x[..., :3]"));
  }
  SECTION("no images") {
    write_bytes(dir / "test_images.npy", npy("|u1", {0, 2, 3}, {}));
    CHECK(load_error({"npy", dir}) == test_images + ": shape (0, 2, 3): 0 images, expected 1..2147483648");
  }
  SECTION("labels of shape (N, 1)") {
    write_bytes(dir / "train_labels.npy", npy("|u1", {4, 1}, {0, 1, 2, 1}));
    CHECK(load_error({"npy", dir}) ==
          train_labels + ": shape (4, 1), expected one label per image, shape (N,): flatten with y.reshape(-1)");
  }
  SECTION("label count differs from image count") {
    write_bytes(dir / "test_labels.npy", npy("|u1", {3}, {0, 1, 2}));
    CHECK(load_error({"npy", dir}) == test_labels + ": 3 labels but " + test_images + " holds 2 images");
  }
  SECTION("negative label") {
    write_bytes(dir / "test_labels.npy", npy("<i2", {2}, label_bytes({1, -3}, 2)));
    CHECK(load_error({"npy", dir}) == test_labels + ": label -3 of sample 1 is negative, expected 0..num_classes-1");
  }
  SECTION("label beyond int32") {
    write_bytes(dir / "test_labels.npy", npy("<u8", {2}, label_bytes({1, int64_t{1} << 40}, 8)));
    CHECK(load_error({"npy", dir}) == test_labels + ": label 1099511627776 of sample 1 out of range 0..2147483647");
  }
  SECTION("a class missing from train") {
    write_bytes(dir / "train_labels.npy", npy("|u1", {4}, {0, 2, 2, 3}));
    CHECK(load_error({"npy", dir}) ==
          train_labels + ": no training sample of class 1, yet labels run up to 3 (num_classes = largest label + 1; "
                         "every class needs a training sample)");
  }
  SECTION("a test label above every training label") {
    write_bytes(dir / "test_labels.npy", npy("|u1", {2}, {0, 7}));
    CHECK_THAT(load_error({"npy", dir}), StartsWith(train_labels + ": no training sample of class 3, yet labels run "
                                                                   "up to 7"));
  }
  SECTION("a huge label value allocates nothing") {
    write_bytes(dir / "test_labels.npy", npy("<i4", {2}, label_bytes({0, 2000000000}, 4)));
    CHECK_THAT(load_error({"npy", dir}), Contains("no training sample of class 3, yet labels run up to 2000000000"));
  }
  SECTION("test images of another size") {
    write_bytes(dir / "test_images.npy", npy("|u1", {2, 3, 2, 3}, std::vector<uint8_t>(36, 0)));
    CHECK(load_error({"npy", dir}) ==
          test_images + ": test images are 3x3x2 (CxHxW) but training images are 1x2x3");
  }
  SECTION("not a .npy file") {
    write_bytes(dir / "train_images.npy", {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0});
    CHECK(load_error({"npy", dir}) == train_images + ": not a .npy file (it does not start with \\x93NUMPY)");
  }
  SECTION("unsupported version") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels);
    bytes[6] = 4;
    write_bytes(dir / "train_images.npy", bytes);
    CHECK(load_error({"npy", dir}) == train_images + ": .npy format version 4.0 not supported (1.0, 2.0 or 3.0)");
  }
  SECTION("implausible header length") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels, {2, false});
    bytes[11] = 0x7f;
    write_bytes(dir / "train_images.npy", bytes);
    CHECK(load_error({"npy", dir}) ==
          train_images + ": implausible .npy header length 2130706548 bytes (at most 65536)");
  }
  SECTION("malformed header") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels);
    const std::string bad = "{'descr': '|u1', 'fortran_order': Nope";
    std::copy(bad.begin(), bad.end(), bytes.begin() + 10);
    write_bytes(dir / "train_images.npy", bytes);
    CHECK_THAT(load_error({"npy", dir}), StartsWith(train_images + ": malformed .npy header at character 34: "
                                                                   "expected True or False (header: {'descr'"));
  }
  SECTION("missing key") {
    std::string dict = "{'descr': '|u1', 'shape': (4, 2, 3), }";
    while ((10 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::vector<uint8_t> bytes{0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(dict.size()), 0};
    bytes.insert(bytes.end(), dict.begin(), dict.end());
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
    write_bytes(dir / "train_images.npy", bytes);
    CHECK_THAT(load_error({"npy", dir}), StartsWith(train_images + ": malformed .npy header at character 54: "
                                                                   "missing key 'fortran_order'"));
  }
  SECTION("structured dtype") {
    auto bytes = npy("|u1", {4, 2, 3}, pixels);
    const std::string bad = "{'descr': [('a', '|u1')], 'fortran_order': False, 'shape': (4, 2, 3)}";
    std::copy(bad.begin(), bad.end(), bytes.begin() + 10);
    write_bytes(dir / "train_images.npy", bytes);
    CHECK(load_error({"npy", dir}) == train_images + ": structured dtype (a record array), expected a plain array");
  }
  SECTION("missing file, no path") {
    fs::remove(dir / "test_labels.npy");
    CHECK(load_error({"npy", dir}) == test_labels + ": not found (npy expects train_images.npy, train_labels.npy, "
                                                    "test_images.npy, test_labels.npy in " +
                                          dir.string() + ")");
    CHECK(load_error({"npy", {}}) == "dataset.path: npy needs a path (a directory with train_images.npy, "
                                     "train_labels.npy, test_images.npy, test_labels.npy)");
  }
}

TEST_CASE("image-folder and npy normalise with the training pixels' mean and std per channel", "[dataset]") {
  TempDir tmp;
  const fs::path dir = tmp.path();

  SECTION("gray: one value repeated into the three entries") {
    write_tiny_npy(dir);
    // Two training images of one row [0 255]: mean 0.5, population std 0.5.
    write_bytes(dir / "train_images.npy", npy("|u1", {2, 1, 2}, {0, 255, 0, 255}));
    write_bytes(dir / "train_labels.npy", npy("|u1", {2}, {0, 1}));
    write_bytes(dir / "test_images.npy", npy("|u1", {1, 1, 2}, {9, 9}));
    write_bytes(dir / "test_labels.npy", npy("|u1", {1}, {1}));
    const Dataset ds = load_dataset({"npy", dir});
    CHECK(ds.normalisation.mean == std::array<float, 3>{0.5f, 0.5f, 0.5f});
    CHECK(ds.normalisation.std == std::array<float, 3>{0.5f, 0.5f, 0.5f});
  }
  SECTION("RGB, with a constant channel given std 1; test pixels do not count") {
    // Pixels (r, g, b): (0, 51, 7), (255, 102, 7), (0, 153, 7) in training; one odd test image.
    write_png(dir / "train" / "a" / "0.png", Hwc{3, 1, 3, {0, 51, 7, 255, 102, 7, 0, 153, 7}});
    write_png(dir / "test" / "a" / "0.png", Hwc{3, 1, 3, std::vector<uint8_t>(9, 255)});
    const Dataset ds = load_dataset({"image-folder", dir});
    const double r_mean = 255.0 / 3 / 255, g_mean = 102.0 / 255;
    const double r_std = std::sqrt((2 * r_mean * r_mean + (1 - r_mean) * (1 - r_mean)) / 3);
    const double g_std = std::sqrt(2.0 / 3) * 51 / 255;
    CHECK(ds.normalisation.mean[0] == static_cast<float>(r_mean));
    CHECK(ds.normalisation.mean[1] == Approx(static_cast<float>(g_mean)).epsilon(1e-6));
    CHECK(ds.normalisation.mean[2] == Approx(static_cast<float>(7.0 / 255)).epsilon(1e-6));
    CHECK(ds.normalisation.std[0] == Approx(static_cast<float>(r_std)).epsilon(1e-6));
    CHECK(ds.normalisation.std[1] == Approx(static_cast<float>(g_std)).epsilon(1e-6));
    CHECK(ds.normalisation.std[2] == 1.0f);
  }
}

namespace {

// The shape peek_dataset_shape reads against the one load_dataset gives, and their errors alike.
void check_peek_matches_load(const DatasetSource& source) {
  const Dataset ds = load_dataset(source);
  const eccsim::DatasetShape shape = eccsim::peek_dataset_shape(source);
  CHECK(shape.channels == ds.train.channels);
  CHECK(shape.height == ds.train.height);
  CHECK(shape.width == ds.train.width);
  CHECK(shape.num_classes == ds.num_classes);
  CHECK(shape.image_bytes() == ds.train.image_bytes());
}

std::string peek_error(const DatasetSource& source) {
  return input_error_of([&] { eccsim::peek_dataset_shape(source); });
}

}  // namespace

TEST_CASE("peek_dataset_shape gives load_dataset's image shape and classes without loading", "[dataset]") {
  TempDir tmp;
  SECTION("image-folder: classes of train/, the first image's size and channels") {
    const fs::path root = tmp.path();
    for (const char* name : {"a", "b", "c"}) {
      write_png(root / "train" / name / "0.png", pattern(5, 3, 4, 1));   // RGBA: 3 channels
      write_png(root / "test" / name / "0.png", pattern(5, 3, 3, 2));
    }
    check_peek_matches_load({"image-folder", root});
    CHECK(eccsim::peek_dataset_shape({"image-folder", root}).image_bytes() == 3 * 3 * 5);
    write_png(root / "train" / "a" / "0.png", pattern(5, 3, 2, 1));    // gray + alpha: 1 channel
    check_peek_matches_load({"image-folder", root});
    CHECK(eccsim::peek_dataset_shape({"image-folder", root}).channels == 1);
  }
  SECTION("npy: train_images.npy's header, classes from both label arrays") {
    const fs::path dir = tmp.path();
    write_tiny_npy(dir);
    check_peek_matches_load({"npy", dir});
    write_bytes(dir / "train_images.npy", npy("|u1", {4, 2, 5, 3}, std::vector<uint8_t>(4 * 2 * 5 * 3, 9)));
    write_bytes(dir / "test_images.npy", npy("|u1", {2, 2, 5, 3}, std::vector<uint8_t>(2 * 2 * 5 * 3, 7)));
    write_bytes(dir / "train_labels.npy", npy("<i8", {4}, label_bytes({0, 1, 2, 3}, 8)));
    check_peek_matches_load({"npy", dir});
    CHECK(eccsim::peek_dataset_shape({"npy", dir}).image_bytes() == 3 * 2 * 5);
  }
  SECTION("the packaged datasets' fixed shapes, no file read") {
    const fs::path nowhere = tmp.path() / "nope";
    const auto same = [](const eccsim::DatasetShape& a, const eccsim::DatasetShape& b) {
      return a.channels == b.channels && a.height == b.height && a.width == b.width && a.num_classes == b.num_classes;
    };
    CHECK(same(eccsim::peek_dataset_shape({"fashion-mnist", nowhere}), {1, 28, 28, 10}));
    CHECK(same(eccsim::peek_dataset_shape({"mnist", nowhere}), {1, 28, 28, 10}));
    CHECK(same(eccsim::peek_dataset_shape({"cifar10", nowhere}), {3, 32, 32, 10}));
    CHECK(same(eccsim::peek_dataset_shape({"cifar100", nowhere}), {3, 32, 32, 100}));
  }
  SECTION("errors are load_dataset's") {
    const fs::path root = tmp.path();
    for (const DatasetSource& source : std::vector<DatasetSource>{
             {"image-folder", {}}, {"npy", root / "nope"}, {"npy", root}, {"image-folder", root}, {"imagenet", {}}}) {
      CAPTURE(source.name, source.dir);
      CHECK(peek_error(source) == load_error(source));
      CHECK(peek_error(source) != "(no InputError)");
    }
    write_tiny_npy(root);
    write_bytes(root / "train_labels.npy", npy("<i8", {4}, label_bytes({0, 1, 3, 1}, 8)));   // no class 2
    CHECK(peek_error({"npy", root}) == load_error({"npy", root}));
    CHECK_THAT(peek_error({"npy", root}), Contains("no training sample of class 2"));
    fs::create_directories(root / "train" / "a");
    fs::create_directories(root / "test" / "a");
    CHECK(peek_error({"image-folder", root}) == load_error({"image-folder", root}));
    CHECK_THAT(peek_error({"image-folder", root}), Contains("no image files"));
  }
}

TEST_CASE("unknown dataset names list image-folder and npy", "[dataset]") {
  CHECK(load_error({"imagenet", {}}) == "dataset.name: unknown dataset 'imagenet' (one of fashion-mnist, mnist, "
                                        "cifar10, cifar100, image-folder, npy)");
}

TEST_CASE("200 Fashion-MNIST test images round-trip through a PNG folder and .npy files", "[dataset]") {
  const Dataset fashion = load_dataset({"fashion-mnist", ""});
  CHECK(fashion.class_names.size() == 10);
  CHECK(fashion.class_names[9] == "Ankle boot");
  const int64_t n = 200, train_n = 150, image = 784;
  const auto pixels_of = [&](int64_t i) {
    return std::vector<uint8_t>(fashion.test.pixels.begin() + i * image, fashion.test.pixels.begin() + (i + 1) * image);
  };
  TempDir tmp;

  SECTION("PNG folder: samples come back class by class, files in name order") {
    // Images 0..149 train, 150..199 test; classes "0".."9" so ids keep their values.
    for (int c = 0; c < 10; ++c) {
      fs::create_directories(tmp.path() / "train" / std::to_string(c));
      fs::create_directories(tmp.path() / "test" / std::to_string(c));
    }
    for (int64_t i = 0; i < n; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(i));
      const fs::path path = tmp.path() / (i < train_n ? "train" : "test") /
                            std::to_string(fashion.test.labels[static_cast<size_t>(i)]) / name;
      write_png(path, Hwc{28, 28, 1, pixels_of(i)});
    }
    const Dataset ds = load_dataset({"image-folder", tmp.path()});
    CHECK(ds.num_classes == 10);
    CHECK(ds.train.channels == 1);
    CHECK(ds.train.height == 28);
    CHECK(ds.train.width == 28);
    REQUIRE(ds.train.count == train_n);
    REQUIRE(ds.test.count == n - train_n);
    for (const bool train : {true, false}) {
      std::vector<int64_t> order(static_cast<size_t>(train ? train_n : n - train_n));
      std::iota(order.begin(), order.end(), train ? 0 : train_n);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return fashion.test.labels[static_cast<size_t>(a)] < fashion.test.labels[static_cast<size_t>(b)];
      });
      const eccsim::ImageSet& set = train ? ds.train : ds.test;
      std::vector<uint8_t> expected_pixels;
      std::vector<int32_t> expected_labels;
      for (int64_t i : order) {
        const auto p = pixels_of(i);
        expected_pixels.insert(expected_pixels.end(), p.begin(), p.end());
        expected_labels.push_back(fashion.test.labels[static_cast<size_t>(i)]);
      }
      CHECK(set.pixels == expected_pixels);
      CHECK(set.labels == expected_labels);
    }
  }
  SECTION(".npy files: the same order") {
    const auto split = [&](int64_t first, int64_t count, const std::string& prefix) {
      const std::vector<uint8_t> pixels(fashion.test.pixels.begin() + first * image,
                                        fashion.test.pixels.begin() + (first + count) * image);
      const std::vector<int64_t> labels(fashion.test.labels.begin() + first,
                                        fashion.test.labels.begin() + first + count);
      write_bytes(tmp.path() / (prefix + "_images.npy"), npy("|u1", {count, 28, 28}, pixels));
      write_bytes(tmp.path() / (prefix + "_labels.npy"), npy("<i8", {count}, label_bytes(labels, 8)));
    };
    split(0, train_n, "train");
    split(train_n, n - train_n, "test");
    const Dataset ds = load_dataset({"npy", tmp.path()});
    CHECK(ds.num_classes == 10);
    CHECK(ds.train.pixels ==
          std::vector<uint8_t>(fashion.test.pixels.begin(), fashion.test.pixels.begin() + train_n * image));
    CHECK(ds.train.labels == std::vector<int32_t>(fashion.test.labels.begin(), fashion.test.labels.begin() + train_n));
    CHECK(ds.test.pixels ==
          std::vector<uint8_t>(fashion.test.pixels.begin() + train_n * image, fashion.test.pixels.begin() + n * image));
    CHECK(ds.test.labels ==
          std::vector<int32_t>(fashion.test.labels.begin() + train_n, fashion.test.labels.begin() + n));
  }
}
