// Aggregates over request records: accuracy of the collaboration and of both baselines on
// the same inputs, CUR, AccI, latency percentiles and mean energy per request.
#include "sim/report/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace eccsim {

namespace {

// percentile() over values sorted ascending.
double sorted_percentile(const std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  const double position = q * static_cast<double>(values.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  const size_t upper = std::min(lower + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(lower);
  return values[lower] + (values[upper] - values[lower]) * fraction;
}

// Battery deaths of devices [first, last): how many, the first and the median (over battery-powered
// devices, the living counting as never dying).
void summarise_deaths(const DeviceMeasures* first, const DeviceMeasures* last, Summary& s) {
  std::vector<double> deaths;
  int64_t batteries = 0;
  for (const DeviceMeasures* d = first; d != last; ++d) {
    batteries += d->battery_left_J >= 0;
    if (d->death_s >= 0) deaths.push_back(d->death_s);
  }
  s.deaths = static_cast<int64_t>(deaths.size());
  if (deaths.empty()) return;
  std::sort(deaths.begin(), deaths.end());
  s.first_death_s = deaths.front();
  const double position = 0.5 * static_cast<double>(batteries - 1);  // of the median among all batteries
  const auto lower = static_cast<size_t>(std::floor(position));
  const auto upper = static_cast<size_t>(std::ceil(position));
  if (upper < deaths.size())
    s.median_death_s = deaths[lower] + (deaths[upper] - deaths[lower]) * (position - static_cast<double>(lower));
}

// The energy of devices [first, last) and of their updates into `s`: idle power and updates; the
// requests' energy is already there. total_energy_J is completed by the caller for the fleet.
void summarise_device_energy(int first, int last, const std::vector<UpdateRecord>& updates,
                             const std::vector<DeviceMeasures>& devices, Summary& s) {
  for (int d = first; d < last && d < static_cast<int>(devices.size()); ++d) {
    s.device_idle_energy_J += devices[d].idle_energy_J;
    s.radio_tail_energy_J += devices[d].radio_tail_energy_J;
  }
  for (const UpdateRecord& u : updates) {
    if (u.device < first || u.device >= last) continue;
    s.updates += u.status == UpdateStatus::Installed;
    s.update_bytes += u.bytes_up + u.bytes_down;
    s.update_energy_J += u.energy_J;
    s.memory_energy_J += u.train_memory_energy_J;
  }
  s.total_energy_J = s.request_energy_J + s.update_energy_J + s.radio_tail_energy_J + s.device_idle_energy_J;
  if (s.answered > 0)
    s.energy_per_answered_request_with_updates_J =
        (s.request_energy_J + s.update_energy_J + s.radio_tail_energy_J) / static_cast<double>(s.answered);
}

// The request metrics of requests [first, last) into `s`.
void summarise_requests(const RequestRecord* first, const RequestRecord* last, Summary& s) {
  s.requests = last - first;
  if (first == last) return;
  int64_t correct = 0, edge_correct = 0, cloud_correct = 0, offloaded = 0;
  double edge_J = 0, radio_J = 0, cloud_J = 0, idle_J = 0, latency_sum = 0;
  std::vector<double> latencies, offloaded_latencies;
  latencies.reserve(static_cast<size_t>(s.requests));
  for (const RequestRecord* r = first; r != last; ++r) {
    correct += r->correct();
    edge_correct += r->edge_only_pred == r->label;
    cloud_correct += r->cloud_only_pred == r->label;
    offloaded += r->offloaded;
    s.fallbacks += r->outcome == Outcome::Fallback;
    s.dropped += r->outcome == Outcome::Dropped;
    s.held_back += r->outcome == Outcome::HeldBack;
    edge_J += r->edge_energy_J;
    radio_J += r->radio_energy_J;
    cloud_J += r->cloud_energy_J;
    idle_J += r->idle_energy_J;
    s.memory_energy_J += r->edge_memory_energy_J;
    if (r->offloaded && r->outcome != Outcome::Cloud) s.wasted_energy_J += r->radio_energy_J + r->cloud_energy_J;
    if (r->outcome == Outcome::Dropped || r->outcome == Outcome::HeldBack) continue;  // latency: answered requests
    s.answered += 1;
    latency_sum += r->latency_s;
    latencies.push_back(r->latency_s);
    if (r->offloaded) offloaded_latencies.push_back(r->latency_s);
  }
  const double n = static_cast<double>(s.requests);
  s.accuracy = correct / n;
  s.availability = static_cast<double>(s.answered) / n;
  if (s.answered > 0) s.accuracy_answered = static_cast<double>(correct) / static_cast<double>(s.answered);
  s.edge_only_accuracy = edge_correct / n;
  s.cloud_only_accuracy = cloud_correct / n;
  s.cur = offloaded / n;
  const double gap = *s.cloud_only_accuracy - *s.edge_only_accuracy;
  if (gap != 0) s.acci = (*s.accuracy - *s.edge_only_accuracy) / gap;
  // Latency over the answered requests (none answered: no latency), sorted once for the percentiles.
  if (!latencies.empty()) {
    s.latency_mean_s = latency_sum / static_cast<double>(latencies.size());
    std::sort(latencies.begin(), latencies.end());
    s.latency_p50_s = sorted_percentile(latencies, 0.50);
    s.latency_p95_s = sorted_percentile(latencies, 0.95);
    s.latency_p99_s = sorted_percentile(latencies, 0.99);
  }
  if (!offloaded_latencies.empty()) {
    std::sort(offloaded_latencies.begin(), offloaded_latencies.end());
    s.offloaded_latency_p50_s = sorted_percentile(offloaded_latencies, 0.50);
    s.offloaded_latency_p95_s = sorted_percentile(offloaded_latencies, 0.95);
  }
  s.edge_energy_per_request_J = edge_J / n;
  s.radio_energy_per_request_J = radio_J / n;
  s.cloud_energy_per_request_J = cloud_J / n;
  s.idle_energy_per_request_J = idle_J / n;
  s.request_energy_J = edge_J + radio_J + cloud_J + idle_J;
  s.energy_per_request_J = s.request_energy_J / n;
  if (s.answered > 0) s.energy_per_answered_request_J = s.request_energy_J / static_cast<double>(s.answered);
}

}  // namespace

void attribute_held_idle(std::vector<RequestRecord>& requests, std::vector<UpdateRecord>& updates,
                         std::vector<DeviceMeasures>& devices, double& cloud_idle_J) {
  for (RequestRecord& r : requests) {
    r.idle_energy_J = r.held_edge_idle_J + r.held_cloud_idle_J;
    devices[static_cast<size_t>(r.device)].idle_energy_J -= r.held_edge_idle_J;
    cloud_idle_J -= r.held_cloud_idle_J;
  }
  for (UpdateRecord& u : updates) {
    u.idle_energy_J = u.held_device_idle_J + u.held_cloud_idle_J;
    u.energy_J += u.idle_energy_J;
    devices[static_cast<size_t>(u.device)].idle_energy_J -= u.held_device_idle_J;
    cloud_idle_J -= u.held_cloud_idle_J;
  }
}

double percentile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return sorted_percentile(values, q);
}

Summary summarise(const std::vector<RequestRecord>& requests, const std::vector<UpdateRecord>& updates,
                  const std::vector<DeviceMeasures>& devices, double simulated_s, RunEnergy run) {
  Summary s;
  s.simulated_s = simulated_s;
  s.network_energy_J = run.network_J;
  s.cloud_idle_energy_J = run.cloud_idle_J;
  for (const DeviceMeasures& device : devices) s.offline_s += device.offline_s;
  summarise_deaths(devices.data(), devices.data() + devices.size(), s);
  summarise_requests(requests.data(), requests.data() + requests.size(), s);
  int fleet_size = static_cast<int>(devices.size());
  for (const UpdateRecord& u : updates) fleet_size = std::max(fleet_size, u.device + 1);
  summarise_device_energy(0, fleet_size, updates, devices, s);
  s.total_energy_J += run.network_J + run.cloud_idle_J;
  if (s.answered > 0) s.total_energy_per_answered_request_J = s.total_energy_J / static_cast<double>(s.answered);
  if (requests.empty()) return s;
  s.network_energy_per_request_J = run.network_J / static_cast<double>(requests.size());
  return s;
}

std::vector<DeviceTotals> device_totals(const std::vector<RequestRecord>& requests,
                                        const std::vector<DeviceMeasures>& devices) {
  std::vector<DeviceTotals> totals(devices.size());
  for (size_t i = 0; i < devices.size(); ++i) {
    totals[i].device = static_cast<int>(i);
    totals[i].host_energy_J = devices[i].host_energy_J;
    totals[i].idle_energy_J = devices[i].idle_energy_J;
    totals[i].offline_s = devices[i].offline_s;
    totals[i].wifi_level = devices[i].wifi_level;
    totals[i].wifi_radio_energy_J = devices[i].wifi_radio_energy_J;
    totals[i].radio_tail_energy_J = devices[i].radio_tail_energy_J;
    totals[i].battery_left_J = devices[i].battery_left_J;
    totals[i].death_s = devices[i].death_s;
  }
  for (const RequestRecord& record : requests) {
    DeviceTotals& device = totals[record.device];
    device.requests += 1;
    device.offloaded += record.offloaded;
    device.fallbacks += record.outcome == Outcome::Fallback;
    device.correct += record.correct();
    device.busy_s += record.edge_compute_s;
    device.inference_energy_J += record.edge_energy_J;
    device.radio_energy_J += record.radio_energy_J;
  }
  return totals;
}

// Requests are in request_id order, numbered device by device, and a group's devices are
// consecutive: each group's requests are one range.
std::vector<GroupTotals> group_totals(const std::vector<RequestRecord>& requests,
                                      const std::vector<UpdateRecord>& updates,
                                      const std::vector<DeviceMeasures>& devices, const Fleet& fleet) {
  std::vector<GroupTotals> totals;
  const RequestRecord* next = requests.data();
  const RequestRecord* end = requests.data() + requests.size();
  for (size_t g = 0; g < fleet.groups.size(); ++g) {
    GroupTotals group;
    group.group = fleet.groups[g].name;
    group.site = fleet.sites[static_cast<size_t>(fleet.site_of_group[g])].name;
    group.devices = fleet.groups[g].devices;
    const int past_last_device = fleet.first_device[g] + group.devices;
    const RequestRecord* first = next;
    while (next != end && next->device < past_last_device) ++next;
    summarise_requests(first, next, group.summary);
    summarise_device_energy(fleet.first_device[g], past_last_device, updates, devices, group.summary);
    if (!devices.empty()) {
      const DeviceMeasures* group_devices = devices.data() + fleet.first_device[g];
      summarise_deaths(group_devices, group_devices + group.devices, group.summary);
    }
    totals.push_back(std::move(group));
  }
  return totals;
}

std::vector<PhaseTotals> phase_totals(const std::vector<RequestRecord>& requests, int tasks) {
  int phases = 0;
  for (const RequestRecord& r : requests) phases = std::max(phases, r.phase + 1);
  std::vector<PhaseTotals> by_phase(static_cast<size_t>(phases));
  for (PhaseTotals& p : by_phase) {
    p.task_requests.assign(static_cast<size_t>(tasks), 0);
    p.task_edge_correct.assign(static_cast<size_t>(tasks), 0);
  }
  for (const RequestRecord& r : requests) {
    PhaseTotals& p = by_phase[r.phase];
    p.requests += 1;
    p.correct += r.correct();
    p.edge_correct += r.edge_only_pred == r.label;
    p.cloud_correct += r.cloud_only_pred == r.label;
    p.offloaded += r.offloaded;
    p.task_requests[r.task] += 1;
    p.task_edge_correct[r.task] += r.edge_only_pred == r.label;
  }
  return by_phase;
}

namespace {

// One device's A_p, forgetting and final A over the points, given its models in install order.
struct DeviceContinual {
  double final = 0, incremental = 0, forgetting = 0;
};

DeviceContinual device_continual(const std::vector<const AccuracyRow*>& models, const std::vector<EvaluationPoint>& points) {
  std::vector<const AccuracyRow*> serving;   // per point
  size_t next = 0;
  for (const EvaluationPoint& point : points) {
    while (next + 1 < models.size() && models[next + 1]->t_installed_s <= point.t_s) ++next;
    serving.push_back(models[next]);
  }
  DeviceContinual result;
  for (size_t p = 0; p < points.size(); ++p) {
    const int seen = std::min(points[p].tasks_seen, static_cast<int>(serving[p]->task_accuracy.size()));
    double sum = 0;
    for (int k = 0; k < seen; ++k) sum += serving[p]->task_accuracy[static_cast<size_t>(k)];
    const double a = seen > 0 ? sum / seen : 0;
    result.incremental += a / static_cast<double>(points.size());
    result.final = a;
  }
  const size_t last = points.size() - 1;
  int tasks = 0;
  for (int k = 0; k < points[last].tasks_seen - 1 && k < static_cast<int>(serving[last]->task_accuracy.size()); ++k) {
    double best = -1;
    for (size_t p = 0; p < last; ++p)
      if (points[p].tasks_seen > k) best = std::max(best, serving[p]->task_accuracy[static_cast<size_t>(k)]);
    if (best < 0) continue;
    result.forgetting += best - serving[last]->task_accuracy[static_cast<size_t>(k)];
    ++tasks;
  }
  if (tasks > 0) result.forgetting /= tasks;
  return result;
}

}  // namespace

ContinualMetrics continual_metrics(const std::vector<AccuracyRow>& rows, int devices,
                                   const std::vector<EvaluationPoint>& points) {
  ContinualMetrics metrics;
  const AccuracyRow* initial = nullptr;
  std::map<int, std::vector<const AccuracyRow*>> installed;   // per device, in install order
  for (const AccuracyRow& row : rows) {
    if (row.device < 0) initial = &row;
    else installed[row.device].push_back(&row);
  }
  if (initial == nullptr || devices <= 0 || points.empty()) return metrics;
  // Devices that never installed an update all hold the initial model.
  const DeviceContinual untouched = device_continual({initial}, points);
  const auto others = static_cast<double>(devices - static_cast<int>(installed.size()));
  DeviceContinual sum{others * untouched.final, others * untouched.incremental, others * untouched.forgetting};
  for (auto& [device, models] : installed) {
    models.insert(models.begin(), initial);
    const DeviceContinual one = device_continual(models, points);
    sum.final += one.final;
    sum.incremental += one.incremental;
    sum.forgetting += one.forgetting;
  }
  metrics.final_average_accuracy = sum.final / devices;
  metrics.average_incremental_accuracy = sum.incremental / devices;
  if (points.size() > 1) metrics.forgetting = sum.forgetting / devices;
  return metrics;
}

}  // namespace eccsim
