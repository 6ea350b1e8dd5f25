// Shared by the [models] tests that need an edge model with spikes but no training: eccsim's own
// spiking VGG, untrained, with heads of 2 and 3 classes. Includes torch (models/ internals).
#pragma once

#include <string>

#include "models/nets/edge_model.hpp"
#include "models/nets/edge_model_impl.hpp"

namespace eccsim_test {

// BatchNorm gains of 4, so that eval-mode currents cross the threshold and every layer spikes.
inline eccsim::EdgeModel two_head_model(const eccsim::EdgeModelOptions& options = {}) {
  eccsim::EdgeModel model{options};
  model.impl().net->add_head(2);
  model.impl().net->add_head(3);
  torch::NoGradGuard no_grad;
  for (const auto& p : model.impl().net->named_parameters()) {
    if (p.key().find("bn") != std::string::npos && p.key().find("weight") != std::string::npos) p.value().fill_(4);
  }
  return model;
}

}  // namespace eccsim_test
