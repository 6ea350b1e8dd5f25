// The edge device actor. It plays its precomputed arrival schedule (one FIFO processor: a
// request arriving while it computes waits, counted as edge_queue_s), so no separate source
// actor is needed. Offloads are fire-and-forget uploads; the device settles each when its reply
// arrives. A reply later than the deadline counts as a fallback settled at the deadline, exactly
// what a timer would have recorded; timeouts are also checked at every arrival, which is when
// the back-off decision matters.
#include "sim/actors/edge_device.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "core/random.hpp"
#include "models/nets/ambiguity.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/actors/messages.hpp"
#include "sim/actors/update_stage.hpp"
#include "sim/offload_thresholds.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

void count_timeout(const OffloadConfig& offload, OffloadState& state, double deadline_s) {
  state.consecutive_timeouts += 1;
  if (offload.backoff_after > 0 && state.consecutive_timeouts >= offload.backoff_after &&
      deadline_s >= state.offline_until_s) {
    state.offline_until_s = deadline_s + offload.backoff_s;
    state.offline_s += offload.backoff_s;
    state.consecutive_timeouts = 0;
  }
}

// A Wi-Fi station's rate level (0 for a wired device: its radio energy does not use it).
double station_rate_Bps(DeviceView device) {
  const std::vector<StationRadio>& stations = device.run().network.stations();
  return stations.empty() ? 0 : stations[static_cast<size_t>(device.index())].rate_Bps;
}

// What the device knows of itself when it asks its policy plugin about an input at now_s.
PluginDeviceView plugin_view(DeviceView device, const EdgeModel& model, const EdgePrediction& edge,
                             const Threshold& threshold, int64_t request_id, double now_s, PluginScratch& scratch) {
  PluginDeviceView view;
  view.time_s = now_s;
  view.request_id = request_id;
  view.threshold = threshold;
  view.classes = model.num_classes();
  if (scratch.sizes_of != &model) {
    const std::vector<int> sizes = model.head_sizes();
    scratch.head_sizes.assign(sizes.begin(), sizes.end());
    scratch.sizes_of = &model;
  }
  head_entropies(edge.logits, scratch.head_sizes, scratch.head_entropy);
  view.head_entropy = &scratch.head_entropy;
  view.model_version = model.version();
  // The requests that arrived while this one waited or computed: the schedule is in arrival order.
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  const auto next = schedule.begin() + static_cast<std::ptrdiff_t>(device.learning().next_request);
  view.queue_length = static_cast<int32_t>(
      std::upper_bound(next, schedule.end(), now_s,
                       [](double t_s, const ScheduledRequest& r) { return t_s < r.t_arrival_s; }) -
      next);
  view.awaiting_replies = static_cast<int32_t>(device.offload().deadline_s.size());
  const Battery& battery = device.battery();
  view.on_mains = battery.powered_by_mains();
  view.battery_level = view.on_mains ? 1.0 : battery.left_J(now_s) / battery.capacity_J();
  view.cloud_offline = now_s < device.offload().offline_until_s;
  return view;
}

bool ask_plugin(DeviceView device, OffloadPluginInstance& plugin, const EdgeModel& model, const EdgePrediction& edge,
                const Threshold& threshold, int64_t request_id, double now_s, PluginScratch& scratch) {
  return plugin.decide(plugin_view(device, model, edge, threshold, request_id, now_s, scratch), edge.predicted,
                       edge.entropy_score, edge.max_prob, edge.margin);
}

// Keeps the cloud-labelled input in the device's bounded buffer for the update stage.
void learn_from_reply(DeviceView device, int64_t sample, int32_t cloud_label) {
  const UpdateConfig& update = device.scenario().policy.update;
  if (update.mode != UpdateMode::OnDevice && update.mode != UpdateMode::Cloud) return;
  DeviceLearning& learning = device.learning();
  keep_in_buffer(learning.buffer, {sample, cloud_label}, update);
  learning.label_order.note(cloud_label);
}

}  // namespace

double upload_radio_energy_J(DeviceView device, double bytes, double transmit_s) {
  const GroupConfig& group = device.group();
  return upload_radio_energy_J(group.device, group.access.wifi_power, station_rate_Bps(device), bytes,
                               std::max(0.0, transmit_s));
}

double download_radio_energy_J(DeviceView device, double bytes) {
  const GroupConfig& group = device.group();
  return download_radio_energy_J(group.device, group.access.wifi_power, station_rate_Bps(device), bytes);
}

double cut_transfer_radio_energy_J(DeviceView device, double bytes, double elapsed_s, bool sending) {
  const GroupConfig& group = device.group();
  return cut_transfer_radio_energy_J(group.device, group.access.wifi_power, station_rate_Bps(device), bytes,
                                     elapsed_s, sending);
}

namespace {

void charge_cut_request_transfer(const LossReporter& losses, int index, int64_t request_id, double bytes,
                                 double t_start_s, bool sending) {
  if (losses.state == nullptr) return;   // the engine has stopped
  const DeviceView device(*losses.state, index);
  const double now_s = sg4::Engine::get_clock();
  const double energy_J = cut_transfer_radio_energy_J(device, bytes, now_s - t_start_s, sending);
  device.requests()[request_id].radio_energy_J += energy_J;
  device.battery().spend(energy_J, now_s);
  note_radio_use(device, t_start_s, now_s);
}

}  // namespace

void charge_lost_upload(const CloudMessage& message) {
  const auto& upload = std::get<OffloadRequest>(message);
  if (upload.losses->state != nullptr) upload.losses->state->uploads_in_flight.erase(upload.request_id);
  charge_cut_request_transfer(*upload.losses, upload.device, upload.request_id, upload.size_bytes, upload.t_sent_s, true);
}

void charge_lost_reply(const DeviceMessage& message) {
  const auto& reply = std::get<CloudReply>(message);
  if (reply.losses->state != nullptr) reply.losses->state->replies_in_flight.erase(reply.request_id);
  charge_cut_request_transfer(*reply.losses, reply.device, reply.request_id, reply.size_bytes, reply.t_batch_end_s, false);
}

void note_radio_use(DeviceView device, double start_s, double end_s) {
  if (device.config().radio_tail == RadioTail::None) return;
  device.state().radio_uses.push_back({start_s, end_s});
}

void charge_transfers_in_flight(RunState& state) {
  const double now_s = sg4::Engine::get_clock();
  for (const auto* transfers : {&state.uploads_in_flight, &state.replies_in_flight}) {
    const bool sending = transfers == &state.uploads_in_flight;
    for (const auto& [request_id, transfer] : *transfers) {
      const DeviceView device(state, transfer.device);
      state.log.requests[request_id].radio_energy_J +=
          cut_transfer_radio_energy_J(device, transfer.bytes, now_s - transfer.t_start_s, sending);
      note_radio_use(device, transfer.t_start_s, now_s);
    }
  }
  state.uploads_in_flight.clear();
  state.replies_in_flight.clear();
}

void charge_device(DeviceView device, double energy_J) {
  device.battery().spend(energy_J, sg4::Engine::get_clock());
  die_if_battery_empty(device);
}

void settle_timed_out(DeviceView device, double now_s) {
  OffloadState& offload = device.offload();
  for (auto it = offload.deadline_s.begin(); it != offload.deadline_s.end();) {
    if (it->second > now_s) {
      ++it;
      continue;
    }
    device.requests().settle_fallback(it->first, it->second);
    count_timeout(device.scenario().policy.offload, offload, it->second);
    if (offload.plugin) offload.plugin->ended(it->first, it->second, device.scenario().policy.offload.timeout_s, -1);
    it = offload.deadline_s.erase(it);
  }
}

void drop_in_flight(DeviceView device, double t_s, RequestReason reason) {
  RequestLog& requests = device.requests();
  const size_t served = device.learning().next_request;
  for (size_t k = 0; k < served; ++k) {
    const int64_t request_id = device.request_id(k);
    if (!requests[request_id].settled) requests.settle_dropped(request_id, t_s, reason);
  }
  device.offload().deadline_s.clear();
  if (device.offload().plugin) device.offload().plugin->forget_pending();
}

void die_if_battery_empty(DeviceView device) {
  const Battery& battery = device.battery();
  if (!battery.dead() && battery.empty_by(sg4::Engine::get_clock())) die_of_battery(device);
}

void die_of_battery(DeviceView device) {
  DeviceLearning& learning = device.learning();
  const double death_s = device.battery().empty_at_s();
  device.battery().die(death_s);
  drop_in_flight(device, death_s, RequestReason::Battery);
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  for (size_t k = learning.next_request; k < schedule.size(); ++k)
    device.requests().settle_dropped(device.request_id(k), schedule[k].t_arrival_s, RequestReason::Battery);
  learning.next_request = schedule.size();
  learning.updating = false;
  if (device.run().device_changed) device.run().device_changed(device.index());
  device.host()->turn_off();
}

EdgeDevice::EdgeDevice(EdgeDeviceConfig config, RunState& state)
    : config_(config),
      device_(state, config.index),
      policy_(state.inputs.scenario.policy.offload,
              derive_seed(state.inputs.scenario.seed, SeedStream::OffloadFilter, static_cast<uint64_t>(config.index)),
              derive_seed(state.inputs.scenario.seed, SeedStream::Exploration, static_cast<uint64_t>(config.index))) {}

void EdgeDevice::operator()() {
  config_.replies->attach_receiver();  // replies flow as soon as they are sent
  reply_ = config_.replies->post_receive(&reply_payload_);
  const std::vector<ScheduledRequest>& schedule = device_.schedule();
  DeviceLearning& learning = device_.learning();
  // After a reboot, resume the schedule: what arrived while the device was down is dropped.
  const double started_s = sg4::Engine::get_clock();
  const bool rebooted = sg4::Actor::self()->get_restart_count() > 0;
  for (size_t k = learning.next_request; k < schedule.size(); ++k) {
    const ScheduledRequest& request = schedule[k];
    const int64_t request_id = device_.request_id(k);
    learning.next_request = k + 1;
    if (rebooted && request.t_arrival_s < started_s) {
      device_.requests().settle_dropped(request_id, request.t_arrival_s);
      continue;
    }
    sleep_until(request.t_arrival_s);
    serve(request, request_id);
  }
  // Let the outstanding replies arrive; whatever misses its deadline falls back.
  double last_deadline_s = 0;
  for (const auto& [id, deadline_s] : device_.offload().deadline_s)
    last_deadline_s = std::max(last_deadline_s, deadline_s);
  sleep_until(last_deadline_s);
  settle_timed_out(device_, sg4::Engine::get_clock());
  sg4::Actor::self()->daemonize();
  wait_handling_replies(nullptr, std::numeric_limits<double>::infinity());
}

// Sleeps until t_s, or dies on the way when the battery empties first.
void EdgeDevice::sleep_until(double t_s) {
  const double empty_s = device_.battery().empty_at_s();
  if (empty_s < t_s) {
    if (sg4::Engine::get_clock() < empty_s) wait_handling_replies(nullptr, empty_s);
    die_of_battery(device_);
  }
  if (sg4::Engine::get_clock() < t_s) wait_handling_replies(nullptr, t_s);
}

void EdgeDevice::compute(double flops) { wait_handling_replies(sg4::this_actor::exec_async(flops), 0); }

void EdgeDevice::wait_handling_replies(const sg4::ExecPtr& work, double t_s) {
  std::vector<sg4::ActivityPtr> waited{reply_};
  if (work) waited.emplace_back(work);
  for (;;) {
    double timeout_s = -1;  // wait_any_for's "no timeout"
    if (!work && t_s < std::numeric_limits<double>::infinity()) {
      timeout_s = t_s - sg4::Engine::get_clock();
      if (timeout_s <= 0) return;
    }
    ssize_t done = -1;
    try {
      done = sg4::Activity::wait_any_for(waited, timeout_s);
    } catch (const simgrid::NetworkFailureException&) {
      // The reply was lost on a failed link: its request times out.
      reply_ = config_.replies->post_receive(&reply_payload_);
      waited.front() = reply_;
      continue;
    }
    if (done != 0) return;  // t_s reached (-1) or the work done (1)
    const std::unique_ptr<DeviceMessage> message(static_cast<DeviceMessage*>(reply_payload_));
    reply_ = config_.replies->post_receive(&reply_payload_);
    waited.front() = reply_;
    const auto* reply = std::get_if<CloudReply>(message.get());
    if (reply == nullptr)
      throw std::logic_error("edge device " + std::to_string(config_.index) +
                             ": expected CloudReply, received another message");
    receive_reply(device_, *reply);
  }
}

void EdgeDevice::serve(const ScheduledRequest& request, int64_t request_id) {
  ServingRequest serving;
  if (!start_serving(device_, policy_, plugin_scratch_, request, request_id, serving)) return;
  if (serving.compute_flops > 0) compute(serving.compute_flops);
  finish_serving(device_, policy_, serving, {config_.cloud, config_.replies});
}

bool start_serving(DeviceView device, OffloadPolicy& policy, PluginScratch& scratch, const ScheduledRequest& request,
                   int64_t request_id, ServingRequest& serving) {
  RequestRecord& record = device.requests()[request_id];
  const double now_s = sg4::Engine::get_clock();
  record.edge_queue_s = now_s - request.t_arrival_s;
  settle_timed_out(device, now_s);
  const int64_t sample = request_sample(device, request);
  if (sample < 0) {
    device.requests().settle_dropped(request_id, now_s, RequestReason::StreamExhausted);
    return false;
  }
  if (sample != record.sample) {   // a model serving here trained on the drawn image
    record.sample = sample;
    record.label = device.inputs().split.new_label_of.at(device.inputs().dataset.test.labels[sample]);
    record.task = device.inputs().split.task_of(record.label);
  }

  // The model serving now; an update installed while this inference runs serves the next one.
  // Everything needed from the prediction is taken before the device yields to other actors.
  const std::shared_ptr<const EdgeModel> model = device.learning().model;
  const EdgePrediction& edge = device.run().inference.edge(*model, sample);
  record.edge_only_pred = edge.predicted;
  // Exploration looks for classes the edge lacks: once it has learned every class the cloud
  // knows, there is nothing left to find and only the filter decides.
  const bool knows_every_class = model->num_classes() >= device.inputs().cloud_model.num_classes();
  const Threshold threshold = threshold_now(device, *model, now_s);
  OffloadPluginInstance* plugin = device.offload().plugin.get();
  const bool filter_offloads =
      plugin != nullptr ? ask_plugin(device, *plugin, *model, edge, threshold, request_id, now_s, scratch)
                        : policy.should_offload(edge, threshold);
  const OffloadDecision decision =
      knows_every_class ? OffloadDecision{filter_offloads, false} : policy.explore(filter_offloads);
  const PluginDecision scores{edge.predicted, edge.entropy_score, edge.max_prob, edge.margin};
  serving = ServingRequest{request_id, sample, now_s, 0, decision, scores};
  if (policy.runs_edge_model()) {
    const Cost cost = edge_inference_cost(device.config(), edge);
    record.edge_compute_s = cost.duration_s;
    record.edge_energy_J = cost.energy_J;
    record.edge_memory_energy_J = cost.memory_energy_J;
    record.held_edge_idle_J = cost.idle_energy_J;
    charge_device(device, cost.energy_J);
    if (device.battery().dead()) return false;   // (an actor serving the device died with it)
    record.edge_pred = edge.predicted;
    record.score = policy.score(edge);
    observe_decision(device, now_s, record.score, decision.offload);
  }
  record.cloud_only_pred = device.run().inference.cloud(device.inputs().cloud_model, sample).predicted;
  if (serving.decision.offload && now_s < device.offload().offline_until_s) {
    serving.decision.offload = false;
    record.reason = RequestReason::CloudOffline;
  }
  serving.compute_flops = record.edge_compute_s > 0 ? record.edge_compute_s * device.config().speed_ops : 0;
  return true;
}

void finish_serving(DeviceView device, const OffloadPolicy& policy, const ServingRequest& serving, UploadPath upload) {
  const int64_t request_id = serving.request_id;
  RequestRecord& record = device.requests()[request_id];
  const double done_s = sg4::Engine::get_clock();
  record.edge_wait_s = std::max(0.0, done_s - serving.start_s - record.edge_compute_s);  // an update shared the processor
  if (!serving.decision.offload && !policy.runs_edge_model()) {
    device.requests().settle_held_back(request_id, done_s);
    return;
  }
  if (!serving.decision.offload) {
    device.requests().settle_on_edge(request_id, done_s);
    return;
  }
  record.offloaded = true;
  record.explored = serving.decision.explored;
  if (OffloadPluginInstance* plugin = device.offload().plugin.get())
    plugin->offloaded(request_id, serving.scores, serving.decision.explored);
  device.offload().deadline_s.emplace(request_id, done_s + device.scenario().policy.offload.timeout_s);
  // A cloud host that is down accepts no connection: the request just times out. (SimGrid
  // also requires both ends of a transfer to be up when it starts.)
  if (!device.cloud_host()->is_on()) return;
  const double bytes = device.inputs().image_bytes;
  device.run().uploads_in_flight.emplace(request_id, TransferInFlight{device.index(), done_s, bytes});
  // By courier: a transfer from the device's host, which fails when that host goes down on the way.
  auto message = std::make_shared<CloudMessage>(OffloadRequest{request_id, device.index(), serving.sample, done_s,
                                                               upload.replies, bytes, device.run().losses});
  device.run().couriers->carry(
      device.host(), device.cloud_host(), bytes,
      [cloud = upload.cloud, message] { cloud->deliver(new CloudMessage(std::move(*message))); },
      [message] { charge_lost_upload(*message); });
}

void receive_reply(DeviceView device, const CloudReply& reply) {
  OffloadState& offload = device.offload();
  die_if_battery_empty(device);  // dead before the reply came
  if (device.battery().dead()) return;   // (an actor serving the device died with it)
  device.run().network.carried_down(device.index(), reply.size_bytes);
  device.run().replies_in_flight.erase(reply.request_id);
  // The radio received the reply whatever became of its request (a late reply costs the same).
  RequestRecord& record = device.requests()[reply.request_id];
  const double receive_J = download_radio_energy_J(device, reply.size_bytes);
  record.radio_energy_J += receive_J;
  charge_device(device, receive_J);
  if (device.battery().dead()) return;
  note_radio_use(device, reply.t_batch_end_s, sg4::Engine::get_clock());
  auto pending = offload.deadline_s.find(reply.request_id);
  if (pending == offload.deadline_s.end()) return;  // already settled as a fallback
  const double now_s = sg4::Engine::get_clock();
  if (OffloadPluginInstance* plugin = offload.plugin.get()) {
    if (now_s <= pending->second) plugin->ended(reply.request_id, now_s, now_s - reply.t_sent_s, reply.cloud_pred);
    else plugin->ended(reply.request_id, pending->second, device.scenario().policy.offload.timeout_s, -1);
  }
  if (now_s <= pending->second) {
    learn_from_reply(device, record.sample, reply.cloud_pred);
    offload.consecutive_timeouts = 0;
    const CloudTimes times{reply.t_sent_s, reply.t_received_s, reply.t_batch_start_s, reply.t_batch_end_s};
    device.requests().settle_from_cloud(reply.request_id, reply.cloud_pred, times, sg4::Engine::get_clock());
  } else {
    device.requests().settle_fallback(reply.request_id, pending->second);
    count_timeout(device.scenario().policy.offload, offload, pending->second);
  }
  offload.deadline_s.erase(pending);
  consider_update(device);
}

}  // namespace eccsim
