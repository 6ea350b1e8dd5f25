// Fault injection through SimGrid's on/off resources: comms crossing a link that is off fail,
// actors on a host that is turned off die (and restart with it, being auto-restart). What a
// failure loses is settled here: a failed device drops what it was serving or waiting for;
// a failed cloud host loses its queue (the devices time out and fall back).
#include "sim/actors/fault_injector.hpp"

#include <simgrid/s4u.hpp>

#include <string>

#include "core/random.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/scenario/seed_streams.hpp"
#include "sim/workload/workload.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// The resources one fault target names.
struct Targets {
  std::vector<sg4::Link*> links;
  std::vector<int> clouds;
  std::vector<int> devices;
};

Targets resolve(const FaultTarget& target, const Platform& platform) {
  Targets t;
  switch (target.kind) {
    case FaultTarget::Kind::Backhaul:
      for (size_t k = 0; k < platform.site_backhaul.size(); ++k) {
        if (target.index >= 0 && static_cast<int>(k) != target.index) continue;
        t.links.insert(t.links.end(), platform.site_backhaul[k].begin(), platform.site_backhaul[k].end());
      }
      break;
    case FaultTarget::Kind::Access: t.links = platform.device_access[static_cast<size_t>(target.index)]; break;
    case FaultTarget::Kind::Cloud:
      if (target.index >= 0) {
        t.clouds.push_back(target.index);
      } else {
        for (int j = 0; j < static_cast<int>(platform.clouds.size()); ++j) t.clouds.push_back(j);
      }
      break;
    case FaultTarget::Kind::Device: t.devices.push_back(target.index); break;
  }
  return t;
}

// Overlapping outages of one resource (two faults on the backhaul, or `cloud` and `cloud[0]`):
// the resource goes down with the first and comes back with the last.
bool first_to_fail(RunState& state, const void* resource) { return state.outages_holding[resource]++ == 0; }
bool last_to_recover(RunState& state, const void* resource) { return --state.outages_holding[resource] == 0; }

// One outage: down now, up after `down_for_s`, recorded.
void outage(const FaultInjectorConfig& config, const Targets& t, double down_for_s, RunState& state) {
  const Platform& platform = *config.platform;
  const double down_s = sg4::Engine::get_clock();
  const size_t record = state.log.outages.size();
  state.log.outages.push_back({config.fault, state.inputs.scenario.faults[config.fault].target, down_s, -1});
  for (sg4::Link* link : t.links)
    if (first_to_fail(state, link)) link->turn_off();
  for (int j : t.clouds) {
    if (!first_to_fail(state, platform.clouds[j])) continue;
    platform.clouds[j]->turn_off();
    config.cloud_queues[j]->reset();
  }
  for (int i : t.devices) {
    const DeviceView device(state, i);
    if (!first_to_fail(state, device.host()) || device.battery().dead()) continue;
    device.host()->turn_off();
    drop_in_flight(device, down_s);
    device.learning().updating = false;  // an update in progress died with the device
    if (state.device_changed) state.device_changed(i);
  }

  sg4::this_actor::sleep_for(down_for_s);
  for (sg4::Link* link : t.links)
    if (last_to_recover(state, link)) link->turn_on();
  for (int j : t.clouds)
    if (last_to_recover(state, platform.clouds[j])) platform.clouds[j]->turn_on();
  for (int i : t.devices) {  // a device whose battery emptied meanwhile stays off
    const DeviceView device(state, i);
    if (!last_to_recover(state, device.host()) || device.battery().dead()) continue;
    device.host()->turn_on();
    if (state.device_changed) state.device_changed(i);
  }
  state.log.outages[record].t_up_s = sg4::Engine::get_clock();
}

}  // namespace

void inject_fault(FaultInjectorConfig config, RunState* state) {
  const FaultConfig& fault = state->inputs.scenario.faults[config.fault];
  const Targets targets = resolve(fault.parsed, *config.platform);
  sg4::this_actor::sleep_until(fault.at_s);
  if (fault.rate_per_s <= 0) {
    outage(config, targets, fault.for_s, *state);
    return;
  }
  // Random faults until the run ends (the actor is a daemon), from the fault's own seeded stream.
  std::mt19937_64 rng(
      derive_seed(state->inputs.scenario.seed, SeedStream::RandomFaults, static_cast<uint64_t>(config.fault)));
  for (;;) {
    sg4::this_actor::sleep_for(exponential(rng, 1 / fault.rate_per_s));
    outage(config, targets, exponential(rng, fault.for_s), *state);
  }
}

}  // namespace eccsim
