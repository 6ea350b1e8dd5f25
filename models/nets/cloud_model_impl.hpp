// What a CloudModel holds: the CNN module plus its input normalisation.
// Internal to models/ (includes torch).
#pragma once

#include <string>

#include "models/data/dataset.hpp"
#include "models/nets/cnn.hpp"

namespace eccsim {

struct CloudModelImpl {
  std::string arch = "cnn";
  Cnn net{nullptr};
  Normalisation normalisation;
};

// Logits [n, classes] of images[indices] (eval mode, no gradients, batched).
torch::Tensor cloud_logits(const CloudModelImpl& model, const ImageSet& images, const std::vector<int64_t>& indices);

}  // namespace eccsim
