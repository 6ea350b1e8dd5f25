// The run's summary metrics (sim/report/metrics): accuracy, CUR, AccI, latency percentiles.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/report/metrics.hpp"

using namespace eccsim;

TEST_CASE("summary: accuracy, CUR, AccI and percentiles", "[metrics]") {
  std::vector<RequestRecord> records(4);
  for (int i = 0; i < 4; ++i) {
    records[i].request_id = i;
    records[i].label = 1;
    records[i].latency_s = i + 1;
    records[i].edge_energy_J = 1;
  }
  records[0].final_pred = 1, records[0].edge_only_pred = 1, records[0].cloud_only_pred = 1;
  records[1].final_pred = 1, records[1].edge_only_pred = 0, records[1].cloud_only_pred = 1, records[1].offloaded = true;
  records[2].final_pred = 0, records[2].edge_only_pred = 0, records[2].cloud_only_pred = 1;
  records[3].final_pred = 0, records[3].edge_only_pred = 0, records[3].cloud_only_pred = 0;
  const Summary s = summarise(records);
  CHECK(s.accuracy == Approx(0.5));
  CHECK(s.edge_only_accuracy == Approx(0.25));
  CHECK(s.cloud_only_accuracy == Approx(0.75));
  CHECK(s.acci == Approx(0.5));
  CHECK(s.cur == Approx(0.25));
  CHECK(s.latency_mean_s == Approx(2.5));
  CHECK(s.latency_p50_s == Approx(2.5));
  CHECK(s.energy_per_request_J == Approx(1));
  CHECK(s.offloaded_latency_p50_s == Approx(2));   // the one offloaded request
  CHECK(s.answered == 4);
  CHECK(s.availability == Approx(1));
  CHECK(percentile({1, 2, 3, 4, 5}, 0.95) == Approx(4.8));
  CHECK(percentile({}, 0.5) == 0);
}

TEST_CASE("summary: dropped and held-back requests count against accuracy, not in latency or accuracy_answered",
          "[metrics]") {
  std::vector<RequestRecord> records(4);
  for (int i = 0; i < 4; ++i) {
    records[i].request_id = i;
    records[i].label = 1;
    records[i].final_pred = 1;
    records[i].latency_s = 1;
    records[i].edge_energy_J = 1;
  }
  records[2].outcome = Outcome::Dropped, records[2].final_pred = -1, records[2].latency_s = 9;
  records[3].outcome = Outcome::HeldBack, records[3].final_pred = -1, records[3].latency_s = 0;
  const Summary s = summarise(records);
  CHECK(s.answered == 2);
  CHECK(s.availability == Approx(0.5));
  CHECK(s.dropped == 1);
  CHECK(s.held_back == 1);
  CHECK(s.accuracy == Approx(0.5));
  CHECK(s.accuracy_answered == Approx(1));
  CHECK(s.latency_p95_s == Approx(1));
  CHECK(s.energy_per_request_J == Approx(1));
  CHECK(s.energy_per_answered_request_J == Approx(2));
}
