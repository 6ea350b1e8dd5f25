// What an EdgeModel holds: the spiking VGG module plus what inference needs around it.
// Internal to models/ (includes torch).
#pragma once

#include <cstdint>
#include <string>

#include "models/data/dataset.hpp"
#include "models/nets/spiking_vgg.hpp"

namespace eccsim {

struct EdgeModelImpl {
  std::string arch = "svgg";
  SpikingVgg net{nullptr};
  Normalisation normalisation;
  int64_t version = 0;            // 0 after setup, +1 per incremental update
};

}  // namespace eccsim
