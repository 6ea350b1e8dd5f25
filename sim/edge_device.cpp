// Edge device actors. The device plays its precomputed arrival schedule (one FIFO
// processor: a request arriving while it computes waits, counted as edge_queue_s), so no
// separate source actor is needed. Offloads are fire-and-forget uploads; the reply
// receiver settles them. A reply later than the deadline counts as a fallback settled at
// the deadline, which is exactly what a timer would have recorded.
#include "sim/edge_device.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "models/cloud_model.hpp"
#include "models/edge_model.hpp"
#include "sim/cost_model.hpp"
#include "sim/messages.hpp"
#include "sim/update_stage.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

void settle_fallback(RequestRecord& record, double deadline_s) {
  record.outcome = Outcome::Fallback;
  record.final_pred = record.edge_pred;
  record.cloud_pred = -1;
  record.uplink_s = record.cloud_queue_s = record.cloud_compute_s = record.downlink_s = 0;
  record.fallback_wait_s = deadline_s - (record.t_arrival_s + record.edge_queue_s + record.edge_compute_s);
  record.t_done_s = deadline_s;
  record.latency_s = deadline_s - record.t_arrival_s;
}

EdgeDevice::EdgeDevice(EdgeDeviceConfig config, RunState& state, std::shared_ptr<PendingOffloads> pending)
    : config_(config),
      state_(state),
      pending_(std::move(pending)),
      policy_(state.scenario.policy.offload,
              derive_seed(state.scenario.seed, /*stream=*/2, static_cast<uint64_t>(config.index))) {}

void EdgeDevice::operator()() {
  const std::vector<ScheduledRequest>& schedule = state_.schedules[config_.index];
  for (size_t k = 0; k < schedule.size(); ++k) {
    const ScheduledRequest& request = schedule[k];
    if (sg4::Engine::get_clock() < request.t_arrival_s) sg4::this_actor::sleep_until(request.t_arrival_s);
    state_.learning[config_.index].next_request = k + 1;
    serve(request, state_.first_request_id[config_.index] + static_cast<int64_t>(k));
  }
  // Wait for the outstanding replies, at most until the last deadline; the rest fall back.
  std::unique_lock lock(*pending_->mutex);
  if (!pending_->deadline_s.empty()) {
    double last_deadline_s = 0;
    for (const auto& [id, deadline_s] : pending_->deadline_s) last_deadline_s = std::max(last_deadline_s, deadline_s);
    pending_->settled->wait_until(lock, last_deadline_s, [this] { return pending_->deadline_s.empty(); });
  }
  settle_timed_out(std::numeric_limits<double>::infinity());
}

void EdgeDevice::serve(const ScheduledRequest& request, int64_t request_id) {
  const Scenario& scenario = state_.scenario;
  RequestRecord& record = state_.records[request_id];
  record.request_id = request_id;
  record.device = config_.index;
  record.t_arrival_s = request.t_arrival_s;
  record.sample = request.sample;
  record.label = request.label;
  record.task = state_.split.task_of(request.label);
  record.phase = request.phase;
  record.edge_queue_s = sg4::Engine::get_clock() - request.t_arrival_s;

  // The model serving now; an update installed while this inference runs serves the next one.
  // Everything needed from the prediction is taken before the device yields to other actors.
  const std::shared_ptr<const EdgeModel> model = state_.learning[config_.index].model;
  const EdgePrediction& edge = state_.inference.edge(*model, request.sample);
  record.edge_only_pred = edge.predicted;
  const bool offload = policy_.should_offload(edge);
  if (policy_.runs_edge_model()) {
    const InferenceCost cost = edge_inference_cost(scenario.platform.device, edge);
    record.edge_compute_s = cost.duration_s;
    record.edge_energy_J = cost.energy_J;
    record.edge_pred = edge.predicted;
    record.score = policy_.score(edge);
  }
  record.cloud_only_pred = state_.inference.cloud(state_.cloud_model, request.sample).predicted;
  if (record.edge_compute_s > 0) sg4::this_actor::execute(record.edge_compute_s * scenario.platform.device.speed_ops);

  const double now_s = sg4::Engine::get_clock();
  if (!offload) {
    record.outcome = Outcome::Edge;
    record.final_pred = record.edge_pred;
    record.t_done_s = now_s;
    record.latency_s = now_s - record.t_arrival_s;
    ++state_.requests_done;
    return;
  }
  record.offloaded = true;
  {
    std::unique_lock lock(*pending_->mutex);
    pending_->deadline_s.emplace(request_id, now_s + scenario.policy.offload.timeout_s);
  }
  auto* message = new CloudMessage(OffloadRequest{request_id, config_.index, request.sample, now_s, config_.replies,
                                                  state_.image_bytes});
  config_.cloud->put_init(message, static_cast<uint64_t>(state_.image_bytes))
      ->detach([](void* payload) { delete static_cast<CloudMessage*>(payload); });
}

// Settles every pending request whose deadline is at or before now_s as a fallback.
void EdgeDevice::settle_timed_out(double now_s) {
  for (auto it = pending_->deadline_s.begin(); it != pending_->deadline_s.end();) {
    if (it->second > now_s) {
      ++it;
      continue;
    }
    settle_fallback(state_.records[it->first], it->second);
    ++state_.requests_done;
    it = pending_->deadline_s.erase(it);
  }
}

ReplyReceiver::ReplyReceiver(EdgeDeviceConfig config, RunState& state, std::shared_ptr<PendingOffloads> pending)
    : config_(config), state_(state), pending_(std::move(pending)) {}

void ReplyReceiver::operator()() {
  const double radio_tx_W = state_.scenario.platform.device.radio_tx_W;
  for (;;) {
    std::unique_ptr<DeviceMessage> message(config_.replies->get<DeviceMessage>());
    const auto* reply = std::get_if<CloudReply>(message.get());
    if (reply == nullptr)
      throw std::logic_error("reply receiver of device " + std::to_string(config_.index) +
                             ": expected CloudReply, received another message");
    const double now_s = sg4::Engine::get_clock();
    std::unique_lock lock(*pending_->mutex);
    auto pending = pending_->deadline_s.find(reply->request_id);
    if (pending == pending_->deadline_s.end()) continue;  // already settled as a fallback
    RequestRecord& record = state_.records[reply->request_id];
    // The upload and the cloud's work happened even when the reply comes too late. The radio
    // transmits while the image flows out, not while the last bit propagates to the cloud.
    const double transmit_s = reply->t_received_s - reply->t_sent_s - state_.uplink_latency_s[config_.index];
    record.radio_energy_J = radio_tx_W * std::max(0.0, transmit_s);
    record.cloud_energy_J = reply->cloud_energy_J;
    if (now_s <= pending->second) {
      learn_from_reply(record.sample, reply->cloud_pred);
      record.outcome = Outcome::Cloud;
      record.cloud_pred = reply->cloud_pred;
      record.final_pred = reply->cloud_pred;
      record.uplink_s = reply->t_received_s - reply->t_sent_s;
      record.cloud_queue_s = reply->t_batch_start_s - reply->t_received_s;
      record.cloud_compute_s = reply->t_batch_end_s - reply->t_batch_start_s;
      record.downlink_s = now_s - reply->t_batch_end_s;
      record.t_done_s = now_s;
      record.latency_s = now_s - record.t_arrival_s;
    } else {
      settle_fallback(record, pending->second);
    }
    ++state_.requests_done;
    pending_->deadline_s.erase(pending);
    pending_->settled->notify_all();
    lock.unlock();
    consider_update(state_, config_.index);
  }
}

// Keeps the cloud-labelled input in the device's bounded buffer for the update stage.
void ReplyReceiver::learn_from_reply(int64_t sample, int32_t cloud_label) {
  const UpdateConfig& update = state_.scenario.policy.update;
  if (update.mode != "on_device" && update.mode != "cloud") return;
  std::deque<BufferedSample>& buffer = state_.learning[config_.index].buffer;
  buffer.push_back({sample, cloud_label});
  while (static_cast<int>(buffer.size()) > update.buffer) buffer.pop_front();
}

}  // namespace eccsim
