// TorchScript models: loading, the contract's checks and inference; see torchscript_model.hpp.
// Every check names the file and the piece missing, with the type the contract asks for, so a
// user can fix the export without reading eccsim's sources.
#include "models/nets/torchscript_model.hpp"

#include <torch/csrc/jit/runtime/graph_executor.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/input_error.hpp"
#include "models/nets/checkpoint_io.hpp"

namespace eccsim {
namespace {

namespace fs = std::filesystem;

constexpr char kContract[] = "see docs/own-models.md";

class ContractCheck {
 public:
  ContractCheck(const fs::path& file, const char* role) : file_(file), role_(role) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(fmt::format("{}: not a TorchScript {} model for eccsim: {} ({})", file_.string(), role_, what,
                                 kContract));
  }

  std::optional<c10::IValue> optional_attr(const torch::jit::Module& m, const std::string& name) const {
    if (!m.hasattr(name)) return std::nullopt;
    return m.attr(name);
  }

  c10::IValue attr(const torch::jit::Module& m, const std::string& name, const std::string& type) const {
    if (!m.hasattr(name)) fail(fmt::format("no attribute '{}' ({})", name, type));
    return m.attr(name);
  }

  std::vector<int64_t> ints(const torch::jit::Module& m, const std::string& name, const std::string& meaning) const {
    const c10::IValue v = attr(m, name, "List[int]: " + meaning);
    if (!v.isIntList()) fail(fmt::format("attribute '{}' is {}, expected List[int] ({})", name, v.tagKind(), meaning));
    return v.toIntVector();
  }

  double number(const torch::jit::Module& m, const std::string& name, const std::string& meaning) const {
    const c10::IValue v = attr(m, name, "float: " + meaning);
    if (v.isDouble()) return v.toDouble();
    if (v.isInt()) return static_cast<double>(v.toInt());
    fail(fmt::format("attribute '{}' is {}, expected float ({})", name, v.tagKind(), meaning));
  }

  int64_t integer(const torch::jit::Module& m, const std::string& name, const std::string& meaning) const {
    const c10::IValue v = attr(m, name, "int: " + meaning);
    if (!v.isInt()) fail(fmt::format("attribute '{}' is {}, expected int ({})", name, v.tagKind(), meaning));
    return v.toInt();
  }

  // input_shape: [C, H, W] with C in 1..3.
  std::vector<int64_t> input_shape(const torch::jit::Module& m) const {
    const std::vector<int64_t> shape = ints(m, "input_shape", "[C, H, W] of one input image");
    if (shape.size() != 3 || shape[0] < 1 || shape[0] > 3 || shape[1] < 1 || shape[2] < 1)
      fail(fmt::format("input_shape is [{}], expected [C, H, W] with C = 1 or 3", fmt::join(shape, ", ")));
    return shape;
  }

  // classes: distinct non-negative dataset class ids.
  std::vector<int32_t> classes(const torch::jit::Module& m, const std::string& meaning) const {
    const std::vector<int64_t> ids = ints(m, "classes", meaning);
    if (ids.empty()) fail("'classes' is empty");
    std::vector<int64_t> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.front() < 0 || sorted.back() > INT32_MAX || std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      fail("'classes' must hold distinct class ids >= 0");
    return {ids.begin(), ids.end()};
  }

  // input_mean / input_std: per channel, on the pixels / 255 scale; both or neither.
  Normalisation normalisation(const torch::jit::Module& m, int64_t channels) const {
    const auto mean = optional_attr(m, "input_mean");
    const auto std = optional_attr(m, "input_std");
    Normalisation n;
    if (!mean && !std) return n;
    if (!mean || !std) fail("input_mean and input_std come together (List[float], one per channel)");
    if (!mean->isDoubleList() || !std->isDoubleList()) fail("input_mean and input_std must be List[float]");
    const std::vector<double> means = mean->toDoubleVector();
    const std::vector<double> stds = std->toDoubleVector();
    if (static_cast<int64_t>(means.size()) != channels || static_cast<int64_t>(stds.size()) != channels)
      fail(fmt::format("input_mean and input_std need {} values (one per channel)", channels));
    for (size_t c = 0; c < 3; ++c) {
      const size_t from = std::min(c, means.size() - 1);
      if (!(stds[from] > 0)) fail("input_std values must be > 0");
      n.mean[c] = static_cast<float>(means[from]);
      n.std[c] = static_cast<float>(stds[from]);
    }
    return n;
  }

  torch::Tensor tensor(const c10::IValue& v, const std::string& what) const {
    if (!v.isTensor()) fail(fmt::format("forward's {} is {}, expected a Tensor", what, v.tagKind()));
    return v.toTensor();
  }

  void shape(const torch::Tensor& t, const std::vector<int64_t>& expected, const std::string& what) const {
    if (t.sizes().vec() != expected)
      fail(fmt::format("forward's {} has shape [{}], expected [{}]", what, fmt::join(t.sizes(), ", "),
                       fmt::join(expected, ", ")));
    if (!t.is_floating_point()) fail(fmt::format("forward's {} is {}, expected floating point", what, std::string(t.dtype().name())));
  }

 private:
  const fs::path& file_;
  const char* role_;
};

torch::jit::Module load_module(const fs::path& file) {
  // The graph executor runs each graph as written: its optimising passes would re-profile and
  // recompile for every new batch shape (eccsim infers in chunks of many sizes) and may fuse ops.
  torch::jit::setGraphExecutorOptimize(false);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw InputError(fmt::format("{}: no such file", file.string()));
  try {
    torch::jit::Module module = torch::jit::load(file.string());
    module.eval();
    return module;
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: not a TorchScript file ({})", file.string(), first_line(e.what())));
  }
}

c10::IValue forward(const torch::jit::Module& module, const torch::Tensor& images, const ContractCheck& check) {
  torch::NoGradGuard no_grad;
  try {
    return const_cast<torch::jit::Module&>(module).forward({images});
  } catch (const std::exception& e) {
    check.fail(fmt::format("forward failed on a [{}] input ({})", fmt::join(images.sizes(), ", "), first_line(e.what())));
  }
}

ScriptedEdgeOutput edge_outputs(const ScriptedEdge& model, const c10::IValue& out, int64_t n, const ContractCheck& check) {
  if (!out.isTuple() || out.toTupleRef().elements().size() != 3)
    check.fail("forward must return (List[Tensor] head logits, Tensor synaptic_ops [n], Tensor layer_spikes [n, L])");
  const auto& parts = out.toTupleRef().elements();
  if (!parts[0].isTensorList()) check.fail(fmt::format("forward's first output is {}, expected List[Tensor]", parts[0].tagKind()));
  const std::vector<torch::Tensor> heads = parts[0].toTensorVector();
  if (heads.size() != model.head_sizes.size())
    check.fail(fmt::format("forward returned {} heads, head_sizes has {}", heads.size(), model.head_sizes.size()));
  for (size_t k = 0; k < heads.size(); ++k) check.shape(heads[k], {n, model.head_sizes[k]}, fmt::format("head {}", k));
  ScriptedEdgeOutput o;
  o.logits = torch::cat(heads, 1).to(torch::kFloat32);
  o.synaptic_ops = check.tensor(parts[1], "synaptic_ops");
  check.shape(o.synaptic_ops, {n}, "synaptic_ops");
  o.layer_spikes = check.tensor(parts[2], "layer_spikes");
  check.shape(o.layer_spikes, {n, static_cast<int64_t>(model.spiking_neurons.size())}, "layer_spikes");
  o.synaptic_ops = o.synaptic_ops.to(torch::kFloat64);
  o.layer_spikes = o.layer_spikes.to(torch::kFloat64);
  return o;
}

torch::Tensor cloud_outputs(const ScriptedCloud& model, const c10::IValue& out, int64_t n, const ContractCheck& check) {
  torch::Tensor logits = check.tensor(out, "output");
  check.shape(logits, {n, static_cast<int64_t>(model.classes.size())}, "logits");
  return logits.to(torch::kFloat32);
}

torch::Tensor blank_images(const std::vector<int64_t>& shape) { return torch::zeros({2, shape[0], shape[1], shape[2]}); }

}  // namespace

ScriptedEdge load_scripted_edge(const fs::path& file) {
  const ContractCheck check(file, "edge");
  ScriptedEdge model;
  model.file = file;
  model.module = load_module(file);
  const torch::jit::Module& m = model.module;
  model.input_shape = check.input_shape(m);
  model.classes = check.classes(m, "the dataset class of each output, heads concatenated");
  model.head_sizes = check.ints(m, "head_sizes", "outputs per task head, in the order the heads were learned");
  if (model.head_sizes.empty() || std::any_of(model.head_sizes.begin(), model.head_sizes.end(), [](int64_t s) { return s < 1; }) ||
      std::accumulate(model.head_sizes.begin(), model.head_sizes.end(), int64_t{0}) != static_cast<int64_t>(model.classes.size()))
    check.fail(fmt::format("head_sizes [{}] must be positive and add up to the {} classes", fmt::join(model.head_sizes, ", "),
                           model.classes.size()));
  model.timesteps = check.integer(m, "timesteps", "T, the time steps of one inference");
  if (model.timesteps < 1) check.fail("timesteps must be >= 1");
  model.first_layer_macs = check.number(m, "first_layer_macs", "dense MACs of the first layer on the analog input, once per inference");
  if (!(model.first_layer_macs >= 0)) check.fail("first_layer_macs must be >= 0");
  model.spiking_neurons = check.ints(m, "spiking_neurons", "neurons of each spiking layer per time step, in forward order");
  if (std::any_of(model.spiking_neurons.begin(), model.spiking_neurons.end(), [](int64_t s) { return s < 1; }))
    check.fail("spiking_neurons must be positive");
  model.normalisation = check.normalisation(m, model.input_shape[0]);
  edge_outputs(model, forward(m, blank_images(model.input_shape), check), 2, check);
  return model;
}

ScriptedCloud load_scripted_cloud(const fs::path& file) {
  const ContractCheck check(file, "cloud");
  ScriptedCloud model;
  model.file = file;
  model.module = load_module(file);
  const torch::jit::Module& m = model.module;
  model.input_shape = check.input_shape(m);
  model.classes = check.classes(m, "the dataset class of each output");
  model.macs = check.number(m, "macs", "multiply-accumulates of one forward pass");
  if (!(model.macs >= 0)) check.fail("macs must be >= 0");
  model.normalisation = check.normalisation(m, model.input_shape[0]);
  cloud_outputs(model, forward(m, blank_images(model.input_shape), check), 2, check);
  return model;
}

ScriptedEdgeOutput run_scripted_edge(const ScriptedEdge& model, const torch::Tensor& images) {
  const ContractCheck check(model.file, "edge");
  return edge_outputs(model, forward(model.module, images, check), images.size(0), check);
}

torch::Tensor run_scripted_cloud(const ScriptedCloud& model, const torch::Tensor& images) {
  const ContractCheck check(model.file, "cloud");
  return cloud_outputs(model, forward(model.module, images, check), images.size(0), check);
}

int64_t module_bytes(const torch::jit::Module& module) {
  int64_t bytes = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) bytes += p.numel() * static_cast<int64_t>(p.element_size());
  for (const auto& b : module.buffers(/*recurse=*/true)) bytes += b.numel() * static_cast<int64_t>(b.element_size());
  return bytes;
}

}  // namespace eccsim
