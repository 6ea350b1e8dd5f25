// Settling requests: the latency parts each outcome keeps (they add up to t_done_s - t_arrival_s),
// and the count of settled requests.
#include "sim/report/request_log.hpp"

#include <algorithm>

namespace eccsim {

void RequestLog::settle(RequestRecord& record, Outcome outcome, double t_done_s) {
  record.outcome = outcome;
  record.t_done_s = t_done_s;
  record.settled = true;
  ++settled_;
}

void RequestLog::settle_on_edge(int64_t request_id, double t_done_s) {
  RequestRecord& record = (*this)[request_id];
  record.final_pred = record.edge_pred;
  record.latency_s = t_done_s - record.t_arrival_s;
  settle(record, Outcome::Edge, t_done_s);
}

void RequestLog::settle_held_back(int64_t request_id, double t_s) {
  RequestRecord& record = (*this)[request_id];
  record.final_pred = -1;
  record.latency_s = t_s - record.t_arrival_s;
  settle(record, Outcome::HeldBack, t_s);
}

void RequestLog::settle_from_cloud(int64_t request_id, int32_t cloud_pred, const CloudTimes& times,
                                   double t_done_s) {
  RequestRecord& record = (*this)[request_id];
  record.cloud_pred = cloud_pred;
  record.final_pred = cloud_pred;
  record.uplink_s = times.t_received_s - times.t_sent_s;
  record.cloud_queue_s = times.t_batch_start_s - times.t_received_s;
  record.cloud_compute_s = times.t_batch_end_s - times.t_batch_start_s;
  record.downlink_s = t_done_s - times.t_batch_end_s;
  record.latency_s = t_done_s - record.t_arrival_s;
  settle(record, Outcome::Cloud, t_done_s);
}

void RequestLog::settle_fallback(int64_t request_id, double deadline_s) {
  RequestRecord& record = (*this)[request_id];
  record.reason = RequestReason::Timeout;
  record.final_pred = record.edge_pred;
  record.cloud_pred = -1;
  record.uplink_s = record.cloud_queue_s = record.cloud_compute_s = record.downlink_s = 0;
  record.fallback_wait_s =
      deadline_s - (record.t_arrival_s + record.edge_queue_s + record.edge_compute_s + record.edge_wait_s);
  record.latency_s = deadline_s - record.t_arrival_s;
  settle(record, Outcome::Fallback, deadline_s);
}

void RequestLog::settle_dropped(int64_t request_id, double t_s, RequestReason reason) {
  RequestRecord& record = (*this)[request_id];
  record.reason = reason;
  record.final_pred = -1;
  record.cloud_pred = -1;
  record.edge_queue_s = record.edge_compute_s = record.edge_wait_s = record.uplink_s = record.cloud_queue_s =
      record.cloud_compute_s = record.downlink_s = record.fallback_wait_s = 0;
  const double t_done_s = std::max(t_s, record.t_arrival_s);
  record.drop_wait_s = record.latency_s = t_done_s - record.t_arrival_s;
  settle(record, Outcome::Dropped, t_done_s);
}

void RequestLog::drop_unsettled(double t_s) {
  for (RequestRecord& record : records_) {
    if (!record.settled) settle_dropped(record.request_id, t_s);
  }
}

}  // namespace eccsim
