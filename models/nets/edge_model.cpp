// EdgeModel: pimpl over SpikingVgg; see edge_model.hpp. Inference runs in chunks of kChunk
// samples (T x kChunk rows through the convs); each sample's outputs do not depend on the others
// in its chunk (eval-mode BN, per-sample convs), so results are the same however a caller batches.
#include "models/nets/edge_model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "core/input_error.hpp"
#include "models/data/dataset_tensors.hpp"
#include "models/nets/ambiguity.hpp"
#include "models/nets/checkpoint_io.hpp"
#include "models/nets/edge_model_impl.hpp"

namespace eccsim {
namespace {

constexpr size_t kChunk = 256;     // samples per inference batch

// The checkpoint's output labels: one per class, distinct, non-negative.
std::vector<int32_t> checked_labels(const std::vector<int64_t>& stored, int64_t classes) {
  TORCH_CHECK(static_cast<int64_t>(stored.size()) == classes, "output_labels has ", stored.size(), " entries for ",
              classes, " outputs");
  std::vector<int32_t> labels(stored.begin(), stored.end());
  std::vector<int32_t> sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  TORCH_CHECK(sorted.empty() || (sorted.front() >= 0 && std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()),
              "output_labels are not distinct non-negative labels");
  return labels;
}

SpikingVggOptions vgg_options(const EdgeModelOptions& o) {
  if (o.arch != "svgg") throw InputError(fmt::format("models.edge.arch: unknown architecture '{}' (known: svgg)", o.arch));
  SpikingVggOptions v;
  v.in_channels = o.channels;
  v.height = o.height;
  v.width = o.width;
  v.timesteps = o.timesteps;
  if (!o.widths.empty()) v.widths = o.widths;
  if (o.feature > 0) v.feature = o.feature;
  return v;
}

}  // namespace

EdgeModel::EdgeModel(const EdgeModelOptions& options) : impl_(std::make_unique<EdgeModelImpl>()) {
  torch::manual_seed(options.seed);
  impl_->arch = options.arch;
  impl_->net = SpikingVgg(vgg_options(options));
  impl_->normalisation = options.normalisation;
}

EdgeModel::EdgeModel(std::unique_ptr<EdgeModelImpl> impl) : impl_(std::move(impl)) {}

EdgeModel::EdgeModel(const EdgeModel& other) : impl_(std::make_unique<EdgeModelImpl>(*other.impl_)) {
  if (other.impl_->net) impl_->net = SpikingVgg(std::dynamic_pointer_cast<SpikingVggImpl>(other.impl_->net->clone()));
}

EdgeModel& EdgeModel::operator=(const EdgeModel& other) {
  if (this != &other) *this = EdgeModel(other);
  return *this;
}

EdgeModel::EdgeModel(EdgeModel&& other) noexcept = default;
EdgeModel& EdgeModel::operator=(EdgeModel&& other) noexcept = default;
EdgeModel::~EdgeModel() = default;

void EdgeModel::save(const std::filesystem::path& file) const {
  if (impl_->scripted) throw std::logic_error("EdgeModel::save: a TorchScript model is its own file");
  const SpikingVggOptions& o = impl_->net->options();
  torch::serialize::OutputArchive archive;
  write_checkpoint_head(archive, "edge", impl_->arch, o.in_channels, o.height, o.width);
  write_ints(archive, "widths", o.widths);
  write_int(archive, "feature", o.feature);
  write_int(archive, "timesteps", o.timesteps);
  write_doubles(archive, "lif", {o.lif.tau, o.lif.v_threshold, o.lif.v_reset, o.lif.alpha});
  write_ints(archive, "head_sizes", impl_->net->head_sizes());
  const std::vector<int32_t> labels = output_labels();
  write_ints(archive, "output_labels", std::vector<int64_t>(labels.begin(), labels.end()));
  write_int(archive, "version", impl_->version);
  write_checkpoint_tail(archive, impl_->normalisation, *impl_->net);
  save_archive(archive, file);
}

EdgeModel EdgeModel::load(const std::filesystem::path& file) {
  return read_checkpoint(file, "edge", [](torch::serialize::InputArchive& archive) {
    auto impl = std::make_unique<EdgeModelImpl>();
    const CheckpointHead head = read_checkpoint_head(archive);
    impl->arch = head.arch;
    SpikingVggOptions o;
    o.in_channels = head.channels;
    o.height = head.height;
    o.width = head.width;
    o.widths = read_ints(archive, "widths");
    o.feature = read_int(archive, "feature");
    o.timesteps = read_int(archive, "timesteps");
    const std::vector<double> lif = read_doubles(archive, "lif");
    TORCH_CHECK(lif.size() == 4, "bad LIF parameters");
    o.lif = LifOptions{lif[0], lif[1], lif[2], lif[3]};
    impl->normalisation = read_normalisation(archive);
    impl->version = read_int(archive, "version");
    impl->net = SpikingVgg(o, read_ints(archive, "head_sizes"));
    if (const auto labels = read_ints_if_any(archive, "output_labels"))   // older checkpoints: identity
      impl->output_labels = checked_labels(*labels, impl->net->num_classes());
    read_weights(archive, *impl->net);
    impl->net->eval();
    return EdgeModel(std::move(impl));
  });
}

namespace {

// What one chunk's forward gives, whichever module ran it.
struct EdgeForward {
  torch::Tensor logits;          // [n, classes], float
  torch::Tensor layer_spikes;    // [n, L], spikes per spiking layer over T, float64
  torch::Tensor synaptic_ops;    // [n], float64
};

EdgeForward forward_chunk(const EdgeModelImpl& impl, const torch::Tensor& images) {
  if (impl.scripted) {
    ScriptedEdgeOutput out = run_scripted_edge(*impl.scripted, images);
    return {out.logits.contiguous(), out.layer_spikes.contiguous(), out.synaptic_ops.contiguous()};
  }
  SpikingVgg net = impl.net;   // the holder, for the non-const forward
  const SpikingVggOutput out = net->forward(images, {true});
  return {out.logits.contiguous(), out.layer_spikes.to(torch::kFloat64).contiguous(), out.synaptic_ops.contiguous()};
}

}  // namespace

EdgeModel EdgeModel::load_torchscript(const std::filesystem::path& file, const std::vector<int32_t>& label_of_class) {
  auto scripted = std::make_shared<ScriptedEdge>(load_scripted_edge(file));
  auto impl = std::make_unique<EdgeModelImpl>();
  impl->arch = "torchscript";
  impl->normalisation = scripted->normalisation;
  for (const int32_t id : scripted->classes) {
    if (id >= static_cast<int32_t>(label_of_class.size())) {
      throw InputError(fmt::format("{}: class {} in 'classes', the dataset has {} classes", file.string(), id,
                                   label_of_class.size()));
    }
    impl->output_labels.push_back(label_of_class[static_cast<size_t>(id)]);
  }
  impl->scripted = std::move(scripted);
  return EdgeModel(std::move(impl));
}

bool EdgeModel::is_torchscript() const { return impl_->scripted != nullptr; }

std::vector<EdgePrediction> EdgeModel::predict(const ImageSet& images, const std::vector<int64_t>& indices) const {
  const std::vector<int> shape = input_shape();
  if (images.channels != shape[0] || images.height != shape[1] || images.width != shape[2]) {
    throw std::invalid_argument(fmt::format("EdgeModel::predict: images are {}x{}x{}, the model takes {}x{}x{}",
                                            images.channels, images.height, images.width, shape[0], shape[1], shape[2]));
  }
  const std::vector<int> sizes = head_sizes();
  const std::vector<int64_t> heads(sizes.begin(), sizes.end());
  if (heads.empty()) throw std::logic_error("EdgeModel::predict: the model has no task head yet");
  torch::NoGradGuard no_grad;
  if (impl_->net) impl_->net->eval();
  const std::vector<int64_t> neurons = spiking_neurons();
  const double layer_one_macs = first_layer_macs();
  const int steps = timesteps();
  double neuron_updates = 0;   // LIF membrane updates: every spiking neuron at every step
  for (const int64_t n : neurons) neuron_updates += static_cast<double>(n);
  neuron_updates *= steps;
  const int64_t classes = num_classes();
  const std::vector<int32_t> labels = output_labels();

  std::vector<EdgePrediction> predictions;
  predictions.reserve(indices.size());
  for (size_t begin = 0; begin < indices.size(); begin += kChunk) {
    const size_t end = std::min(indices.size(), begin + kChunk);
    const std::vector<int64_t> chunk(indices.begin() + static_cast<std::ptrdiff_t>(begin),
                                     indices.begin() + static_cast<std::ptrdiff_t>(end));
    const EdgeForward out = forward_chunk(*impl_, images_to_tensor(images, impl_->normalisation, chunk));
    const auto logits_a = out.logits.accessor<float, 2>();
    const auto spikes_a = out.layer_spikes.accessor<double, 2>();
    const auto sops_a = out.synaptic_ops.accessor<double, 1>();
    for (int64_t i = 0; i < static_cast<int64_t>(chunk.size()); ++i) {
      EdgePrediction p;
      p.logits.resize(static_cast<size_t>(classes));
      for (int64_t c = 0; c < classes; ++c) p.logits[static_cast<size_t>(c)] = logits_a[i][c];
      const Ambiguity ambiguity = ambiguity_of(p.logits, heads);
      p.predicted = labels[static_cast<size_t>(ambiguity.predicted)];
      p.max_prob = ambiguity.max_prob;
      p.margin = ambiguity.margin;
      p.entropy_score = ambiguity.entropy_score;
      p.first_layer_macs = layer_one_macs;
      p.synaptic_ops = sops_a[i];
      p.neuron_updates = neuron_updates;
      p.timesteps = steps;
      p.spike_rates.resize(neurons.size());
      for (size_t l = 0; l < neurons.size(); ++l) {
        p.spike_rates[l] = static_cast<float>(spikes_a[i][static_cast<int64_t>(l)] /
                                              (static_cast<double>(neurons[l]) * static_cast<double>(steps)));
      }
      predictions.push_back(std::move(p));
    }
  }
  return predictions;
}

int EdgeModel::num_classes() const {
  return impl_->scripted ? static_cast<int>(impl_->scripted->classes.size()) : static_cast<int>(impl_->net->num_classes());
}

std::vector<int> EdgeModel::head_sizes() const {
  const std::vector<int64_t>& sizes = impl_->scripted ? impl_->scripted->head_sizes : impl_->net->head_sizes();
  return {sizes.begin(), sizes.end()};
}

std::vector<int> EdgeModel::head_offsets() const {
  std::vector<int> offsets;
  int next = 0;
  for (const int s : head_sizes()) {
    offsets.push_back(next);
    next += s;
  }
  return offsets;
}

std::vector<int32_t> EdgeModel::output_labels() const {
  const auto classes = static_cast<size_t>(num_classes());
  if (impl_->output_labels.empty()) {
    std::vector<int32_t> identity(classes);
    std::iota(identity.begin(), identity.end(), 0);
    return identity;
  }
  if (impl_->output_labels.size() != classes)
    throw std::logic_error(fmt::format("EdgeModel: {} output labels for {} outputs", impl_->output_labels.size(), classes));
  return impl_->output_labels;
}

int EdgeModel::output_of(int32_t label) const {
  const std::vector<int32_t> labels = output_labels();
  const auto it = std::find(labels.begin(), labels.end(), label);
  return it == labels.end() ? -1 : static_cast<int>(it - labels.begin());
}

int EdgeModel::timesteps() const {
  return static_cast<int>(impl_->scripted ? impl_->scripted->timesteps : impl_->net->options().timesteps);
}

std::string EdgeModel::arch() const { return impl_->arch; }

std::vector<int> EdgeModel::input_shape() const {
  if (impl_->scripted) return {impl_->scripted->input_shape.begin(), impl_->scripted->input_shape.end()};
  const SpikingVggOptions& o = impl_->net->options();
  return {static_cast<int>(o.in_channels), static_cast<int>(o.height), static_cast<int>(o.width)};
}

int64_t EdgeModel::size_bytes() const {
  if (impl_->scripted) return module_bytes(impl_->scripted->module);
  int64_t bytes = 0;
  for (const auto& p : impl_->net->parameters()) bytes += p.numel() * static_cast<int64_t>(p.element_size());
  for (const auto& b : impl_->net->buffers()) bytes += b.numel() * static_cast<int64_t>(b.element_size());
  return bytes;
}

int64_t EdgeModel::version() const { return impl_->version; }

double EdgeModel::first_layer_macs() const {
  return impl_->scripted ? impl_->scripted->first_layer_macs : impl_->net->first_layer_macs();
}

std::vector<int64_t> EdgeModel::spiking_neurons() const {
  return impl_->scripted ? impl_->scripted->spiking_neurons : impl_->net->lif_neurons();
}

const Normalisation& EdgeModel::normalisation() const { return impl_->normalisation; }

}  // namespace eccsim
