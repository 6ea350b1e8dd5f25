// LIF neuron: charge with decay_input, firing at the threshold, hard reset, leak, and the
// sigmoid surrogate gradient against its formula.
#include <cmath>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include "models/nets/lif.hpp"
#undef CHECK
#include <catch2/catch.hpp>

using eccsim::LifOptions;
using eccsim::LifState;
using eccsim::lif_sequence;
using eccsim::lif_step;
using eccsim::sigmoid_spike;

namespace {

float value_at(const torch::Tensor& t, int64_t i) { return t.view(-1)[i].item<float>(); }

double surrogate(double x, double alpha) {
  const double s = 1 / (1 + std::exp(-alpha * x));
  return alpha * s * (1 - s);
}

}  // namespace

TEST_CASE("LIF charges towards its input with tau = 2 and stays silent below threshold", "[models]") {
  const LifOptions o;
  const torch::Tensor x = torch::full({1}, 0.5f);
  auto s1 = lif_step(x, LifState{}, o);
  CHECK(value_at(s1.state.v, 0) == Approx(0.25));   // 0 + (0.5 - 0) / 2
  CHECK(value_at(s1.spike, 0) == 0);
  auto s2 = lif_step(x, s1.state, o);
  CHECK(value_at(s2.state.v, 0) == Approx(0.375));  // 0.25 + (0.5 - 0.25) / 2
  CHECK(value_at(s2.spike, 0) == 0);
}

TEST_CASE("LIF fires when the potential reaches the threshold, then resets hard to 0", "[models]") {
  const LifOptions o;
  auto at_threshold = lif_step(torch::full({1}, 2.0f), LifState{}, o);   // h = 1.0
  CHECK(value_at(at_threshold.spike, 0) == 1);
  CHECK(value_at(at_threshold.state.v, 0) == 0);
  auto below = lif_step(torch::full({1}, 1.9f), LifState{}, o);          // h = 0.95
  CHECK(value_at(below.spike, 0) == 0);
  CHECK(value_at(below.state.v, 0) == Approx(0.95));
  auto far_above = lif_step(torch::full({1}, 8.0f), LifState{}, o);      // h = 4: reset to 0, not h - 1
  CHECK(value_at(far_above.spike, 0) == 1);
  CHECK(value_at(far_above.state.v, 0) == 0);
}

TEST_CASE("without input the potential leaks by half per step", "[models]") {
  const LifOptions o;
  auto step = lif_step(torch::zeros({1}), LifState{torch::full({1}, 0.8f)}, o);
  CHECK(value_at(step.state.v, 0) == Approx(0.4));
  CHECK(value_at(step.spike, 0) == 0);
}

TEST_CASE("a constant input of 1.5 fires every other step", "[models]") {
  // h: 0.75, 1.125 (fire, reset), 0.75, 1.125 (fire) ...
  const torch::Tensor spikes = lif_sequence(torch::full({4, 1}, 1.5f), LifOptions{});
  CHECK(value_at(spikes, 0) == 0);
  CHECK(value_at(spikes, 1) == 1);
  CHECK(value_at(spikes, 2) == 0);
  CHECK(value_at(spikes, 3) == 1);
}

TEST_CASE("the spike's gradient is the sigmoid surrogate alpha*sig(alpha x)*(1-sig(alpha x))", "[models]") {
  const double alpha = 4;
  const torch::Tensor x = torch::tensor({-1.0f, -0.25f, 0.0f, 0.3f, 2.0f}).set_requires_grad(true);
  const torch::Tensor y = sigmoid_spike(x, alpha);
  CHECK(value_at(y, 0) == 0);
  CHECK(value_at(y, 2) == 1);   // Heaviside(0) = 1
  CHECK(value_at(y, 3) == 1);
  y.sum().backward();
  for (int64_t i = 0; i < 5; ++i) {
    CHECK(value_at(x.grad(), i) == Approx(surrogate(value_at(x, i), alpha)).epsilon(1e-4));
  }
  CHECK(value_at(x.grad(), 2) == Approx(1.0));   // alpha / 4 at the threshold
}

TEST_CASE("gradients flow from the spike to the input through 1/tau, not through the reset", "[models]") {
  const LifOptions o;
  const torch::Tensor x = torch::full({1}, 1.6f).set_requires_grad(true);   // h = 0.8
  auto step = lif_step(x, LifState{}, o);
  step.spike.sum().backward();
  CHECK(value_at(x.grad(), 0) == Approx(surrogate(0.8 - 1.0, o.alpha) / o.tau).epsilon(1e-5));
}

TEST_CASE("the fused multi-step LIF matches the unrolled step in spikes and gradients", "[models]") {
  torch::manual_seed(1);
  const torch::Tensor currents = 1.5 * torch::randn({4, 3, 5, 7}) + 0.5;
  const torch::Tensor upstream = torch::randn({4, 3, 5, 7});   // dL/dspikes
  const torch::Tensor x_fused = currents.clone().set_requires_grad(true);
  const torch::Tensor x_unrolled = currents.clone().set_requires_grad(true);
  const torch::Tensor fused = eccsim::lif_sequence(x_fused, LifOptions{});
  const torch::Tensor unrolled = eccsim::lif_sequence_unrolled(x_unrolled, LifOptions{});
  CHECK(torch::equal(fused, unrolled));
  CHECK(fused.sum().item<float>() > 0);
  (fused * upstream).sum().backward();
  (unrolled * upstream).sum().backward();
  CHECK(torch::allclose(x_fused.grad(), x_unrolled.grad(), 1e-5, 1e-6));
}
