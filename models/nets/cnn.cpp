// VGG-style cloud CNN; see cnn.hpp. MACs count every output position of every conv (padding 1)
// and both Linear layers; ReLU, pooling and dropout are not counted.
#include "models/nets/cnn.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace eccsim {
namespace {


}  // namespace

CnnImpl::CnnImpl(CnnOptions options) : options_(std::move(options)) { reset(); }

void CnnImpl::reset() {
  stack_ = register_conv_stack(*this, "Cnn", options_.in_channels, options_.height, options_.width, options_.widths);
  const int64_t flat = stack_.flat_size();
  hidden_ = register_module("hidden", torch::nn::Linear(flat, options_.hidden));
  out_ = register_module("out", torch::nn::Linear(options_.hidden, options_.num_classes));
  macs_ = stack_.macs() + static_cast<double>(flat * options_.hidden + options_.hidden * options_.num_classes);
}

torch::Tensor CnnImpl::forward(const torch::Tensor& images) {
  torch::Tensor x = images;
  size_t layer = 0;
  for (const int64_t width : options_.widths) {
    if (width == kPool) {
      x = torch::max_pool2d(x, 2, 2);
      continue;
    }
    x = torch::relu(stack_.norms[layer]->forward(stack_.convs[layer]->forward(x)));
    ++layer;
  }
  x = torch::dropout(x.flatten(1), options_.dropout, is_training());
  x = torch::relu(hidden_->forward(x));
  x = torch::dropout(x, options_.dropout, is_training());
  return out_->forward(x);
}

double CnnImpl::macs() const { return macs_; }

}  // namespace eccsim
