// LIF dynamics and the sigmoid surrogate; see lif.hpp. The multi-step layer simply iterates the
// pure step, so autograd unrolls it through time (BPTT) with the surrogate at every spike.
#include "models/lif.hpp"

#include <vector>

namespace eccsim {

torch::Tensor SigmoidSpike::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double alpha) {
  ctx->save_for_backward({x});
  ctx->saved_data["alpha"] = alpha;
  return x.ge(0).to(x.scalar_type());
}

torch::autograd::variable_list SigmoidSpike::backward(torch::autograd::AutogradContext* ctx,
                                                      torch::autograd::variable_list grad_output) {
  const torch::Tensor x = ctx->get_saved_variables()[0];
  const double alpha = ctx->saved_data["alpha"].toDouble();
  const torch::Tensor sig = torch::sigmoid(x * alpha);
  return {grad_output[0] * alpha * sig * (1 - sig), torch::Tensor()};
}

torch::Tensor sigmoid_spike(const torch::Tensor& x, double alpha) { return SigmoidSpike::apply(x, alpha); }

LifStepResult lif_step(const torch::Tensor& input, const LifState& state, const LifOptions& options) {
  const torch::Tensor v = state.v.defined() ? state.v : torch::full_like(input, options.v_reset);
  const torch::Tensor h = v + (input - (v - options.v_reset)) / options.tau;
  const torch::Tensor spike = sigmoid_spike(h - options.v_threshold, options.alpha);
  const torch::Tensor fired = spike.detach();
  torch::Tensor next = h * (1 - fired);
  if (options.v_reset != 0) next = next + options.v_reset * fired;
  return {spike, LifState{next}};
}

torch::Tensor lif_sequence(const torch::Tensor& inputs, const LifOptions& options) {
  const int64_t steps = inputs.size(0);
  std::vector<torch::Tensor> spikes;
  spikes.reserve(static_cast<size_t>(steps));
  LifState state;
  for (int64_t t = 0; t < steps; ++t) {
    LifStepResult step = lif_step(inputs[t], state, options);
    spikes.push_back(std::move(step.spike));
    state = std::move(step.state);
  }
  return torch::stack(spikes);
}

}  // namespace eccsim
