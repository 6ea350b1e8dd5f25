// What the simulator sees of the learned models: plain structs in and out, no torch.
// All labels here are re-indexed labels of the TaskSplit (new label = position in the
// shuffled class order), so logits index = label, heads concatenated in task order.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"

namespace eccsim {

// One edge SNN inference on one sample, with the cost counted from its real spikes.
struct EdgePrediction {
  std::vector<float> logits;        // over all learned classes (heads concatenated)
  int32_t predicted = -1;           // argmax over all heads
  float entropy_score = 0;          // min over heads of normalised entropy, in [0,1]
  float max_prob = 0;               // max softmax probability over all learned classes
  float margin = 0;                 // top-1 minus top-2 probability
  double dense_macs = 0;            // first (dense-input) layer MACs x T
  double synaptic_ops = 0;          // sum over later layers of spikes x fan-out
  std::vector<float> spike_rates;   // per spiking layer, mean spikes per neuron per step
};

// One cloud ANN inference on one sample.
struct CloudPrediction {
  std::vector<float> logits;        // over all classes
  int32_t predicted = -1;
  double macs = 0;                  // multiply-accumulates of the forward pass
};

// Samples given to the models: indices into an ImageSet with their (re-indexed) labels.
struct LabelledSamples {
  const ImageSet* images = nullptr;
  std::vector<int64_t> indices;
  std::vector<int32_t> labels;      // re-indexed; for buffers, the cloud's predictions
};

}  // namespace eccsim
