// The edge SNN "svgg": spiking VGG of the ECC-SNN paper (conv3x3 no bias + BatchNorm + LIF blocks, max-pool
// between stages, Linear + BatchNorm -> feature + LIF, mean spike rate over T, one Linear head per task),
// run in multi-step mode: conv/BN on time folded into the batch [T*B, ...], LIF iterated over T.
// Internal to models/ (includes torch).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/nets/conv_stack.hpp"
#include "models/nets/lif.hpp"

namespace eccsim {

// Default widths are a quarter of VGG-9's (64-64-P-128-128-P-256-256-256-P) and the feature layer
// 256 instead of 1024: on 2 CPU cores a full-width T=4 SNN takes ~16x longer per epoch, while
// Fashion-MNIST needs far less capacity (the narrow net still reaches ~90 % on all 10 classes).
struct SpikingVggOptions {
  int64_t in_channels = 1;
  int64_t height = 28;                 // input pixels
  int64_t width = 28;
  std::vector<int64_t> widths{16, 16, kPool, 32, 32, kPool, 64, 64, 64, kPool};   // conv channels or kPool
  int64_t feature = 256;               // neurons of the feature layer feeding the heads
  int64_t timesteps = 4;               // T, direct encoding (the image is the input current at every step)
  LifOptions lif;
};

struct SpikingVggForward {
  bool count_ops = false;              // also count spikes and synaptic operations per sample
};

struct SpikingVggOutput {
  std::vector<torch::Tensor> head_logits;   // per task head [B, C_k]
  torch::Tensor logits;                     // heads concatenated in task order [B, sum C_k]
  torch::Tensor feature;                    // feature-layer spike rate, mean over T [B, feature]
  torch::Tensor layer_spikes;               // count_ops: spikes per LIF layer, summed over T and neurons [B, L]
  torch::Tensor synaptic_ops;               // count_ops: accumulates triggered by spikes [B] (see .cpp)
};

class SpikingVggImpl : public torch::nn::Cloneable<SpikingVggImpl> {
 public:
  explicit SpikingVggImpl(SpikingVggOptions options = {}, std::vector<int64_t> head_sizes = {});

  void reset() override;
  SpikingVggOutput forward(const torch::Tensor& images, SpikingVggForward how = {});

  // Appends a task head with `classes` outputs (Linear from the feature, with bias); returns it.
  torch::nn::Linear add_head(int64_t classes);
  const std::vector<int64_t>& head_sizes() const { return head_sizes_; }
  int64_t num_classes() const;
  const SpikingVggOptions& options() const { return options_; }

  // Everything but the heads (convs, BNs, the feature Linear and its BN).
  std::vector<torch::Tensor> backbone_parameters() const;
  torch::nn::Linear head(size_t k) const;

  // Neurons of each LIF layer (per sample, per time step), in forward order.
  std::vector<int64_t> lif_neurons() const;
  // Op counts from the layer shapes (docs/modelling.md, Cost model), per sample:
  double first_layer_macs() const;         // the first conv on the analog image, once per inference
  double later_layer_macs_per_step() const;  // every conv after the first and the feature Linear, dense
  double head_macs() const;                // the heads on the feature rate (once: they see the mean over T)
  double neuron_updates() const;           // LIF membrane updates over T
  int64_t trainable_parameters() const;    // parameters with requires_grad set

 private:
  SpikingVggOptions options_;
  std::vector<int64_t> head_sizes_;
  ConvStack stack_;
  torch::nn::Linear fc_{nullptr};
  torch::nn::BatchNorm1d fc_norm_{nullptr};
  torch::nn::ModuleList heads_{nullptr};
  int64_t flat_inputs_ = 0;                // inputs of the feature Linear
};
TORCH_MODULE(SpikingVgg);

}  // namespace eccsim
