// Opening a policy library with dlopen and calling it through include/eccsim/policy.h. Calls are
// guarded: an answer outside the interface, an error code or an exception thrown through the C
// interface (a C++ plugin) becomes one message naming the library, the call and the simulated time.
#include "sim/policy/offload_plugin.hpp"

#include <dlfcn.h>
#include <fmt/core.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <filesystem>
#include <utility>

#include "core/input_error.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace eccsim {

namespace {

// The plugin's message from its error buffer: one line, at most the buffer's size.
std::string message_in(const char* error) {
  std::string text(error, strnlen(error, ECCSIM_POLICY_ERROR_SIZE));
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text.empty() ? "no message" : text;
}

// Runs `call`; a C++ exception escaping the plugin becomes its message.
template <class Call>
std::optional<std::string> guarded(Call&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    return fmt::format("threw an exception: {}", e.what());
  } catch (...) {
    return std::string("threw an exception that is not a std::exception");
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<OffloadPluginLibrary> OffloadPluginLibrary::open(const PluginConfig& config, const std::string& where) {
  std::shared_ptr<OffloadPluginLibrary> library(new OffloadPluginLibrary());
  library->config_ = config;
  const std::string shown = fmt::format("{}: plugin {}", where, config.path);
  std::error_code error;
  if (!std::filesystem::is_regular_file(config.path, error))
    throw InputError(fmt::format("{}: no such file (build the examples with scripts/build, or give the path to "
                                 "your library, relative to the working directory)", shown));
  // A path without a slash would be searched on the library path: make it explicitly the file given.
  const std::string opened = config.path.find('/') == std::string::npos ? "./" + config.path : config.path;
  library->handle_ = dlopen(opened.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library->handle_ == nullptr) throw InputError(fmt::format("{}: cannot be loaded: {}", shown, dlerror()));
  dlerror();
  void* entry = dlsym(library->handle_, ECCSIM_POLICY_ENTRY);
  if (entry == nullptr)
    throw InputError(fmt::format("{}: does not export {} (see include/eccsim/policy.h)", shown, ECCSIM_POLICY_ENTRY));
  const auto get_api = reinterpret_cast<eccsim_offload_policy_entry>(entry);
  const eccsim_policy_api* api = nullptr;
  if (auto thrown = guarded([&] { api = get_api(); }))
    throw InputError(fmt::format("{}: {}() {}", shown, ECCSIM_POLICY_ENTRY, *thrown));
  if (api == nullptr) throw InputError(fmt::format("{}: {}() returned no interface", shown, ECCSIM_POLICY_ENTRY));
  if (api->api_version != ECCSIM_POLICY_API_VERSION)
    throw InputError(fmt::format("{}: built for policy interface version {}, eccsim speaks version {} (rebuild it "
                                 "against this include/eccsim/policy.h)",
                                 shown, api->api_version, ECCSIM_POLICY_API_VERSION));
  if (api->create == nullptr || api->decide == nullptr || api->destroy == nullptr)
    throw InputError(fmt::format("{}: its interface lacks {} (create, decide and destroy are required)", shown,
                                 api->create == nullptr ? "create" : api->decide == nullptr ? "decide" : "destroy"));
  library->api_ = api;
  return library;
}

OffloadPluginLibrary::~OffloadPluginLibrary() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::string OffloadPluginLibrary::name() const {
  return api_ != nullptr && api_->name != nullptr ? std::string(api_->name) : std::string("unnamed");
}

void OffloadPluginLibrary::record_failure(std::string message) {
  if (!failure_) failure_ = std::move(message);
}

std::string OffloadPluginLibrary::failure_message() const {
  return fmt::format("policy plugin {} ({}) failed: {}", path(), name(), failure_.value_or("no failure"));
}

OffloadPluginInstance::OffloadPluginInstance(std::shared_ptr<OffloadPluginLibrary> library, int device, int devices,
                                             uint64_t seed, const std::string& where)
    : library_(std::move(library)), device_(device) {
  const std::vector<PluginParam>& params = library_->config().params;
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const PluginParam& param : params) {
    keys.push_back(param.key.c_str());
    values.push_back(param.value.c_str());
  }
  const eccsim_policy_setup setup{ECCSIM_POLICY_API_VERSION, device, devices, seed, params.size(), keys.data(),
                                  values.data()};
  char error[ECCSIM_POLICY_ERROR_SIZE] = {};
  const std::string shown = fmt::format("{}: plugin {} ({})", where, library_->path(), library_->name());
  if (auto thrown = guarded([&] { instance_ = library_->api().create(&setup, error); }))
    throw InputError(fmt::format("{}: create {}", shown, *thrown));
  if (instance_ == nullptr) throw InputError(fmt::format("{}: refused its parameters: {}", shown, message_in(error)));
}

OffloadPluginInstance::~OffloadPluginInstance() {
  if (instance_ != nullptr) guarded([&] { library_->api().destroy(instance_); });
}

void OffloadPluginInstance::fail(const std::string& call, double time_s, const std::string& message) {
  library_->record_failure(fmt::format("{} at {:.6f} s on device {}: {}", call, time_s, device_, message));
}

bool OffloadPluginInstance::decide(const PluginDeviceView& device, int32_t predicted, double entropy, double max_prob,
                                   double margin) {
  if (library_->failure()) return false;
  eccsim_policy_request request{};
  request.time_s = device.time_s;
  request.request_id = device.request_id;
  request.entropy = entropy;
  request.max_prob = max_prob;
  request.margin = margin;
  request.threshold = device.threshold.value;
  request.threshold_tie_share = device.threshold.tie_share;
  request.predicted = predicted;
  request.classes = device.classes;
  request.heads = static_cast<int32_t>(device.head_entropy->size());
  request.head_entropy = device.head_entropy->data();
  request.model_version = device.model_version;
  request.queue_length = device.queue_length;
  request.awaiting_replies = device.awaiting_replies;
  request.battery_level = device.battery_level;
  request.on_mains = device.on_mains ? 1 : 0;
  request.cloud_offline = device.cloud_offline ? 1 : 0;
  request.recent_count = recent_;
  request.recent_round_trip_s = recent_round_trip_s_.data();
  request.recent_timed_out = recent_timed_out_.data();
  request.served = served_;
  request.offloaded = offloaded_;
  char error[ECCSIM_POLICY_ERROR_SIZE] = {};
  int answer = ECCSIM_KEEP;
  served_ += 1;
  if (auto thrown = guarded([&] { answer = library_->api().decide(instance_, &request, error); })) {
    fail("decide", device.time_s, *thrown);
    return false;
  }
  if (answer == ECCSIM_KEEP || answer == ECCSIM_OFFLOAD) return answer == ECCSIM_OFFLOAD;
  fail("decide", device.time_s,
       answer < 0 ? message_in(error)
                  : fmt::format("answered {} (expected ECCSIM_KEEP 0 or ECCSIM_OFFLOAD 1)", answer));
  return false;
}

void OffloadPluginInstance::offloaded(int64_t request_id, const PluginDecision& decision, bool explored) {
  offloaded_ += 1;
  if (library_->api().learn != nullptr) pending_[request_id] = {decision, explored};
}

void OffloadPluginInstance::ended(int64_t request_id, double time_s, double round_trip_s, int32_t cloud_label) {
  if (recent_ == ECCSIM_POLICY_RECENT) {   // the oldest goes
    std::copy(recent_round_trip_s_.begin() + 1, recent_round_trip_s_.end(), recent_round_trip_s_.begin());
    std::copy(recent_timed_out_.begin() + 1, recent_timed_out_.end(), recent_timed_out_.begin());
    --recent_;
  }
  recent_round_trip_s_[static_cast<size_t>(recent_)] = round_trip_s;
  recent_timed_out_[static_cast<size_t>(recent_)] = cloud_label < 0 ? 1 : 0;
  ++recent_;
  const auto it = pending_.find(request_id);
  if (it == pending_.end()) return;   // no learn, or offloaded before a reboot
  const Pending pending = it->second;
  pending_.erase(it);
  if (library_->failure()) return;
  eccsim_policy_feedback feedback{};
  feedback.time_s = time_s;
  feedback.request_id = request_id;
  feedback.outcome = cloud_label >= 0 ? ECCSIM_REPLY : ECCSIM_TIMEOUT;
  feedback.explored = pending.explored ? 1 : 0;
  feedback.edge_label = pending.decision.edge_label;
  feedback.cloud_label = cloud_label;
  feedback.round_trip_s = round_trip_s;
  feedback.entropy = pending.decision.entropy;
  feedback.max_prob = pending.decision.max_prob;
  feedback.margin = pending.decision.margin;
  char error[ECCSIM_POLICY_ERROR_SIZE] = {};
  int status = 0;
  if (auto thrown = guarded([&] { status = library_->api().learn(instance_, &feedback, error); })) {
    fail("learn", time_s, *thrown);
  } else if (status != 0) {
    fail("learn", time_s,
         status < 0 ? message_in(error)
                    : fmt::format("returned {} (expected 0, or a negative value on failure)", status));
  }
}

std::shared_ptr<OffloadPluginLibrary> open_offload_plugin(const Scenario& scenario) {
  if (scenario.policy.offload.filter != OffloadFilter::Plugin) return nullptr;
  std::shared_ptr<OffloadPluginLibrary> library =
      OffloadPluginLibrary::open(scenario.policy.offload.plugin, scenario.where("policy.offload.plugin.path"));
  create_plugin_instance(library, scenario, 0);
  return library;
}

std::unique_ptr<OffloadPluginInstance> create_plugin_instance(std::shared_ptr<OffloadPluginLibrary> library,
                                                              const Scenario& scenario, int device) {
  const bool params_given = scenario.key_lines.count("policy.offload.plugin.params") != 0;
  return std::make_unique<OffloadPluginInstance>(
      std::move(library), device, scenario.platform.devices,
      derive_seed(scenario.seed, SeedStream::OffloadPlugin, static_cast<uint64_t>(device)),
      scenario.where(params_given ? "policy.offload.plugin.params" : "policy.offload.plugin.path"));
}

}  // namespace eccsim
