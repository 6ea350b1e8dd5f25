// Offload policy plugins (include/eccsim/policy.h): a shared library that decides each offload in
// place of a built-in filter. The library is opened once per run; each device gets an instance of
// its own (a device knows only what it sees). A library that cannot be used, or an instance that
// refuses its parameters, is the user's input error (exit 2); a failure inside a call during the
// run is recorded, answered with "keep" from then on, and fails the run when it ends (exit 1):
// SimGrid actors cannot throw out of their context. Pure: no SimGrid.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eccsim/policy.h"
#include "sim/policy/offload_policy.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// The opened library, shared by its instances, and the first failure inside any of them.
class OffloadPluginLibrary {
 public:
  // Opens `config.path`. `where` locates the key in messages ("file:line: policy.offload.plugin.path").
  // InputError, one line naming the library, on a missing file, symbol or interface version mismatch.
  static std::shared_ptr<OffloadPluginLibrary> open(const PluginConfig& config, const std::string& where);
  ~OffloadPluginLibrary();
  OffloadPluginLibrary(const OffloadPluginLibrary&) = delete;
  OffloadPluginLibrary& operator=(const OffloadPluginLibrary&) = delete;

  const std::string& path() const { return config_.path; }
  std::string name() const;                                  // the library's own, as it reports it
  const eccsim_policy_api& api() const { return *api_; }
  const PluginConfig& config() const { return config_; }

  // The first failure inside a call during the run ("decide at 12.5 s on device 3: ..."), if any.
  const std::optional<std::string>& failure() const { return failure_; }
  void record_failure(std::string message);
  // The message a failed run ends with (exit 1): "policy plugin PATH (NAME) failed: <failure>".
  std::string failure_message() const;

 private:
  OffloadPluginLibrary() = default;
  PluginConfig config_;
  void* handle_ = nullptr;
  const eccsim_policy_api* api_ = nullptr;
  std::optional<std::string> failure_;
};

// The scores a device's decision saw, kept until its offload ends (for learn).
struct PluginDecision {
  int32_t edge_label = -1;
  double entropy = 0;
  double max_prob = 0;
  double margin = 0;
};

// What the device tells its instance about itself at a request (the rest comes from the request).
struct PluginDeviceView {
  double time_s = 0;
  int64_t request_id = 0;
  Threshold threshold;  // the entropy filter's, now
  int32_t classes = 0;
  const std::vector<double>* head_entropy = nullptr;  // each head's, in head order
  int64_t model_version = 0;
  int32_t queue_length = 0;
  int32_t awaiting_replies = 0;
  double battery_level = 1;
  bool on_mains = true;
  bool cloud_offline = false;
};

// One device's instance: created from the scenario's params, it keeps what the device remembers for
// it (its last offloads, counts so far, the scores of offloads awaiting their end).
class OffloadPluginInstance {
 public:
  // InputError "where: plugin PATH (NAME) refused its parameters: <its message>" when create fails.
  OffloadPluginInstance(std::shared_ptr<OffloadPluginLibrary> library, int device, int devices, uint64_t seed,
                        const std::string& where);
  ~OffloadPluginInstance();
  OffloadPluginInstance(const OffloadPluginInstance&) = delete;
  OffloadPluginInstance& operator=(const OffloadPluginInstance&) = delete;

  // The plugin's answer for an input the edge model classified as `predicted` with these scores.
  // After a failure anywhere in the library's instances: false (keep), without calling it.
  bool decide(const PluginDeviceView& device, int32_t predicted, double entropy, double max_prob, double margin);
  // The device offloaded the request (by the plugin's decision or exploration).
  void offloaded(int64_t request_id, const PluginDecision& decision, bool explored);
  // How an offload ended: `cloud_label` >= 0 with a reply in time, -1 on a timeout.
  void ended(int64_t request_id, double time_s, double round_trip_s, int32_t cloud_label);
  // The device went down: its offloads in flight will never end.
  void forget_pending() { pending_.clear(); }

 private:
  struct Pending {
    PluginDecision decision;
    bool explored = false;
  };
  void fail(const std::string& call, double time_s, const std::string& message);

  std::shared_ptr<OffloadPluginLibrary> library_;
  int device_ = 0;
  void* instance_ = nullptr;
  // The last offloads' ends, oldest first, as the request hands them over.
  std::array<double, ECCSIM_POLICY_RECENT> recent_round_trip_s_{};
  std::array<int32_t, ECCSIM_POLICY_RECENT> recent_timed_out_{};
  int32_t recent_ = 0;
  int64_t served_ = 0;
  int64_t offloaded_ = 0;
  std::map<int64_t, Pending> pending_;  // by request id
};

// The scenario's plugin (policy.offload.filter: plugin), opened and checked by creating device 0's
// instance with its params; null for any other filter. InputError as OffloadPluginLibrary::open and
// OffloadPluginInstance say. `eccsim validate` and `eccsim run` both call it before models load.
std::shared_ptr<OffloadPluginLibrary> open_offload_plugin(const Scenario& scenario);

// Device `device`'s instance of the scenario's plugin, with its own seeded stream.
std::unique_ptr<OffloadPluginInstance> create_plugin_instance(std::shared_ptr<OffloadPluginLibrary> library,
                                                              const Scenario& scenario, int device);

}  // namespace eccsim
