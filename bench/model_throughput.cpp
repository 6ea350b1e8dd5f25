// Throughput of the models on real Fashion-MNIST images (models issue): inference through the
// simulator's API (EdgeModel/CloudModel::predict, op counting included) at batch 1 and 256, and
// training steps as the setup stage runs them (forward, cross-entropy, backward, Adam; batch 64).
// Fresh, untrained networks: the SNN's cost depends on its spikes, so pass --models DIR to time the
// trained edge model's inference too. Samples/s, best of --repeat timings.
//   build/bench/model_throughput [--models models/cache/fmnist] [--repeat 3]
#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "models/data/dataset.hpp"
#include "models/data/dataset_tensors.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/cnn.hpp"
#include "models/nets/edge_model.hpp"
#include "models/nets/spiking_vgg.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Samples per second of `work` (which handles `samples` samples), best of `repeat` runs.
double best_rate(int repeat, int64_t samples, const std::function<void()>& work) {
  double best_s = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto start = Clock::now();
    work();
    best_s = std::min(best_s, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return static_cast<double>(samples) / best_s;
}

std::vector<int64_t> range(int64_t first, int64_t count) {
  std::vector<int64_t> v(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) v[static_cast<size_t>(i)] = first + i;
  return v;
}

// Predictions one sample at a time (batch 1) and in batches of 256, over the same samples.
template <class Model>
void print_inference(const char* name, const Model& model, const eccsim::ImageSet& test, int repeat) {
  const int64_t samples = 256;
  const double batch1 = best_rate(repeat, samples, [&] {
    for (int64_t i = 0; i < samples; ++i) model.predict(test, {i});
  });
  const double batch256 = best_rate(repeat, samples, [&] { model.predict(test, range(0, samples)); });
  fmt::print("inference  {:<22} batch 1: {:8.0f} samples/s   batch 256: {:8.0f} samples/s\n", name, batch1, batch256);
}

// Training steps of batch 64 on the first images of the training split.
template <class Net>
void print_training(const char* name, Net& net, const eccsim::Dataset& data, int repeat,
                    const std::function<torch::Tensor(Net&, const torch::Tensor&)>& logits_of) {
  const int64_t batch = 64;
  const int64_t steps = 8;
  net->train();
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(1e-3));
  std::vector<torch::Tensor> images;
  std::vector<torch::Tensor> labels;
  for (int64_t s = 0; s < steps; ++s) {
    const std::vector<int64_t> indices = range(s * batch, batch);
    images.push_back(eccsim::images_to_tensor(data.train, data.normalisation, indices));
    labels.push_back(eccsim::labels_to_tensor(data.train, indices));
  }
  const double rate = best_rate(repeat, steps * batch, [&] {
    for (size_t s = 0; s < images.size(); ++s) {
      optimizer.zero_grad();
      torch::Tensor loss = torch::nn::functional::cross_entropy(logits_of(net, images[s]), labels[s]);
      loss.backward();
      optimizer.step();
    }
  });
  fmt::print("training   {:<22} batch 64: {:8.0f} samples/s\n", name, rate);
}

void run(const std::filesystem::path& models_dir, int repeat) {
  const eccsim::Dataset data = eccsim::load_dataset(eccsim::DatasetSource{"fashion-mnist", {}});
  fmt::print("torch intra-op threads: {}\n", torch::get_num_threads());

  eccsim::CloudModelOptions cloud_options;
  cloud_options.normalisation = data.normalisation;
  print_inference("cloud cnn (fresh)", eccsim::CloudModel(cloud_options), data.test, repeat);
  if (!models_dir.empty()) {
    print_inference("edge svgg T=4 (trained)", eccsim::EdgeModel::load(models_dir / "edge.pt"), data.test, repeat);
    print_inference("cloud cnn (trained)", eccsim::CloudModel::load(models_dir / "cloud.pt"), data.test, repeat);
  }

  torch::manual_seed(2025);
  eccsim::SpikingVgg snn(eccsim::SpikingVggOptions{}, std::vector<int64_t>{10});
  print_training<eccsim::SpikingVgg>("edge svgg T=4", snn, data, repeat,
                                     [](eccsim::SpikingVgg& n, const torch::Tensor& x) { return n->forward(x).logits; });
  eccsim::Cnn cnn(eccsim::CnnOptions{});
  print_training<eccsim::Cnn>("cloud cnn", cnn, data, repeat,
                              [](eccsim::Cnn& n, const torch::Tensor& x) { return n->forward(x); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Inference and training throughput of the models"};
  std::string models_dir;
  int repeat = 3;
  app.add_option("--models", models_dir, "also time the trained models in this directory");
  app.add_option("--repeat", repeat, "best of this many timings")->check(CLI::Range(1, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    run(models_dir, repeat);
  } catch (const std::exception& e) {
    fmt::print(stderr, "model_throughput: {}\n", e.what());
    return 2;
  }
  return 0;
}
