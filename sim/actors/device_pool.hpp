// Devices driven as state (platform.device_actors: shared): one actor plays the request streams of a
// block of devices, keeping each device's place in its stream and its offload policy as data, while
// each device keeps its own host (its CPU contention and energy) and its own links. It does what one
// actor per device does (sim/actors/edge_device.hpp), step for step: it sleeps until the next step of
// any of its devices, runs each inference as an execution on the device's host, and sends offloads by
// courier (sim/actors/couriers.hpp), which also brings the replies back.
//
// A device whose host goes down loses its actor: here it stops, and what it was serving is settled by
// whoever turned it off (fault injector, battery). A device whose host comes back restarts as an
// auto-restart actor does: it drops what arrived meanwhile and goes on. The pool hears of both from the
// device bell, at the moment they happen.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <queue>
#include <vector>

#include <simgrid/forward.h>

#include "sim/actors/edge_device.hpp"
#include "sim/actors/run_state.hpp"

namespace eccsim {

class DeviceBell;

struct DevicePoolConfig {
  int first = 0;                             // the block's first device
  int count = 0;                             // and how many
  std::shared_ptr<const std::vector<Inbox*>> cloud_inbox_of;  // per device of the fleet: where its uploads go
  DeviceBell* bell = nullptr;
  bool resumed = false;                      // started by the bell after the block's first pool ended
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
    uint32_t generation;   // the device's generation when it went to sleep: a later one makes it stale
    bool operator>(const Event& other) const { return t_s != other.t_s ? t_s > other.t_s : device > other.device; }
  };
  struct Computing {
    simgrid::s4u::ExecPtr exec;
    int device;
    ServingRequest serving;
  };
  size_t local(int device) const { return static_cast<size_t>(device - config_.first); }
  DeviceView view(int device) { return DeviceView(state_, device); }
  // Its cloud inbox; no reply inbox: replies come by courier.
  UploadPath upload_path(int device) const { return {(*config_.cloud_inbox_of)[static_cast<size_t>(device)], nullptr}; }
  bool stale(const Event& event) const { return event.generation != generation_[local(event.device)]; }

  // The device is free (its last request served, or none yet): on to its next request, as the
  // device actor's loop does.
  void next_request(int device, double restarted_s = -std::numeric_limits<double>::infinity());
  // The actor's sleep_until(t_s): the battery may empty first.
  void sleep_until(int device, double t_s, Wake wake);
  void wake(const Event& event);
  void serve(int device);
  void computed(size_t index);
  // The bell: the device's host went down or came back, or its battery emptied.
  void changed(int device);

  DevicePoolConfig config_;
  RunState& state_;
  std::vector<OffloadPolicy> policies_;      // per device of the block
  std::vector<uint32_t> generation_;         // per device: its life's number (each change starts one)
  PluginScratch plugin_scratch_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<Computing> computing_;
};

// Tells a device's pool, from any actor on any host, that the device changed (RunState::device_changed),
// at the moment it happens. Each pool waits, beside its devices' inferences, on a suspended execution
// on the controller host, which never ends by itself; ringing cancels it, which wakes the pool at
// once. A block whose pool has ended gets a new one when a device of it comes back.
class DeviceBell {
 public:
  DeviceBell(simgrid::s4u::Host* home, RunState& state, DevicePoolConfig block_template, int blocks);
  void ring(int device);

  // For the pools: the activity to wait on, the devices rung since, and the pool's end.
  simgrid::s4u::ExecPtr arm(int block);
  std::deque<int> take(int block);
  bool rung(int block) const { return !blocks_[static_cast<size_t>(block)].rung.empty(); }
  void pool_ended(int block);
  int block_of(int device) const { return device / block_size_; }

 private:
  struct Block {
    std::deque<int> rung;
    simgrid::s4u::ExecPtr armed;
    bool running = true;                     // its pool is there to hear
  };
  simgrid::s4u::Host* home_;
  RunState& state_;
  DevicePoolConfig template_;
  int block_size_;
  std::vector<Block> blocks_;
};

// A cloud reply to a device driven as state: carried by courier, received on arrival.
void carry_reply(RunState& state, const CloudReply& reply);

}  // namespace eccsim
