// The offload filters' scores against values worked out by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/nets/ambiguity.hpp"

using eccsim::ambiguity_of;

TEST_CASE("equal logits are as ambiguous as can be", "[models][policy]") {
  const auto a = ambiguity_of({0.f, 0.f}, {2});
  CHECK(a.entropy_score == Approx(1.0));
  CHECK(a.max_prob == Approx(0.5));
  CHECK(a.margin == Approx(0.0).margin(1e-7));
  CHECK(a.predicted == 0);  // the first of equal maxima
}

TEST_CASE("entropy is the minimum over heads; probability and margin span all classes", "[models][policy]") {
  // Head 0: logits (ln 3, 0) -> p = (3/4, 1/4), H / ln 2 = 0.811278; head 1: uniform -> 1.
  // All four: exp = (3, 1, 1, 1) -> p = (1/2, 1/6, 1/6, 1/6).
  const auto a = ambiguity_of({static_cast<float>(std::log(3.0)), 0.f, 0.f, 0.f}, {2, 2});
  const double h0 = -(0.75 * std::log(0.75) + 0.25 * std::log(0.25)) / std::log(2.0);
  CHECK(h0 == Approx(0.811278).epsilon(1e-5));
  CHECK(a.entropy_score == Approx(h0).epsilon(1e-6));
  CHECK(a.max_prob == Approx(0.5).epsilon(1e-6));
  CHECK(a.margin == Approx(0.5 - 1.0 / 6).epsilon(1e-6));
  CHECK(a.predicted == 0);
}

TEST_CASE("a confident later head sets the score and the prediction", "[models][policy]") {
  // Head 0 (3 classes) uniform: 1; head 1 (2 classes) logits (0, 10): p = (1/(1+e^10), e^10/(1+e^10)).
  const auto a = ambiguity_of({0.f, 0.f, 0.f, 0.f, 10.f}, {3, 2});
  const double q = 1 / (1 + std::exp(10.0));
  CHECK(a.entropy_score == Approx(-(q * std::log(q) + (1 - q) * std::log(1 - q)) / std::log(2.0)).epsilon(1e-5));
  CHECK(a.predicted == 4);
  const double sum = 4 + std::exp(10.0);
  CHECK(a.max_prob == Approx(std::exp(10.0) / sum).epsilon(1e-6));
  CHECK(a.margin == Approx((std::exp(10.0) - 1) / sum).epsilon(1e-6));
}

TEST_CASE("one-class heads and large logits stay in range", "[models][policy]") {
  const auto single = ambiguity_of({5.f}, {1});
  CHECK(single.entropy_score == 0);
  CHECK(single.max_prob == Approx(1.0));
  CHECK(single.margin == Approx(1.0));
  const auto large = ambiguity_of({1000.f, -1000.f}, {2});  // no overflow: softmax is shifted
  CHECK(large.entropy_score == Approx(0.0).margin(1e-6));
  CHECK(large.max_prob == Approx(1.0));
  CHECK_THROWS_AS(ambiguity_of({0.f, 0.f, 0.f}, {2}), std::invalid_argument);
}
