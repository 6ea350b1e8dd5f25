// Edge SNN and cloud CNN behind their plain APIs: shapes, heads and offsets, op counts against
// the spikes, deterministic and batch-independent predictions, deep copies, checkpoint round
// trips and the messages of unreadable checkpoints.
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include "models/nets/edge_model_impl.hpp"
#include "models/nets/spiking_vgg.hpp"
#include "spiking_test_model.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include "core/input_error.hpp"
#include "model_test_data.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"

using eccsim::CloudModel;
using eccsim::CloudModelOptions;
using eccsim::EdgeModel;
using eccsim::EdgeModelOptions;
using eccsim::InputError;
using eccsim::kPool;
using eccsim::SpikingVgg;
using eccsim::SpikingVggOptions;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

using eccsim_test::range;
using eccsim_test::two_head_model;

TEST_CASE("the spiking VGG gives one logit per learned class, heads concatenated in task order", "[models]") {
  SpikingVgg net(SpikingVggOptions{}, std::vector<int64_t>{2, 3});
  net->eval();
  torch::NoGradGuard no_grad;
  const auto out = net->forward(torch::randn({5, 1, 28, 28}), {true});
  REQUIRE(out.head_logits.size() == 2);
  CHECK(out.head_logits[0].sizes() == torch::IntArrayRef({5, 2}));
  CHECK(out.head_logits[1].sizes() == torch::IntArrayRef({5, 3}));
  CHECK(out.logits.sizes() == torch::IntArrayRef({5, 5}));
  CHECK(torch::equal(out.logits.slice(1, 2, 5), out.head_logits[1]));
  CHECK(out.feature.sizes() == torch::IntArrayRef({5, 256}));
  CHECK(out.layer_spikes.sizes() == torch::IntArrayRef({5, 8}));   // 7 conv LIF layers + the feature layer
  CHECK(net->lif_neurons().size() == 8);

  SpikingVggOptions cifar_shape;
  cifar_shape.in_channels = 3;
  cifar_shape.height = 32;
  cifar_shape.width = 32;
  SpikingVgg cifar(cifar_shape, std::vector<int64_t>{4});
  cifar->eval();
  CHECK(cifar->forward(torch::randn({2, 3, 32, 32})).logits.sizes() == torch::IntArrayRef({2, 4}));
}

TEST_CASE("heads report their sizes and label offsets", "[models]") {
  const EdgeModel model = two_head_model();
  CHECK(model.num_classes() == 5);
  CHECK(model.head_sizes() == std::vector<int>{2, 3});
  CHECK(model.head_offsets() == std::vector<int>{0, 2});
  CHECK(model.timesteps() == 4);
  CHECK(model.version() == 0);
  CHECK(model.size_bytes() > 0);
}

TEST_CASE("a zero input never makes a spike: synaptic ops 0, the dense first layer still counted", "[models]") {
  SpikingVgg net(SpikingVggOptions{}, std::vector<int64_t>{10});
  net->eval();   // fresh BN statistics: zero in, zero current out
  torch::NoGradGuard no_grad;
  const auto out = net->forward(torch::zeros({3, 1, 28, 28}), {true});
  CHECK(out.layer_spikes.sum().item<double>() == 0);
  CHECK(out.synaptic_ops.sum().item<double>() == 0);
  CHECK(net->first_layer_macs() == 28.0 * 28 * 16 * 1 * 9);   // output pixels x C_out x C_in x k^2, once
}

TEST_CASE("synaptic ops are the spikes of each layer times the fan-out of the layer they reach", "[models]") {
  // No pooling, so every layer's spikes reach the next layer unchanged.
  SpikingVggOptions o;
  o.height = 8;
  o.width = 8;
  o.widths = {4, 6};
  o.feature = 5;
  SpikingVgg net(o, std::vector<int64_t>{3});
  net->eval();
  torch::NoGradGuard no_grad;
  const auto out = net->forward(3 * torch::randn({4, 1, 8, 8}), {true});
  const torch::Tensor s = out.layer_spikes.to(torch::kFloat64);   // [B, 3]
  const torch::Tensor expected = s.select(1, 0) * (6 * 9) + s.select(1, 1) * 5 + s.select(1, 2) * 3;
  CHECK(s.select(1, 0).sum().item<double>() > 0);
  CHECK(torch::allclose(out.synaptic_ops, expected));
}

TEST_CASE("edge predictions: scores in range, ops positive, deterministic, independent of batching", "[models]") {
  const eccsim::Dataset& data = eccsim_test::fashion_mnist();
  EdgeModel model = two_head_model();
  const std::vector<int64_t> indices{3, 1, 4, 1, 5, 9, 2, 6};
  const auto batch = model.predict(data.test, indices);
  REQUIRE(batch.size() == indices.size());
  for (const auto& p : batch) {
    CHECK(p.logits.size() == 5);
    CHECK(p.predicted >= 0);
    CHECK(p.predicted < 5);
    CHECK(p.entropy_score >= 0);
    CHECK(p.entropy_score <= 1);
    CHECK(p.max_prob >= 0.2f);
    CHECK(p.margin >= 0);
    CHECK(p.first_layer_macs == model.first_layer_macs());
    CHECK(p.timesteps == 4);
    CHECK(p.neuron_updates > 0);
    CHECK(p.synaptic_ops > 0);
    CHECK(p.spike_rates.size() == 8);
    for (const float r : p.spike_rates) {
      CHECK(r >= 0);
      CHECK(r <= 1);
    }
  }
  CHECK(batch[1].logits == batch[3].logits);   // the same sample twice in one batch
  const auto again = model.predict(data.test, indices);
  for (size_t i = 0; i < indices.size(); ++i) {
    CHECK(again[i].logits == batch[i].logits);
    const auto alone = model.predict(data.test, {indices[i]});
    CHECK(alone[0].logits == batch[i].logits);
    CHECK(alone[0].synaptic_ops == batch[i].synaptic_ops);
  }
}

TEST_CASE("copies are deep: changing a copy leaves the original's predictions", "[models]") {
  const eccsim::Dataset& data = eccsim_test::fashion_mnist();
  const EdgeModel original = two_head_model();
  const auto before = original.predict(data.test, {0, 1});
  EdgeModel copy = original;
  {
    torch::NoGradGuard no_grad;
    for (auto& p : copy.impl().net->parameters()) p.add_(0.5);
  }
  copy.impl().net->add_head(4);
  CHECK(original.num_classes() == 5);
  CHECK(copy.num_classes() == 9);
  CHECK(original.predict(data.test, {0, 1})[0].logits == before[0].logits);
  CHECK(copy.predict(data.test, {0, 1})[0].logits != before[0].logits);
}

TEST_CASE("edge and cloud checkpoints round-trip to identical predictions", "[models]") {
  const eccsim::Dataset& data = eccsim_test::fashion_mnist();
  eccsim_test::TempModelsDir dir;
  EdgeModel edge = two_head_model();
  edge.impl().version = 3;
  edge.save(dir.path() / "edge.pt");
  const EdgeModel edge_back = EdgeModel::load(dir.path() / "edge.pt");
  CHECK(edge_back.head_sizes() == edge.head_sizes());
  CHECK(edge_back.version() == 3);
  CHECK(edge_back.size_bytes() == edge.size_bytes());
  const auto indices = range(20);
  const auto a = edge.predict(data.test, indices);
  const auto b = edge_back.predict(data.test, indices);
  for (size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].logits == b[i].logits);
    CHECK(a[i].synaptic_ops == b[i].synaptic_ops);
  }

  const CloudModel cloud{CloudModelOptions{}};
  cloud.save(dir.path() / "cloud.pt");
  const CloudModel cloud_back = CloudModel::load(dir.path() / "cloud.pt");
  const auto c = cloud.predict(data.test, indices);
  const auto d = cloud_back.predict(data.test, indices);
  for (size_t i = 0; i < c.size(); ++i) CHECK(c[i].logits == d[i].logits);
  CHECK(c[0].logits.size() == 10);
  CHECK(c[0].macs == cloud.macs_per_sample());
  CHECK(cloud.macs_per_sample() > 10 * edge.first_layer_macs());
  CHECK(cloud.size_bytes() > edge.size_bytes());
}

TEST_CASE("output labels: predictions report them, checkpoints keep them, older checkpoints read as identity",
          "[models]") {
  const eccsim::Dataset& data = eccsim_test::fashion_mnist();
  eccsim_test::TempModelsDir dir;
  EdgeModel edge = two_head_model();
  CHECK(edge.output_labels() == std::vector<int32_t>{0, 1, 2, 3, 4});   // heads added without labels
  const auto indices = range(50);
  const auto identity = edge.predict(data.test, indices);
  edge.impl().output_labels = {6, 2, 9, 0, 4};
  CHECK(edge.output_of(9) == 2);
  CHECK(edge.output_of(1) == -1);
  const auto labelled = edge.predict(data.test, indices);
  const std::vector<int32_t> labels = edge.output_labels();
  for (size_t i = 0; i < indices.size(); ++i) {
    CHECK(labelled[i].logits == identity[i].logits);   // scores stay in output order
    CHECK(labelled[i].entropy_score == identity[i].entropy_score);
    CHECK(labelled[i].predicted == labels[static_cast<size_t>(identity[i].predicted)]);
  }

  edge.save(dir.path() / "edge.pt");
  const EdgeModel back = EdgeModel::load(dir.path() / "edge.pt");
  CHECK(back.output_labels() == labels);
  const auto again = back.predict(data.test, indices);
  for (size_t i = 0; i < indices.size(); ++i) CHECK(again[i].predicted == labelled[i].predicted);
  const EdgeModel copy = back;
  CHECK(copy.output_labels() == labels);

  // The shipped checkpoint was written before output labels were saved: identity.
  const EdgeModel shipped = EdgeModel::load(fs::path(ECCSIM_SOURCE_DIR) / "checkpoints" / "fmnist" / "edge.pt");
  CHECK(shipped.output_labels() == std::vector<int32_t>{0, 1});
  // A checkpoint whose labels do not fit its outputs is corrupt.
  edge.impl().output_labels = {6, 2, 9, 0};
  CHECK_THROWS_AS(edge.save(dir.path() / "bad.pt"), std::logic_error);
  edge.impl().output_labels = {6, 2, 9, 0, 6};
  edge.save(dir.path() / "bad.pt");
  CHECK_THROWS_WITH(EdgeModel::load(dir.path() / "bad.pt"), Contains("corrupt") && Contains("output_labels"));
}

TEST_CASE("unreadable checkpoints are input errors naming the file", "[models]") {
  eccsim_test::TempModelsDir dir;
  const auto garbage = dir.path() / "edge.pt";
  std::ofstream(garbage) << "not a checkpoint";
  CHECK_THROWS_WITH(EdgeModel::load(garbage), Contains(garbage.string()) && Contains("corrupt"));
  CHECK_THROWS_AS(EdgeModel::load(dir.path() / "missing.pt"), InputError);
  CHECK_THROWS_WITH(EdgeModel::load(dir.path() / "missing.pt"), Contains("missing.pt"));

  const auto cloud_file = dir.path() / "cloud.pt";
  CloudModel{CloudModelOptions{}}.save(cloud_file);
  CHECK_THROWS_WITH(EdgeModel::load(cloud_file), Contains(cloud_file.string()) && Contains("cloud"));
}

// A sample alone once took the dense layers' matrix-vector path and differed in the last bits.
TEST_CASE("cloud predictions do not depend on the batch a sample is in", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(0, 100);
  const CloudModel cloud{CloudModelOptions{}};
  const auto batch = cloud.predict(data.test, range(100));
  for (const int64_t i : {0, 37, 99}) {
    INFO("sample " << i);
    CHECK(cloud.predict(data.test, {i})[0].logits == batch[static_cast<size_t>(i)].logits);
  }
}
