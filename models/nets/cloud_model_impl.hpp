// What a CloudModel holds: the CNN module plus its input normalisation, or a TorchScript module
// (then `net` is empty). Internal to models/ (includes torch).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/cnn.hpp"
#include "models/nets/torchscript_model.hpp"

namespace eccsim {

struct CloudModelImpl {
  std::string arch = "cnn";
  Cnn net{nullptr};
  std::shared_ptr<const ScriptedCloud> scripted;   // read-only, so copies share it
  std::vector<int64_t> scripted_to_label;          // scripted: the output column of each label
  Normalisation normalisation;
};

// Logits [n, classes] of images[indices], columns in label order (eval mode, no gradients, batched).
torch::Tensor cloud_logits(const CloudModelImpl& model, const ImageSet& images, const std::vector<int64_t>& indices);

}  // namespace eccsim
