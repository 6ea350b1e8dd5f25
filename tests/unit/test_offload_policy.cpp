// Offload filters (sim/policy/offload_policy): the paper's rules, the random filter and exploration.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "sim/policy/offload_policy.hpp"

using namespace eccsim;

namespace {

EdgePrediction prediction(float entropy, float max_prob, float margin) {
  EdgePrediction p;
  p.entropy_score = entropy;
  p.max_prob = max_prob;
  p.margin = margin;
  p.predicted = 0;
  return p;
}

// The scenario's fixed threshold for the config's filter.
Threshold fixed(const OffloadConfig& config) { return given_threshold(config.filter, config.threshold); }

}  // namespace

TEST_CASE("offload filters follow the paper's rules and their end points are exact", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Entropy;
  config.threshold = 0.7;
  OffloadPolicy entropy(config, 1);
  CHECK(entropy.should_offload(prediction(0.8f, 0.5f, 0.1f), fixed(config)));
  CHECK_FALSE(entropy.should_offload(prediction(0.6f, 0.5f, 0.1f), fixed(config)));
  config.threshold = 0;
  OffloadPolicy everything(config, 1);
  CHECK(everything.should_offload(prediction(0.0f, 1.0f, 1.0f), fixed(config)));
  config.threshold = 1;
  OffloadPolicy nothing(config, 1);
  CHECK_FALSE(nothing.should_offload(prediction(1.0f, 0.1f, 0.0f), fixed(config)));

  config.filter = OffloadFilter::MaxProb;
  config.threshold = 0.9;
  OffloadPolicy max_prob(config, 1);
  CHECK(max_prob.should_offload(prediction(0.1f, 0.8f, 0.7f), fixed(config)));
  CHECK_FALSE(max_prob.should_offload(prediction(0.1f, 0.95f, 0.9f), fixed(config)));
  CHECK(max_prob.score(prediction(0.1f, 0.8f, 0.7f)) == Approx(0.8));

  config.filter = OffloadFilter::Margin;
  config.threshold = 0.5;
  OffloadPolicy margin(config, 1);
  CHECK(margin.should_offload(prediction(0.1f, 0.6f, 0.3f), fixed(config)));
  CHECK_FALSE(margin.should_offload(prediction(0.1f, 0.9f, 0.8f), fixed(config)));

  config.filter = OffloadFilter::EdgeOnly;
  CHECK_FALSE(OffloadPolicy(config, 1).should_offload(prediction(1, 0, 0), fixed(config)));
  config.filter = OffloadFilter::CloudOnly;
  OffloadPolicy cloud_only(config, 1);
  CHECK(cloud_only.should_offload(prediction(0, 1, 1), fixed(config)));
  CHECK_FALSE(cloud_only.runs_edge_model());
}

TEST_CASE("the random filter offloads its rate of inputs, reproducibly", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Random;
  config.rate = 0.3;
  OffloadPolicy a(config, 42), b(config, 42);
  int offloaded = 0;
  for (int i = 0; i < 10000; ++i) {
    const bool decision = a.should_offload(prediction(0, 1, 1), fixed(config));
    CHECK(decision == b.should_offload(prediction(0, 1, 1), fixed(config)));
    offloaded += decision;
  }
  CHECK(offloaded / 10000.0 == Approx(0.3).epsilon(0.05));
}

TEST_CASE("exploration offloads its share of what the filter keeps, on its own seeded stream", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Entropy;
  config.threshold = 0.7;
  config.explore = 0.2;
  OffloadPolicy a(config, 1, 99), b(config, 1, 99), other_seed(config, 1, 100);
  int kept = 0, explored = 0, differs = 0;
  for (int i = 0; i < 20000; ++i) {
    // Every fourth input is ambiguous: the filter offloads it, and it is never marked explored.
    const EdgePrediction p = prediction(i % 4 == 0 ? 0.9f : 0.1f, 0.5f, 0.1f);
    const OffloadDecision d = a.decide(p, fixed(config));
    const OffloadDecision same = b.decide(p, fixed(config));
    CHECK((d.offload == same.offload && d.explored == same.explored));
    differs += other_seed.decide(p, fixed(config)).explored != d.explored;
    if (i % 4 == 0) {
      CHECK((d.offload && !d.explored));
    } else {
      ++kept;
      explored += d.explored;
      CHECK(d.offload == d.explored);
    }
  }
  CHECK(static_cast<double>(explored) / kept == Approx(0.2).epsilon(0.05));
  CHECK(differs > 0);

  config.explore = 1;
  for (const OffloadFilter baseline : {OffloadFilter::EdgeOnly, OffloadFilter::CloudOnly}) {
    config.filter = baseline;
    OffloadPolicy policy(config, 1, 99);
    const OffloadDecision d = policy.decide(prediction(0.1f, 0.9f, 0.9f), fixed(config));
    CHECK_FALSE(d.explored);
    CHECK(d.offload == (config.filter == OffloadFilter::CloudOnly));
  }
}

TEST_CASE("exploration never changes which inputs the random filter picks", "[policy]") {
  OffloadConfig config;
  config.filter = OffloadFilter::Random;
  config.rate = 0.3;
  OffloadPolicy plain(config, 42, 7);
  config.explore = 0.5;
  OffloadPolicy exploring(config, 42, 7);
  for (int i = 0; i < 2000; ++i) {
    const bool picked = plain.should_offload(prediction(0, 1, 1), fixed(config));
    const OffloadDecision d = exploring.decide(prediction(0, 1, 1), fixed(config));
    CHECK(picked == (d.offload && !d.explored));
  }
}
