// A cloud host: a receiver queues arriving inputs; one worker per core forms batches
// (dynamic batching: up to batch.max inputs, waiting at most batch.wait after the first),
// runs the real ANN on them, charges the batch's cost to the host and replies.
#pragma once

#include <deque>
#include <memory>

#include <simgrid/forward.h>

#include "sim/actors/inbox.hpp"
#include "sim/actors/messages.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/policy/cost_model.hpp"

namespace eccsim {

struct CloudServerConfig {
  int index = 0;
  Inbox* requests = nullptr;
};

// Inputs that reached one cloud host, waiting for a batch; shared by its actors. When the
// host fails, its actors die with it: the fault injector empties the queue (those inputs are
// lost, their devices time out) and gives it fresh synchronisation objects for the restart.
struct CloudQueue {
  struct Entry {
    OffloadRequest request;
    double t_received_s = 0;
  };
  std::deque<Entry> waiting;
  simgrid::s4u::MutexPtr mutex;
  simgrid::s4u::ConditionVariablePtr arrived;
  bool forming = false;                  // a worker is forming a batch (one at a time)

  void reset();                          // empty, with new mutex and condition variable
};

// Receives offloaded inputs into the queue (daemon).
class CloudReceiver {
 public:
  CloudReceiver(CloudServerConfig config, RunState& state, std::shared_ptr<CloudQueue> queue);
  void operator()();

 private:
  CloudServerConfig config_;
  RunState& state_;
  std::shared_ptr<CloudQueue> queue_;
};

// One core of the cloud host (daemon).
class CloudWorker {
 public:
  CloudWorker(CloudServerConfig config, RunState& state, std::shared_ptr<CloudQueue> queue);
  void operator()();

 private:
  // Moves the next batch from the queue into batch_.
  void next_batch();

  CloudServerConfig config_;
  RunState& state_;
  std::shared_ptr<CloudQueue> queue_;
  // One batch's inputs and outputs, reused from batch to batch: a fresh vector of a full batch
  // is a large allocation, which makes glibc consolidate its free lists every time.
  std::vector<CloudQueue::Entry> batch_;
  std::vector<int32_t> predictions_;
  std::vector<double> macs_;
  // The batch on the core (start < 0: none), for a host failure to charge what it ran.
  struct Running {
    double start_s = -1;
    Cost cost;                        // the whole batch's duration, energy per request
    std::vector<int64_t> request_ids;
  };
  std::shared_ptr<Running> running_ = std::make_shared<Running>();
};

}  // namespace eccsim
