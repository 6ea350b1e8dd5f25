// Training helpers; see training.hpp.
#include "models/train/training.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <random>
#include <system_error>

#include <fmt/format.h>

#include "core/random.hpp"
#include "models/nets/model_threads.hpp"
#include "models/data/dataset_tensors.hpp"

namespace eccsim {
namespace {

constexpr size_t kEvalChunk = 256;   // samples per evaluation batch
constexpr double kPi = 3.14159265358979323846;

std::string duration_text(double seconds) {
  const auto s = static_cast<int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

double cosine_learning_rate(double base, int epoch, int epochs) {
  if (epochs <= 0) return base;
  return base * 0.5 * (1 + std::cos(kPi * epoch / epochs));
}

double run_epochs(const EpochPlan& plan, torch::nn::Module& net, torch::optim::Adam& optimizer, EpochLog& log,
                  const std::function<BatchLoss(const std::vector<int64_t>& positions)>& batch,
                  const std::function<double()>& evaluate) {
  const int64_t n = plan.samples;
  double test_accuracy = std::nan("");
  for (int epoch = 1; epoch <= plan.epochs; ++epoch) {
    set_learning_rate(optimizer, cosine_learning_rate(plan.learning_rate, epoch - 1, plan.epochs));
    const std::vector<int64_t> order = seeded_permutation(n, derive_seed(plan.seed, plan.shuffle_stream + epoch));
    net.train();
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t begin = 0; begin < n; begin += plan.batch_size) {
      const std::vector<int64_t> positions(order.begin() + begin, order.begin() + std::min(n, begin + plan.batch_size));
      const BatchLoss step = batch(positions);
      optimizer.zero_grad();
      step.loss.backward();
      optimizer.step();
      loss_sum += step.loss.item<double>() * static_cast<double>(positions.size());
      correct += step.logits.argmax(1).eq(step.labels).sum().item<int64_t>();
      log.batch_done(epoch, begin + static_cast<int64_t>(positions.size()), n);
    }
    test_accuracy = evaluate();
    log.epoch_done(epoch, loss_sum / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n),
                   test_accuracy);
  }
  return test_accuracy;
}

void set_learning_rate(torch::optim::Adam& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  }
}

torch::Tensor distillation_loss(const torch::Tensor& student_logits, const torch::Tensor& teacher_logits, double tau) {
  namespace F = torch::nn::functional;
  const torch::Tensor log_student = F::log_softmax(student_logits / tau, F::LogSoftmaxFuncOptions(1));
  const torch::Tensor teacher = F::softmax(teacher_logits / tau, F::SoftmaxFuncOptions(1));
  return F::kl_div(log_student, teacher, F::KLDivFuncOptions().reduction(torch::kBatchMean)) * (tau * tau);
}

TrainingThreads::TrainingThreads(int threads) : previous_(torch::get_num_threads()) { set_intra_op_threads(threads); }

TrainingThreads::~TrainingThreads() { torch::set_num_threads(previous_); }

torch::Tensor snn_logits(SpikingVgg& net, const ImageSet& images, const Normalisation& norm,
                         const std::vector<int64_t>& indices, EdgeOps* ops) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<torch::Tensor> parts;
  for (size_t begin = 0; begin < indices.size(); begin += kEvalChunk) {
    const size_t end = std::min(indices.size(), begin + kEvalChunk);
    const std::vector<int64_t> chunk(indices.begin() + static_cast<std::ptrdiff_t>(begin),
                                     indices.begin() + static_cast<std::ptrdiff_t>(end));
    SpikingVggOutput out = net->forward(images_to_tensor(images, norm, chunk), {ops != nullptr});
    if (ops != nullptr) {
      const auto n = static_cast<double>(chunk.size());
      *ops += {net->first_layer_macs() * n, out.synaptic_ops.sum().item<double>() + net->neuron_updates() * n};
    }
    parts.push_back(out.logits);
  }
  if (parts.empty()) return torch::zeros({0, net->num_classes()});
  return torch::cat(parts, 0);
}

double accuracy(const torch::Tensor& logits, const std::vector<int32_t>& labels) {
  if (labels.empty()) return 0;
  const torch::Tensor predicted = logits.argmax(1).to(torch::kInt64).contiguous();
  const auto p = predicted.accessor<int64_t, 1>();
  int64_t correct = 0;
  for (size_t i = 0; i < labels.size(); ++i) correct += p[static_cast<int64_t>(i)] == labels[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

EpochLog::EpochLog(std::string model, int epochs, std::filesystem::path csv, std::FILE* progress,
                   std::chrono::milliseconds interval)
    : model_(std::move(model)),
      epochs_(epochs),
      csv_(std::move(csv)),
      progress_(progress),
      interval_(interval),
      started_(std::chrono::steady_clock::now()),
      last_(started_),
      last_printed_(started_) {}

void EpochLog::batch_done(int epoch, int64_t samples_done, int64_t samples_per_epoch) {
  if (progress_ == nullptr || samples_per_epoch <= 0) return;   // silent loops read no clock per batch
  const auto now = std::chrono::steady_clock::now();
  if (now - last_printed_ < interval_) return;
  last_printed_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double done = (epoch - 1) + static_cast<double>(samples_done) / static_cast<double>(samples_per_epoch);
  const double eta = elapsed / done * (epochs_ - done);
  fmt::print(progress_, "[train] {} epoch {}/{}  {}/{} samples  elapsed {}  ETA {}\n", model_, epoch, epochs_,
             samples_done, samples_per_epoch, duration_text(elapsed), duration_text(eta));
}

void EpochLog::epoch_done(int epoch, double loss, double train_accuracy, double test_accuracy) {
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - last_).count();
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  last_ = now;
  last_printed_ = now;
  if (progress_ != nullptr) {
    const double eta = elapsed / epoch * (epochs_ - epoch);
    const std::string test = std::isnan(test_accuracy) ? "-" : fmt::format("{:.2f}%", 100 * test_accuracy);
    fmt::print(progress_, "[train] {} epoch {}/{}  loss {:.4f}  train acc {:.2f}%  test acc {}  {:.1f}s  elapsed {}  "
               "ETA {}\n", model_, epoch, epochs_, loss, 100 * train_accuracy, test, seconds, duration_text(elapsed),
               duration_text(eta));
  }
  if (csv_.empty()) return;
  std::error_code ec;
  const bool fresh = !std::filesystem::exists(csv_, ec) || std::filesystem::file_size(csv_, ec) == 0;
  std::ofstream out(csv_, std::ios::app);
  if (fresh) out << "model,epoch,loss,train_accuracy,test_accuracy,seconds\n";
  out << fmt::format("{},{},{:.6f},{:.6f},{:.6f},{:.3f}\n", model_, epoch, loss, train_accuracy, test_accuracy,
                     seconds);
}

}  // namespace eccsim
