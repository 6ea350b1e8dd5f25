// The edge SNN as the simulator sees it: batched inference returning plain EdgePredictions whose
// op counts come from each sample's real spikes, plus size, version and checkpoint files.
// Pimpl, no torch here; copies are deep, so a device keeps serving the old model while a new one trains.
// Each output stands for a (re-indexed) label, output_labels(): predictions report labels, while
// logits and heads stay in output order (heads in the order they were learned).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"

namespace eccsim {

struct EdgeModelImpl;   // models/edge_model_impl.hpp (torch, models/ only)

struct EdgeModelOptions {
  std::string arch = "svgg";           // spiking VGG (models/spiking_vgg.hpp)
  int timesteps = 4;                   // T, direct encoding
  int channels = 1;                    // input image shape
  int height = 28;
  int width = 28;
  Normalisation normalisation;         // applied to the 0..255 pixels before the first layer
  std::vector<int64_t> widths;         // conv channels, 0 = 2x2 max-pool; empty: the arch's default
  int64_t feature = 0;                 // feature-layer neurons; 0: the arch's default
  uint64_t seed = 2025;                // weight initialisation
};

class EdgeModel {
 public:
  // A fresh, untrained model without task heads (add them by training: setup, incremental).
  explicit EdgeModel(const EdgeModelOptions& options);
  explicit EdgeModel(std::unique_ptr<EdgeModelImpl> impl);
  EdgeModel(const EdgeModel& other);
  EdgeModel& operator=(const EdgeModel& other);
  EdgeModel(EdgeModel&& other) noexcept;
  EdgeModel& operator=(EdgeModel&& other) noexcept;
  ~EdgeModel();

  // Reads a checkpoint written by save(); InputError naming the file when it is missing or corrupt.
  static EdgeModel load(const std::filesystem::path& file);
  // Writes the weights, architecture, heads, output labels, normalisation and version (temp file,
  // then rename). A checkpoint without output labels (written before they were saved) loads as identity.
  void save(const std::filesystem::path& file) const;
  // Reads a TorchScript edge model (docs/own-models.md) whose `classes` are dataset class ids;
  // label_of_class maps them to labels (TaskSplit::new_label_of). InputError naming the file and
  // the piece of the contract it misses. Such a model infers but cannot be trained or saved.
  static EdgeModel load_torchscript(const std::filesystem::path& file, const std::vector<int32_t>& label_of_class);
  bool is_torchscript() const;

  // Inference on images[indices] (eval mode, no gradients, batched); one prediction per index, whose
  // `predicted` is a label (output_labels()[argmax]) and whose logits are in output order.
  std::vector<EdgePrediction> predict(const ImageSet& images, const std::vector<int64_t>& indices) const;

  int num_classes() const;                    // classes learned so far (sum of head sizes)
  std::vector<int> head_sizes() const;        // classes per head, in the order the heads were learned
  std::vector<int> head_offsets() const;      // first output index of each head
  std::vector<int32_t> output_labels() const; // the (re-indexed) label of each output, in output order
  int output_of(int32_t label) const;         // the output index of `label`; -1 when not learned
  int timesteps() const;
  std::string arch() const;                  // "svgg", or "torchscript"
  std::vector<int> input_shape() const;       // C, H, W
  int64_t size_bytes() const;                 // parameters + buffers: the bytes a weight download moves
  int64_t version() const;                    // 0 after setup, +1 per incremental update
  double first_layer_macs() const;            // per inference: first-layer MACs, once (data-independent)
  std::vector<int64_t> spiking_neurons() const;   // neurons per spiking layer (per time step)
  const Normalisation& normalisation() const;

  // models/ internals (training, incremental learning).
  EdgeModelImpl& impl() { return *impl_; }
  const EdgeModelImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<EdgeModelImpl> impl_;
};

}  // namespace eccsim
