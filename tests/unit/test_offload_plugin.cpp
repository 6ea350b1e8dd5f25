// Offload policy plugins without an engine: the example plugins (examples/policies/) decide by the
// rules their comments state, on known inputs; their params reach them from the scenario; the
// loader refuses libraries that break the interface, and records failures inside a call.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/input_error.hpp"
#include "sim/policy/offload_plugin.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/fuzz_seeds.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::OffloadPluginInstance;
using eccsim::OffloadPluginLibrary;
using eccsim::PluginConfig;
using eccsim::PluginDeviceView;
using eccsim::testing::example_policy;
using eccsim::testing::faulty_policy;
using eccsim::testing::input_error_of;

namespace {

struct Plugin {
  std::shared_ptr<OffloadPluginLibrary> library;
  std::unique_ptr<OffloadPluginInstance> instance;
};

Plugin load(const std::string& path, std::vector<eccsim::PluginParam> params = {}, uint64_t seed = 7) {
  Plugin p;
  p.library = OffloadPluginLibrary::open(PluginConfig{path, std::move(params)}, "s.yaml:3: policy.offload.plugin.path");
  p.instance = std::make_unique<OffloadPluginInstance>(p.library, 0, 1, seed, "s.yaml:4: policy.offload.plugin.params");
  return p;
}

PluginDeviceView view(double threshold, int queue = 0) {
  PluginDeviceView v;
  v.threshold = {threshold, 0};
  v.classes = 2;
  static const std::vector<double> one_head{0.5};
  v.head_entropy = &one_head;
  v.queue_length = queue;
  return v;
}

bool decide(Plugin& p, const PluginDeviceView& v, double entropy, int32_t predicted = 0) {
  return p.instance->decide(v, predicted, entropy, 0.9, 0.8);
}

// One offload of request `id` (entropy, edge label) that ends after round_trip_s with `cloud_label` (-1: timeout).
void offload_and_end(Plugin& p, int64_t id, double entropy, int32_t edge_label, double round_trip_s,
                     int32_t cloud_label) {
  p.instance->offloaded(id, {edge_label, entropy, 0.9, 0.8}, false);
  p.instance->ended(id, 1.0, round_trip_s, cloud_label);
}

}  // namespace

TEST_CASE("entropy_threshold offloads exactly above the threshold it is told", "[plugins]") {
  Plugin p = load(example_policy("entropy_threshold"));
  for (const double threshold : {1e-5, 0.3, 0.7}) {
    CHECK(decide(p, view(threshold), threshold * 1.01));
    CHECK_FALSE(decide(p, view(threshold), threshold));
    CHECK_FALSE(decide(p, view(threshold), threshold * 0.99));
  }
  PluginDeviceView everything = view(0);
  everything.threshold.tie_share = 1;
  CHECK(decide(p, everything, 0));
}

TEST_CASE("queue_aware moves entropy's line by its rule: up with slow or lost uploads, down with a queue",
          "[plugins]") {
  Plugin p = load(example_policy("queue_aware"),
                  {{"latency_ref", "0.1"}, {"latency_weight", "2"}, {"timeout_weight", "5"}, {"queue_weight", "0.5"}});
  const double t = 1e-3;
  // The rule, as examples/policies/queue_aware.c states it, for the device's recent offloads.
  const auto line = [&](int queue, const std::vector<double>& round_trips, int timeouts) {
    double exponent = -0.5 * queue;
    if (!round_trips.empty()) {
      double mean = 0;
      for (const double r : round_trips) mean += r / static_cast<double>(round_trips.size());
      exponent += 2 * std::max(0.0, mean / 0.1 - 1) + 5.0 * timeouts / static_cast<double>(round_trips.size());
    }
    return std::min(1.0, t * std::exp(exponent));
  };
  const auto check_rule = [&](int queue, const std::vector<double>& round_trips, int timeouts) {
    const double at = line(queue, round_trips, timeouts);
    INFO("queue " << queue << ", line " << at);
    CHECK(decide(p, view(t, queue), at * 1.001));
    CHECK_FALSE(decide(p, view(t, queue), at * 0.999));
  };
  for (const int queue : {0, 1, 4}) check_rule(queue, {}, 0);
  // Fast replies leave the line where it is; slow ones raise it; timeouts raise it more.
  std::vector<double> round_trips;
  for (int k = 0; k < 4; ++k) {
    offload_and_end(p, k, 0.5, 0, 0.05, 1);
    round_trips.push_back(0.05);
  }
  check_rule(0, round_trips, 0);
  CHECK(line(0, round_trips, 0) == Approx(t));
  for (int k = 4; k < 8; ++k) {
    offload_and_end(p, k, 0.5, 0, 0.3, 1);
    round_trips.push_back(0.3);
  }
  check_rule(0, round_trips, 0);
  check_rule(3, round_trips, 0);
  CHECK(line(0, round_trips, 0) > 4 * t);  // a mean of 0.175 s: exp(2 * 0.75)
  // Only the last eight offloads count: two timeouts push out the two oldest fast replies.
  offload_and_end(p, 8, 0.5, 0, 1.0, -1);
  offload_and_end(p, 9, 0.5, 0, 1.0, -1);
  round_trips.erase(round_trips.begin(), round_trips.begin() + 2);
  round_trips.insert(round_trips.end(), {1.0, 1.0});
  check_rule(0, round_trips, 2);
  check_rule(2, round_trips, 2);
}

TEST_CASE("bandit learns where its edge model disagrees with the cloud, bin by bin", "[plugins]") {
  // epsilon 0: no exploration, so every decision is the greedy rule's: offload when the bin's share of
  // disagreements (prior 0.5 as one pseudo-reply) is above offload_cost.
  const std::vector<eccsim::PluginParam> greedy{
      {"offload_cost", "0.3"}, {"epsilon", "0"}, {"bins", "16"}, {"bins_per_decade", "2"}, {"prior", "0.5"}};
  Plugin p = load(example_policy("bandit"), greedy);
  const double low = 1e-6;   // bin 12
  const double high = 0.05;  // bin 2
  CHECK(decide(p, view(0.5), low));
  CHECK(decide(p, view(0.5), high));
  int64_t id = 0;
  offload_and_end(p, id++, low, 3, 0.05, 3);  // the cloud agrees: 0.5 / 2 = 0.25
  CHECK_FALSE(decide(p, view(0.5), low));
  CHECK_FALSE(decide(p, view(0.5), 9e-7));                                  // the same bin
  CHECK(decide(p, view(0.5), high));                                        // another bin keeps its prior
  for (int k = 0; k < 20; ++k) offload_and_end(p, id++, high, 3, 0.05, 4);  // 20.5 / 21
  CHECK(decide(p, view(0.5), high));
  for (int k = 0; k < 60; ++k) offload_and_end(p, id++, high, 3, 0.05, 3);  // 20.5 / 81 = 0.253
  CHECK_FALSE(decide(p, view(0.5), high));

  // A timeout teaches nothing.
  Plugin fresh = load(example_policy("bandit"), greedy);
  for (int k = 0; k < 50; ++k) offload_and_end(fresh, k, low, 3, 1.0, -1);
  CHECK(decide(fresh, view(0.5), low));
}

TEST_CASE("bandit explores from its own seeded stream: same seed, same draws", "[plugins]") {
  const std::vector<eccsim::PluginParam> exploring{{"offload_cost", "1"}, {"epsilon", "0.5"}};
  Plugin a = load(example_policy("bandit"), exploring, 11);
  Plugin b = load(example_policy("bandit"), exploring, 11);
  Plugin other = load(example_policy("bandit"), exploring, 12);
  int offloaded = 0, differ = 0;
  for (int k = 0; k < 400; ++k) {
    const bool d = decide(a, view(0.5), 0.1);
    CHECK(d == decide(b, view(0.5), 0.1));
    differ += d != decide(other, view(0.5), 0.1);
    offloaded += d;
  }
  CHECK(offloaded > 150);  // epsilon 0.5 of 400; the greedy rule (cost 1) never offloads
  CHECK(offloaded < 250);
  CHECK(differ > 100);
  Plugin always = load(example_policy("bandit"), {{"offload_cost", "1"}, {"epsilon", "1"}});
  CHECK(decide(always, view(0.5), 1e-9));
}

TEST_CASE("a plugin's params come from the scenario, nested keys flattened, and print back",
          "[plugins][scenario][fuzz-seeds]") {
  eccsim::testing::TempDir dir;
  const std::string text = R"(policy:
  offload:
    filter: plugin
    plugin:
      path: lib.so
      params: {alpha: 0.5, arm: {beta: 2, names: [a, b]}, mode: fast}
)";
  eccsim::testing::keep_fuzz_seed(text, {"policy.offload.plugin.params.gamma=3"});
  const fs::path file = dir.write("s.yaml", text);
  const eccsim::Scenario s = eccsim::load_scenario(file, {"policy.offload.plugin.params.gamma=3"});
  const std::vector<eccsim::PluginParam> expected{
      {"alpha", "0.5"}, {"arm.beta", "2"}, {"arm.names", "[a, b]"}, {"mode", "fast"}, {"gamma", "3"}};
  CHECK(s.policy.offload.plugin.params == expected);
  CHECK(s.policy.offload.plugin.path == "lib.so");
  const eccsim::Scenario again = eccsim::load_scenario(dir.write("again.yaml", eccsim::to_yaml(s)));
  CHECK(again.policy.offload.plugin.params == expected);
  CHECK(eccsim::to_yaml(again) == eccsim::to_yaml(s));

  CHECK(input_error_of([&] {
          eccsim::load_scenario(dir.write("no-path.yaml", "policy: {offload: {filter: plugin}}\n"));
        }) == (dir.path() / "no-path.yaml").string() +
                  ":1: policy.offload.plugin.path: missing: filter plugin needs the library's path, e.g. plugin: "
                  "{path: build/examples/policies/libqueue_aware.so}");
  CHECK(input_error_of([&] { eccsim::load_scenario(file, {"policy.offload.budget.cur=0.2"}); }) ==
        "--set policy.offload.budget.cur: a plugin decides each offload itself: no online budget (target_cur "
        "calibrates the entropy threshold it is told)");
  CHECK(
      input_error_of([&] { eccsim::load_scenario(file, {"policy.offload.plugin.params=3"}); }) ==
      "--set policy.offload.plugin.params: expected a mapping of the plugin's parameters, e.g. {alpha: 0.5}, got '3'");
}

TEST_CASE("libraries that break the interface are refused with one line naming them", "[plugins]") {
  const auto refusal = [](const std::string& path, std::vector<eccsim::PluginParam> params = {}) {
    return input_error_of([&] { load(path, std::move(params)); });
  };
  const std::string where = "s.yaml:3: policy.offload.plugin.path: plugin ";
  CHECK(refusal("no/such/lib.so") == where +
                                         "no/such/lib.so: no such file (build the examples with scripts/build, "
                                         "or give the path to your library, relative to the working directory)");
  CHECK(refusal(faulty_policy("no_entry")) ==
        where + faulty_policy("no_entry") + ": does not export eccsim_offload_policy (see include/eccsim/policy.h)");
  CHECK(refusal(faulty_policy("wrong_version")) ==
        where + faulty_policy("wrong_version") +
            ": built for policy interface version 2, eccsim speaks version 1 (rebuild it against this "
            "include/eccsim/policy.h)");
  CHECK(refusal(faulty_policy("no_decide")) ==
        where + faulty_policy("no_decide") + ": its interface lacks decide (create, decide and destroy are required)");
  const std::string params_where = "s.yaml:4: policy.offload.plugin.params: plugin ";
  CHECK(refusal(faulty_policy("create_throws")) ==
        params_where + faulty_policy("create_throws") + " (faulty): create threw an exception: cannot set up");
  CHECK(refusal(example_policy("queue_aware"), {{"queue_wieght", "1"}}) ==
        params_where + example_policy("queue_aware") +
            " (queue_aware): refused its parameters: unknown parameter 'queue_wieght'");
  CHECK(refusal(example_policy("bandit"), {{"epsilon", "lots"}}) ==
        params_where + example_policy("bandit") +
            " (bandit): refused its parameters: parameter 'epsilon' must be a number in [0, 1], got 'lots'");
  const std::string text_file = (fs::path(ECCSIM_SOURCE_DIR) / "README.md").string();
  CHECK(refusal(text_file).rfind(where + text_file + ": cannot be loaded: ", 0) == 0);
}

TEST_CASE("a failure inside a call is recorded once, and the plugin is not asked again", "[plugins]") {
  struct Case {
    std::string fault;
    std::string failure;
  };
  for (const Case& c : {Case{"decide_throws", "decide at 0.000000 s on device 0: threw an exception: decide gave up"},
                        Case{"bad_answer",
                             "decide at 0.000000 s on device 0: answered 7 (expected ECCSIM_KEEP 0 or "
                             "ECCSIM_OFFLOAD 1)"},
                        Case{"decide_error", "decide at 0.000000 s on device 0: no decision for request 0"},
                        Case{"learn_error", "learn at 1.000000 s on device 0: cannot learn from request 5"}}) {
    INFO(c.fault);
    Plugin p = load(faulty_policy(c.fault), {{"after", "0"}, {"threshold", "0"}});
    const bool first = decide(p, view(0.5), 0.9);
    offload_and_end(p, 5, 0.9, 1, 0.1, 2);
    REQUIRE(p.library->failure());
    CHECK(*p.library->failure() == c.failure);
    CHECK(p.library->failure_message() == "policy plugin " + faulty_policy(c.fault) + " (faulty) failed: " + c.failure);
    CHECK(first == (c.fault == "learn_error"));  // a failed decide answers keep
    CHECK_FALSE(decide(p, view(0.5), 0.9));      // asked no more: keep
  }
}
