// Edge device actors. The device plays its precomputed arrival schedule (one FIFO
// processor: a request arriving while it computes waits, counted as edge_queue_s), so no
// separate source actor is needed. Offloads are fire-and-forget uploads; the reply
// receiver settles them. A reply later than the deadline counts as a fallback settled at
// the deadline, exactly what a timer would have recorded; timeouts are also checked at
// every arrival, which is when the back-off decision matters.
#include "sim/actors/edge_device.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <stdexcept>

#include "core/random.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/actors/messages.hpp"
#include "sim/policy/update_stage.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

void settle_fallback(RequestRecord& record, double deadline_s) {
  record.outcome = Outcome::Fallback;
  record.reason = RequestReason::Timeout;
  record.final_pred = record.edge_pred;
  record.cloud_pred = -1;
  record.uplink_s = record.cloud_queue_s = record.cloud_compute_s = record.downlink_s = 0;
  record.fallback_wait_s = deadline_s - (record.t_arrival_s + record.edge_queue_s + record.edge_compute_s);
  record.t_done_s = deadline_s;
  record.latency_s = deadline_s - record.t_arrival_s;
  record.settled = true;
}

void count_timeout(const OffloadConfig& offload, OffloadState& state, double deadline_s) {
  state.consecutive_timeouts += 1;
  if (offload.backoff_after > 0 && state.consecutive_timeouts >= offload.backoff_after &&
      deadline_s >= state.offline_until_s) {
    state.offline_until_s = deadline_s + offload.backoff_s;
    state.offline_s += offload.backoff_s;
    state.consecutive_timeouts = 0;
  }
}

}  // namespace

void settle_timed_out(RunState& state, int device, double now_s) {
  OffloadState& offload = state.offloads[device];
  for (auto it = offload.deadline_s.begin(); it != offload.deadline_s.end();) {
    if (it->second > now_s) {
      ++it;
      continue;
    }
    settle_fallback(state.records[it->first], it->second);
    count_timeout(state.scenario.policy.offload, offload, it->second);
    ++state.requests_done;
    it = offload.deadline_s.erase(it);
  }
}

void settle_dropped(RequestRecord& record, double t_s) {
  record.outcome = Outcome::Dropped;
  record.reason = RequestReason::DeviceDown;
  record.final_pred = -1;
  record.cloud_pred = -1;
  record.t_done_s = std::max(t_s, record.t_arrival_s);
  record.edge_queue_s = record.edge_compute_s = record.uplink_s = record.cloud_queue_s = record.cloud_compute_s =
      record.downlink_s = record.fallback_wait_s = 0;
  record.latency_s = 0;
  record.settled = true;
}

void drop_in_flight(RunState& state, int device, double t_s) {
  const size_t served = state.learning[device].next_request;
  for (size_t k = 0; k < served; ++k) {
    RequestRecord& record = state.records[state.first_request_id[device] + static_cast<int64_t>(k)];
    if (record.settled) continue;
    settle_dropped(record, t_s);
    ++state.requests_done;
  }
  state.offloads[device].deadline_s.clear();
}

EdgeDevice::EdgeDevice(EdgeDeviceConfig config, RunState& state)
    : config_(config),
      state_(state),
      policy_(state.scenario.policy.offload,
              derive_seed(state.scenario.seed, /*stream=*/2, static_cast<uint64_t>(config.index)),
              derive_seed(state.scenario.seed, /*stream=*/6, static_cast<uint64_t>(config.index))) {}

void EdgeDevice::operator()() {
  const std::vector<ScheduledRequest>& schedule = state_.schedules[config_.index];
  DeviceLearning& learning = state_.learning[config_.index];
  // After a reboot, resume the schedule: what arrived while the device was down is dropped.
  const double started_s = sg4::Engine::get_clock();
  const bool rebooted = sg4::Actor::self()->get_restart_count() > 0;
  for (size_t k = learning.next_request; k < schedule.size(); ++k) {
    const ScheduledRequest& request = schedule[k];
    const int64_t request_id = state_.first_request_id[config_.index] + static_cast<int64_t>(k);
    learning.next_request = k + 1;
    if (rebooted && request.t_arrival_s < started_s) {
      settle_dropped(state_.records[request_id], request.t_arrival_s);
      ++state_.requests_done;
      continue;
    }
    if (sg4::Engine::get_clock() < request.t_arrival_s) sg4::this_actor::sleep_until(request.t_arrival_s);
    serve(request, request_id);
  }
  // Let the outstanding replies arrive; whatever misses its deadline falls back.
  double last_deadline_s = 0;
  for (const auto& [id, deadline_s] : state_.offloads[config_.index].deadline_s)
    last_deadline_s = std::max(last_deadline_s, deadline_s);
  if (last_deadline_s > sg4::Engine::get_clock()) sg4::this_actor::sleep_until(last_deadline_s);
  settle_timed_out(state_, config_.index, sg4::Engine::get_clock());
}

void EdgeDevice::serve(const ScheduledRequest& request, int64_t request_id) {
  const Scenario& scenario = state_.scenario;
  RequestRecord& record = state_.records[request_id];
  const double now_s = sg4::Engine::get_clock();
  record.edge_queue_s = now_s - request.t_arrival_s;
  settle_timed_out(state_, config_.index, now_s);

  // The model serving now; an update installed while this inference runs serves the next one.
  // Everything needed from the prediction is taken before the device yields to other actors.
  const std::shared_ptr<const EdgeModel> model = state_.learning[config_.index].model;
  const EdgePrediction& edge = state_.inference.edge(*model, request.sample);
  record.edge_only_pred = edge.predicted;
  // Exploration looks for classes the edge lacks: once it has learned every class the cloud
  // knows, there is nothing left to find and only the filter decides.
  const bool knows_every_class = model->num_classes() >= state_.cloud_model.num_classes();
  const OffloadDecision decision =
      knows_every_class ? OffloadDecision{policy_.should_offload(edge), false} : policy_.decide(edge);
  bool offload = decision.offload;
  if (policy_.runs_edge_model()) {
    const InferenceCost cost = edge_inference_cost(scenario.platform.device, edge);
    record.edge_compute_s = cost.duration_s;
    record.edge_energy_J = cost.energy_J;
    record.edge_pred = edge.predicted;
    record.score = policy_.score(edge);
  }
  record.cloud_only_pred = state_.inference.cloud(state_.cloud_model, request.sample).predicted;
  if (offload && now_s < state_.offloads[config_.index].offline_until_s) {
    offload = false;
    record.reason = RequestReason::CloudOffline;
  }
  if (record.edge_compute_s > 0) sg4::this_actor::execute(record.edge_compute_s * scenario.platform.device.speed_ops);

  const double done_s = sg4::Engine::get_clock();
  if (!offload) {
    record.outcome = Outcome::Edge;
    record.final_pred = record.edge_pred;
    record.t_done_s = done_s;
    record.latency_s = done_s - record.t_arrival_s;
    record.settled = true;
    ++state_.requests_done;
    return;
  }
  record.offloaded = true;
  record.explored = decision.explored;
  state_.offloads[config_.index].deadline_s.emplace(request_id, done_s + scenario.policy.offload.timeout_s);
  // A cloud host that is down accepts no connection: the request just times out. (SimGrid
  // also requires both ends of a transfer to be up when it starts.)
  if (!state_.cloud_of(config_.index)->is_on()) return;
  auto* message = new CloudMessage(OffloadRequest{request_id, config_.index, request.sample, done_s, config_.replies,
                                                  state_.image_bytes});
  config_.cloud->put_init(message, static_cast<uint64_t>(state_.image_bytes))
      ->detach([](void* payload) { delete static_cast<CloudMessage*>(payload); });
}

ReplyReceiver::ReplyReceiver(EdgeDeviceConfig config, RunState& state) : config_(config), state_(state) {}

void ReplyReceiver::operator()() {
  config_.replies->set_receiver(sg4::Actor::self());  // replies flow as soon as they are sent
  const double radio_tx_W = state_.scenario.platform.device.radio_tx_W;
  OffloadState& offload = state_.offloads[config_.index];
  for (;;) {
    std::unique_ptr<DeviceMessage> message;
    try {
      message.reset(config_.replies->get<DeviceMessage>());
    } catch (const simgrid::NetworkFailureException&) {
      continue;  // the reply was lost on a failed link: its request times out
    }
    const auto* reply = std::get_if<CloudReply>(message.get());
    if (reply == nullptr)
      throw std::logic_error("reply receiver of device " + std::to_string(config_.index) +
                             ": expected CloudReply, received another message");
    const double now_s = sg4::Engine::get_clock();
    auto pending = offload.deadline_s.find(reply->request_id);
    if (pending == offload.deadline_s.end()) continue;  // already settled as a fallback
    RequestRecord& record = state_.records[reply->request_id];
    // The upload and the cloud's work happened even when the reply comes too late. The radio
    // transmits while the image flows out, not while the last bit propagates to the cloud.
    const double transmit_s = reply->t_received_s - reply->t_sent_s - state_.uplink_latency_s[config_.index];
    record.radio_energy_J = radio_tx_W * std::max(0.0, transmit_s);
    record.cloud_energy_J = reply->cloud_energy_J;
    if (now_s <= pending->second) {
      learn_from_reply(record.sample, reply->cloud_pred);
      offload.consecutive_timeouts = 0;
      record.outcome = Outcome::Cloud;
      record.cloud_pred = reply->cloud_pred;
      record.final_pred = reply->cloud_pred;
      record.uplink_s = reply->t_received_s - reply->t_sent_s;
      record.cloud_queue_s = reply->t_batch_start_s - reply->t_received_s;
      record.cloud_compute_s = reply->t_batch_end_s - reply->t_batch_start_s;
      record.downlink_s = now_s - reply->t_batch_end_s;
      record.t_done_s = now_s;
      record.latency_s = now_s - record.t_arrival_s;
      record.settled = true;
    } else {
      settle_fallback(record, pending->second);
      count_timeout(state_.scenario.policy.offload, offload, pending->second);
    }
    ++state_.requests_done;
    offload.deadline_s.erase(pending);
    consider_update(state_, config_.index);
  }
}

// Keeps the cloud-labelled input in the device's bounded buffer for the update stage.
void ReplyReceiver::learn_from_reply(int64_t sample, int32_t cloud_label) {
  const UpdateConfig& update = state_.scenario.policy.update;
  if (update.mode != UpdateMode::OnDevice && update.mode != UpdateMode::Cloud) return;
  keep_in_buffer(state_.learning[config_.index].buffer, {sample, cloud_label}, update);
}

}  // namespace eccsim
