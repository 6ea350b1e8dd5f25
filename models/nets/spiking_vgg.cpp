// Spiking VGG; see spiking_vgg.hpp. The first conv + BN sees the same analog image at every step
// (direct encoding), so it runs once on [B, ...] and its output is broadcast over T: identical
// results (BN batch statistics of T copies equal those of one) at 1/T of that layer's cost.
//
// The feature Linear is followed by a BatchNorm, which the paper's "Linear -> 1024 + LIF" lacks:
// without it the feature layer starts silent (sparse spikes x default init stay far below the
// threshold), every logit equals its head's bias, and short runs (tests, the quick profile,
// on-device updates on small buffers) barely learn. It folds into the Linear at inference.
//
// Synaptic operations (SOPs) of one sample, the energy proxy of the `ops` energy mode (docs/modelling.md, What is modelled):
//   every layer after the first receives binary spikes; each input spike triggers one accumulate
//   per synapse leaving that input neuron, so SOPs = sum over those layers of
//   (spikes arriving at the layer, over all T steps) x fan-out, with fan-out
//     conv k x k, stride 1, padding 1:  out_channels * k * k   (border truncation ignored)
//     feature Linear:                   out_features
//     task heads (on the feature spikes; linear, so head(mean_t s_t) = mean_t head(s_t)): sum C_k.
//   Spikes arriving after a max-pool are the pooled spikes (the pool is an OR of its window).
//   BatchNorm folds into the preceding conv / Linear weights at inference and costs nothing.
//
// BatchNorm running statistics start unbiased: while fewer than 1/momentum batches have been seen,
// a layer averages them cumulatively instead of blending them into the initial (mean 0, var 1).
// Conv outputs of spike inputs have variances ~0.02, so after a short run (a test, the quick
// profile) the initial 1 would otherwise dominate the running variance, and in eval mode every
// current would shrink below threshold: the network would fall silent.
#include "models/nets/spiking_vgg.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace eccsim {
namespace {


// Spikes of each sample: sum over T and neurons of [T, B, ...] -> [B].
torch::Tensor spikes_per_sample(const torch::Tensor& seq) { return seq.detach().sum(0).flatten(1).sum(1); }

// Cumulative average for the first batches, then the usual exponential one (momentum 0.1).
template <typename Norm>
void warm_start_momentum(Norm& norm) {
  constexpr double kMomentum = 0.1;
  const auto seen = norm->num_batches_tracked.template item<int64_t>();
  norm->options.momentum(std::max(kMomentum, 1.0 / static_cast<double>(seen + 1)));
}

}  // namespace

SpikingVggImpl::SpikingVggImpl(SpikingVggOptions options, std::vector<int64_t> head_sizes)
    : options_(std::move(options)), head_sizes_(std::move(head_sizes)) {
  reset();
}

void SpikingVggImpl::reset() {
  if (options_.timesteps < 1) throw std::invalid_argument("SpikingVgg: timesteps must be >= 1");
  stack_ = register_conv_stack(*this, "SpikingVgg", options_.in_channels, options_.height, options_.width,
                               options_.widths);
  flat_inputs_ = stack_.flat_size();
  fc_ = register_module("fc", torch::nn::Linear(torch::nn::LinearOptions(flat_inputs_, options_.feature).bias(false)));
  fc_norm_ = register_module("fc_bn", torch::nn::BatchNorm1d(options_.feature));
  heads_ = register_module("heads", torch::nn::ModuleList());
  for (const int64_t classes : head_sizes_) heads_->push_back(torch::nn::Linear(options_.feature, classes));
}

torch::nn::Linear SpikingVggImpl::add_head(int64_t classes) {
  if (classes < 1) throw std::invalid_argument("SpikingVgg: a head needs at least one class");
  torch::nn::Linear head(options_.feature, classes);
  heads_->push_back(head);
  head_sizes_.push_back(classes);
  return head;
}

torch::nn::Linear SpikingVggImpl::head(size_t k) const { return torch::nn::Linear(heads_->ptr<torch::nn::LinearImpl>(k)); }

int64_t SpikingVggImpl::num_classes() const {
  int64_t total = 0;
  for (const int64_t c : head_sizes_) total += c;
  return total;
}

std::vector<torch::Tensor> SpikingVggImpl::backbone_parameters() const {
  std::vector<torch::Tensor> params;
  for (const auto& conv : stack_.convs) for (const auto& p : conv->parameters()) params.push_back(p);
  for (const auto& norm : stack_.norms) for (const auto& p : norm->parameters()) params.push_back(p);
  for (const auto& p : fc_->parameters()) params.push_back(p);
  for (const auto& p : fc_norm_->parameters()) params.push_back(p);
  return params;
}

std::vector<int64_t> SpikingVggImpl::lif_neurons() const {
  std::vector<int64_t> neurons;
  for (size_t i = 0; i < stack_.convs.size(); ++i) neurons.push_back(stack_.convs[i]->options.out_channels() * stack_.out_pixels[i]);
  neurons.push_back(options_.feature);
  return neurons;
}

namespace {
double conv_macs(const torch::nn::Conv2d& conv, int64_t out_pixels) {
  const auto& o = conv->options;
  return static_cast<double>(out_pixels) * static_cast<double>(o.out_channels()) *
         static_cast<double>(o.in_channels()) * kKernel * kKernel;
}
}  // namespace

double SpikingVggImpl::first_layer_macs() const { return conv_macs(stack_.convs.front(), stack_.out_pixels.front()); }

double SpikingVggImpl::later_layer_macs_per_step() const {
  double macs = static_cast<double>(flat_inputs_) * static_cast<double>(options_.feature);
  for (size_t i = 1; i < stack_.convs.size(); ++i) macs += conv_macs(stack_.convs[i], stack_.out_pixels[i]);
  return macs;
}

double SpikingVggImpl::head_macs() const {
  return static_cast<double>(options_.feature) * static_cast<double>(num_classes());
}

double SpikingVggImpl::neuron_updates() const {
  double neurons = 0;
  for (const int64_t n : lif_neurons()) neurons += static_cast<double>(n);
  return neurons * static_cast<double>(options_.timesteps);
}

int64_t SpikingVggImpl::trainable_parameters() const {
  int64_t count = 0;
  for (const auto& p : parameters()) count += p.requires_grad() ? p.numel() : 0;
  return count;
}

SpikingVggOutput SpikingVggImpl::forward(const torch::Tensor& images, SpikingVggForward how) {
  const int64_t steps = options_.timesteps;
  const int64_t batch = images.size(0);
  SpikingVggOutput out;
  std::vector<torch::Tensor> layer_spikes;
  torch::Tensor sops = torch::zeros({batch}, torch::kFloat64);
  auto arriving = [&](const torch::Tensor& folded, double fan_out) {   // folded: [T*B, ...] spikes
    if (how.count_ops) sops += folded.detach().reshape({steps, batch, -1}).sum(0).sum(1).to(torch::kFloat64) * fan_out;
  };

  if (is_training()) {
    for (auto& norm : stack_.norms) warm_start_momentum(norm);
    warm_start_momentum(fc_norm_);
  }
  torch::Tensor x;   // spikes with time folded into the batch, [T*B, C, H, W]
  size_t layer = 0;
  for (const int64_t width : options_.widths) {
    if (width == kPool) {
      x = torch::max_pool2d(x, 2, 2);
      continue;
    }
    torch::Tensor seq;   // input currents [T, B, C, H, W]
    if (layer == 0) {
      const torch::Tensor current = stack_.norms[0]->forward(stack_.convs[0]->forward(images));
      seq = current.unsqueeze(0).expand({steps, batch, current.size(1), current.size(2), current.size(3)});
    } else {
      arriving(x, static_cast<double>(width * kKernel * kKernel));
      const torch::Tensor current = stack_.norms[layer]->forward(stack_.convs[layer]->forward(x));
      seq = current.view({steps, batch, current.size(1), current.size(2), current.size(3)});
    }
    const torch::Tensor spikes = lif_sequence(seq, options_.lif);
    if (how.count_ops) layer_spikes.push_back(spikes_per_sample(spikes));
    x = spikes.flatten(0, 1);
    ++layer;
  }

  x = x.flatten(1);
  arriving(x, static_cast<double>(options_.feature));
  const torch::Tensor current = fc_norm_->forward(fc_->forward(x));
  const torch::Tensor spikes = lif_sequence(current.view({steps, batch, options_.feature}), options_.lif);
  out.feature = spikes.mean(0);
  if (how.count_ops) {
    layer_spikes.push_back(spikes_per_sample(spikes));
    sops += layer_spikes.back().to(torch::kFloat64) * static_cast<double>(num_classes());
    out.layer_spikes = torch::stack(layer_spikes, 1);
    out.synaptic_ops = sops;
  }

  for (size_t k = 0; k < heads_->size(); ++k) out.head_logits.push_back(head(k)->forward(out.feature));
  out.logits = out.head_logits.empty() ? torch::zeros({batch, 0}) : torch::cat(out.head_logits, 1);
  return out;
}

}  // namespace eccsim
