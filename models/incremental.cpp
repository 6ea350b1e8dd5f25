// Incremental learning with LwF; see incremental.hpp. As the authors' update.py: loss =
// CE(new head, label - offset) + lwf_weight * tau^2 * KL(old model's old-head logits || new model's
// old-head logits), old heads frozen (requires_grad off, not in the optimiser), Adam without weight
// decay, cosine annealing per epoch. The old model's logits are computed once, in eval mode, before
// training (they do not change: no augmentation).
//
// train_ops = sum over epochs and batches of 3 x (dense MACs + synaptic ops) of the training forward
// pass, counted from its real spikes (forward + backward ~ 3 forwards), plus the ops of the one
// inference pass of the old model over the samples. The cloud teacher's logits, when used, are not
// counted (they come from the cloud).
#include "models/incremental.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "models/cloud_model_impl.hpp"
#include "models/dataset_tensors.hpp"
#include "models/edge_model_impl.hpp"
#include "models/training.hpp"

namespace eccsim {
namespace {

constexpr uint64_t kHeadInit = 1;
constexpr uint64_t kShuffle = 100;   // + epoch

}  // namespace

IncrementalResult learn_new_classes(const EdgeModel& current, const LabelledSamples& samples,
                                    const std::vector<int32_t>& new_classes, const IncrementalOptions& o,
                                    const CloudModel* cloud_teacher) {
  if (samples.images == nullptr || samples.indices.size() != samples.labels.size()) {
    throw std::invalid_argument("learn_new_classes: samples need images and one label per index");
  }
  if (new_classes.empty() || new_classes.front() != current.num_classes()) {
    throw std::invalid_argument(fmt::format("learn_new_classes: new classes must start at {} (the classes known)",
                                            current.num_classes()));
  }
  for (size_t k = 1; k < new_classes.size(); ++k) {
    if (new_classes[k] != new_classes[k - 1] + 1) {
      throw std::invalid_argument("learn_new_classes: new classes must be contiguous and ascending");
    }
  }
  if (o.teacher_weight > 0 && cloud_teacher == nullptr) {
    throw std::invalid_argument("learn_new_classes: teacher_weight > 0 needs the cloud model");
  }
  const int32_t first = new_classes.front();
  const int32_t last = new_classes.back();
  std::vector<int64_t> indices;
  std::vector<int64_t> targets;   // label - first
  for (size_t i = 0; i < samples.indices.size(); ++i) {
    if (samples.labels[i] >= first && samples.labels[i] <= last) {
      indices.push_back(samples.indices[i]);
      targets.push_back(samples.labels[i] - first);
    }
  }
  if (indices.empty()) {
    throw std::invalid_argument(fmt::format("learn_new_classes: none of the {} samples is labelled {}..{}",
                                            samples.indices.size(), first, last));
  }

  const TrainingThreads threads(o.threads);
  const ImageSet& images = *samples.images;
  const Normalisation& norm = current.normalisation();
  IncrementalResult result{EdgeModel(current), 0, 0, static_cast<int>(indices.size())};
  result.model.impl().version = current.version() + 1;
  SpikingVgg net = result.model.impl().net;

  const size_t old_heads = net->head_sizes().size();
  const bool lwf = old_heads > 0 && o.lwf_weight > 0;
  torch::Tensor old_logits;
  if (lwf) {
    SpikingVgg old_net = current.impl().net;
    old_logits = snn_logits(old_net, images, norm, indices, &result.train_ops);
  }
  torch::Tensor teacher_logits;
  if (o.teacher_weight > 0) {
    const std::vector<int64_t> columns(new_classes.begin(), new_classes.end());
    teacher_logits = cloud_logits(cloud_teacher->impl(), images, indices).index_select(1, torch::tensor(columns));
  }

  torch::manual_seed(derive_seed(o.seed, kHeadInit));
  const torch::nn::Linear head = net->add_head(static_cast<int64_t>(new_classes.size()));
  for (size_t k = 0; k < old_heads; ++k) {
    for (auto& p : net->head(k)->parameters()) p.set_requires_grad(false);
  }
  std::vector<torch::Tensor> params = net->backbone_parameters();
  for (const auto& p : head->parameters()) params.push_back(p);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.learning_rate));
  EpochLog log(fmt::format("edge+{}", new_classes.size()), o.epochs, {}, o.progress);

  const auto n = static_cast<int64_t>(indices.size());
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    set_learning_rate(optimizer, cosine_learning_rate(o.learning_rate, epoch - 1, o.epochs));
    const std::vector<int64_t> order = seeded_permutation(n, derive_seed(o.seed, kShuffle + epoch));
    net->train();
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < n; begin += o.batch_size) {
      const auto end = std::min(n, begin + o.batch_size);
      std::vector<int64_t> batch;
      std::vector<int64_t> batch_targets;
      for (int64_t k = begin; k < end; ++k) {
        batch.push_back(indices[static_cast<size_t>(order[static_cast<size_t>(k)])]);
        batch_targets.push_back(targets[static_cast<size_t>(order[static_cast<size_t>(k)])]);
      }
      const torch::Tensor positions =
          torch::from_blob(const_cast<int64_t*>(order.data()) + begin, {end - begin}, torch::kInt64);
      const torch::Tensor y = torch::tensor(batch_targets, torch::kInt64);
      const SpikingVggOutput out = net->forward(images_to_tensor(images, norm, batch), {true});
      const torch::Tensor& new_logits = out.head_logits.back();
      torch::Tensor loss = torch::nn::functional::cross_entropy(new_logits, y);
      if (lwf) {
        const std::vector<torch::Tensor> old_outputs(out.head_logits.begin(), out.head_logits.end() - 1);
        loss = loss + o.lwf_weight * distillation_loss(torch::cat(old_outputs, 1), old_logits.index_select(0, positions),
                                                       o.lwf_temperature);
      }
      if (o.teacher_weight > 0) {
        loss = loss + o.teacher_weight * distillation_loss(new_logits, teacher_logits.index_select(0, positions),
                                                           o.teacher_temperature);
      }
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      result.train_ops += 3 * (net->dense_macs() * static_cast<double>(end - begin) + out.synaptic_ops.sum().item<double>());
      loss_sum += loss.item<double>() * static_cast<double>(end - begin);
      correct += new_logits.argmax(1).eq(y).sum().item<int64_t>();
    }
    log.epoch_done(epoch, loss_sum / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n),
                   std::nan(""));
  }
  for (auto& p : net->parameters()) p.set_requires_grad(true);
  net->eval();
  result.model_bytes = result.model.size_bytes();
  return result;
}

}  // namespace eccsim
