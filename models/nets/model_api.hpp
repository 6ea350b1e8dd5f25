// What the simulator sees of the learned models: plain structs in and out, no torch.
// All labels here are re-indexed labels of the TaskSplit (new label = position in the
// shuffled class order). Cloud logits are indexed by label; edge logits by the edge model's
// outputs, heads concatenated in the order they were learned (EdgeModel::output_labels gives
// each output's label).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"

namespace eccsim {

// Operations of some work on spiking edge hardware, split by the energy each kind costs (docs/modelling.md,
// Cost model): dense multiply-accumulates (analog inputs, gradients, optimiser arithmetic) and
// accumulates (a spike arriving at a synapse, a neuron's membrane update).
struct EdgeOps {
  double macs = 0;
  double acs = 0;

  double total() const { return macs + acs; }
  EdgeOps& operator+=(const EdgeOps& other) {
    macs += other.macs;
    acs += other.acs;
    return *this;
  }
};

// One edge SNN inference on one sample, with the cost counted from its real spikes.
struct EdgePrediction {
  std::vector<float> logits;        // over all learned classes, in output order (heads concatenated)
  int32_t predicted = -1;           // the label of the argmax over all heads
  float entropy_score = 0;          // min over heads of normalised entropy, in [0,1]
  float max_prob = 0;               // max softmax probability over all learned classes
  float margin = 0;                 // top-1 minus top-2 probability
  double first_layer_macs = 0;      // first (dense-input) layer MACs, once: direct encoding repeats one image
  double synaptic_ops = 0;          // sum over later layers of spikes x fan-out
  double neuron_updates = 0;        // LIF membrane updates: spiking neurons x T
  int timesteps = 1;                // T
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
