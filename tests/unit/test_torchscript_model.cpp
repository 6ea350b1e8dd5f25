// TorchScript models (docs/own-models.md): eccsim's export predicts exactly as the native model it
// came from (logits, op counts, spike rates, labels), a cloud's columns are put in label order, and
// each piece of the contract a module misses is refused in one line naming the file and the piece.
#include <filesystem>
#include <string>
#include <vector>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include <torch/script.h>

#include "spiking_test_model.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include "core/input_error.hpp"
#include "model_test_data.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/nets/torchscript_export.hpp"
#include "tests/support/temp_dir.hpp"

using eccsim::CloudModel;
using eccsim::CloudModelOptions;
using eccsim::EdgeModel;
using eccsim::EdgeModelOptions;
using eccsim::InputError;
using Catch::Matchers::Contains;
using eccsim_test::range;
namespace fs = std::filesystem;

namespace {

// An untrained spiking model (tests/unit/spiking_test_model.hpp) with a normalisation and output labels.
EdgeModel spiking_edge_model() {
  EdgeModelOptions options;
  options.normalisation = {{0.286f, 0.286f, 0.286f}, {0.353f, 0.353f, 0.353f}};
  EdgeModel model = eccsim_test::two_head_model(options);
  model.impl().output_labels = {4, 0, 2, 1, 3};
  return model;
}

// A split's class order: label k is dataset class kOrder[k]; kLabelOf inverts it.
const std::vector<int32_t> kOrder{3, 5, 7, 2, 6, 9, 8, 0, 4, 1};
std::vector<int32_t> label_of_class() {
  std::vector<int32_t> labels(kOrder.size());
  for (size_t k = 0; k < kOrder.size(); ++k) labels[static_cast<size_t>(kOrder[k])] = static_cast<int32_t>(k);
  return labels;
}


// A scripted module with the edge contract's attributes and `forward_source`, attributes in
// `drop` left out; saved to dir/name.
fs::path scripted_edge(const eccsim::testing::TempDir& dir, const std::string& name, const std::string& forward_source,
                       const std::vector<std::string>& drop = {}) {
  torch::jit::Module m("test.Edge");
  const auto keep = [&](const std::string& attribute) {
    return std::find(drop.begin(), drop.end(), attribute) == drop.end();
  };
  if (keep("input_shape")) m.register_attribute("input_shape", c10::ListType::ofInts(), c10::List<int64_t>({1, 28, 28}));
  if (keep("classes")) m.register_attribute("classes", c10::ListType::ofInts(), c10::List<int64_t>({3, 5}));
  if (keep("head_sizes")) m.register_attribute("head_sizes", c10::ListType::ofInts(), c10::List<int64_t>({2}));
  if (keep("timesteps")) m.register_attribute("timesteps", c10::IntType::get(), int64_t{4});
  if (keep("first_layer_macs")) m.register_attribute("first_layer_macs", c10::FloatType::get(), 1000.0);
  if (keep("spiking_neurons")) m.register_attribute("spiking_neurons", c10::ListType::ofInts(), c10::List<int64_t>({10}));
  m.define(forward_source);
  const fs::path file = dir.path() / name;
  m.save(file.string());
  return file;
}

constexpr char kGoodForward[] = R"(
def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
    n = x.size(0)
    logits = x.flatten(1)[:, 0:2] * 2.0
    return [logits], torch.ones([n]).double() * 7.0, torch.ones([n, 1]) * 20.0
)";

}  // namespace

TEST_CASE("an exported edge model predicts exactly as the native model it came from", "[models][torchscript]") {
  const EdgeModel native = spiking_edge_model();
  const eccsim::testing::TempDir dir("torchscript");
  eccsim::export_edge_torchscript(native, kOrder, dir.path() / "edge.pt");
  const EdgeModel scripted = EdgeModel::load_torchscript(dir.path() / "edge.pt", label_of_class());

  CHECK(scripted.is_torchscript());
  CHECK(scripted.arch() == "torchscript");
  CHECK(scripted.output_labels() == native.output_labels());
  CHECK(scripted.head_sizes() == native.head_sizes());
  CHECK(scripted.timesteps() == native.timesteps());
  CHECK(scripted.first_layer_macs() == native.first_layer_macs());
  CHECK(scripted.spiking_neurons() == native.spiking_neurons());
  CHECK(scripted.size_bytes() == native.size_bytes());
  CHECK(scripted.input_shape() == std::vector<int>{1, 28, 28});

  const eccsim::ImageSet images = eccsim_test::first_images(eccsim_test::fashion_mnist().test, 300);
  const auto a = native.predict(images, range(300));
  const auto b = scripted.predict(images, range(300));
  REQUIRE(a.size() == b.size());
  double spikes = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("sample " << i);
    REQUIRE(a[i].logits == b[i].logits);   // bit for bit
    REQUIRE(a[i].predicted == b[i].predicted);
    REQUIRE(a[i].entropy_score == b[i].entropy_score);
    REQUIRE(a[i].synaptic_ops == b[i].synaptic_ops);
    REQUIRE(a[i].neuron_updates == b[i].neuron_updates);
    REQUIRE(a[i].spike_rates == b[i].spike_rates);
    spikes += a[i].synaptic_ops;
  }
  CHECK(spikes > 0);   // the comparison saw spiking layers, not silent ones

  // A copy shares the read-only module and predicts the same; nothing trains or saves it.
  const EdgeModel copy = scripted;
  CHECK(copy.predict(images, {7})[0].logits == b[7].logits);
  CHECK_THROWS_AS(scripted.save(dir.path() / "again.pt"), std::logic_error);
}

TEST_CASE("an exported cloud model predicts exactly as the native one, columns in label order", "[models][torchscript]") {
  CloudModelOptions options;
  options.normalisation = {{0.286f, 0.286f, 0.286f}, {0.353f, 0.353f, 0.353f}};
  const CloudModel native{options};
  const eccsim::testing::TempDir dir("torchscript");
  eccsim::export_cloud_torchscript(native, kOrder, dir.path() / "cloud.pt");
  const CloudModel scripted = CloudModel::load_torchscript(dir.path() / "cloud.pt", label_of_class());
  CHECK(scripted.macs_per_sample() == native.macs_per_sample());
  CHECK(scripted.num_classes() == 10);
  CHECK(scripted.size_bytes() == native.size_bytes());

  const eccsim::ImageSet images = eccsim_test::first_images(eccsim_test::fashion_mnist().test, 100);
  const auto a = native.predict(images, range(100));
  const auto b = scripted.predict(images, range(100));
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].logits == b[i].logits);
    REQUIRE(a[i].predicted == b[i].predicted);
  }

  // The same file under another class order: its columns are dataset classes, so each logit moves
  // to the label its class has there.
  std::vector<int32_t> reversed(10);
  for (int32_t c = 0; c < 10; ++c) reversed[static_cast<size_t>(c)] = 9 - label_of_class()[static_cast<size_t>(c)];
  const CloudModel moved = CloudModel::load_torchscript(dir.path() / "cloud.pt", reversed);
  const auto c = moved.predict(images, range(100));
  for (int32_t label = 0; label < 10; ++label) CHECK(c[0].logits[static_cast<size_t>(9 - label)] == b[0].logits[static_cast<size_t>(label)]);
}

TEST_CASE("a TorchScript module missing a piece of the contract is refused, naming the file and the piece",
          "[models][torchscript]") {
  const eccsim::testing::TempDir dir("torchscript");
  const std::vector<int32_t> labels = label_of_class();

  const fs::path good = scripted_edge(dir, "good.pt", kGoodForward);
  const EdgeModel model = EdgeModel::load_torchscript(good, labels);
  CHECK(model.output_labels() == std::vector<int32_t>{0, 1});   // classes 3 and 5 are labels 0 and 1
  const auto p = model.predict(eccsim_test::first_images(eccsim_test::fashion_mnist().test, 3), {0, 1, 2});
  CHECK(p[0].synaptic_ops == 7.0);
  CHECK(p[0].spike_rates == std::vector<float>{20.f / (10 * 4)});
  CHECK(p[0].neuron_updates == 40.0);

  CHECK_THROWS_WITH(EdgeModel::load_torchscript(dir.path() / "none.pt", labels), Contains("none.pt: no such file"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(dir.write("text.pt", "not a module"), labels),
                    Contains("text.pt: not a TorchScript file"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "a.pt", kGoodForward, {"classes"}), labels),
                    Contains("a.pt: not a TorchScript edge model for eccsim: no attribute 'classes' (List[int]"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "b.pt", kGoodForward, {"first_layer_macs"}), labels),
                    Contains("no attribute 'first_layer_macs' (float"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "c.pt", R"(
def forward(self, x: Tensor) -> Tensor:
    return x
)"), labels),
                    Contains("forward must return (List[Tensor] head logits, Tensor synaptic_ops [n], Tensor layer_spikes [n, L])"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "d.pt", R"(
def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
    n = x.size(0)
    return [x.flatten(1)[:, 0:3]], torch.ones([n]), torch.ones([n, 1])
)"), labels),
                    Contains("forward's head 0 has shape [2, 3], expected [2, 2]"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "e.pt", R"(
def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
    n = x.size(0)
    return [x.flatten(1)[:, 0:2]], torch.ones([n]), torch.ones([n, 3])
)"), labels),
                    Contains("forward's layer_spikes has shape [2, 3], expected [2, 1]"));
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(scripted_edge(dir, "f.pt", R"(
def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
    assert x.size(1) == 3, "wants colour"
    n = x.size(0)
    return [x.flatten(1)[:, 0:2]], torch.ones([n]), torch.ones([n, 1])
)"), labels),
                    Contains("forward failed on a [2, 1, 28, 28] input"));
  // Classes beyond the dataset's.
  CHECK_THROWS_WITH(EdgeModel::load_torchscript(good, {0, 1, 2}), Contains("good.pt: class 3 in 'classes', the dataset has 3 classes"));
  // A cloud model must name every class of the dataset once.
  CHECK_THROWS_WITH(CloudModel::load_torchscript(good, labels), Contains("good.pt: not a TorchScript cloud model for eccsim: no attribute 'macs'"));
}
