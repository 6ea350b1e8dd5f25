// The run-wide accounting checks; see ledger_checks.hpp.
#include "tests/support/ledger_checks.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "tests/support/csv_table.hpp"

namespace eccsim::testing {

double column_sum(const CsvTable& table, const std::string& column) {
  double total = 0;
  for (const double v : table.numbers(column)) total += v;
  return total;
}

void check_latency_parts_add_up(const std::filesystem::path& out) {
  const CsvTable requests(out / "requests.csv");
  for (size_t i = 0; i < requests.rows(); ++i) {
    double parts = 0;
    for (const char* part : {"edge_queue_s", "edge_compute_s", "edge_wait_s", "uplink_s", "cloud_queue_s",
                             "cloud_compute_s", "downlink_s", "fallback_wait_s", "drop_wait_s"})
      parts += requests.number(i, part);
    INFO(out.string() << " request " << requests.text(i, "request_id") << ", outcome " << requests.text(i, "outcome"));
    CHECK(parts == Approx(requests.number(i, "latency_s")).margin(1e-8));
    CHECK(requests.number(i, "t_done_s") - requests.number(i, "t_arrival_s") ==
          Approx(requests.number(i, "latency_s")).margin(1e-8));
  }
}

void check_energy_adds_up(const std::filesystem::path& out) {
  INFO(out.string());
  const CsvTable requests(out / "requests.csv");
  const CsvTable updates(out / "updates.csv");
  const CsvTable summary(out / "summary.csv");
  const double requests_J = column_sum(requests, "edge_energy_J") + column_sum(requests, "radio_energy_J") +
                            column_sum(requests, "cloud_energy_J") + column_sum(requests, "idle_energy_J");
  const double updates_J = column_sum(updates, "energy_J");
  const double links_J = column_sum(CsvTable(out / "links.csv"), "energy_J");
  const double device_idle_J = column_sum(CsvTable(out / "devices.csv"), "idle_energy_J");
  const double radio_tails_J = column_sum(CsvTable(out / "devices.csv"), "radio_tail_energy_J");
  CHECK(summary.number(0, "device_idle_energy_J") == Approx(device_idle_J).epsilon(1e-9));
  CHECK(summary.number(0, "radio_tail_energy_J") == Approx(radio_tails_J).epsilon(1e-9).margin(1e-12));
  CHECK(summary.number(0, "update_energy_J") == Approx(updates_J).epsilon(1e-9).margin(1e-9));
  const double parts_J =
      requests_J + updates_J + radio_tails_J + links_J + device_idle_J + summary.number(0, "cloud_idle_energy_J");
  CHECK(summary.number(0, "total_energy_J") == Approx(parts_J).epsilon(1e-9));
  for (size_t u = 0; u < updates.rows(); ++u)
    CHECK(updates.number(u, "energy_J") ==
          Approx(updates.number(u, "train_energy_J") + updates.number(u, "radio_energy_J") +
                 updates.number(u, "idle_energy_J")).margin(1e-12));
  const double answered = summary.number(0, "answered");
  REQUIRE(answered > 0);
  CHECK(summary.number(0, "energy_per_answered_request_with_updates_J") ==
        Approx((requests_J + updates_J + radio_tails_J) / answered).epsilon(1e-6));
  CHECK(summary.number(0, "availability") == Approx(answered / static_cast<double>(requests.rows())).epsilon(1e-6));
  CHECK(summary.number(0, "total_energy_per_answered_request_J") ==
        Approx(summary.number(0, "total_energy_J") / answered).epsilon(1e-6));
}

}  // namespace eccsim::testing
