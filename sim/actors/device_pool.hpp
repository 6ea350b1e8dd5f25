// Devices driven as state (platform.device_actors: shared): one actor plays the request streams of a
// block of devices, keeping each device's place in its stream and its offload policy as data, while
// each device keeps its own host (its CPU contention and energy) and its own links. It does what one
// actor per device does (sim/actors/edge_device.hpp), event for event: it sleeps until the next
// arrival of any of its devices, runs each inference as an execution on the device's host, and sends
// offloads by courier (sim/actors/couriers.hpp), which also brings the replies back. A device's host
// turned off fails its execution; what the device was serving is settled by whoever turned it off.
#pragma once

#include <cstdint>
#include <memory>
#include <queue>
#include <vector>

#include <simgrid/forward.h>

#include "sim/actors/edge_device.hpp"
#include "sim/actors/run_state.hpp"

namespace eccsim {

struct DevicePoolConfig {
  int first = 0;                             // the block's first device
  int count = 0;                             // and how many
  std::shared_ptr<const std::vector<Inbox*>> cloud_inbox_of;  // per device of the fleet: where its uploads go
};

class DevicePool {
 public:
  DevicePool(DevicePoolConfig config, RunState& state);
  void operator()();

 private:
  enum class Wake { Arrival, BatteryEmpty, LastDeadline };
  struct Event {
    double t_s;
    int device;
    Wake wake;
    int downs;       // the host's outages when the device went to sleep
    bool operator>(const Event& other) const {
      return t_s != other.t_s ? t_s > other.t_s : device > other.device;
    }
  };
  struct Computing {
    simgrid::s4u::ExecPtr exec;
    int device;
    ServingRequest serving;
  };
  // The device is free (its last request served, or none yet): on to its next request, as the
  // device actor's loop does.
  void next_request(int device);
  // The actor's sleep_until(t_s): the battery may empty first.
  void sleep_until(int device, double t_s, Wake wake);
  void wake(const Event& event);
  void serve(int device);
  void computed(size_t index);
  OffloadPolicy& policy_of(int device) { return policies_[static_cast<size_t>(device - config_.first)]; }
  DeviceView view(int device) { return DeviceView(state_, device); }

  DevicePoolConfig config_;
  RunState& state_;
  std::vector<OffloadPolicy> policies_;      // per device of the block
  std::vector<int> downs_seen_;              // per device: the host's outages it has seen
  PluginScratch plugin_scratch_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<Computing> computing_;
};

// A cloud reply to a device driven as state: carried by courier, received on arrival.
void carry_reply(RunState& state, const CloudReply& reply);

}  // namespace eccsim
