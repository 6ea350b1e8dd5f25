// Incremental learning with LwF on a small slice of Fashion-MNIST: a new head per task, old heads
// frozen, the new classes become predictable (any labels, in any order), the original model is
// left alone, costs are reported, and training is deterministic for a seed.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include "models/nets/edge_model_impl.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include "model_test_data.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/incremental.hpp"
#include "models/train/training.hpp"

using eccsim::EdgeModel;
using eccsim::EdgeModelOptions;
using eccsim::IncrementalOptions;
using eccsim::LabelledSamples;
using eccsim::learn_new_classes;
using eccsim::TaskSplit;

namespace {

// Every sample of `set` with its re-indexed label.
LabelledSamples labelled(const eccsim::ImageSet& set, const TaskSplit& split) {
  LabelledSamples s;
  s.images = &set;
  for (int64_t i = 0; i < set.count; ++i) {
    s.indices.push_back(i);
    s.labels.push_back(split.new_label_of[static_cast<size_t>(set.labels[static_cast<size_t>(i)])]);
  }
  return s;
}

// Accuracy (argmax over all heads) on the test samples of `task`.
double task_accuracy(const EdgeModel& model, const eccsim::Dataset& data, const TaskSplit& split, int task) {
  const std::vector<int64_t> indices = eccsim::task_samples(split, data.test.labels, task);
  const auto predictions = model.predict(data.test, indices);
  int correct = 0;
  for (size_t i = 0; i < indices.size(); ++i) {
    const int label = split.new_label_of[static_cast<size_t>(data.test.labels[static_cast<size_t>(indices[i])])];
    correct += predictions[i].predicted == label ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(indices.size());
}

// Half the default widths: the mechanism under test does not need the full model, and it trains 4x faster.
EdgeModel fresh_model(const eccsim::Dataset& data) {
  EdgeModelOptions o;
  o.normalisation = data.normalisation;
  o.widths = {8, 8, eccsim::kPool, 16, 16, eccsim::kPool, 32, 32, 32, eccsim::kPool};
  return EdgeModel(o);
}

}  // namespace

TEST_CASE("an incremental step adds a head, keeps the old ones and learns the new classes", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(4000, 1000);
  const TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  const LabelledSamples samples = labelled(data.train, split);
  IncrementalOptions o;
  o.epochs = 2;

  const EdgeModel fresh = fresh_model(data);
  const auto base = learn_new_classes(fresh, samples, split.task_classes[0], o);
  CHECK(fresh.num_classes() == 0);
  CHECK(base.model.version() == 1);
  CHECK(base.model.head_sizes() == std::vector<int>{2});
  CHECK(base.samples_used == static_cast<int>(eccsim::task_samples(split, data.train.labels, 0).size()));
  CHECK(task_accuracy(base.model, data, split, 0) >= 0.8);

  o.epochs = 3;
  const auto next = learn_new_classes(base.model, samples, split.task_classes[1], o);
  CHECK(next.model.version() == 2);
  CHECK(next.model.head_sizes() == std::vector<int>{2, 2});
  CHECK(next.model.head_offsets() == std::vector<int>{0, 2});
  CHECK(base.model.head_sizes() == std::vector<int>{2});   // the old model is untouched
  CHECK(next.samples_used == static_cast<int>(eccsim::task_samples(split, data.train.labels, 1).size()));
  CHECK(next.model_bytes == next.model.size_bytes());
  CHECK(next.model_bytes > base.model_bytes);
  CHECK(next.train_ops.macs > 2 * o.epochs * next.samples_used * base.model.first_layer_macs());
  CHECK(task_accuracy(next.model, data, split, 1) >= 0.5);   // argmax over all 4 classes
  CHECK(task_accuracy(next.model, data, split, 0) >= 0.3);   // LwF keeps some of the old task

  // The old head was frozen: bit-identical weights and bias.
  const auto old_head = base.model.impl().net->head(0);
  const auto kept_head = next.model.impl().net->head(0);
  CHECK(torch::equal(old_head->weight, kept_head->weight));
  CHECK(torch::equal(old_head->bias, kept_head->bias));
  // ... while the backbone moved.
  CHECK_FALSE(torch::equal(base.model.impl().net->backbone_parameters()[0],
                           next.model.impl().net->backbone_parameters()[0]));
}

TEST_CASE("incremental learning is deterministic for a seed and checks its classes", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(600, 50);
  const TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  const LabelledSamples samples = labelled(data.train, split);
  IncrementalOptions o;
  o.epochs = 1;
  const EdgeModel fresh = fresh_model(data);
  const auto a = learn_new_classes(fresh, samples, split.task_classes[0], o);
  const auto b = learn_new_classes(fresh, samples, split.task_classes[0], o);
  CHECK(a.train_ops.macs == b.train_ops.macs);
  CHECK(a.train_ops.acs == b.train_ops.acs);
  const std::vector<int64_t> indices{0, 1, 2, 3, 4, 5, 6, 7};
  const auto pa = a.model.predict(data.test, indices);
  const auto pb = b.model.predict(data.test, indices);
  for (size_t i = 0; i < indices.size(); ++i) CHECK(pa[i].logits == pb[i].logits);

  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(learn_new_classes(a.model, samples, {}, o), Contains("no new class"));
  CHECK_THROWS_AS(learn_new_classes(a.model, samples, {}, o), std::invalid_argument);
  CHECK_THROWS_WITH(learn_new_classes(a.model, samples, {4, 1}, o), Contains("class 1 is already known"));
  CHECK_THROWS_AS(learn_new_classes(a.model, samples, {4, 1}, o), std::invalid_argument);
  CHECK_THROWS_WITH(learn_new_classes(a.model, samples, {4, 6, 4}, o), Contains("class 4 is given twice"));
  CHECK_THROWS_AS(learn_new_classes(a.model, samples, {4, 6, 4}, o), std::invalid_argument);
  CHECK_THROWS_WITH(learn_new_classes(a.model, samples, {-1}, o), Contains("negative label -1"));
  LabelledSamples old_only = samples;
  old_only.labels.assign(old_only.labels.size(), 0);
  CHECK_THROWS_WITH(learn_new_classes(a.model, old_only, {2, 3}, o), Contains("is labelled 2, 3"));  // nothing to learn
  CHECK_THROWS_AS(learn_new_classes(a.model, old_only, {2, 3}, o), std::invalid_argument);
  // Any labels the model lacks, not necessarily contiguous nor starting after the known ones.
  const auto later = learn_new_classes(fresh, samples, {5, 3}, o);
  CHECK(later.model.output_labels() == std::vector<int32_t>{5, 3});
  CHECK(a.model.output_labels() == std::vector<int32_t>{0, 1});
}

namespace {

// What the simulation's buffer holds at the second task's update: `per_class` samples of each of
// the first `classes` classes (true labels here), in dataset order.
LabelledSamples balanced_buffer(const eccsim::ImageSet& set, const TaskSplit& split, int classes, int per_class) {
  LabelledSamples s;
  s.images = &set;
  std::vector<int> taken(static_cast<size_t>(classes), 0);
  for (int64_t i = 0; i < set.count; ++i) {
    const int label = split.new_label_of[static_cast<size_t>(set.labels[static_cast<size_t>(i)])];
    if (label >= classes || taken[static_cast<size_t>(label)] >= per_class) continue;
    ++taken[static_cast<size_t>(label)];
    s.indices.push_back(i);
    s.labels.push_back(label);
  }
  return s;
}

// `per_class` samples of each of `labels` (true labels here), in dataset order.
LabelledSamples buffer_of(const eccsim::ImageSet& set, const TaskSplit& split, const std::vector<int32_t>& labels,
                          int per_class) {
  LabelledSamples s;
  s.images = &set;
  std::map<int32_t, int> taken;
  for (int64_t i = 0; i < set.count; ++i) {
    const int32_t label = split.new_label_of[static_cast<size_t>(set.labels[static_cast<size_t>(i)])];
    if (std::find(labels.begin(), labels.end(), label) == labels.end() || taken[label] >= per_class) continue;
    ++taken[label];
    s.indices.push_back(i);
    s.labels.push_back(label);
  }
  return s;
}

// Task-agnostic accuracy of `model` on the test images of `label`: predictions are labels.
double class_accuracy(const EdgeModel& model, const eccsim::Dataset& data, const TaskSplit& split, int32_t label) {
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < data.test.count; ++i)
    if (split.new_label_of[static_cast<size_t>(data.test.labels[static_cast<size_t>(i)])] == label) indices.push_back(i);
  const auto predictions = model.predict(data.test, indices);
  int correct = 0;
  for (const auto& p : predictions) correct += p.predicted == label ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(indices.size());
}

// How often `model` predicts each label on the test images of `label`.
std::map<int32_t, int> predicted_counts(const EdgeModel& model, const eccsim::Dataset& data, const TaskSplit& split,
                                        int32_t label) {
  std::vector<int64_t> indices;
  for (int64_t i = 0; i < data.test.count; ++i)
    if (split.new_label_of[static_cast<size_t>(data.test.labels[static_cast<size_t>(i)])] == label) indices.push_back(i);
  std::map<int32_t, int> counts{{0, 0}, {1, 0}, {6, 0}, {9, 0}};
  for (const auto& p : model.predict(data.test, indices)) ++counts[p.predicted];
  return counts;
}

// Task 0 learned by a fresh model in 2 epochs: where the update tests start.
eccsim::IncrementalResult learn_task_zero(const eccsim::Dataset& data, const TaskSplit& split) {
  IncrementalOptions o;
  o.epochs = 2;
  return learn_new_classes(fresh_model(data), labelled(data.train, split), split.task_classes[0], o);
}

double mean_row_norm(const torch::Tensor& weight) { return weight.norm(2, 1).mean().item<double>(); }

}  // namespace

TEST_CASE("replay trains every head on old and new classes; weight aligning rescales the new head", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(4000, 1000);
  const TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  const auto base = learn_task_zero(data, split);
  IncrementalOptions o;
  const LabelledSamples buffer = balanced_buffer(data.train, split, 4, 60);
  REQUIRE(buffer.indices.size() == 240);

  o.epochs = 6;
  o.batch_size = 16;
  o.method = eccsim::IncrementalMethod::Lwf;
  const auto lwf = learn_new_classes(base.model, buffer, split.task_classes[1], o);
  o.method = eccsim::IncrementalMethod::Replay;
  const auto replay = learn_new_classes(base.model, buffer, split.task_classes[1], o);
  o.method = eccsim::IncrementalMethod::ReplayAligned;
  const auto aligned = learn_new_classes(base.model, buffer, split.task_classes[1], o);

  // Lwf trains on the new classes' samples only; replay on the whole buffer, every head.
  CHECK(lwf.samples_used == 120);
  CHECK(replay.samples_used == 240);
  CHECK(replay.new_class_samples == 120);
  CHECK(replay.train_ops.total() > 1.5 * lwf.train_ops.total());
  CHECK_FALSE(torch::equal(base.model.impl().net->head(0)->weight, replay.model.impl().net->head(0)->weight));

  // Weight aligning is replay's training, then the new head's rows scaled to the old head's mean norm.
  const auto& replay_net = replay.model.impl().net;
  const auto& aligned_net = aligned.model.impl().net;
  CHECK(lwf.aligned_scale == 1);
  CHECK(replay.aligned_scale == 1);
  CHECK(aligned.aligned_scale != Approx(1).epsilon(0.01));
  CHECK(torch::allclose(aligned_net->head(1)->weight, replay_net->head(1)->weight * aligned.aligned_scale));
  CHECK(torch::equal(aligned_net->head(1)->bias, replay_net->head(1)->bias));
  CHECK(torch::equal(aligned_net->head(0)->weight, replay_net->head(0)->weight));
  CHECK(mean_row_norm(aligned_net->head(1)->weight) == Approx(mean_row_norm(aligned_net->head(0)->weight)));

  // What that buys, task-agnostic (argmax over all four classes): with the paper's loss the new
  // head takes over part of the old task's inputs; replay learns the new classes and keeps the old ones.
  const double lwf_new = task_accuracy(lwf.model, data, split, 1);
  const double lwf_old = task_accuracy(lwf.model, data, split, 0);
  const double replay_new = task_accuracy(replay.model, data, split, 1);
  const double replay_old = task_accuracy(replay.model, data, split, 0);
  const double aligned_new = task_accuracy(aligned.model, data, split, 1);
  const double aligned_old = task_accuracy(aligned.model, data, split, 0);
  INFO("new task: lwf " << lwf_new << " (old " << lwf_old << "), replay " << replay_new << ", replay_wa " << aligned_new
                        << "; old task: replay " << replay_old << ", replay_wa " << aligned_old);
  CHECK(replay_new >= 0.6);
  CHECK(replay_old >= 0.6);
  CHECK(aligned_new >= 0.6);
  CHECK(aligned_old >= 0.6);
  CHECK(replay_old > lwf_old + 0.15);
  CHECK(replay_new + replay_old > lwf_new + lwf_old + 0.1);
}

TEST_CASE("a head of non-contiguous classes, given out of order, learns them and predicts their labels", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(4000, 1000);
  const TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  const auto base = learn_task_zero(data, split);
  REQUIRE(base.model.output_labels() == std::vector<int32_t>{0, 1});
  IncrementalOptions o;

  // What a buffer holds when the cloud labelled classes 9 then 6 first (trouser, bag: tasks 4 and
  // 3 of this split): 60 images of each of the four.
  const LabelledSamples buffer = buffer_of(data.train, split, {0, 1, 6, 9}, 60);
  REQUIRE(buffer.indices.size() == 240);
  o.epochs = 6;
  o.batch_size = 16;
  o.method = eccsim::IncrementalMethod::Replay;
  const auto next = learn_new_classes(base.model, buffer, {9, 6}, o);
  CHECK(next.model.output_labels() == std::vector<int32_t>{0, 1, 9, 6});
  CHECK(next.model.head_sizes() == std::vector<int>{2, 2});
  CHECK(next.model.output_of(9) == 2);
  CHECK(next.model.output_of(6) == 3);
  CHECK(next.model.output_of(2) == -1);
  CHECK(next.samples_used == 240);
  CHECK(next.new_class_samples == 120);

  // Predictions are labels: never an output index standing for another class.
  std::vector<int64_t> all(static_cast<size_t>(data.test.count));
  std::iota(all.begin(), all.end(), int64_t{0});
  for (const auto& p : next.model.predict(data.test, all)) CHECK((p.predicted == 0 || p.predicted == 1 || p.predicted == 6 || p.predicted == 9));
  // Argmax over the four classes: chance is 25 %.
  const double on_9 = class_accuracy(next.model, data, split, 9);
  const double on_6 = class_accuracy(next.model, data, split, 6);
  const double on_old = task_accuracy(next.model, data, split, 0);
  INFO("class 9 " << on_9 << ", class 6 " << on_6 << ", task 0 " << on_old);
  CHECK(on_9 >= 0.5);
  CHECK(on_6 >= 0.5);
  CHECK(on_old >= 0.5);

  // The paper's loss maps the new labels to the new head alike (its targets: 0 for 9, 1 for 6).
  o.method = eccsim::IncrementalMethod::Lwf;
  const auto lwf = learn_new_classes(base.model, buffer, {9, 6}, o);
  CHECK(lwf.samples_used == 120);
  CHECK(lwf.model.output_labels() == std::vector<int32_t>{0, 1, 9, 6});
  const auto nines = predicted_counts(lwf.model, data, split, 9);
  const auto sixes = predicted_counts(lwf.model, data, split, 6);
  INFO("lwf on class 9: " << nines.at(9) << " as 9, " << nines.at(6) << " as 6; on class 6: " << sixes.at(6)
                          << " as 6, " << sixes.at(9) << " as 9");
  CHECK(nines.at(9) > nines.at(6));
  CHECK(sixes.at(6) > sixes.at(9));

  // The cloud teacher's logits are taken by label (columns 9 and 6 of its ten).
  const eccsim::CloudModel cloud{eccsim::CloudModelOptions{}};
  o.epochs = 1;
  o.teacher_weight = 0.5;
  const auto taught = learn_new_classes(base.model, buffer, {9, 6}, o, &cloud);
  CHECK(taught.model.output_labels() == std::vector<int32_t>{0, 1, 9, 6});
}

TEST_CASE("incremental methods have names", "[models]") {
  for (const char* name : {"lwf", "replay", "replay_wa"})
    CHECK(std::string(eccsim::incremental_method_name(eccsim::parse_incremental_method(name))) == name);
  CHECK_THROWS_AS(eccsim::parse_incremental_method("icarl"), std::invalid_argument);
}

TEST_CASE("a training loop reports progress within epochs, after each epoch, and in train.csv", "[models]") {
  eccsim_test::TempModelsDir dir;
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  {
    eccsim::EpochLog log("edge", 2, dir.path() / "train.csv", out, std::chrono::milliseconds(0));
    log.batch_done(1, 640, 1280);
    log.epoch_done(1, 0.5, 0.75, 0.7);
    eccsim::EpochLog quiet("cloud", 2, {}, out);   // the default interval: nothing within 20 s
    quiet.batch_done(1, 64, 1280);
  }
  std::rewind(out);
  std::string text;
  for (int c = std::fgetc(out); c != EOF; c = std::fgetc(out)) text += static_cast<char>(c);
  std::fclose(out);
  CHECK_THAT(text, Catch::StartsWith("[train] edge epoch 1/2  640/1280 samples  elapsed 0s  ETA "));
  CHECK_THAT(text, Catch::Contains("[train] edge epoch 1/2  loss 0.5000  train acc 75.00%  test acc 70.00%"));
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  std::ifstream csv(dir.path() / "train.csv");
  std::string header;
  std::string row;
  std::getline(csv, header);
  std::getline(csv, row);
  CHECK(header == "model,epoch,loss,train_accuracy,test_accuracy,seconds");
  CHECK_THAT(row, Catch::StartsWith("edge,1,0.500000,0.750000,0.700000,"));
}

// The training count against one made here from the layer shapes alone (docs/modelling.md, Cost model): the
// dense part of on-device training (first layer forward and weight gradient once per sample, the
// input gradient of every later layer at every step, the heads' once, Adam per trainable
// parameter and step, the old model's first layer for LwF) and the neuron updates.
TEST_CASE("on-device training ops match an independent count from the layer shapes", "[models]") {
  const eccsim::Dataset data = eccsim_test::small_fashion_mnist(600, 50);
  const TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  const LabelledSamples samples = labelled(data.train, split);
  IncrementalOptions o;
  o.epochs = 1;
  const auto base = learn_new_classes(fresh_model(data), samples, split.task_classes[0], o);
  o.epochs = 2;
  o.batch_size = 32;
  const auto next = learn_new_classes(base.model, samples, split.task_classes[1], o);

  // fresh_model: 28x28, convs 8 8 P 16 16 P 32 32 32 P (3x3, no bias), feature 256, T = 4.
  const double T = 4;
  const double conv1 = 28 * 28 * 8 * 1 * 9;
  const double later_convs = 28 * 28 * 8 * 8 * 9 + 14 * 14 * 16 * 8 * 9 + 14 * 14 * 16 * 16 * 9 +
                             7 * 7 * 32 * 16 * 9 + 2 * (7 * 7 * 32 * 32 * 9);
  const double fc = 32 * 3 * 3 * 256;
  const double heads = 256 * 4;   // two heads of two classes after the step
  const double conv_weights = 8 * 1 * 9 + 8 * 8 * 9 + 16 * 8 * 9 + 16 * 16 * 9 + 32 * 16 * 9 + 2 * (32 * 32 * 9);
  const double norms = 2 * (8 + 8 + 16 + 16 + 32 + 32 + 32) + 2 * 256;
  const double trainable = conv_weights + norms + fc + (256 * 2 + 2);   // the old head is frozen
  const auto n = static_cast<double>(next.samples_used);
  const double steps = o.epochs * std::ceil(n / o.batch_size);
  const double expected_macs = o.epochs * n * (2 * conv1 + T * (later_convs + fc) + heads) +  // training
                               12 * trainable * steps +                                    // Adam
                               n * conv1;                                                  // old model, once
  CHECK(next.train_ops.macs == Approx(expected_macs).epsilon(0.05));
  const double neurons = 28 * 28 * 8 * 2 + 14 * 14 * 16 * 2 + 7 * 7 * 32 * 3 + 256;
  // Accumulates: forward and weight-gradient synaptic ops (from the spikes) plus two neuron updates
  // per neuron and step while training, one in the old model's pass.
  CHECK(next.train_ops.acs > (2 * o.epochs + 1) * n * neurons * T);
  CHECK(next.train_ops.acs < (2 * o.epochs + 1) * n * (neurons * T + T * (later_convs + fc) + heads));
  // On dense hardware every layer runs at every step: more than the spiking count's MACs.
  CHECK(next.dense_train_macs > next.train_ops.macs);
}
