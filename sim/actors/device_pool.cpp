// Devices driven as state: see the header. The comments name the step of EdgeDevice::operator() each
// part repeats; the order of a device's steps, and the times they happen at, are the actor's.
#include "sim/actors/device_pool.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <memory>

#include "sim/actors/couriers.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// The policy a device starts (or restarts) with: its actor's are seeded the same way.
OffloadPolicy initial_policy(const RunState& state, int device) {
  const Scenario& scenario = state.inputs.scenario;
  return OffloadPolicy(scenario.policy.offload,
                       derive_seed(scenario.seed, SeedStream::OffloadFilter, static_cast<uint64_t>(device)),
                       derive_seed(scenario.seed, SeedStream::Exploration, static_cast<uint64_t>(device)));
}

}  // namespace

DevicePool::DevicePool(DevicePoolConfig config, RunState& state) : config_(config), state_(state) {
  policies_.reserve(static_cast<size_t>(config.count));
  for (int d = config.first; d < config.first + config.count; ++d) {
    policies_.push_back(initial_policy(state, d));
    downs_seen_.push_back(state.devices[static_cast<size_t>(d)].downs);
  }
}

void DevicePool::operator()() {
  for (int d = config_.first; d < config_.first + config_.count; ++d) next_request(d);
  std::vector<sg4::ActivityPtr> waited;
  for (;;) {
    while (!events_.empty() && events_.top().t_s <= sg4::Engine::get_clock()) {
      const Event event = events_.top();
      events_.pop();
      wake(event);
    }
    if (events_.empty() && computing_.empty()) return;
    const double timeout_s = events_.empty() ? -1 : events_.top().t_s - sg4::Engine::get_clock();
    if (computing_.empty()) {
      sg4::this_actor::sleep_for(timeout_s);
      continue;
    }
    waited.clear();
    for (const Computing& c : computing_) waited.emplace_back(c.exec);
    ssize_t done = -1;
    try {
      done = sg4::Activity::wait_any_for(waited, timeout_s);
    } catch (const simgrid::HostFailureException&) {
      // A device's host was turned off under its inference (a fault, or its battery emptied).
      for (size_t i = 0; i < computing_.size();) {
        const int device = computing_[i].device;
        if (view(device).host()->is_on()) {
          ++i;
          continue;
        }
        computing_.erase(computing_.begin() + static_cast<std::ptrdiff_t>(i));
        next_request(device);
      }
      continue;
    }
    if (done >= 0) computed(static_cast<size_t>(done));
  }
}

// The actor's loop head: the next request of the schedule, after the one just served.
void DevicePool::next_request(int device_index) {
  const DeviceView device = view(device_index);
  if (device.battery().dead()) return;   // it died: everything it had is settled
  DeviceLearning& learning = device.learning();
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  const double now_s = sg4::Engine::get_clock();
  while (learning.next_request < schedule.size()) {
    const size_t k = learning.next_request;
    learning.next_request = k + 1;
    const ScheduledRequest& request = schedule[k];
    // While its host is down, what arrives is dropped (a restarted actor drops it on rebooting).
    if (!device.host()->is_on() && request.t_arrival_s <= now_s) {
      device.requests().settle_dropped(device.request_id(k), request.t_arrival_s);
      continue;
    }
    sleep_until(device_index, request.t_arrival_s, Wake::Arrival);
    return;
  }
  // Let the outstanding replies arrive; whatever misses its deadline falls back.
  double last_deadline_s = 0;
  for (const auto& [id, deadline_s] : device.offload().deadline_s) last_deadline_s = std::max(last_deadline_s, deadline_s);
  sleep_until(device_index, last_deadline_s, Wake::LastDeadline);
}

// The actor's sleep_until: it dies on the way when the battery empties first.
void DevicePool::sleep_until(int device_index, double t_s, Wake wake_for) {
  const DeviceView device = view(device_index);
  const double now_s = sg4::Engine::get_clock();
  const double empty_s = device.battery().empty_at_s();
  const int downs = device.state().downs;
  if (empty_s < t_s) {
    if (now_s < empty_s) {
      events_.push({empty_s, device_index, Wake::BatteryEmpty, downs});
      return;
    }
    die_of_battery(device);
    return;
  }
  events_.push({std::max(t_s, now_s), device_index, wake_for, downs});
}

void DevicePool::wake(const Event& event) {
  const DeviceView device = view(event.device);
  if (device.battery().dead()) return;
  if (event.downs != device.state().downs) {
    // The host went down while the device slept: what it slept towards was dropped then, and a
    // restarted actor would go on from the next request.
    if (event.wake != Wake::LastDeadline) next_request(event.device);
    else settle_timed_out(device, sg4::Engine::get_clock());
    return;
  }
  switch (event.wake) {
    case Wake::BatteryEmpty: die_of_battery(device); return;
    case Wake::LastDeadline: settle_timed_out(device, sg4::Engine::get_clock()); return;
    case Wake::Arrival: break;
  }
  const size_t k = device.learning().next_request - 1;
  const int64_t request_id = device.request_id(k);
  if (!device.host()->is_on()) {
    device.requests().settle_dropped(request_id, device.schedule()[k].t_arrival_s);
    next_request(event.device);
    return;
  }
  serve(event.device);
}

// The actor's serve(): up to the inference, which runs on the device's host.
void DevicePool::serve(int device_index) {
  const DeviceView device = view(device_index);
  const size_t local = static_cast<size_t>(device_index - config_.first);
  if (downs_seen_[local] != device.state().downs) {   // rebooted: a restarted actor starts afresh
    policies_[local] = initial_policy(state_, device_index);
    downs_seen_[local] = device.state().downs;
  }
  const size_t k = device.learning().next_request - 1;
  ServingRequest serving;
  if (!start_serving(device, policies_[local], plugin_scratch_, device.schedule()[k], device.request_id(k), serving)) {
    next_request(device_index);
    return;
  }
  if (serving.compute_flops <= 0) {
    finish_serving(device, policies_[local], serving,
                   {(*config_.cloud_inbox_of)[static_cast<size_t>(device_index)], nullptr});
    next_request(device_index);
    return;
  }
  sg4::ExecPtr exec = sg4::Exec::init()->set_flops_amount(serving.compute_flops)->set_host(device.host());
  exec->start();
  computing_.push_back({std::move(exec), device_index, serving});
}

void DevicePool::computed(size_t index) {
  const Computing done = computing_[index];
  computing_.erase(computing_.begin() + static_cast<std::ptrdiff_t>(index));
  const DeviceView device = view(done.device);
  finish_serving(device, policy_of(done.device), done.serving,
                 {(*config_.cloud_inbox_of)[static_cast<size_t>(done.device)], nullptr});
  next_request(done.device);
}

void carry_reply(RunState& state, const CloudReply& reply) {
  const DeviceView device(state, reply.device);
  state.couriers->carry(
      device.cloud_host(), device.host(), reply.size_bytes, [device, reply] { receive_reply(device, reply); },
      [reply] { charge_lost_reply(DeviceMessage(reply)); });
}

}  // namespace eccsim
