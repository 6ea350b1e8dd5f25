// An edge device: plays its request stream, runs the SNN on each input, offloads the
// ambiguous ones and settles each offloaded request when the reply comes or the timeout
// passes (falling back to its own prediction).
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include <simgrid/forward.h>

#include "sim/offload_policy.hpp"
#include "sim/run_state.hpp"


namespace eccsim {

struct EdgeDeviceConfig {
  int index = 0;
  simgrid::s4u::Mailbox* cloud = nullptr;      // where offloaded inputs go
  simgrid::s4u::Mailbox* replies = nullptr;    // where cloud replies arrive
};

// Offloaded requests of one device awaiting their reply, shared by the device and its
// reply receiver.
struct PendingOffloads {
  std::map<int64_t, double> deadline_s;        // request_id -> time the reply is due
  simgrid::s4u::MutexPtr mutex;
  simgrid::s4u::ConditionVariablePtr settled;
};

class EdgeDevice {
 public:
  EdgeDevice(EdgeDeviceConfig config, RunState& state, std::shared_ptr<PendingOffloads> pending);
  void operator()();

 private:
  void serve(const ScheduledRequest& request, int64_t request_id);
  void settle_timed_out(double now_s);

  EdgeDeviceConfig config_;
  RunState& state_;
  std::shared_ptr<PendingOffloads> pending_;
  OffloadPolicy policy_;
};

// Receives cloud replies for one device (daemon: lives as long as the simulation).
class ReplyReceiver {
 public:
  ReplyReceiver(EdgeDeviceConfig config, RunState& state, std::shared_ptr<PendingOffloads> pending);
  void operator()();

 private:
  void learn_from_reply(int64_t sample, int32_t cloud_label);

  EdgeDeviceConfig config_;
  RunState& state_;
  std::shared_ptr<PendingOffloads> pending_;
};

// Settles an offloaded request as a fallback to the edge prediction at its deadline.
void settle_fallback(RequestRecord& record, double deadline_s);

}  // namespace eccsim
