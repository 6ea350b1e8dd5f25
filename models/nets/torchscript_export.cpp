// The exports of torchscript_export.hpp: a TorchScript module built in C++ (no Python), holding the
// native module's parameters and buffers under their names ('.' -> '_'), whose forward is generated
// TorchScript source repeating the native forward op for op (spiking_vgg.cpp, cnn.cpp, lif.cpp):
// the same aten calls on the same operands give the same floats.
#include "models/nets/torchscript_export.hpp"

#include <sstream>
#include <string>

#include <fmt/format.h>
#include <torch/script.h>

#include "core/file_io.hpp"
#include "models/nets/cloud_model_impl.hpp"
#include "models/nets/edge_model_impl.hpp"

namespace eccsim {
namespace {

std::string attribute_name(const std::string& key) {
  std::string name = key;
  for (char& c : name) c = c == '.' ? '_' : c;
  return name;
}

void copy_tensors(const torch::nn::Module& from, torch::jit::Module& to) {
  for (const auto& p : from.named_parameters()) to.register_parameter(attribute_name(p.key()), p.value().detach().clone(), false);
  for (const auto& b : from.named_buffers()) to.register_buffer(attribute_name(b.key()), b.value().detach().clone());
}

void add_ints(torch::jit::Module& m, const std::string& name, const std::vector<int64_t>& values) {
  m.register_attribute(name, c10::ListType::ofInts(), c10::List<int64_t>(values));
}

void add_contract_common(torch::jit::Module& m, int64_t channels, int64_t height, int64_t width,
                         const std::vector<int64_t>& classes, const Normalisation& n) {
  add_ints(m, "input_shape", {channels, height, width});
  add_ints(m, "classes", classes);
  std::vector<double> mean;
  std::vector<double> std;
  for (int64_t c = 0; c < channels; ++c) {
    mean.push_back(n.mean[static_cast<size_t>(c)]);
    std.push_back(n.std[static_cast<size_t>(c)]);
  }
  m.register_attribute("input_mean", c10::ListType::ofFloats(), c10::List<double>(mean));
  m.register_attribute("input_std", c10::ListType::ofFloats(), c10::List<double>(std));
}

// A float32 constant written so that TorchScript reads back the same float.
std::string float_literal(double value) {
  std::string text = fmt::format("{:.9g}", static_cast<float>(value));
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

// conv 3x3 (stride 1, padding 1, no bias) + eval-mode BatchNorm, as ConvStack's layer `i`.
std::string conv_bn(const std::string& input, size_t i) {
  return fmt::format(
      "torch.batch_norm(torch.conv2d({0}, self.conv{1}_weight, None, [1, 1], [1, 1], [1, 1], 1), self.bn{1}_weight, "
      "self.bn{1}_bias, self.bn{1}_running_mean, self.bn{1}_running_var, False, 0.1, 1e-05, False)",
      input, i);
}

void save_module(const torch::jit::Module& m, const std::filesystem::path& file) {
  std::ostringstream bytes;
  m.save(bytes);
  write_file_atomically(file, bytes.str());
}

std::vector<int64_t> dataset_ids(const std::vector<int32_t>& labels, const std::vector<int32_t>& class_order) {
  std::vector<int64_t> ids;
  for (const int32_t label : labels) ids.push_back(class_order.at(static_cast<size_t>(label)));
  return ids;
}

}  // namespace

void export_edge_torchscript(const EdgeModel& model, const std::vector<int32_t>& class_order,
                             const std::filesystem::path& file) {
  const SpikingVgg& net = model.impl().net;
  if (!net) throw std::logic_error("export_edge_torchscript: the model is a TorchScript model already");
  const SpikingVggOptions& o = net->options();
  torch::jit::Module m("eccsim.SpikingVgg");
  copy_tensors(*net, m);
  add_contract_common(m, o.in_channels, o.height, o.width, dataset_ids(model.output_labels(), class_order),
                      model.normalisation());
  add_ints(m, "head_sizes", net->head_sizes());
  m.register_attribute("timesteps", c10::IntType::get(), o.timesteps);
  m.register_attribute("first_layer_macs", c10::FloatType::get(), net->first_layer_macs());
  add_ints(m, "spiking_neurons", net->lif_neurons());

  // LifSequence's forward (lif.cpp) as tensor operations: the same float arithmetic per neuron.
  const std::string v_reset = float_literal(o.lif.v_reset);
  const std::string v_th = float_literal(o.lif.v_threshold);
  std::string source = fmt::format(R"(
def lif(self, seq: Tensor) -> Tensor:
    v = torch.full_like(seq[0], {0})
    spikes: List[Tensor] = []
    for t in range(seq.size(0)):
        h = v + (seq[t] - (v - {0})) * {1}
        fired = h >= {2}
        spikes.append(fired.float())
        v = torch.where(fired, torch.full_like(h, {0}), h)
    return torch.stack(spikes)

def forward(self, x: Tensor) -> Tuple[List[Tensor], Tensor, Tensor]:
    n = x.size(0)
    T = {3}
    sops = torch.zeros([n]).double()
    layer_spikes: List[Tensor] = []
)", v_reset, float_literal(1 / o.lif.tau), v_th, o.timesteps);
  size_t layer = 0;
  for (const int64_t width : o.widths) {
    if (width == kPool) {
      source += "    z = torch.max_pool2d(z, [2, 2], [2, 2])\n";
      continue;
    }
    if (layer == 0) {
      source += fmt::format("    c = {}\n", conv_bn("x", 0));
      source += "    s = self.lif(c.unsqueeze(0).expand([T, n, c.size(1), c.size(2), c.size(3)]))\n";
    } else {
      source += fmt::format("    sops = sops + z.reshape([T, n, -1]).sum(0).sum(1).double() * {}.0\n",
                            width * kKernel * kKernel);
      source += fmt::format("    c = {}\n", conv_bn("z", layer));
      source += "    s = self.lif(c.view([T, n, c.size(1), c.size(2), c.size(3)]))\n";
    }
    source += "    layer_spikes.append(s.sum(0).flatten(1).sum(1))\n    z = s.flatten(0, 1)\n";
    ++layer;
  }
  source += fmt::format(R"(    z = z.flatten(1)
    sops = sops + z.reshape([T, n, -1]).sum(0).sum(1).double() * {0}.0
    c = torch.batch_norm(torch.linear(z, self.fc_weight, None), self.fc_bn_weight, self.fc_bn_bias, self.fc_bn_running_mean, self.fc_bn_running_var, False, 0.1, 1e-05, False)
    s = self.lif(c.view([T, n, {0}]))
    feature = s.mean(0)
    layer_spikes.append(s.sum(0).flatten(1).sum(1))
    sops = sops + layer_spikes[-1].double() * {1}.0
    heads: List[Tensor] = []
)", o.feature, net->num_classes());
  for (size_t k = 0; k < net->head_sizes().size(); ++k)
    source += fmt::format("    heads.append(torch.linear(feature, self.heads_{0}_weight, self.heads_{0}_bias))\n", k);
  source += "    return heads, sops, torch.stack(layer_spikes, 1)\n";
  m.define(source);
  m.eval();
  save_module(m, file);
}

void export_cloud_torchscript(const CloudModel& model, const std::vector<int32_t>& class_order,
                              const std::filesystem::path& file) {
  const Cnn& net = model.impl().net;
  if (!net) throw std::logic_error("export_cloud_torchscript: the model is a TorchScript model already");
  const CnnOptions& o = net->options();
  torch::jit::Module m("eccsim.Cnn");
  copy_tensors(*net, m);
  std::vector<int32_t> labels(static_cast<size_t>(o.num_classes));
  for (size_t label = 0; label < labels.size(); ++label) labels[label] = static_cast<int32_t>(label);
  add_contract_common(m, o.in_channels, o.height, o.width, dataset_ids(labels, class_order), model.normalisation());
  m.register_attribute("macs", c10::FloatType::get(), net->macs());

  // CnnImpl::forward in eval mode (dropout is the identity there).
  std::string source = "\ndef forward(self, x: Tensor) -> Tensor:\n    z = x\n";
  size_t layer = 0;
  for (const int64_t width : o.widths) {
    if (width == kPool) {
      source += "    z = torch.max_pool2d(z, [2, 2], [2, 2])\n";
      continue;
    }
    source += fmt::format("    z = torch.relu({})\n", conv_bn("z", layer));
    ++layer;
  }
  source += R"(    z = torch.relu(torch.linear(z.flatten(1), self.hidden_weight, self.hidden_bias))
    return torch.linear(z, self.out_weight, self.out_bias)
)";
  m.define(source);
  m.eval();
  save_module(m, file);
}

}  // namespace eccsim
