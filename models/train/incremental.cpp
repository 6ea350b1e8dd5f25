// Incremental learning; see incremental.hpp. Lwf is the authors' update.py: loss =
// CE(new head, label - offset) + lwf_weight * tau^2 * KL(old model's old-head logits || new model's
// old-head logits), old heads frozen (requires_grad off, not in the optimiser), Adam without weight
// decay, cosine annealing per epoch. Replay (as iCaRL/LUCIR-style rehearsal): the same LwF term, but
// CE over all heads concatenated on the samples of every known class, every head trainable.
// ReplayAligned adds weight aligning (Zhao et al., CVPR 2020) after training: the new head's weight
// rows are scaled by mean ||w_old|| / mean ||w_new||, which removes the bias towards the classes with
// the most samples seen. The old model's logits are computed once, in eval mode, before training
// (they do not change: no augmentation).
//
// train_ops counts what spiking hardware computes (docs/modelling.md, Cost model), per sample of each step:
//   forward   first-layer MACs once (direct encoding), synaptic ops from the real spikes, neuron updates;
//   backward  the first layer's weight gradient (dense, once: its input is one image at every step);
//             the later layers' weight gradients, one accumulate per spike and synapse (the forward's
//             synaptic-op count); their input gradients W^T delta, dense at every step (the surrogate
//             gradient is non-zero for every neuron), and the heads' once; one surrogate derivative per
//             neuron update;
//   and per step Adam's arithmetic on every trainable parameter; plus the old model's one inference
//   pass over the samples. dense_train_macs is the same training where nothing is sparse (the cloud):
//   forward, input gradient and weight gradient of every layer at every step (the first layer's input
//   gradient aside) and the optimiser. The cloud teacher's logits, when used, are not counted (they
//   come from the cloud).
#include "models/train/incremental.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/random.hpp"
#include "models/data/dataset_tensors.hpp"
#include "models/nets/cloud_model_impl.hpp"
#include "models/nets/edge_model_impl.hpp"
#include "models/train/training.hpp"

namespace eccsim {
namespace {

constexpr uint64_t kHeadInit = 1;
// Adam's update of one parameter (Kingma & Ba 2015, Algorithm 1): two moment updates (3 + 4 ops),
// two bias corrections, a square root, a division, the epsilon and the learning-rate step.
constexpr double kAdamOpsPerParameter = 12;
constexpr uint64_t kShuffle = 100;   // + epoch

// Weight aligning: scales the new head's weight rows so that their mean L2 norm equals that of the
// old heads' rows (biases untouched, as in the method's reference code). Returns the factor.
double align_new_head(SpikingVgg& net, size_t old_heads) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> old_weights;
  for (size_t k = 0; k < old_heads; ++k) old_weights.push_back(net->head(k)->weight);
  const torch::Tensor new_weight = net->head(old_heads)->weight;
  const double old_norm = torch::cat(old_weights, 0).norm(2, 1).mean().item<double>();
  const double new_norm = new_weight.norm(2, 1).mean().item<double>();
  const double scale = new_norm > 0 ? old_norm / new_norm : 1.0;
  new_weight.mul_(scale);
  return scale;
}

EdgeOps spiking_step_ops(const SpikingVggImpl& net, double samples, double synaptic_ops) {
  const double steps = static_cast<double>(net.options().timesteps);
  const double input_gradient = net.later_layer_macs_per_step() * steps + net.head_macs();
  return {samples * (2 * net.first_layer_macs() + input_gradient) +
              kAdamOpsPerParameter * static_cast<double>(net.trainable_parameters()),
          2 * synaptic_ops + 2 * samples * net.neuron_updates()};
}

// One forward pass where nothing is sparse: every layer at every step (the first once).
double dense_forward_macs(const SpikingVggImpl& net) {
  return net.first_layer_macs() + net.later_layer_macs_per_step() * static_cast<double>(net.options().timesteps) +
         net.head_macs();
}

double dense_step_macs(const SpikingVggImpl& net, double samples) {
  return samples * (3 * dense_forward_macs(net) - net.first_layer_macs()) +
         kAdamOpsPerParameter * static_cast<double>(net.trainable_parameters());
}

}  // namespace

IncrementalMethod parse_incremental_method(const std::string& name) {
  if (name == "lwf") return IncrementalMethod::Lwf;
  if (name == "replay") return IncrementalMethod::Replay;
  if (name == "replay_wa") return IncrementalMethod::ReplayAligned;
  throw std::invalid_argument("unknown incremental method '" + name + "' (lwf, replay, replay_wa)");
}

const char* incremental_method_name(IncrementalMethod method) {
  switch (method) {
    case IncrementalMethod::Lwf: return "lwf";
    case IncrementalMethod::Replay: return "replay";
    case IncrementalMethod::ReplayAligned: return "replay_wa";
  }
  return "?";
}

IncrementalResult learn_new_classes(const EdgeModel& current, const LabelledSamples& samples,
                                    const std::vector<int32_t>& new_classes, const IncrementalOptions& o,
                                    const CloudModel* cloud_teacher) {
  if (samples.images == nullptr || samples.indices.size() != samples.labels.size()) {
    throw std::invalid_argument("learn_new_classes: samples need images and one label per index");
  }
  if (new_classes.empty()) throw std::invalid_argument("learn_new_classes: no new class given");
  // The scenario refuses updates of a TorchScript edge model (docs/own-models.md, What trains).
  if (current.is_torchscript()) throw std::logic_error("learn_new_classes: a TorchScript edge model cannot be trained");
  if (o.teacher_weight > 0 && cloud_teacher == nullptr) {
    throw std::invalid_argument("learn_new_classes: teacher_weight > 0 needs the cloud model");
  }
  // Each label's output index in the updated model: the known ones keep theirs, the new head follows.
  const std::vector<int32_t> known = current.output_labels();
  std::map<int32_t, int64_t> output_of;
  for (size_t k = 0; k < known.size(); ++k) output_of.emplace(known[k], static_cast<int64_t>(k));
  for (size_t k = 0; k < new_classes.size(); ++k) {
    const int32_t label = new_classes[k];
    if (label < 0) throw std::invalid_argument(fmt::format("learn_new_classes: negative label {}", label));
    const auto [it, fresh] = output_of.emplace(label, static_cast<int64_t>(known.size() + k));
    if (!fresh && it->second < static_cast<int64_t>(known.size()))
      throw std::invalid_argument(fmt::format("learn_new_classes: class {} is already known", label));
    if (!fresh) throw std::invalid_argument(fmt::format("learn_new_classes: class {} is given twice", label));
  }
  const bool replay = o.method != IncrementalMethod::Lwf;
  const auto first_new = static_cast<int64_t>(known.size());   // the new head's first output
  std::vector<int64_t> indices;
  std::vector<int64_t> targets;   // Lwf: output - first_new (within the new head); Replay: output (over all heads)
  int new_class_samples = 0;
  for (size_t i = 0; i < samples.indices.size(); ++i) {
    const auto it = output_of.find(samples.labels[i]);
    if (it == output_of.end()) continue;   // a class neither known nor new
    const bool is_new = it->second >= first_new;
    if (!is_new && !replay) continue;
    indices.push_back(samples.indices[i]);
    targets.push_back(replay ? it->second : it->second - first_new);
    new_class_samples += is_new ? 1 : 0;
  }
  if (new_class_samples == 0) {
    throw std::invalid_argument(fmt::format("learn_new_classes: none of the {} samples is labelled {}",
                                            samples.indices.size(), fmt::join(new_classes, ", ")));
  }

  const TrainingThreads threads(o.threads);
  const ImageSet& images = *samples.images;
  const Normalisation& norm = current.normalisation();
  IncrementalResult result{EdgeModel(current), {}, 0, 0, static_cast<int>(indices.size()), new_class_samples, 1, indices};
  result.model.impl().version = current.version() + 1;
  result.model.impl().output_labels = known;
  result.model.impl().output_labels.insert(result.model.impl().output_labels.end(), new_classes.begin(), new_classes.end());
  SpikingVgg net = result.model.impl().net;

  const size_t old_heads = net->head_sizes().size();
  const bool lwf = old_heads > 0 && o.lwf_weight > 0;
  torch::Tensor old_logits;
  if (lwf) {
    SpikingVgg old_net = current.impl().net;
    old_logits = snn_logits(old_net, images, norm, indices, &result.train_ops);
    result.dense_train_macs += static_cast<double>(indices.size()) * dense_forward_macs(*old_net);
  }
  torch::Tensor teacher_logits;
  if (o.teacher_weight > 0) {
    const std::vector<int64_t> columns(new_classes.begin(), new_classes.end());   // the cloud's logits are by label
    teacher_logits = cloud_logits(cloud_teacher->impl(), images, indices).index_select(1, torch::tensor(columns));
  }

  torch::manual_seed(derive_seed(o.seed, kHeadInit));
  const torch::nn::Linear head = net->add_head(static_cast<int64_t>(new_classes.size()));
  std::vector<torch::Tensor> params = net->backbone_parameters();
  for (size_t k = 0; k < old_heads; ++k) {
    for (auto& p : net->head(k)->parameters()) {
      if (replay) {
        params.push_back(p);
      } else {
        p.set_requires_grad(false);
      }
    }
  }
  for (const auto& p : head->parameters()) params.push_back(p);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.learning_rate));
  EpochLog log(fmt::format("edge+{}", new_classes.size()), o.epochs, {}, o.progress ? stderr : nullptr);

  const EpochPlan plan{o.epochs, static_cast<int64_t>(indices.size()), o.batch_size, o.learning_rate, o.seed, kShuffle};
  run_epochs(
      plan, *net, optimizer, log,
      [&](const std::vector<int64_t>& positions) {
        std::vector<int64_t> batch;
        std::vector<int64_t> batch_targets;
        for (const int64_t k : positions) {
          batch.push_back(indices[static_cast<size_t>(k)]);
          batch_targets.push_back(targets[static_cast<size_t>(k)]);
        }
        const torch::Tensor rows = torch::tensor(positions, torch::kInt64);
        const torch::Tensor y = torch::tensor(batch_targets, torch::kInt64);
        const SpikingVggOutput out = net->forward(images_to_tensor(images, norm, batch), {true});
        const torch::Tensor& new_logits = out.head_logits.back();
        const torch::Tensor& trained_logits = replay ? out.logits : new_logits;
        torch::Tensor loss = torch::nn::functional::cross_entropy(trained_logits, y);
        if (lwf) {
          const std::vector<torch::Tensor> old_outputs(out.head_logits.begin(), out.head_logits.end() - 1);
          loss = loss + o.lwf_weight * distillation_loss(torch::cat(old_outputs, 1),
                                                         old_logits.index_select(0, rows), o.lwf_temperature);
        }
        if (o.teacher_weight > 0) {
          loss = loss + o.teacher_weight * distillation_loss(new_logits, teacher_logits.index_select(0, rows),
                                                             o.teacher_temperature);
        }
        const auto n = static_cast<double>(positions.size());
        result.train_ops += spiking_step_ops(*net, n, out.synaptic_ops.sum().item<double>());
        result.dense_train_macs += dense_step_macs(*net, n);
        return BatchLoss{loss, trained_logits, y};
      },
      [] { return std::nan(""); });
  for (auto& p : net->parameters()) p.set_requires_grad(true);
  if (o.method == IncrementalMethod::ReplayAligned && old_heads > 0) result.aligned_scale = align_new_head(net, old_heads);
  net->eval();
  result.model_bytes = result.model.size_bytes();
  return result;
}

}  // namespace eccsim
