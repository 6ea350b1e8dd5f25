// The cloud ANN "cnn": a VGG-style CNN (conv3x3 + BatchNorm + ReLU blocks, max-pools, dropout,
// two Linear layers) clearly stronger than the edge SNN; the teacher of the setup stage.
// Internal to models/ (includes torch).
#pragma once

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "models/nets/conv_stack.hpp"

namespace eccsim {

struct CnnOptions {
  int64_t in_channels = 1;
  int64_t height = 28;                 // input pixels
  int64_t width = 28;
  std::vector<int64_t> widths{32, 32, kPool, 64, 64, kPool, 128, kPool};   // conv channels or kPool
  int64_t hidden = 256;                // neurons of the hidden Linear layer
  double dropout = 0.3;                // before each Linear layer, training only
  int64_t num_classes = 10;
};

class CnnImpl : public torch::nn::Cloneable<CnnImpl> {
 public:
  explicit CnnImpl(CnnOptions options = {});

  void reset() override;
  torch::Tensor forward(const torch::Tensor& images);   // logits [B, num_classes]

  const CnnOptions& options() const { return options_; }
  // Multiply-accumulates of one sample's forward pass (convs and Linears; BN folds into the convs).
  double macs() const;

 private:
  CnnOptions options_;
  ConvStack stack_;
  torch::nn::Linear hidden_{nullptr};
  torch::nn::Linear out_{nullptr};
  double macs_ = 0;
};
TORCH_MODULE(Cnn);

}  // namespace eccsim
