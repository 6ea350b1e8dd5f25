// LIF dynamics and the sigmoid surrogate; see lif.hpp. The fused multi-step layer runs plain
// loops over float arrays, time outer and neurons inner (contiguous, vectorisable), neurons split
// across threads with at::parallel_for; tests check it against the unrolled autograd reference.
#include "models/nets/lif.hpp"

#include <ATen/Parallel.h>

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

torch::Tensor lif_sequence_unrolled(const torch::Tensor& inputs, const LifOptions& options) {
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

namespace {

constexpr int64_t kGrain = 4096;   // neurons per parallel work item

}  // namespace

torch::Tensor LifSequence::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& inputs,
                                   const LifOptions& options) {
  const torch::Tensor x = inputs.contiguous();
  const int64_t steps = x.size(0);
  const int64_t n = steps == 0 ? 0 : x.numel() / steps;
  torch::Tensor spikes = torch::empty_like(x);
  const bool keep = inputs.requires_grad();
  torch::Tensor potentials = keep ? torch::empty_like(x) : torch::Tensor();   // h_t, for the backward pass
  const float* in = x.data_ptr<float>();
  float* out = spikes.data_ptr<float>();
  float* pot = keep ? potentials.data_ptr<float>() : nullptr;
  const auto inv_tau = static_cast<float>(1 / options.tau);
  const auto v_reset = static_cast<float>(options.v_reset);
  const auto v_th = static_cast<float>(options.v_threshold);
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
    std::vector<float> v(static_cast<size_t>(end - begin), v_reset);
    for (int64_t t = 0; t < steps; ++t) {
      const float* xt = in + t * n;
      float* st = out + t * n;
      float* ht = pot != nullptr ? pot + t * n : nullptr;
      for (int64_t i = begin; i < end; ++i) {
        float& vi = v[static_cast<size_t>(i - begin)];
        const float h = vi + (xt[i] - (vi - v_reset)) * inv_tau;
        const bool fire = h >= v_th;
        st[i] = fire ? 1.f : 0.f;
        if (ht != nullptr) ht[i] = h;
        vi = fire ? v_reset : h;
      }
    }
  });
  if (keep) {
    ctx->save_for_backward({potentials});
    ctx->saved_data["tau"] = options.tau;
    ctx->saved_data["v_threshold"] = options.v_threshold;
    ctx->saved_data["alpha"] = options.alpha;
  }
  return spikes;
}

torch::autograd::variable_list LifSequence::backward(torch::autograd::AutogradContext* ctx,
                                                     torch::autograd::variable_list grad_output) {
  const torch::Tensor potentials = ctx->get_saved_variables()[0];
  const double alpha = ctx->saved_data["alpha"].toDouble();
  const double v_th = ctx->saved_data["v_threshold"].toDouble();
  // The surrogate derivative at every step, by vectorised tensor ops; the recurrence below is cheap.
  const torch::Tensor sig = torch::sigmoid((potentials - v_th) * alpha);
  const torch::Tensor local = (grad_output[0] * alpha * sig * (1 - sig)).contiguous();   // dL/ds_t * ds_t/dh_t
  const int64_t steps = potentials.size(0);
  const int64_t n = steps == 0 ? 0 : potentials.numel() / steps;
  torch::Tensor grad_inputs = torch::empty_like(potentials);
  const float* pot = potentials.data_ptr<float>();
  const float* loc = local.data_ptr<float>();
  float* gx = grad_inputs.data_ptr<float>();
  const auto inv_tau = static_cast<float>(1 / ctx->saved_data["tau"].toDouble());
  const auto threshold = static_cast<float>(v_th);
  at::parallel_for(0, n, kGrain, [&](int64_t begin, int64_t end) {
    std::vector<float> gv(static_cast<size_t>(end - begin), 0.f);   // dL/dv_t, from step t + 1
    for (int64_t t = steps - 1; t >= 0; --t) {
      const float* ht = pot + t * n;
      const float* lt = loc + t * n;
      float* gxt = gx + t * n;
      for (int64_t i = begin; i < end; ++i) {
        float& g = gv[static_cast<size_t>(i - begin)];
        const float gh = lt[i] + (ht[i] >= threshold ? 0.f : g);
        gxt[i] = gh * inv_tau;
        g = gh * (1.f - inv_tau);
      }
    }
  });
  return {grad_inputs, torch::Tensor()};
}

torch::Tensor lif_sequence(const torch::Tensor& inputs, const LifOptions& options) {
  if (inputs.scalar_type() != torch::kFloat32 || inputs.dim() < 1) return lif_sequence_unrolled(inputs, options);
  return LifSequence::apply(inputs, options);
}

}  // namespace eccsim
