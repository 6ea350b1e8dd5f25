// The request log settles every request once, with the latency parts of its outcome summing to
// its latency.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/report/request_log.hpp"

namespace {

eccsim::RequestLog log_of(int requests) {
  std::vector<eccsim::RequestRecord> records(static_cast<size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    records[i].request_id = i;
    records[i].t_arrival_s = 1.0 + i;
    records[i].edge_pred = 3;
    records[i].edge_queue_s = 0.25;
    records[i].edge_compute_s = 0.5;
  }
  return eccsim::RequestLog(std::move(records));
}

double parts(const eccsim::RequestRecord& r) {
  return r.edge_queue_s + r.edge_compute_s + r.edge_wait_s + r.uplink_s + r.cloud_queue_s + r.cloud_compute_s +
         r.downlink_s + r.fallback_wait_s + r.drop_wait_s;
}

}  // namespace

TEST_CASE("the request log settles each outcome with its latency parts, and counts it", "[metrics]") {
  eccsim::RequestLog log = log_of(5);
  log.settle_on_edge(0, 1.75);
  log.settle_from_cloud(1, 7, eccsim::CloudTimes{2.75, 2.875, 3.0, 3.125}, 3.25);
  log.settle_fallback(2, 4.0);
  log.settle_dropped(3, 2.0);  // before it arrived: settled at its arrival
  CHECK(log.settled() == 4);
  log.drop_unsettled(9.0);
  CHECK(log.settled() == 5);

  const std::vector<eccsim::RequestRecord> r = log.take();
  CHECK(r[0].outcome == eccsim::Outcome::Edge);
  CHECK(r[0].final_pred == 3);
  CHECK(r[0].latency_s == Approx(0.75));
  CHECK(r[1].outcome == eccsim::Outcome::Cloud);
  CHECK(r[1].final_pred == 7);
  CHECK(r[1].uplink_s == 0.125);
  CHECK(r[1].cloud_queue_s == 0.125);
  CHECK(r[1].cloud_compute_s == 0.125);
  CHECK(r[1].downlink_s == 0.125);
  CHECK(r[2].outcome == eccsim::Outcome::Fallback);
  CHECK(r[2].reason == eccsim::RequestReason::Timeout);
  CHECK(r[2].final_pred == 3);
  CHECK(r[2].fallback_wait_s == Approx(0.25));
  for (int i = 0; i < 3; ++i) CHECK(parts(r[i]) == Approx(r[i].latency_s));
  CHECK(r[3].outcome == eccsim::Outcome::Dropped);
  CHECK(r[3].reason == eccsim::RequestReason::DeviceDown);
  CHECK(r[3].t_done_s == 4.0);
  CHECK(r[3].latency_s == 0);
  CHECK(parts(r[3]) == 0);
  CHECK(r[4].outcome == eccsim::Outcome::Dropped);
  CHECK(r[4].t_done_s == 9.0);
  CHECK(r[4].latency_s == Approx(4.0));   // in flight since its arrival at 5 s
  CHECK(r[4].drop_wait_s == Approx(4.0));
  CHECK(parts(r[4]) == Approx(r[4].latency_s));
  for (const eccsim::RequestRecord& record : r) CHECK(record.settled);
}

TEST_CASE("a held-back cloud_only request has no answer; time lost to training is its own part", "[metrics]") {
  eccsim::RequestLog log = log_of(2);
  log[0].edge_pred = -1;
  log.settle_held_back(0, 1.0);
  log[1].edge_wait_s = 0.125;   // the processor was shared with an update
  log.settle_fallback(1, 3.0);
  const std::vector<eccsim::RequestRecord> r = log.take();
  CHECK(r[0].outcome == eccsim::Outcome::HeldBack);
  CHECK(r[0].final_pred == -1);
  CHECK_FALSE(r[0].correct());
  CHECK(r[1].fallback_wait_s == Approx(3.0 - (2.0 + 0.25 + 0.5 + 0.125)));
  CHECK(parts(r[1]) == Approx(r[1].latency_s));
}
