// VGG-style cloud CNN; see cnn.hpp. MACs count every output position of every conv (padding 1)
// and both Linear layers; ReLU, pooling and dropout are not counted.
#include "models/nets/cnn.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace eccsim {
namespace {

constexpr int64_t kKernel = 3;

}  // namespace

CnnImpl::CnnImpl(CnnOptions options) : options_(std::move(options)) { reset(); }

void CnnImpl::reset() {
  if (options_.widths.empty() || options_.widths.front() == kCnnPool) {
    throw std::invalid_argument("Cnn: widths must start with a conv layer");
  }
  convs_.clear();
  norms_.clear();
  macs_ = 0;
  int64_t channels = options_.in_channels;
  int64_t h = options_.height;
  int64_t w = options_.width;
  for (const int64_t width : options_.widths) {
    if (width == kCnnPool) {
      h /= 2;
      w /= 2;
      continue;
    }
    const std::string index = std::to_string(convs_.size());
    convs_.push_back(register_module(
        "conv" + index, torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, width, kKernel).padding(1).bias(false))));
    norms_.push_back(register_module("bn" + index, torch::nn::BatchNorm2d(width)));
    macs_ += static_cast<double>(h * w * width * channels * kKernel * kKernel);
    channels = width;
  }
  if (h < 1 || w < 1) throw std::invalid_argument("Cnn: too many pooling stages for the input size");
  const int64_t flat = channels * h * w;
  hidden_ = register_module("hidden", torch::nn::Linear(flat, options_.hidden));
  out_ = register_module("out", torch::nn::Linear(options_.hidden, options_.num_classes));
  macs_ += static_cast<double>(flat * options_.hidden + options_.hidden * options_.num_classes);
}

torch::Tensor CnnImpl::forward(const torch::Tensor& images) {
  torch::Tensor x = images;
  size_t layer = 0;
  for (const int64_t width : options_.widths) {
    if (width == kCnnPool) {
      x = torch::max_pool2d(x, 2, 2);
      continue;
    }
    x = torch::relu(norms_[layer]->forward(convs_[layer]->forward(x)));
    ++layer;
  }
  x = torch::dropout(x.flatten(1), options_.dropout, is_training());
  x = torch::relu(hidden_->forward(x));
  x = torch::dropout(x, options_.dropout, is_training());
  return out_->forward(x);
}

double CnnImpl::macs() const { return macs_; }

}  // namespace eccsim
