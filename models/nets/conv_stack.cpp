// The shared conv + BatchNorm feature stack; see conv_stack.hpp.
#include "models/nets/conv_stack.hpp"

#include <stdexcept>

namespace eccsim {

double ConvStack::macs() const {
  double macs = 0;
  for (size_t i = 0; i < convs.size(); ++i) {
    const auto& o = convs[i]->options;
    macs += static_cast<double>(out_pixels[i] * o.out_channels() * o.in_channels() * kKernel * kKernel);
  }
  return macs;
}

ConvStack register_conv_stack(torch::nn::Module& owner, const std::string& net, int64_t in_channels, int64_t height,
                              int64_t width, const std::vector<int64_t>& widths) {
  if (widths.empty() || widths.front() == kPool) throw std::invalid_argument(net + ": widths must start with a conv layer");
  ConvStack stack;
  stack.channels = in_channels;
  stack.height = height;
  stack.width = width;
  for (const int64_t out : widths) {
    if (out == kPool) {
      stack.height /= 2;
      stack.width /= 2;
      continue;
    }
    const std::string index = std::to_string(stack.convs.size());
    stack.convs.push_back(owner.register_module(
        "conv" + index,
        torch::nn::Conv2d(torch::nn::Conv2dOptions(stack.channels, out, kKernel).padding(1).bias(false))));
    stack.norms.push_back(owner.register_module("bn" + index, torch::nn::BatchNorm2d(out)));
    stack.out_pixels.push_back(stack.height * stack.width);
    stack.channels = out;
  }
  if (stack.height < 1 || stack.width < 1) {
    throw std::invalid_argument(net + ": too many pooling stages for the input size");
  }
  return stack;
}

}  // namespace eccsim
