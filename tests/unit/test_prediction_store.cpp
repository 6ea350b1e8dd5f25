// Unit tests of the prediction store (models.persistent_cache): bit-exact round trips, keys that
// follow the checkpoint's and the images' contents, merging writers, unreadable files.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "sim/prediction_store.hpp"
#include "tests/support/temp_dir.hpp"

using namespace eccsim;
using eccsim::testing::TempDir;

namespace {

ImageSet four_images() {
  ImageSet images;
  images.count = 4;
  images.channels = 1;
  images.height = 2;
  images.width = 2;
  images.pixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  images.labels = {0, 1, 2, 3};
  return images;
}

EdgePrediction awkward_prediction(int32_t predicted) {
  EdgePrediction p;
  p.logits = {0.1f, -3.25e-7f, std::nextafter(1.0f, 2.0f), -0.0f};
  p.predicted = predicted;
  p.entropy_score = 1.0f / 3.0f;
  p.max_prob = std::numeric_limits<float>::denorm_min();
  p.margin = 0.7f;
  p.first_layer_macs = 1.0 / 7.0;   // not representable as a float: kept as a double
  p.synaptic_ops = 123456789.0;
  p.neuron_updates = 3.0 / 11.0;
  p.timesteps = 6;
  p.spike_rates = {0.25f, 1e-30f};
  return p;
}

void require_same(const EdgePrediction& a, const EdgePrediction& b) {
  CHECK(a.logits.size() == b.logits.size());
  for (size_t i = 0; i < a.logits.size() && i < b.logits.size(); ++i) {
    CHECK(a.logits[i] == b.logits[i]);
    CHECK(std::signbit(a.logits[i]) == std::signbit(b.logits[i]));
  }
  CHECK(a.predicted == b.predicted);
  CHECK(a.entropy_score == b.entropy_score);
  CHECK(a.max_prob == b.max_prob);
  CHECK(a.margin == b.margin);
  CHECK(a.first_layer_macs == b.first_layer_macs);
  CHECK(a.synaptic_ops == b.synaptic_ops);
  CHECK(a.neuron_updates == b.neuron_updates);
  CHECK(a.timesteps == b.timesteps);
  CHECK(a.spike_rates == b.spike_rates);
}

}  // namespace

TEST_CASE("a prediction store gives back exactly what it was given, and merges writers", "[store]") {
  const TempDir dir("store");
  const auto checkpoint = dir.write("edge.pt", "weights A");
  const ImageSet images = four_images();
  const PredictionStore<EdgePrediction> store(dir.path() / "predictions", checkpoint, digest_of(images));
  CHECK(store.load().empty());  // no file yet

  store.save({{2, awkward_prediction(2)}});
  const PredictionStore<EdgePrediction> other_run(dir.path() / "predictions", checkpoint, digest_of(images));
  CHECK(other_run.file() == store.file());
  other_run.save({{0, awkward_prediction(0)}});  // another run adds its samples

  const auto loaded = store.load();
  REQUIRE(loaded.size() == 2);
  require_same(loaded.at(0), awkward_prediction(0));
  require_same(loaded.at(2), awkward_prediction(2));

  CloudPrediction cloud;
  cloud.logits = {0.5f, -1.5f};
  cloud.predicted = 0;
  cloud.macs = 3.5e6;
  const PredictionStore<CloudPrediction> cloud_store(dir.path() / "predictions", checkpoint, digest_of(images));
  CHECK(cloud_store.file() != store.file());  // one file per kind
  cloud_store.save({{3, cloud}});
  const auto clouds = cloud_store.load();
  REQUIRE(clouds.size() == 1);
  CHECK(clouds.at(3).logits == cloud.logits);
  CHECK(clouds.at(3).macs == cloud.macs);
}

TEST_CASE("a prediction store's file follows the checkpoint's and the images' contents", "[store]") {
  const TempDir dir("store-key");
  const auto a = dir.write("a.pt", "weights A");
  const auto same_as_a = dir.write("copy.pt", "weights A");
  const auto b = dir.write("b.pt", "weights B");
  const ImageSet images = four_images();
  ImageSet other_images = images;
  other_images.pixels[5] += 1;
  const auto file = [&](const std::filesystem::path& checkpoint, const ImageSet& on) {
    return PredictionStore<EdgePrediction>(dir.path(), checkpoint, digest_of(on)).file();
  };
  CHECK(file(a, images) == file(same_as_a, images));   // by content, not by name
  CHECK(file(a, images) != file(b, images));           // a changed checkpoint has its own store
  CHECK(file(a, images) != file(a, other_images));

  PredictionStore<EdgePrediction>(dir.path(), a, digest_of(images)).save({{1, awkward_prediction(1)}});
  CHECK(PredictionStore<EdgePrediction>(dir.path(), b, digest_of(images)).load().empty());   // never another's entries
  // A file copied under another key's name is refused by its header.
  std::filesystem::copy_file(file(a, images), file(b, images));
  CHECK(PredictionStore<EdgePrediction>(dir.path(), b, digest_of(images)).load().empty());
}

TEST_CASE("an unreadable prediction store reads as empty and is replaced by the next save", "[store]") {
  const TempDir dir("store-corrupt");
  const auto checkpoint = dir.write("edge.pt", "weights");
  const ImageSet images = four_images();
  const PredictionStore<EdgePrediction> store(dir.path(), checkpoint, digest_of(images));
  store.save({{1, awkward_prediction(1)}});
  std::string bytes;
  {
    std::ifstream in(store.file(), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  SECTION("truncated") { bytes.resize(bytes.size() / 2); }
  SECTION("not CBOR") { bytes = "not a store"; }
  std::ofstream(store.file(), std::ios::binary | std::ios::trunc) << bytes;
  CHECK(store.load().empty());
  store.save({{3, awkward_prediction(3)}});
  const auto loaded = store.load();
  REQUIRE(loaded.size() == 1);
  CHECK(loaded.count(3) == 1);
}

TEST_CASE("a prediction store rejects samples outside the test split", "[store]") {
  const TempDir dir("store-range");
  const auto checkpoint = dir.write("edge.pt", "weights");
  const PredictionStore<EdgePrediction> store(dir.path(), checkpoint, digest_of(four_images()));
  store.save({{7, awkward_prediction(7)}});   // written as given; refused when read
  CHECK(store.load().empty());
}
