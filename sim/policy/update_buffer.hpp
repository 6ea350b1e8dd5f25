// A device's local buffer for the update stage: offloaded inputs with the label the cloud gave
// them (its prediction, not the ground truth: the cloud's mistakes propagate into updates, as in
// the field), bounded in size. Pure, no SimGrid: what is kept, and what an update trains on.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "models/nets/model_api.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct BufferedSample {
  int64_t sample = 0;                   // test-split index of the offloaded input
  int32_t cloud_label = 0;
};

// Appends `sample`; when the buffer then exceeds update.buffer, drops per update.buffer_policy:
// `balanced`, the oldest sample of the class held most often (ties: the lowest label), so every
// class seen keeps its share (the usual choice for rehearsal memories); `fifo`, the oldest sample.
void keep_in_buffer(std::deque<BufferedSample>& buffer, BufferedSample sample, const UpdateConfig& update);

// Buffered samples whose cloud label is one of `classes`.
int64_t count_in_classes(const std::deque<BufferedSample>& buffer, const std::vector<int32_t>& classes);

// The whole buffer as training samples on `images` (the method picks the labels it trains on).
LabelledSamples buffer_samples(const std::deque<BufferedSample>& buffer, const ImageSet* images);

}  // namespace eccsim
