// The run's request records, one per generated request from the start (so a request never served
// is still reported), and the one place a request is settled: each settle_* gives the record its
// outcome, final answer and latency parts, marks it settled and counts it. Actors run one at a
// time between simulation calls, so no lock is needed.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/report/metrics.hpp"

namespace eccsim {

// When an offloaded request's reply was made, as the cloud measured it.
struct CloudTimes {
  double t_sent_s = 0;           // the device sent the input
  double t_received_s = 0;       // the input reached the cloud
  double t_batch_start_s = 0;
  double t_batch_end_s = 0;
};

class RequestLog {
 public:
  explicit RequestLog(std::vector<RequestRecord> records) : records_(std::move(records)) {}

  RequestRecord& operator[](int64_t request_id) { return records_[static_cast<size_t>(request_id)]; }
  int64_t size() const { return static_cast<int64_t>(records_.size()); }
  int64_t settled() const { return settled_; }

  // Answered by the edge model when its inference ended at t_done_s.
  void settle_on_edge(int64_t request_id, double t_done_s);
  // Answered by the cloud's `cloud_pred`, the reply arriving at t_done_s (before the deadline).
  void settle_from_cloud(int64_t request_id, int32_t cloud_pred, const CloudTimes& times, double t_done_s);
  // No reply by the deadline: the edge prediction stands, settled at the deadline.
  void settle_fallback(int64_t request_id, double deadline_s);
  // Never answered: its device was down (or its battery empty) when it arrived or while it was in flight.
  void settle_dropped(int64_t request_id, double t_s, RequestReason reason = RequestReason::DeviceDown);
  // A cloud_only request not sent (the device backs off from the cloud) and not answerable on the device.
  void settle_held_back(int64_t request_id, double t_s);
  // At the end of the run: what is still unsettled (a device still down) is dropped at t_s.
  void drop_unsettled(double t_s);

  std::vector<RequestRecord> take() { return std::move(records_); }

 private:
  void settle(RequestRecord& record, Outcome outcome, double t_done_s);

  std::vector<RequestRecord> records_;   // by request_id
  int64_t settled_ = 0;
};

}  // namespace eccsim
