// What an EdgeModel holds: the spiking VGG module plus what inference needs around it, or a
// TorchScript module (then `net` is empty and nothing trains the model). Internal to models/ (torch).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/spiking_vgg.hpp"
#include "models/nets/torchscript_model.hpp"

namespace eccsim {

struct EdgeModelImpl {
  std::string arch = "svgg";
  SpikingVgg net{nullptr};
  std::shared_ptr<const ScriptedEdge> scripted;   // read-only, so copies share it
  Normalisation normalisation;
  int64_t version = 0;            // 0 after setup, +1 per incremental update
  // The (re-indexed) label of each output, heads concatenated; empty: the identity 0..n-1 (models
  // whose heads were added without labels, and checkpoints written before labels were saved).
  std::vector<int32_t> output_labels;
};

}  // namespace eccsim
