// Leaky integrate-and-fire neuron as in SpikingJelly's LIFNode (decay_input=True, hard reset,
// detach_reset=True) with the sigmoid surrogate gradient of the spike's Heaviside step.
// Internal to models/ (includes torch): sim/ never sees it.
#pragma once

#include <torch/torch.h>

namespace eccsim {

struct LifOptions {
  double tau = 2.0;           // membrane time constant, in time steps
  double v_threshold = 1.0;   // firing threshold (same unit as the input current)
  double v_reset = 0.0;       // hard reset potential
  double alpha = 4.0;         // surrogate sharpness: d spike / d v = alpha * sig(alpha x) * (1 - sig(alpha x))
};

// Heaviside step forward (x >= 0 fires), sigmoid surrogate backward.
class SigmoidSpike : public torch::autograd::Function<SigmoidSpike> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double alpha);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output);
};

// Spike of x = v - v_threshold, differentiable through the surrogate.
torch::Tensor sigmoid_spike(const torch::Tensor& x, double alpha);

struct LifState {
  torch::Tensor v;            // membrane potential after the reset of the previous step
};

struct LifStepResult {
  torch::Tensor spike;        // 0/1, same shape as the input
  LifState state;
};

// The neuron's dynamics for one time step (pure):
//   charge  h = v + (x - (v - v_reset)) / tau
//   fire    s = Heaviside(h - v_threshold)
//   reset   v' = h * (1 - s) + v_reset * s        (s detached: no gradient through the reset)
LifStepResult lif_step(const torch::Tensor& input, const LifState& state, const LifOptions& options);

// A layer of LIF neurons over all time steps (multi-step mode): input currents [T, ...],
// time-major; the state starts at v_reset; returns the spikes [T, ...]. Runs LifSequence (one
// fused loop forward, hand-written BPTT backward) for float tensors, lif_sequence_unrolled otherwise.
torch::Tensor lif_sequence(const torch::Tensor& inputs, const LifOptions& options);

// The same layer as lif_step iterated over T, differentiated by autograd: the reference.
torch::Tensor lif_sequence_unrolled(const torch::Tensor& inputs, const LifOptions& options);

// Fused multi-step LIF: the exact gradients of lif_sequence_unrolled, in one pass per direction
// over each neuron's T steps (far fewer tensor ops and temporaries than the unrolled graph):
//   dL/dh_t = dL/ds_t * surrogate'(h_t - v_th) + dL/dv_t * (1 - s_t)
//   dL/dx_t = dL/dh_t / tau,   dL/dv_{t-1} = dL/dh_t * (1 - 1/tau)
class LifSequence : public torch::autograd::Function<LifSequence> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& inputs,
                               const LifOptions& options);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output);
};

}  // namespace eccsim
