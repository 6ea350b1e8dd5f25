// Devices driven as state: see the header. The comments name the step of EdgeDevice::operator() each
// part repeats; the order of a device's steps, and the times they happen at, are the actor's.
#include "sim/actors/device_pool.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

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

DevicePool::DevicePool(DevicePoolConfig config, RunState& state)
    : config_(std::move(config)), state_(state), generation_(static_cast<size_t>(config_.count), 0) {
  policies_.reserve(static_cast<size_t>(config_.count));
  for (int d = config_.first; d < config_.first + config_.count; ++d) policies_.push_back(initial_policy(state, d));
}

void DevicePool::operator()() {
  const int block = config_.bell->block_of(config_.first);
  sg4::ExecPtr bell = config_.bell->arm(block);
  for (int device : config_.bell->take(block)) changed(device);   // a resumed pool's reason to be
  if (!config_.resumed)
    for (int d = config_.first; d < config_.first + config_.count; ++d) next_request(d);
  std::vector<sg4::ActivityPtr> waited;
  for (;;) {
    for (;;) {   // every step due now, in time order
      while (!events_.empty() && stale(events_.top())) events_.pop();
      if (events_.empty() || events_.top().t_s > sg4::Engine::get_clock()) break;
      const Event event = events_.top();
      events_.pop();
      wake(event);
    }
    // Done once no device has a step ahead: a device that is down does not hold the run, as a dead
    // actor does not; a bell on its way may still bring one back.
    if (events_.empty() && computing_.empty() && !config_.bell->rung(block)) break;
    const double timeout_s = events_.empty() ? -1 : events_.top().t_s - sg4::Engine::get_clock();
    waited.clear();
    waited.emplace_back(bell);
    for (const Computing& c : computing_) waited.emplace_back(c.exec);
    ssize_t done = -1;
    try {
      done = sg4::Activity::wait_any_for(waited, timeout_s);
    } catch (const simgrid::CancelException&) {   // the bell
      bell = config_.bell->arm(block);
      for (int device : config_.bell->take(block)) changed(device);
      continue;
    } catch (const simgrid::HostFailureException&) {
      // A device's host was turned off under its inference; the bell tells the rest.
      computing_.erase(std::remove_if(computing_.begin(), computing_.end(),
                                      [this](const Computing& c) { return !view(c.device).host()->is_on(); }),
                       computing_.end());
      continue;
    }
    if (done > 0) computed(static_cast<size_t>(done - 1));
  }
  config_.bell->pool_ended(block);
}

// The actor's loop: on to the next request of the schedule. A restarted actor first drops what
// arrived before it started (`restarted_s`).
void DevicePool::next_request(int device_index, double restarted_s) {
  const DeviceView device = view(device_index);
  if (device.battery().dead() || !device.host()->is_on()) return;   // no actor there
  DeviceLearning& learning = device.learning();
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  while (learning.next_request < schedule.size()) {
    const size_t k = learning.next_request;
    learning.next_request = k + 1;
    const ScheduledRequest& request = schedule[k];
    if (request.t_arrival_s < restarted_s) {
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
  const uint32_t generation = generation_[local(device_index)];
  if (empty_s < t_s) {
    if (now_s < empty_s) {
      events_.push({empty_s, device_index, Wake::BatteryEmpty, generation});
      return;
    }
    die_of_battery(device);
    return;
  }
  events_.push({std::max(t_s, now_s), device_index, wake_for, generation});
}

void DevicePool::wake(const Event& event) {
  const DeviceView device = view(event.device);
  // Down or dead at this very moment, before the bell told: its actor is gone.
  if (device.battery().dead() || !device.host()->is_on()) return;
  switch (event.wake) {
    case Wake::BatteryEmpty: die_of_battery(device); return;
    case Wake::LastDeadline: settle_timed_out(device, sg4::Engine::get_clock()); return;
    case Wake::Arrival: serve(event.device); return;
  }
}

// The actor's serve(): up to the inference, which runs on the device's host.
void DevicePool::serve(int device_index) {
  const DeviceView device = view(device_index);
  OffloadPolicy& policy = policies_[local(device_index)];
  const size_t k = device.learning().next_request - 1;
  ServingRequest serving;
  if (!start_serving(device, policy, plugin_scratch_, device.schedule()[k], device.request_id(k), serving)) {
    next_request(device_index);
    return;
  }
  if (serving.compute_flops <= 0) {
    finish_serving(device, policy, serving, upload_path(device_index));
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
  finish_serving(view(done.device), policies_[local(done.device)], done.serving, upload_path(done.device));
  next_request(done.device);
}

void DevicePool::changed(int device_index) {
  generation_[local(device_index)] += 1;   // whatever it slept towards is gone with its actor
  const DeviceView device = view(device_index);
  if (device.battery().dead() || !device.host()->is_on()) return;
  // Back up: a restarted actor is a fresh copy of the first, with its policy's first draws.
  policies_[local(device_index)] = initial_policy(state_, device_index);
  next_request(device_index, sg4::Engine::get_clock());
}

DeviceBell::DeviceBell(sg4::Host* home, RunState& state, DevicePoolConfig block_template, int blocks)
    : home_(home),
      state_(state),
      template_(std::move(block_template)),
      block_size_(template_.count),
      blocks_(static_cast<size_t>(blocks)) {}

void DeviceBell::ring(int device) {
  Block& block = blocks_[static_cast<size_t>(block_of(device))];
  block.rung.push_back(device);
  if (block.armed) {
    block.armed->cancel();
    block.armed = nullptr;
  }
  if (block.running || state_.devices[static_cast<size_t>(device)].battery.dead()) return;
  // Its pool ended with every device of the block finished or down: a device back up restarts in a new one.
  block.running = true;
  DevicePoolConfig config = template_;
  config.first = block_of(device) * block_size_;
  config.count = std::min(block_size_, state_.inputs.scenario.platform.devices - config.first);
  config.resumed = true;
  sg4::Actor::create(fmt::format("devices-{}-resumed", config.first), home_, DevicePool(config, state_));
}

sg4::ExecPtr DeviceBell::arm(int block) {
  // Never done by itself: suspended at once, it computes nothing and costs the solver nothing.
  sg4::ExecPtr bell = sg4::Exec::init()->set_flops_amount(1)->set_host(home_);
  bell->start();
  bell->suspend();
  blocks_[static_cast<size_t>(block)].armed = bell;
  return bell;
}

std::deque<int> DeviceBell::take(int block) { return std::exchange(blocks_[static_cast<size_t>(block)].rung, {}); }

void DeviceBell::pool_ended(int block) {
  Block& b = blocks_[static_cast<size_t>(block)];
  b.running = false;
  if (b.armed) {
    b.armed->cancel();
    b.armed = nullptr;
  }
}

void carry_reply(RunState& state, const CloudReply& reply) {
  const DeviceView device(state, reply.device);
  state.couriers->carry(
      device.cloud_host(), device.host(), reply.size_bytes, [device, reply] { receive_reply(device, reply); },
      [reply] { charge_lost_reply(DeviceMessage(reply)); });
}

}  // namespace eccsim
