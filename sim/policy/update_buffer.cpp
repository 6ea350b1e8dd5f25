// The update stage's local buffer; see update_buffer.hpp.
#include "sim/policy/update_buffer.hpp"

#include <algorithm>
#include <map>

namespace eccsim {

void keep_in_buffer(std::deque<BufferedSample>& buffer, BufferedSample sample, const UpdateConfig& update) {
  buffer.push_back(sample);
  while (static_cast<int>(buffer.size()) > update.buffer) {
    if (update.buffer_policy == BufferPolicy::Fifo) {
      buffer.pop_front();
      continue;
    }
    std::map<int32_t, int64_t> held;   // ordered: ties go to the lowest label
    for (const BufferedSample& b : buffer) ++held[b.cloud_label];
    const auto most = std::max_element(held.begin(), held.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    const int32_t label = most->first;
    buffer.erase(std::find_if(buffer.begin(), buffer.end(),
                              [label](const BufferedSample& b) { return b.cloud_label == label; }));
  }
}

int64_t count_in_classes(const std::deque<BufferedSample>& buffer, const std::vector<int32_t>& classes) {
  return std::count_if(buffer.begin(), buffer.end(), [&](const BufferedSample& b) {
    return std::find(classes.begin(), classes.end(), b.cloud_label) != classes.end();
  });
}

LabelledSamples buffer_samples(const std::deque<BufferedSample>& buffer, const ImageSet* images) {
  LabelledSamples samples;
  samples.images = images;
  for (const BufferedSample& b : buffer) {
    samples.indices.push_back(b.sample);
    samples.labels.push_back(b.cloud_label);
  }
  return samples;
}

}  // namespace eccsim
