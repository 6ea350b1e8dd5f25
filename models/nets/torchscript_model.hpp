// Edge and cloud models given as TorchScript files (torch.jit.save in Python, or `eccsim export`),
// checked against eccsim's contract at load (docs/own-models.md): the attributes the cost model
// needs and a forward whose outputs have the promised types and shapes. The modules are read-only
// here: nothing trains them. Internal to models/ (includes torch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/script.h>

#include "models/data/dataset.hpp"

namespace eccsim {

// What the edge contract promises besides forward(x) -> (List[Tensor] head logits,
// Tensor synaptic_ops [n], Tensor layer_spikes [n, L]).
struct ScriptedEdge {
  torch::jit::Module module;
  std::filesystem::path file;
  std::vector<int64_t> input_shape;          // C, H, W
  std::vector<int32_t> classes;              // dataset class id of each output, heads concatenated
  std::vector<int64_t> head_sizes;           // outputs per task head, in order
  int64_t timesteps = 1;                     // T
  double first_layer_macs = 0;               // dense MACs of the first layer, once per inference
  std::vector<int64_t> spiking_neurons;      // neurons per spiking layer (per step), forward order
  Normalisation normalisation;               // input_mean / input_std, or none (pixels / 255)
};

// What the cloud contract promises besides forward(x) -> Tensor logits [n, classes].
struct ScriptedCloud {
  torch::jit::Module module;
  std::filesystem::path file;
  std::vector<int64_t> input_shape;          // C, H, W
  std::vector<int32_t> classes;              // dataset class id of each output
  double macs = 0;                           // multiply-accumulates of one forward pass
  Normalisation normalisation;
};

// Load `file` and check the contract, including one forward pass on blank images; InputError
// "<file>: <what is missing or wrong>" otherwise.
ScriptedEdge load_scripted_edge(const std::filesystem::path& file);
ScriptedCloud load_scripted_cloud(const std::filesystem::path& file);

struct ScriptedEdgeOutput {
  torch::Tensor logits;                      // heads concatenated [n, sum C_k], float
  torch::Tensor synaptic_ops;                // [n], float64
  torch::Tensor layer_spikes;                // [n, L], float64
};

// forward on normalised images [n, C, H, W] (eval, no gradients); shapes checked, as at load.
ScriptedEdgeOutput run_scripted_edge(const ScriptedEdge& model, const torch::Tensor& images);
torch::Tensor run_scripted_cloud(const ScriptedCloud& model, const torch::Tensor& images);

// Parameters + buffers of the module and its submodules, in bytes.
int64_t module_bytes(const torch::jit::Module& module);

}  // namespace eccsim
