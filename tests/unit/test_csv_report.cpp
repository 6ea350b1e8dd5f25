// requests.csv's hand-rolled number formatting against fmt's "{:.Nf}" (the format it replaced):
// random records over many magnitudes, exact decimal ties, subnormals, signed zeros, huge values.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "core/csv.hpp"
#include "sim/report/csv_report.hpp"
#include "sim/report/metrics.hpp"
#include "sim/report/network_ledger.hpp"
#include "sim/scenario/fleet.hpp"

namespace {

using eccsim::Outcome;
using eccsim::RequestRecord;

// fmt's fixed-point text, except that a value rounding to zero has no sign (eccsim's CSVs).
std::string unsigned_zeros(std::string row) {
  static const std::regex negative_zero("-(0(\\.0+)?)(?=[,\\n]|$)");
  return std::regex_replace(row, negative_zero, "$1");
}

std::string reference_row(const RequestRecord& r) {
  return unsigned_zeros(fmt::format("{},{},{},{},{:.9f},{:.9f},{},{},{},{},{},{:.6f},{},{},{},{},{},{},{},{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},"
                     "{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},{:.12f},{:.12f},{:.12f},{:.12f},{:.12f}\n",
                     r.request_id, r.device, eccsim::kDefaultGroup, eccsim::kDefaultSite, r.t_arrival_s, r.t_done_s, r.sample, r.label, r.task, r.phase,
                     r.edge_pred, r.score, int{r.offloaded}, int{r.explored}, r.cloud_pred, r.final_pred, int{r.correct()},
                     eccsim::name_of(r.outcome), eccsim::name_of(r.reason), r.latency_s, r.edge_queue_s, r.edge_compute_s,
                     r.edge_wait_s, r.uplink_s, r.cloud_queue_s, r.cloud_compute_s, r.downlink_s, r.fallback_wait_s,
                     r.drop_wait_s, r.edge_energy_J, r.radio_energy_J, r.cloud_energy_J, r.idle_energy_J,
                     r.edge_memory_energy_J));
}

// A double of any kind: random bits, a random magnitude, or an exact decimal tie and its neighbours.
double awkward_double(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(-1, 1);
  switch (rng() % 6) {
    case 0: {
      const uint64_t bits = rng();
      double value = 0;
      std::memcpy(&value, &bits, sizeof value);
      return std::isfinite(value) ? value : 0.0;
    }
    case 1: return std::ldexp(unit(rng), static_cast<int>(rng() % 90) - 70);
    case 2: return std::ldexp(static_cast<double>(2 * (rng() % 100000) + 1), -static_cast<int>(rng() % 50));
    case 3: {
      const double tie = static_cast<double>(rng() % 100000000000ULL) * 1e-9 + 0.5e-9;
      return rng() % 2 ? std::nextafter(tie, 0.0) : tie;
    }
    case 4: return unit(rng) * 100;
    default: {
      const double specials[] = {0.0, -0.0, 4.9e-324, -1e-310, 0.5, 2.5, 0.0078125, 4503599627370495.5,
                                 9007199254740993.0, 1e300, -1e22, 0.9999999995, 5e-13};
      return specials[rng() % std::size(specials)];
    }
  }
}

// A single fleet of `devices` devices: the one group and site every row names.
eccsim::Fleet single_fleet(int devices) {
  eccsim::Scenario scenario;
  scenario.platform.devices = devices;
  return eccsim::fleet_of(scenario);
}

}  // namespace

TEST_CASE("a number that rounds to zero is written without a sign", "[output]") {
  const auto fixed = [](double value, int precision) {
    std::string out;
    eccsim::append_fixed(out, value, precision);
    return out;
  };
  CHECK(fixed(-1e-16, 9) == "0.000000000");   // a clock a rounding error short of an arrival
  CHECK(fixed(-0.0, 3) == "0.000");
  CHECK(fixed(-0.0004, 3) == "0.000");
  CHECK(fixed(-0.002, 3) == "-0.002");
  CHECK(fixed(-12.5, 1) == "-12.5");
  CHECK(fixed(0.0, 2) == "0.00");
}

TEST_CASE("requests.csv rows are byte-identical to fmt's fixed-precision formatting", "[output]") {
  std::mt19937_64 rng(2025);
  std::vector<RequestRecord> records(20000);
  std::string expected;
  for (size_t i = 0; i < records.size(); ++i) {
    RequestRecord& r = records[i];
    r.request_id = static_cast<int64_t>(i);
    r.device = static_cast<int>(rng() % 10000);
    r.sample = static_cast<int64_t>(rng() % 10000) - (i % 50 == 0 ? 20000 : 0);
    r.label = static_cast<int32_t>(rng() % 10);
    r.task = r.label / 2;
    r.phase = static_cast<int>(rng() % 5);
    r.edge_pred = static_cast<int32_t>(rng() % 11) - 1;
    r.offloaded = rng() % 2;
    r.explored = r.offloaded && rng() % 3 == 0;
    r.cloud_pred = r.offloaded ? static_cast<int32_t>(rng() % 10) : -1;
    r.final_pred = r.offloaded ? r.cloud_pred : r.edge_pred;
    r.outcome = static_cast<Outcome>(rng() % 5);
    r.reason = i % 3 == 0 ? eccsim::RequestReason::Timeout : eccsim::RequestReason::None;
    r.request_id = i % 1000 == 0 ? std::numeric_limits<int64_t>::max() - static_cast<int64_t>(i) : r.request_id;
    for (double* field : {&r.t_arrival_s, &r.t_done_s, &r.score, &r.latency_s, &r.edge_queue_s, &r.edge_compute_s,
                          &r.edge_wait_s, &r.uplink_s, &r.cloud_queue_s, &r.cloud_compute_s, &r.downlink_s,
                          &r.fallback_wait_s, &r.drop_wait_s, &r.edge_energy_J, &r.radio_energy_J, &r.cloud_energy_J,
                          &r.idle_energy_J, &r.edge_memory_energy_J})
      *field = awkward_double(rng);
    expected += reference_row(r);
  }
  const std::string csv = eccsim::requests_csv(records, single_fleet(10000));
  const std::string rows = csv.substr(csv.find('\n') + 1);
  REQUIRE(rows.size() == expected.size());
  CHECK(rows == expected);
  CHECK(csv.rfind("request_id,device,group,site,t_arrival_s,", 0) == 0);
}

TEST_CASE("every CSV's header and rows come from one column list: same field count, fmt's bytes", "[output]") {
  std::mt19937_64 rng(7);
  const auto number = [&rng] { return awkward_double(rng); };
  const auto fields = [](const std::string& line) { return std::count(line.begin(), line.end(), ',') + 1; };
  const auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    for (size_t start = 0; start < text.size();) {
      const size_t end = text.find('\n', start);
      out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  };

  eccsim::DeviceTotals d{3, 10, 4, 1, 7, number(), number(), number(), number(), number(), number()};
  d.radio_tail_energy_J = number();
  const eccsim::Fleet fleet = single_fleet(4);
  const auto device_lines = lines(eccsim::devices_csv({d}, fleet));
  REQUIRE(device_lines.size() == 2);
  CHECK(fields(device_lines[0]) == fields(device_lines[1]));
  CHECK(device_lines[1] == fmt::format("{},fleet,site,{},{},{},{:.6f},{:.9f},{:.9f},{:.12f},{:.12f},{:.12f},{:.12f},{:.12f},,,,",
                                    d.device, d.requests, d.offloaded, d.fallbacks, 0.7, d.busy_s, d.offline_s,
                                    d.inference_energy_J, d.radio_energy_J, d.radio_tail_energy_J, d.idle_energy_J,
                                    d.host_energy_J));
  d.wifi_level = 2;
  d.wifi_radio_energy_J = 1.5;
  d.battery_left_J = 0.25;
  d.death_s = 3;
  CHECK(lines(eccsim::devices_csv({d}, fleet))[1].substr(device_lines[1].size() - 4) ==
        ",2,1.500000000000,0.250000000000,3.000000000");

  eccsim::UpdateRecord u;
  u.device = 2;
  u.t_start_s = number();
  u.t_end_s = number();
  u.mode = eccsim::UpdateMode::OnDevice;
  u.method = eccsim::UpdateMethod::ReplayAligned;
  u.train_ops = number();
  u.train_energy_J = number();
  u.radio_energy_J = number();
  u.idle_energy_J = number();
  u.energy_J = number();
  u.bytes_up = number();
  u.train_memory_energy_J = number();
  u.task = 1;
  u.classes_added = 2;
  u.classes = {7, 4};   // space-separated, as given
  const auto update_lines = lines(eccsim::updates_csv({u}));
  REQUIRE(update_lines.size() == 2);
  CHECK(fields(update_lines[0]) == fields(update_lines[1]));
  CHECK(update_lines[0].find(",task,samples,classes_added,classes,train_ops,") != std::string::npos);
  CHECK(update_lines[1] == unsigned_zeros(fmt::format("{},{:.9f},{:.9f},on_device,replay_wa,installed,,1,0,2,7 4,{:.0f},{:.9f},{:.12f},"
                                       "{:.12f},{:.12f},{:.12f},{:.12f},{:.0f},{:.0f},0",
                                       u.device, u.t_start_s, u.t_end_s, u.train_ops, u.duration_s, u.train_energy_J,
                                       u.radio_energy_J, u.idle_energy_J, u.energy_J, u.train_memory_energy_J, u.bytes_up, u.bytes_down)));

  eccsim::Summary s;
  s.requests = 12;
  s.accuracy = number();
  s.latency_p95_s = number();
  s.energy_per_request_J = number();
  const auto summary_lines = lines(eccsim::summary_csv({"scenario", "platform.devices"}, {"demo", "4"}, s));
  REQUIRE(summary_lines.size() == 2);
  CHECK(fields(summary_lines[0]) == fields(summary_lines[1]));
  CHECK(summary_lines[0].rfind("scenario,platform.devices,requests,answered,availability,accuracy,", 0) == 0);
  CHECK(summary_lines[1].rfind(fmt::format("demo,4,12,0,,{:.6f},", *s.accuracy), 0) == 0);   // no availability: empty
  CHECK(summary_lines[0].substr(summary_lines[0].find("requests")) ==
        [] {
          std::string names;
          for (const std::string& name : eccsim::summary_metric_columns()) names += (names.empty() ? "" : ",") + name;
          return names;
        }());

  // tasks.csv: one accuracy column per task, empty where a phase had no request of that task.
  std::vector<RequestRecord> requests(3);
  requests[0].phase = 0, requests[0].task = 0, requests[0].label = 1, requests[0].edge_only_pred = 1;
  requests[1].phase = 1, requests[1].task = 1, requests[1].label = 2, requests[1].edge_only_pred = 2;
  requests[2].phase = 1, requests[2].task = 0, requests[2].label = 1, requests[2].edge_only_pred = 0;
  const auto task_lines = lines(eccsim::tasks_csv(requests, 3));
  REQUIRE(task_lines.size() == 3);
  CHECK(task_lines[0] == "phase,requests,accuracy,edge_only_accuracy,cloud_only_accuracy,cur,online_edge_accuracy_task_0,"
                         "online_edge_accuracy_task_1,online_edge_accuracy_task_2");
  CHECK(task_lines[1] == "0,1,0.000000,1.000000,0.000000,0.000000,1.000000,,");
  CHECK(task_lines[2] == "1,2,0.000000,0.500000,0.000000,0.000000,0.000000,1.000000,");
}

TEST_CASE("the continual-learning metrics of an accuracy matrix, by hand", "[report]") {
  using eccsim::AccuracyRow;
  // Three devices start with a model that knows task 0 (90 %). Device 0 learns task 1 at 15 s (task 0
  // drops to 70 %, task 1 60 %), then task 2 at 25 s (task 0 50 %, task 1 80 %, task 2 40 %); device 1
  // learns task 1 at 35 s, after the run's last point; device 2 never updates. Phases end at 10, 20, 30 s.
  const std::vector<AccuracyRow> rows{
      {-1, 0, 0, 1, {0.9, 0, 0}},
      {0, 1, 15, 2, {0.7, 0.6, 0}},
      {0, 2, 25, 3, {0.5, 0.8, 0.4}},
      {1, 1, 35, 2, {0.8, 0.5, 0}},
  };
  const std::vector<eccsim::EvaluationPoint> points{{10, 1}, {20, 2}, {30, 3}};
  const eccsim::ContinualMetrics metrics = eccsim::continual_metrics(rows, 3, points);
  // Device 0: A = 0.9 (task 0), (0.7 + 0.6) / 2, (0.5 + 0.8 + 0.4) / 3; the others: 0.9, 0.45, 0.3.
  const double d0_final = (0.5 + 0.8 + 0.4) / 3;
  REQUIRE(metrics.final_average_accuracy);
  CHECK(*metrics.final_average_accuracy == Approx((d0_final + 2 * 0.3) / 3));
  CHECK(*metrics.average_incremental_accuracy == Approx(((0.9 + 0.65 + d0_final) / 3 + 2 * (0.9 + 0.45 + 0.3) / 3) / 3));
  // Forgetting over tasks 0 and 1. Device 0: (0.9 - 0.5) and (0.6 - 0.8); the others: (0.9 - 0.9), (0 - 0).
  REQUIRE(metrics.forgetting);
  CHECK(*metrics.forgetting == Approx(((0.4 - 0.2) / 2) / 3));
  // A single point has no forgetting; without an evaluation set there is no metric at all.
  CHECK_FALSE(eccsim::continual_metrics(rows, 3, {{30, 3}}).forgetting);
  CHECK_FALSE(eccsim::continual_metrics({}, 3, points).final_average_accuracy);
}

TEST_CASE("a mean, share or percentile over no request is an empty cell, not 0", "[output]") {
  const auto cells = [](const std::string& text) {
    const std::string header = text.substr(0, text.find('\n'));
    const std::string row = text.substr(header.size() + 1, text.find('\n', header.size() + 1) - header.size() - 1);
    std::map<std::string, std::string> by_name;
    const std::vector<std::string> names = eccsim::split_csv_record(header), values = eccsim::split_csv_record(row);
    REQUIRE(names.size() == values.size());
    for (size_t i = 0; i < names.size(); ++i) by_name[names[i]] = values[i];
    return by_name;
  };
  const std::vector<std::string> over_requests{
      "availability", "accuracy", "accuracy_answered", "edge_only_accuracy", "cloud_only_accuracy", "cur", "acci",
      "latency_mean_s", "latency_p50_s", "latency_p95_s", "latency_p99_s", "offloaded_latency_p50_s",
      "offloaded_latency_p95_s", "energy_per_request_J", "edge_energy_per_request_J", "radio_energy_per_request_J",
      "cloud_energy_per_request_J", "idle_energy_per_request_J", "energy_per_answered_request_J",
      "energy_per_answered_request_with_updates_J", "network_energy_per_request_J",
      "total_energy_per_answered_request_J"};

  SECTION("no request at all: summary.csv") {
    const auto row = cells(eccsim::summary_csv({"scenario"}, {"empty"}, eccsim::summarise({}, {}, {{}, {}}, 10, {2, 3})));
    CHECK(row.at("requests") == "0");
    for (const std::string& name : over_requests) {
      INFO(name);
      CHECK(row.at(name).empty());
    }
    CHECK(row.at("network_energy_J") == "2.000000000000");   // totals stay numbers
    CHECK(row.at("total_energy_J") == "5.000000000000");
  }
  SECTION("every request dropped: accuracy 0, no latency; none offloaded: no offloaded latency") {
    std::vector<RequestRecord> records(2);
    for (RequestRecord& r : records) r.outcome = Outcome::Dropped, r.label = 1, r.edge_only_pred = 1, r.cloud_only_pred = 1;
    const auto row = cells(eccsim::summary_csv({"scenario"}, {"dropped"}, eccsim::summarise(records)));
    CHECK(row.at("accuracy") == "0.000000");
    CHECK(row.at("availability") == "0.000000");
    CHECK(row.at("energy_per_request_J") == "0.000000000000");
    for (const char* name : {"accuracy_answered", "latency_mean_s", "latency_p95_s", "offloaded_latency_p50_s",
                             "energy_per_answered_request_J", "acci"}) {   // acci: equal baselines, undefined
      INFO(name);
      CHECK(row.at(name).empty());
    }
  }
  SECTION("a device and a group without requests: devices.csv and groups.csv") {
    eccsim::Scenario scenario;
    scenario.platform.devices = 2;
    const eccsim::Fleet fleet = eccsim::fleet_of(scenario);
    std::vector<RequestRecord> records(1);   // device 0 only
    records[0].label = 1, records[0].final_pred = 1, records[0].latency_s = 0.5;
    const std::vector<eccsim::DeviceMeasures> measures(2);
    const std::string devices = eccsim::devices_csv(eccsim::device_totals(records, measures), fleet);
    CHECK(devices.find("\n0,fleet,site,1,0,0,1.000000,") != std::string::npos);
    CHECK(devices.find("\n1,fleet,site,0,0,0,,") != std::string::npos);
    const auto group = cells(eccsim::groups_csv(eccsim::group_totals({}, {}, measures, fleet)));
    CHECK(group.at("requests") == "0");
    for (const char* name : {"accuracy", "cur", "latency_p95_s", "energy_per_request_J"}) {
      INFO(name);
      CHECK(group.at(name).empty());
    }
  }
}

TEST_CASE("thresholds.csv: a budget window without inputs has an empty share", "[output]") {
  const auto budget = eccsim::ThresholdSource::Budget;
  const std::string text = eccsim::thresholds_csv({{0, 1, budget, 0.5, 0, 0, 0}, {0, 2, budget, 0.5, 0, 4, 0.25}});
  CHECK(text.find("\n0,1.000000000,budget,0.500000000,0.000000,0,\n") != std::string::npos);
  CHECK(text.find("\n0,2.000000000,budget,0.500000000,0.000000,4,0.250000\n") != std::string::npos);
}

TEST_CASE("links.csv prints a bandwidth exactly, below 1 B/s too", "[output]") {
  eccsim::LinkRecord slow{"access-0-up", eccsim::LinkClass::Access, 0.125, 0, 0, 0};      // 1 bps
  eccsim::LinkRecord fast{"backhaul-up", eccsim::LinkClass::Backhaul, 12500000, 0, 0, 0};  // 100 Mbps, as before
  eccsim::LinkRecord odd{"wifi-0", eccsim::LinkClass::Wifi, 0.1, 0, 0, 0};
  const std::string text = eccsim::links_csv({slow, fast, odd});
  CHECK(text.find("\naccess-0-up,access,0.125,") != std::string::npos);
  CHECK(text.find("\nbackhaul-up,backhaul,12500000,") != std::string::npos);
  CHECK(text.find("\nwifi-0,wifi,0.1,") != std::string::npos);
  std::string exact;
  eccsim::append_exact(exact, 4.9e-324);
  CHECK(std::strtod(exact.c_str(), nullptr) == 4.9e-324);   // a subnormal: std::stod would throw
}
