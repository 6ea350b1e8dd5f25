// The feature stack both nets share, VGG-style: for each entry of a widths list a conv3x3 (padding
// 1, no bias) + BatchNorm with that many output channels, or kPool: a 2x2 max-pool (stride 2) that
// halves the map. What follows each conv (ReLU in the CNN, LIF in the SNN) is the net's own.
// Internal to models/ (includes torch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace eccsim {

constexpr int64_t kPool = 0;     // in a widths list: 2x2 max-pool, stride 2
constexpr int64_t kKernel = 3;   // conv kernel side

struct ConvStack {
  std::vector<torch::nn::Conv2d> convs;
  std::vector<torch::nn::BatchNorm2d> norms;
  std::vector<int64_t> out_pixels;   // output H*W of each conv
  int64_t channels = 0;              // of the stack's output
  int64_t height = 0;
  int64_t width = 0;

  int64_t flat_size() const { return channels * height * width; }
  // Multiply-accumulates of the convs on one input.
  double macs() const;
};

// Registers the stack's modules in `owner` as conv<i> and bn<i> (the names checkpoints hold);
// std::invalid_argument "<net>: ..." when `widths` does not start with a conv or pools the map away.
ConvStack register_conv_stack(torch::nn::Module& owner, const std::string& net, int64_t in_channels, int64_t height,
                              int64_t width, const std::vector<int64_t>& widths);

}  // namespace eccsim
