// Cloud server actors. Queueing time counts from the input's arrival at the cloud to the
// start of its batch; a batch occupies one core for its whole duration.
#include "sim/actors/cloud_server.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <stdexcept>

#include "models/nets/cloud_model.hpp"
#include "sim/actors/device_pool.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/policy/cost_model.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

void CloudQueue::reset() {
  waiting.clear();
  forming = false;
  mutex = sg4::Mutex::create();
  arrived = sg4::ConditionVariable::create();
}

CloudReceiver::CloudReceiver(CloudServerConfig config, RunState& state, std::shared_ptr<CloudQueue> queue)
    : config_(config), state_(state), queue_(std::move(queue)) {}

void CloudReceiver::operator()() {
  config_.requests->attach_receiver();  // uploads flow as soon as they are sent
  for (;;) {
    std::unique_ptr<CloudMessage> message;
    try {
      message = config_.requests->receive<CloudMessage>();
    } catch (const simgrid::NetworkFailureException&) {
      continue;  // lost on a failed link: its device times out
    }
    const auto* request = std::get_if<OffloadRequest>(message.get());
    if (request == nullptr)
      throw std::logic_error("cloud receiver " + std::to_string(config_.index) +
                             ": expected OffloadRequest, received another message");
    state_.network.carried_up(request->device, request->size_bytes);
    state_.uploads_in_flight.erase(request->request_id);
    // The device's radio sent the image while it flowed out, not while its last bit propagated.
    const double now_s = sg4::Engine::get_clock();
    const double latency_s = state_.inputs.upload_latency_s(request->device, request->size_bytes, now_s - request->t_sent_s);
    const DeviceView sender(state_, request->device);
    const double transmit_J = upload_radio_energy_J(sender, request->size_bytes, now_s - request->t_sent_s - latency_s);
    state_.log.requests[request->request_id].radio_energy_J += transmit_J;
    charge_device(sender, transmit_J);
    note_radio_use(sender, request->t_sent_s, now_s - latency_s);
    std::unique_lock lock(*queue_->mutex);
    queue_->waiting.push_back({*request, sg4::Engine::get_clock()});
    queue_->arrived->notify_all();
  }
}

CloudWorker::CloudWorker(CloudServerConfig config, RunState& state, std::shared_ptr<CloudQueue> queue)
    : config_(config), state_(state), queue_(std::move(queue)) {}

void CloudWorker::next_batch() {
  const BatchConfig& batch = state_.inputs.scenario.platform.cloud.batch;
  std::unique_lock lock(*queue_->mutex);
  try {
    queue_->arrived->wait(lock, [this] { return !queue_->forming && !queue_->waiting.empty(); });
    queue_->forming = true;
    const double close_s = queue_->waiting.front().t_received_s + batch.wait_s;
    const auto full = [&] { return static_cast<int>(queue_->waiting.size()) >= batch.max; };
    if (!full() && sg4::Engine::get_clock() < close_s) queue_->arrived->wait_until(lock, close_s, full);
  } catch (const simgrid::ForcefulKillException&) {
    // Killed in a wait (end of the run, or its host failed): the wait did not take the mutex
    // back, so it must not be unlocked on the way out (a dying actor cannot issue simcalls).
    lock.release();
    throw;
  }
  const size_t n = std::min(queue_->waiting.size(), static_cast<size_t>(batch.max));
  batch_.assign(queue_->waiting.begin(), queue_->waiting.begin() + static_cast<long>(n));
  queue_->waiting.erase(queue_->waiting.begin(), queue_->waiting.begin() + static_cast<long>(n));
  queue_->forming = false;
  queue_->arrived->notify_all();  // the next worker may form the next batch
}

void CloudWorker::operator()() {
  const CloudConfig& cloud = state_.inputs.scenario.platform.cloud;
  // A host failure cuts the batch on the core: its requests are charged the share it ran.
  sg4::this_actor::on_exit([state = &state_, running = running_](bool failed) {
    if (!failed || running->start_s < 0) return;
    const double ran_s = sg4::Engine::get_clock() - running->start_s;
    state->cloud_busy_s += ran_s;
    const double share = running->cost.duration_s > 0 ? std::min(1.0, ran_s / running->cost.duration_s) : 1.0;
    for (int64_t request_id : running->request_ids) {
      state->log.requests[request_id].cloud_energy_J = share * running->cost.energy_J;
      state->log.requests[request_id].held_cloud_idle_J = share * running->cost.idle_energy_J;
    }
  });
  for (;;) {
    next_batch();
    predictions_.clear();
    macs_.clear();
    for (const CloudQueue::Entry& entry : batch_) {
      const CloudPrediction& prediction = state_.inference.cloud(state_.inputs.cloud_model, entry.request.sample);
      predictions_.push_back(prediction.predicted);
      macs_.push_back(prediction.macs);
    }
    const Cost cost = cloud_batch_cost(cloud, state_.inputs.cloud_latency, macs_);
    const double start_s = sg4::Engine::get_clock();
    running_->start_s = start_s;
    running_->cost = cost;
    running_->request_ids.clear();
    for (const CloudQueue::Entry& entry : batch_) running_->request_ids.push_back(entry.request.request_id);
    sg4::this_actor::execute(cost.duration_s * cloud.speed_flops);
    running_->start_s = -1;
    const double end_s = sg4::Engine::get_clock();
    state_.cloud_busy_s += end_s - start_s;
    for (size_t i = 0; i < batch_.size(); ++i) {
      const OffloadRequest& request = batch_[i].request;
      state_.log.requests[request.request_id].cloud_energy_J = cost.energy_J;  // spent, whether or not the reply arrives
      state_.log.requests[request.request_id].held_cloud_idle_J = cost.idle_energy_J;
      if (!state_.inputs.device_hosts[request.device]->is_on()) continue;  // its device is down: the reply is lost
      state_.replies_in_flight.emplace(request.request_id,
                                       TransferInFlight{request.device, end_s, state_.inputs.logits_bytes});
      const CloudReply reply{request.request_id, request.device,   predictions_[i],
                             request.t_sent_s,   batch_[i].t_received_s, start_s,
                             end_s,              state_.inputs.logits_bytes, request.losses};
      if (request.reply_to == nullptr) {   // a device driven as state
        carry_reply(state_, reply);
        continue;
      }
      request.reply_to->send_reporting_loss<charge_lost_reply>(new DeviceMessage(reply), state_.inputs.logits_bytes);
    }
  }
}

}  // namespace eccsim
