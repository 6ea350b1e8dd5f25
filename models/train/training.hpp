// Pieces shared by the training loops (setup stage, incremental learning): seeded shuffles,
// the cosine learning-rate schedule, the distillation loss, evaluation, and the per-epoch
// progress line (stderr) + train.csv row. Internal to models/ (includes torch).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"
#include "models/nets/spiking_vgg.hpp"

namespace eccsim {

// Cosine annealing per epoch (PyTorch's CosineAnnealingLR stepped once per epoch, T_max = epochs).
double cosine_learning_rate(double base, int epoch, int epochs);
void set_learning_rate(torch::optim::Adam& optimizer, double learning_rate);

// tau^2 * KL(softmax(teacher/tau) || softmax(student/tau)), averaged over the batch.
torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits, double tau);

// Sets the intra-op thread count for a training run (unless OMP_NUM_THREADS is set: then torch's
// count, which follows it, is kept), restores the previous count on exit. Training results are
// reproducible for a given seed and thread count (reductions split differently across threads).
class TrainingThreads {
 public:
  explicit TrainingThreads(int threads);
  ~TrainingThreads();
  TrainingThreads(const TrainingThreads&) = delete;
  TrainingThreads& operator=(const TrainingThreads&) = delete;

 private:
  int previous_;
};

// Logits [n, classes] of an SNN on images[indices] (eval mode, no gradients, batched); optionally
// adds the ops of those inferences to `ops` (first-layer MACs; synaptic ops and neuron updates).
torch::Tensor snn_logits(SpikingVgg& net, const ImageSet& images, const Normalisation& norm,
                         const std::vector<int64_t>& indices, EdgeOps* ops = nullptr);

double accuracy(const torch::Tensor& logits, const std::vector<int32_t>& labels);   // fraction in [0, 1]

// What one training batch computed: the loss to minimise, and the logits and labels its training
// accuracy is counted on.
struct BatchLoss {
  torch::Tensor loss;
  torch::Tensor logits;
  torch::Tensor labels;
};

// Progress of a training loop on `progress` (stderr; nullptr: silent): a line within an epoch at
// most every `interval` of wall time (samples done, ETA), one line per finished epoch; and one row
// per epoch in <dir>/train.csv (model,epoch,loss,train_accuracy,test_accuracy,seconds); an empty
// csv path skips the file. Wall time reaches only these two, never a simulated result.
class EpochLog {
 public:
  static constexpr std::chrono::milliseconds kProgressInterval{20'000};

  EpochLog(std::string model, int epochs, std::filesystem::path csv, std::FILE* progress,
           std::chrono::milliseconds interval = kProgressInterval);
  void batch_done(int epoch, int64_t samples_done, int64_t samples_per_epoch);
  void epoch_done(int epoch, double loss, double train_accuracy, double test_accuracy);

 private:
  std::string model_;
  int epochs_;
  std::filesystem::path csv_;
  std::FILE* progress_;
  std::chrono::milliseconds interval_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_;          // end of the last epoch
  std::chrono::steady_clock::time_point last_printed_;  // last line on stderr
};

// A training run's schedule: `epochs` passes over `samples` training samples in minibatches of
// `batch_size`, each epoch in its own seeded order (seeded_permutation with derive_seed(seed,
// shuffle_stream + epoch)), Adam's learning rate cosine-annealed from `learning_rate`.
struct EpochPlan {
  int epochs = 0;
  int64_t samples = 0;
  int64_t batch_size = 0;
  double learning_rate = 0;
  uint64_t seed = 0;
  uint64_t shuffle_stream = 0;
};

// The training loop of every stage (cloud ANN, edge SNN, incremental step): per batch, `batch` gets
// the positions (in 0..samples-1) of the batch's samples and returns its loss, on which the
// optimizer steps; after each epoch `evaluate` gives the test accuracy to log (NaN for none).
// Returns the last epoch's test accuracy.
double run_epochs(const EpochPlan& plan, torch::nn::Module& net, torch::optim::Adam& optimizer, EpochLog& log,
                  const std::function<BatchLoss(const std::vector<int64_t>& positions)>& batch,
                  const std::function<double()>& evaluate);

}  // namespace eccsim
