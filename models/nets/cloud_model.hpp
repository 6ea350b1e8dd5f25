// The cloud ANN as the simulator sees it: batched inference returning plain CloudPredictions,
// its constant op count and size, and checkpoint files. Pimpl, no torch here; copies are deep.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"

namespace eccsim {

struct CloudModelImpl;   // models/cloud_model_impl.hpp (torch, models/ only)

struct CloudModelOptions {
  std::string arch = "cnn";            // VGG-style CNN (models/cnn.hpp)
  int num_classes = 10;
  int channels = 1;                    // input image shape
  int height = 28;
  int width = 28;
  Normalisation normalisation;         // applied to the 0..255 pixels before the first layer
  uint64_t seed = 2025;                // weight initialisation
};

class CloudModel {
 public:
  explicit CloudModel(const CloudModelOptions& options);   // fresh, untrained
  explicit CloudModel(std::unique_ptr<CloudModelImpl> impl);
  CloudModel(const CloudModel& other);
  CloudModel& operator=(const CloudModel& other);
  CloudModel(CloudModel&& other) noexcept;
  CloudModel& operator=(CloudModel&& other) noexcept;
  ~CloudModel();

  // Reads a checkpoint written by save(); InputError naming the file when it is missing or corrupt.
  static CloudModel load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;   // temp file, then rename
  // Reads a TorchScript cloud model (docs/own-models.md) whose `classes` are dataset class ids, one
  // per class of the dataset; label_of_class maps them to labels (TaskSplit::new_label_of).
  static CloudModel load_torchscript(const std::filesystem::path& file, const std::vector<int32_t>& label_of_class);
  bool is_torchscript() const;

  // Inference on images[indices] (eval mode, no gradients, batched); logits over all classes.
  std::vector<CloudPrediction> predict(const ImageSet& images, const std::vector<int64_t>& indices) const;

  int num_classes() const;
  std::string arch() const;             // "cnn", or "torchscript"
  std::vector<int> input_shape() const; // C, H, W
  double macs_per_sample() const;       // multiply-accumulates of one forward pass
  int64_t size_bytes() const;           // parameters + buffers
  const Normalisation& normalisation() const;

  // models/ internals (training, distillation).
  CloudModelImpl& impl() { return *impl_; }
  const CloudModelImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<CloudModelImpl> impl_;
};

}  // namespace eccsim
