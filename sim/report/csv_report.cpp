// CSV formatting of run results. Each file has one column list: a column's name and the function
// writing its field, so the header and the rows cannot drift apart. Numbers go through
// std::to_chars (core/csv.hpp): requests.csv has a row per request, a million at fleet scale.
#include "sim/report/csv_report.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string_view>

#include "core/csv.hpp"

namespace eccsim {

namespace {

template <class Row>
struct Column {
  std::string name;
  std::function<void(std::string& out, const Row& row)> write;
};

template <class Row>
using Columns = std::vector<Column<Row>>;

// The column writers for plain members of Row: integers (and flags as 0/1), fixed-point numbers,
// choice names and text.
template <class Row>
struct Field {
  template <auto Member>
  static void integer(std::string& out, const Row& row) {
    append_integer(out, static_cast<int64_t>(row.*Member));
  }
  template <auto Member, int Precision>
  static void fixed(std::string& out, const Row& row) {
    append_fixed(out, row.*Member, Precision);
  }
  // An optional number: empty when it has none (a mean or share over no request).
  template <auto Member, int Precision>
  static void maybe(std::string& out, const Row& row) {
    if (row.*Member) append_fixed(out, *(row.*Member), Precision);
  }
  template <auto Member>
  static void choice(std::string& out, const Row& row) {
    out += name_of(row.*Member);
  }
  template <auto Member>
  static void text(std::string& out, const Row& row) {
    out += row.*Member;
  }
  // A list of integers, space-separated.
  template <auto Member>
  static void integers(std::string& out, const Row& row) {
    bool first = true;
    for (const auto value : row.*Member) {
      if (!first) out += ' ';
      append_integer(out, static_cast<int64_t>(value));
      first = false;
    }
  }
};

template <class Row>
std::string header_of(const std::vector<std::string>& leading, const Columns<Row>& columns) {
  std::string out;
  for (const std::string& name : leading) out += name + ',';
  for (size_t i = 0; i < columns.size(); ++i) out += (i > 0 ? "," : "") + columns[i].name;
  return out + '\n';
}

template <class Row>
void append_row(std::string& out, const Columns<Row>& columns, const Row& row) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ',';
    columns[i].write(out, row);
  }
  out += '\n';
}

// The whole file in one string, reserved once from the first rows' length (+ 10 %), so that a large
// file (1,000,000 requests: ~270 MB) is never copied into a buffer twice its size.
template <class Row>
std::string table(const Columns<Row>& columns, const std::vector<Row>& rows) {
  std::string out = header_of({}, columns);
  const size_t sampled = std::min<size_t>(rows.size(), 1000);
  for (size_t i = 0; i < sampled; ++i) append_row(out, columns, rows[i]);
  if (sampled > 0 && sampled < rows.size()) {
    const double per_row = static_cast<double>(out.size()) / static_cast<double>(sampled);
    out.reserve(out.size() + static_cast<size_t>(1.1 * per_row * static_cast<double>(rows.size() - sampled)));
  }
  for (size_t i = sampled; i < rows.size(); ++i) append_row(out, columns, rows[i]);
  return out;
}

// The group and site columns of a row about one device (`device` its member), names from `fleet`.
template <class Row>
std::vector<Column<Row>> fleet_columns(const Fleet& fleet) {
  return {{"group", [&fleet](std::string& out, const Row& row) { out += fleet.group_of(row.device).name; }},
          {"site", [&fleet](std::string& out, const Row& row) {
             out += fleet.sites[static_cast<size_t>(fleet.site_of(row.device))].name;
           }}};
}

// `columns` with `inserted` after the column named `after`.
template <class Row>
Columns<Row> with_columns(Columns<Row> columns, const std::string& after, const Columns<Row>& inserted) {
  const auto at = std::find_if(columns.begin(), columns.end(), [&](const Column<Row>& c) { return c.name == after; });
  columns.insert(at + 1, inserted.begin(), inserted.end());
  return columns;
}

using R = RequestRecord;
const Columns<R>& request_columns() {
  static const Columns<R> columns{
      {"request_id", Field<R>::integer<&R::request_id>},
      {"device", Field<R>::integer<&R::device>},
      {"t_arrival_s", Field<R>::fixed<&R::t_arrival_s, 9>},
      {"t_done_s", Field<R>::fixed<&R::t_done_s, 9>},
      {"sample", Field<R>::integer<&R::sample>},
      {"label", Field<R>::integer<&R::label>},
      {"task", Field<R>::integer<&R::task>},
      {"phase", Field<R>::integer<&R::phase>},
      {"edge_pred", Field<R>::integer<&R::edge_pred>},
      {"score", Field<R>::fixed<&R::score, 6>},
      {"offloaded", Field<R>::integer<&R::offloaded>},
      {"explored", Field<R>::integer<&R::explored>},
      {"cloud_pred", Field<R>::integer<&R::cloud_pred>},
      {"final_pred", Field<R>::integer<&R::final_pred>},
      {"correct", [](std::string& out, const R& r) { append_integer(out, r.correct()); }},
      {"outcome", Field<R>::choice<&R::outcome>},
      {"reason", Field<R>::choice<&R::reason>},
      {"latency_s", Field<R>::fixed<&R::latency_s, 9>},
      {"edge_queue_s", Field<R>::fixed<&R::edge_queue_s, 9>},
      {"edge_compute_s", Field<R>::fixed<&R::edge_compute_s, 9>},
      {"edge_wait_s", Field<R>::fixed<&R::edge_wait_s, 9>},
      {"uplink_s", Field<R>::fixed<&R::uplink_s, 9>},
      {"cloud_queue_s", Field<R>::fixed<&R::cloud_queue_s, 9>},
      {"cloud_compute_s", Field<R>::fixed<&R::cloud_compute_s, 9>},
      {"downlink_s", Field<R>::fixed<&R::downlink_s, 9>},
      {"fallback_wait_s", Field<R>::fixed<&R::fallback_wait_s, 9>},
      {"drop_wait_s", Field<R>::fixed<&R::drop_wait_s, 9>},
      {"edge_energy_J", Field<R>::fixed<&R::edge_energy_J, 12>},
      {"radio_energy_J", Field<R>::fixed<&R::radio_energy_J, 12>},
      {"cloud_energy_J", Field<R>::fixed<&R::cloud_energy_J, 12>},
      {"idle_energy_J", Field<R>::fixed<&R::idle_energy_J, 12>},
      {"edge_memory_energy_J", Field<R>::fixed<&R::edge_memory_energy_J, 12>},
  };
  return columns;
}

using D = DeviceTotals;
const Columns<D>& device_columns() {
  static const Columns<D> columns{
      {"device", Field<D>::integer<&D::device>},
      {"requests", Field<D>::integer<&D::requests>},
      {"offloaded", Field<D>::integer<&D::offloaded>},
      {"fallbacks", Field<D>::integer<&D::fallbacks>},
      {"accuracy",
       [](std::string& out, const D& d) {
         if (d.requests > 0) append_fixed(out, static_cast<double>(d.correct) / d.requests, 6);
       }},
      {"busy_s", Field<D>::fixed<&D::busy_s, 9>},
      {"offline_s", Field<D>::fixed<&D::offline_s, 9>},
      {"inference_energy_J", Field<D>::fixed<&D::inference_energy_J, 12>},
      {"radio_energy_J", Field<D>::fixed<&D::radio_energy_J, 12>},
      {"radio_tail_energy_J", Field<D>::fixed<&D::radio_tail_energy_J, 12>},
      {"idle_energy_J", Field<D>::fixed<&D::idle_energy_J, 12>},
      {"host_energy_J", Field<D>::fixed<&D::host_energy_J, 12>},
      {"wifi_level",
       [](std::string& out, const D& d) {
         if (d.wifi_level >= 0) out += std::to_string(d.wifi_level);
       }},
      {"wifi_radio_energy_J",
       [](std::string& out, const D& d) {
         if (d.wifi_level >= 0) append_fixed(out, d.wifi_radio_energy_J, 12);
       }},
      {"battery_left_J",
       [](std::string& out, const D& d) {
         if (d.battery_left_J >= 0) append_fixed(out, d.battery_left_J, 12);
       }},
      {"death_s",
       [](std::string& out, const D& d) {
         if (d.death_s >= 0) append_fixed(out, d.death_s, 9);
       }},
  };
  return columns;
}

using L = LinkRecord;
const Columns<L>& link_columns() {
  static const Columns<L> columns{
      {"link", [](std::string& out, const L& l) { out += l.link; }},
      {"class", Field<L>::choice<&L::link_class>},
      {"bandwidth_Bps", [](std::string& out, const L& l) { append_exact(out, l.bandwidth_Bps); }},
      {"bytes", Field<L>::fixed<&L::bytes, 0>},
      {"busy_s", Field<L>::fixed<&L::busy_s, 9>},
      {"energy_J", Field<L>::fixed<&L::energy_J, 12>},
  };
  return columns;
}

using U = UpdateRecord;
const Columns<U>& update_columns() {
  static const Columns<U> columns{
      {"device", Field<U>::integer<&U::device>},
      {"t_start_s", Field<U>::fixed<&U::t_start_s, 9>},
      {"t_end_s", Field<U>::fixed<&U::t_end_s, 9>},
      {"mode", Field<U>::choice<&U::mode>},
      {"method", Field<U>::choice<&U::method>},
      {"status", Field<U>::choice<&U::status>},
      {"reason", Field<U>::choice<&U::reason>},
      {"task", Field<U>::integer<&U::task>},
      {"samples", Field<U>::integer<&U::samples>},
      {"classes_added", Field<U>::integer<&U::classes_added>},
      {"classes", Field<U>::integers<&U::classes>},
      {"train_ops", Field<U>::fixed<&U::train_ops, 0>},
      {"duration_s", Field<U>::fixed<&U::duration_s, 9>},
      {"train_energy_J", Field<U>::fixed<&U::train_energy_J, 12>},
      {"radio_energy_J", Field<U>::fixed<&U::radio_energy_J, 12>},
      {"idle_energy_J", Field<U>::fixed<&U::idle_energy_J, 12>},
      {"energy_J", Field<U>::fixed<&U::energy_J, 12>},
      {"train_memory_energy_J", Field<U>::fixed<&U::train_memory_energy_J, 12>},
      {"bytes_up", Field<U>::fixed<&U::bytes_up, 0>},
      {"bytes_down", Field<U>::fixed<&U::bytes_down, 0>},
      {"model_version", Field<U>::integer<&U::model_version>},
  };
  return columns;
}

using TS = TrainedSampleRecord;
const Columns<TS>& trained_sample_columns() {
  static const Columns<TS> columns{
      {"device", Field<TS>::integer<&TS::device>},
      {"task", Field<TS>::integer<&TS::task>},
      {"classes", Field<TS>::integers<&TS::classes>},
      {"model_version", Field<TS>::integer<&TS::model_version>},
      {"t_trained_s", Field<TS>::fixed<&TS::t_trained_s, 9>},
      {"scope", [](std::string& out, const TS& t) { out += t.fleet ? "fleet" : "device"; }},
      {"split", Field<TS>::text<&TS::split>},
      {"sample", Field<TS>::integer<&TS::sample>},
  };
  return columns;
}

using T = ThresholdRecord;
const Columns<T>& threshold_columns() {
  static const Columns<T> columns{
      {"device", Field<T>::integer<&T::device>},
      {"t_s", Field<T>::fixed<&T::t_s, 9>},
      {"source", Field<T>::choice<&T::source>},
      {"threshold", Field<T>::fixed<&T::threshold, 9>},
      {"tie_share", Field<T>::fixed<&T::tie_share, 6>},
      {"requests", Field<T>::integer<&T::requests>},
      {"cur",   // a budget window without inputs has no share: empty
       [](std::string& out, const T& t) {
         if (t.requests > 0) append_fixed(out, t.cur, 6);
       }},
  };
  return columns;
}

using O = OutageRecord;
const Columns<O>& outage_columns() {
  static const Columns<O> columns{
      {"fault", Field<O>::integer<&O::fault>},
      {"target", Field<O>::text<&O::target>},
      {"t_down_s", Field<O>::fixed<&O::t_down_s, 9>},
      {"t_up_s", Field<O>::fixed<&O::t_up_s, 9>},
      {"duration_s", [](std::string& out, const O& o) { append_fixed(out, o.t_up_s - o.t_down_s, 9); }},
  };
  return columns;
}

void optional_fixed(std::string& out, const std::optional<double>& value, int precision = 6) {
  if (value) append_fixed(out, *value, precision);
}

using S = Summary;
const Columns<S>& summary_columns() {
  static const Columns<S> columns{
      {"requests", Field<S>::integer<&S::requests>},
      {"answered", Field<S>::integer<&S::answered>},
      {"availability", Field<S>::maybe<&S::availability, 6>},
      {"accuracy", Field<S>::maybe<&S::accuracy, 6>},
      {"accuracy_answered", Field<S>::maybe<&S::accuracy_answered, 6>},
      {"edge_only_accuracy", Field<S>::maybe<&S::edge_only_accuracy, 6>},
      {"cloud_only_accuracy", Field<S>::maybe<&S::cloud_only_accuracy, 6>},
      {"cur", Field<S>::maybe<&S::cur, 6>},
      {"acci", Field<S>::maybe<&S::acci, 6>},
      {"threshold", [](std::string& out, const S& s) { optional_fixed(out, s.threshold, 9); }},
      {"latency_mean_s", Field<S>::maybe<&S::latency_mean_s, 9>},
      {"latency_p50_s", Field<S>::maybe<&S::latency_p50_s, 9>},
      {"latency_p95_s", Field<S>::maybe<&S::latency_p95_s, 9>},
      {"latency_p99_s", Field<S>::maybe<&S::latency_p99_s, 9>},
      {"offloaded_latency_p50_s", Field<S>::maybe<&S::offloaded_latency_p50_s, 9>},
      {"offloaded_latency_p95_s", Field<S>::maybe<&S::offloaded_latency_p95_s, 9>},
      {"energy_per_request_J", Field<S>::maybe<&S::energy_per_request_J, 12>},
      {"edge_energy_per_request_J", Field<S>::maybe<&S::edge_energy_per_request_J, 12>},
      {"radio_energy_per_request_J", Field<S>::maybe<&S::radio_energy_per_request_J, 12>},
      {"cloud_energy_per_request_J", Field<S>::maybe<&S::cloud_energy_per_request_J, 12>},
      {"idle_energy_per_request_J", Field<S>::maybe<&S::idle_energy_per_request_J, 12>},
      {"energy_per_answered_request_J", Field<S>::maybe<&S::energy_per_answered_request_J, 12>},
      {"energy_per_answered_request_with_updates_J",
       Field<S>::maybe<&S::energy_per_answered_request_with_updates_J, 12>},
      {"wasted_energy_J", Field<S>::fixed<&S::wasted_energy_J, 12>},
      {"memory_energy_J", Field<S>::fixed<&S::memory_energy_J, 12>},
      {"fallbacks", Field<S>::integer<&S::fallbacks>},
      {"dropped", Field<S>::integer<&S::dropped>},
      {"held_back", Field<S>::integer<&S::held_back>},
      {"offline_s", Field<S>::fixed<&S::offline_s, 9>},
      {"updates", Field<S>::integer<&S::updates>},
      {"update_bytes", Field<S>::fixed<&S::update_bytes, 0>},
      {"update_energy_J", Field<S>::fixed<&S::update_energy_J, 12>},
      {"radio_tail_energy_J", Field<S>::fixed<&S::radio_tail_energy_J, 12>},
      {"network_energy_J", Field<S>::fixed<&S::network_energy_J, 12>},
      {"network_energy_per_request_J", Field<S>::maybe<&S::network_energy_per_request_J, 12>},
      {"device_idle_energy_J", Field<S>::fixed<&S::device_idle_energy_J, 12>},
      {"cloud_idle_energy_J", Field<S>::fixed<&S::cloud_idle_energy_J, 12>},
      {"total_energy_J", Field<S>::fixed<&S::total_energy_J, 12>},
      {"total_energy_per_answered_request_J", Field<S>::maybe<&S::total_energy_per_answered_request_J, 12>},
      {"deaths", Field<S>::integer<&S::deaths>},
      {"first_death_s", [](std::string& out, const S& s) { optional_fixed(out, s.first_death_s, 9); }},
      {"median_death_s", [](std::string& out, const S& s) { optional_fixed(out, s.median_death_s, 9); }},
      {"final_average_accuracy",
       [](std::string& out, const S& s) { optional_fixed(out, s.evaluation.final_average_accuracy); }},
      {"average_incremental_accuracy",
       [](std::string& out, const S& s) { optional_fixed(out, s.evaluation.average_incremental_accuracy); }},
      {"forgetting", [](std::string& out, const S& s) { optional_fixed(out, s.evaluation.forgetting); }},
      {"simulated_s", Field<S>::fixed<&S::simulated_s, 9>},
  };
  return columns;
}

// One row of tasks.csv: a phase's totals and the edge's online accuracy per task on that phase's
// requests (none where the phase had no request of that task), whichever model versions served them.
struct PhaseRow {
  int phase = 0;
  PhaseTotals totals;
  std::vector<std::optional<double>> task_accuracy;
};


Columns<PhaseRow> phase_columns(int tasks) {
  const auto share = [](int64_t PhaseTotals::*count) {
    return [count](std::string& out, const PhaseRow& row) {
      if (row.totals.requests > 0) append_fixed(out, static_cast<double>(row.totals.*count) / row.totals.requests, 6);
    };
  };
  Columns<PhaseRow> columns{
      {"phase", Field<PhaseRow>::integer<&PhaseRow::phase>},
      {"requests", [](std::string& out, const PhaseRow& row) { append_integer(out, row.totals.requests); }},
      {"accuracy", share(&PhaseTotals::correct)},
      {"edge_only_accuracy", share(&PhaseTotals::edge_correct)},
      {"cloud_only_accuracy", share(&PhaseTotals::cloud_correct)},
      {"cur", share(&PhaseTotals::offloaded)},
  };
  for (int k = 0; k < tasks; ++k) {
    columns.push_back({"online_edge_accuracy_task_" + std::to_string(k),
                       [k](std::string& out, const PhaseRow& row) { optional_fixed(out, row.task_accuracy[k]); }});
  }
  return columns;
}

std::vector<PhaseRow> phase_rows(const std::vector<RequestRecord>& requests, int tasks) {
  std::vector<PhaseRow> rows;
  for (PhaseTotals& totals : phase_totals(requests, tasks)) {
    PhaseRow row;
    row.phase = static_cast<int>(rows.size());
    for (int k = 0; k < tasks; ++k) {
      if (totals.task_requests[k] == 0) row.task_accuracy.emplace_back();
      else row.task_accuracy.emplace_back(static_cast<double>(totals.task_edge_correct[k]) / totals.task_requests[k]);
    }
    row.totals = std::move(totals);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::string requests_csv(const std::vector<RequestRecord>& requests, const Fleet& fleet) {
  return table(with_columns(request_columns(), "device", fleet_columns<R>(fleet)), requests);
}

std::string devices_csv(const std::vector<DeviceTotals>& devices, const Fleet& fleet) {
  return table(with_columns(device_columns(), "device", fleet_columns<D>(fleet)), devices);
}

std::string groups_csv(const std::vector<GroupTotals>& groups) {
  using G = GroupTotals;
  Columns<G> columns{
      {"group", Field<G>::text<&G::group>},
      {"site", Field<G>::text<&G::site>},
      {"devices", Field<G>::integer<&G::devices>},
  };
  // The summary's per-request metrics, written the same way.
  for (const Column<Summary>& metric : summary_columns()) {
    static const std::set<std::string> run_wide{"threshold", "offline_s", "network_energy_J",
                                                "network_energy_per_request_J", "cloud_idle_energy_J",
                                                "total_energy_per_answered_request_J",
                                                "final_average_accuracy", "average_incremental_accuracy",
                                                "forgetting", "simulated_s"};
    if (run_wide.count(metric.name) != 0) continue;
    columns.push_back({metric.name, [write = metric.write](std::string& out, const G& g) { write(out, g.summary); }});
  }
  return table(columns, groups);
}

std::string updates_csv(const std::vector<UpdateRecord>& updates) { return table(update_columns(), updates); }

std::string accuracy_matrix_csv(const std::vector<AccuracyRow>& rows, int tasks) {
  using A = AccuracyRow;
  Columns<A> columns{
      {"device", Field<A>::integer<&A::device>},
      {"model_version", Field<A>::integer<&A::model_version>},
      {"t_installed_s", Field<A>::fixed<&A::t_installed_s, 9>},
      {"tasks_learned", Field<A>::integer<&A::tasks_learned>},
  };
  for (int k = 0; k < tasks; ++k)
    columns.push_back({"accuracy_task_" + std::to_string(k),
                       [k](std::string& out, const A& row) { append_fixed(out, row.task_accuracy[static_cast<size_t>(k)], 6); }});
  return table(columns, rows);
}

std::string held_out_csv(const std::vector<HeldOutSample>& samples) {
  using H = HeldOutSample;
  static const Columns<H> columns{
      {"sample", Field<H>::integer<&H::sample>},
      {"label", Field<H>::integer<&H::label>},
      {"set", Field<H>::text<&H::set>},
  };
  return table(columns, samples);
}

std::string trained_samples_csv(const std::vector<TrainedSampleRecord>& samples) {
  return table(trained_sample_columns(), samples);
}

std::string links_csv(const std::vector<LinkRecord>& links) { return table(link_columns(), links); }

std::string thresholds_csv(const std::vector<ThresholdRecord>& thresholds) {
  return table(threshold_columns(), thresholds);
}

std::string faults_csv(const std::vector<OutageRecord>& outages) { return table(outage_columns(), outages); }

std::string tasks_csv(const std::vector<RequestRecord>& requests, int tasks) {
  return table(phase_columns(tasks), phase_rows(requests, tasks));
}

std::vector<std::string> summary_metric_columns() {
  std::vector<std::string> names;
  for (const Column<Summary>& column : summary_columns()) names.push_back(column.name);
  return names;
}

std::string summary_csv(const std::vector<std::string>& leading_names, const std::vector<std::string>& leading_values,
                        const Summary& summary) {
  std::string out = header_of(leading_names, summary_columns());
  for (const std::string& value : leading_values) out += value + ',';
  append_row(out, summary_columns(), summary);
  return out;
}

}  // namespace eccsim
