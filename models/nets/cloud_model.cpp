// CloudModel: pimpl over Cnn; see cloud_model.hpp. Inference in chunks of kChunk samples;
// eval-mode outputs of a sample do not depend on the rest of its chunk (a chunk of one sample runs
// as two rows: see cloud_logits).
#include "models/nets/cloud_model.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/input_error.hpp"
#include "models/data/dataset_tensors.hpp"
#include "models/nets/checkpoint_io.hpp"
#include "models/nets/cloud_model_impl.hpp"

namespace eccsim {
namespace {

constexpr size_t kChunk = 512;     // samples per inference batch

CnnOptions cnn_options(const CloudModelOptions& o) {
  if (o.arch != "cnn") throw InputError(fmt::format("models.cloud.arch: unknown architecture '{}' (known: cnn)", o.arch));
  CnnOptions c;
  c.in_channels = o.channels;
  c.height = o.height;
  c.width = o.width;
  c.num_classes = o.num_classes;
  return c;
}

}  // namespace

torch::Tensor cloud_logits(const CloudModelImpl& model, const ImageSet& images, const std::vector<int64_t>& indices) {
  const std::vector<int64_t> shape = model.scripted
      ? model.scripted->input_shape
      : std::vector<int64_t>{model.net->options().in_channels, model.net->options().height, model.net->options().width};
  if (images.channels != shape[0] || images.height != shape[1] || images.width != shape[2]) {
    throw std::invalid_argument(fmt::format("CloudModel: images are {}x{}x{}, the model takes {}x{}x{}",
                                            images.channels, images.height, images.width, shape[0], shape[1], shape[2]));
  }
  torch::NoGradGuard no_grad;
  Cnn net = model.net;   // the holder, for the non-const forward
  if (net) net->eval();
  std::vector<torch::Tensor> parts;
  for (size_t begin = 0; begin < indices.size(); begin += kChunk) {
    const size_t end = std::min(indices.size(), begin + kChunk);
    const std::vector<int64_t> chunk(indices.begin() + static_cast<std::ptrdiff_t>(begin),
                                     indices.begin() + static_cast<std::ptrdiff_t>(end));
    // A one-row batch takes another path through the dense layers (a matrix-vector product) whose
    // sums round differently: run it as two rows, so a sample's logits never depend on its batch.
    const bool alone = chunk.size() == 1;
    const torch::Tensor batch =
        images_to_tensor(images, model.normalisation, alone ? std::vector<int64_t>{chunk[0], chunk[0]} : chunk);
    const torch::Tensor logits = model.scripted ? run_scripted_cloud(*model.scripted, batch) : net->forward(batch);
    parts.push_back(alone ? logits.slice(0, 0, 1) : logits);
  }
  const auto classes = static_cast<int64_t>(model.scripted ? model.scripted->classes.size() : model.net->options().num_classes);
  if (parts.empty()) return torch::zeros({0, classes});
  const torch::Tensor logits = torch::cat(parts, 0);
  // A TorchScript model's columns are its `classes`; put them in label order.
  return model.scripted ? logits.index_select(1, torch::tensor(model.scripted_to_label)) : logits;
}

CloudModel::CloudModel(const CloudModelOptions& options) : impl_(std::make_unique<CloudModelImpl>()) {
  torch::manual_seed(options.seed);
  impl_->arch = options.arch;
  impl_->net = Cnn(cnn_options(options));
  impl_->normalisation = options.normalisation;
}

CloudModel::CloudModel(std::unique_ptr<CloudModelImpl> impl) : impl_(std::move(impl)) {}

CloudModel::CloudModel(const CloudModel& other) : impl_(std::make_unique<CloudModelImpl>(*other.impl_)) {
  if (other.impl_->net) impl_->net = Cnn(std::dynamic_pointer_cast<CnnImpl>(other.impl_->net->clone()));
}

CloudModel& CloudModel::operator=(const CloudModel& other) {
  if (this != &other) *this = CloudModel(other);
  return *this;
}

CloudModel::CloudModel(CloudModel&& other) noexcept = default;
CloudModel& CloudModel::operator=(CloudModel&& other) noexcept = default;
CloudModel::~CloudModel() = default;

void CloudModel::save(const std::filesystem::path& file) const {
  if (impl_->scripted) throw std::logic_error("CloudModel::save: a TorchScript model is its own file");
  const CnnOptions& o = impl_->net->options();
  torch::serialize::OutputArchive archive;
  write_checkpoint_head(archive, "cloud", impl_->arch, o.in_channels, o.height, o.width);
  write_ints(archive, "widths", o.widths);
  write_int(archive, "hidden", o.hidden);
  write_doubles(archive, "dropout", {o.dropout});
  write_int(archive, "num_classes", o.num_classes);
  write_checkpoint_tail(archive, impl_->normalisation, *impl_->net);
  save_archive(archive, file);
}

CloudModel CloudModel::load(const std::filesystem::path& file) {
  return read_checkpoint(file, "cloud", [](torch::serialize::InputArchive& archive) {
    auto impl = std::make_unique<CloudModelImpl>();
    const CheckpointHead head = read_checkpoint_head(archive);
    impl->arch = head.arch;
    CnnOptions o;
    o.in_channels = head.channels;
    o.height = head.height;
    o.width = head.width;
    o.widths = read_ints(archive, "widths");
    o.hidden = read_int(archive, "hidden");
    o.dropout = read_doubles(archive, "dropout").at(0);
    o.num_classes = read_int(archive, "num_classes");
    impl->normalisation = read_normalisation(archive);
    impl->net = Cnn(o);
    read_weights(archive, *impl->net);
    impl->net->eval();
    return CloudModel(std::move(impl));
  });
}

CloudModel CloudModel::load_torchscript(const std::filesystem::path& file, const std::vector<int32_t>& label_of_class) {
  auto scripted = std::make_shared<ScriptedCloud>(load_scripted_cloud(file));
  if (scripted->classes.size() != label_of_class.size() ||
      std::any_of(scripted->classes.begin(), scripted->classes.end(),
                  [&](int32_t id) { return id >= static_cast<int32_t>(label_of_class.size()); })) {
    throw InputError(fmt::format("{}: 'classes' must name each of the dataset's {} classes once ({} given)", file.string(),
                                 label_of_class.size(), scripted->classes.size()));
  }
  auto impl = std::make_unique<CloudModelImpl>();
  impl->arch = "torchscript";
  impl->normalisation = scripted->normalisation;
  impl->scripted_to_label.resize(scripted->classes.size());
  for (size_t column = 0; column < scripted->classes.size(); ++column)
    impl->scripted_to_label[static_cast<size_t>(label_of_class[static_cast<size_t>(scripted->classes[column])])] =
        static_cast<int64_t>(column);
  impl->scripted = std::move(scripted);
  return CloudModel(std::move(impl));
}

bool CloudModel::is_torchscript() const { return impl_->scripted != nullptr; }

std::vector<CloudPrediction> CloudModel::predict(const ImageSet& images, const std::vector<int64_t>& indices) const {
  const torch::Tensor logits = cloud_logits(*impl_, images, indices).contiguous();
  const torch::Tensor predicted = logits.argmax(1).contiguous();
  const auto logits_a = logits.accessor<float, 2>();
  const auto predicted_a = predicted.accessor<int64_t, 1>();
  const double macs = macs_per_sample();
  std::vector<CloudPrediction> predictions(indices.size());
  for (int64_t i = 0; i < static_cast<int64_t>(indices.size()); ++i) {
    CloudPrediction& p = predictions[static_cast<size_t>(i)];
    p.logits.assign(logits_a[i].data(), logits_a[i].data() + logits.size(1));
    p.predicted = static_cast<int32_t>(predicted_a[i]);
    p.macs = macs;
  }
  return predictions;
}

int CloudModel::num_classes() const {
  return static_cast<int>(impl_->scripted ? impl_->scripted->classes.size() : impl_->net->options().num_classes);
}

std::string CloudModel::arch() const { return impl_->arch; }

std::vector<int> CloudModel::input_shape() const {
  if (impl_->scripted) return {impl_->scripted->input_shape.begin(), impl_->scripted->input_shape.end()};
  const CnnOptions& o = impl_->net->options();
  return {static_cast<int>(o.in_channels), static_cast<int>(o.height), static_cast<int>(o.width)};
}

double CloudModel::macs_per_sample() const { return impl_->scripted ? impl_->scripted->macs : impl_->net->macs(); }

int64_t CloudModel::size_bytes() const {
  if (impl_->scripted) return module_bytes(impl_->scripted->module);
  int64_t bytes = 0;
  for (const auto& p : impl_->net->parameters()) bytes += p.numel() * static_cast<int64_t>(p.element_size());
  for (const auto& b : impl_->net->buffers()) bytes += b.numel() * static_cast<int64_t>(b.element_size());
  return bytes;
}

const Normalisation& CloudModel::normalisation() const { return impl_->normalisation; }

}  // namespace eccsim
