// CSV formatting of run results. requests.csv (a row per request, a million at fleet scale) is
// written with std::to_chars (the same bytes as fmt's "{:.Nf}", at a fraction of its cost); the
// rest uses fmt.
#include "sim/report/csv_report.hpp"

#include "core/csv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>

namespace eccsim {

namespace {

constexpr const char* kSummaryColumns =
    "requests,accuracy,edge_only_accuracy,cloud_only_accuracy,cur,acci,latency_mean_s,latency_p50_s,latency_p95_s,"
    "latency_p99_s,energy_per_request_J,edge_energy_per_request_J,radio_energy_per_request_J,"
    "cloud_energy_per_request_J,fallbacks,dropped,offline_s,updates,update_bytes,update_energy_J,simulated_s";

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    out += value;
    out += ',';
  }
  return out;
}

}  // namespace

std::string requests_csv(const std::vector<RequestRecord>& requests) {
  std::string out =
      "request_id,device,t_arrival_s,t_done_s,sample,label,task,phase,edge_pred,score,offloaded,explored,cloud_pred,"
      "final_pred,correct,outcome,reason,latency_s,edge_queue_s,edge_compute_s,uplink_s,cloud_queue_s,"
      "cloud_compute_s,downlink_s,fallback_wait_s,edge_energy_J,radio_energy_J,cloud_energy_J\n";
  out.reserve(out.size() + requests.size() * 256);
  const auto integer = [&out](int64_t value) {
    append_integer(out, value);
    out += ',';
  };
  const auto fixed = [&out](double value, int precision) {
    append_fixed(out, value, precision);
    out += ',';
  };
  for (const RequestRecord& r : requests) {
    integer(r.request_id);
    integer(r.device);
    fixed(r.t_arrival_s, 9);
    fixed(r.t_done_s, 9);
    integer(r.sample);
    integer(r.label);
    integer(r.task);
    integer(r.phase);
    integer(r.edge_pred);
    fixed(r.score, 6);
    integer(int{r.offloaded});
    integer(int{r.explored});
    integer(r.cloud_pred);
    integer(r.final_pred);
    integer(int{r.correct()});
    out += name_of(r.outcome);
    out += ',';
    out += name_of(r.reason);
    out += ',';
    for (const double seconds : {r.latency_s, r.edge_queue_s, r.edge_compute_s, r.uplink_s, r.cloud_queue_s,
                                 r.cloud_compute_s, r.downlink_s, r.fallback_wait_s})
      fixed(seconds, 9);
    fixed(r.edge_energy_J, 12);
    fixed(r.radio_energy_J, 12);
    append_fixed(out, r.cloud_energy_J, 12);
    out += '\n';
  }
  return out;
}

std::string devices_csv(const std::vector<DeviceTotals>& devices) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "device,requests,offloaded,fallbacks,accuracy,busy_s,offline_s,inference_energy_J,radio_energy_J,"
                 "idle_energy_J,host_energy_J\n");
  for (const DeviceTotals& d : devices) {
    const double accuracy = d.requests > 0 ? static_cast<double>(d.correct) / d.requests : 0;
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{:.6f},{:.9f},{:.9f},{:.12f},{:.12f},{:.12f},{:.12f}\n",
                   d.device, d.requests, d.offloaded, d.fallbacks, accuracy, d.busy_s, d.offline_s, d.inference_energy_J, d.radio_energy_J,
                   d.idle_energy_J, d.host_energy_J);
  }
  return fmt::to_string(out);
}

std::string updates_csv(const std::vector<UpdateRecord>& updates) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "device,t_start_s,t_end_s,mode,method,status,task,samples,classes_added,train_ops,duration_s,energy_J,"
                 "bytes_up,bytes_down,model_version\n");
  for (const UpdateRecord& u : updates) {
    fmt::format_to(std::back_inserter(out), "{},{:.9f},{:.9f},{},{},{},{},{},{},{:.0f},{:.9f},{:.12f},{:.0f},{:.0f},{}\n",
                   u.device, u.t_start_s, u.t_end_s, name_of(u.mode), u.method, name_of(u.status), u.task, u.samples, u.classes_added, u.train_ops,
                   u.duration_s, u.energy_J, u.bytes_up, u.bytes_down, u.model_version);
  }
  return fmt::to_string(out);
}

std::string faults_csv(const std::vector<OutageRecord>& outages) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "fault,target,t_down_s,t_up_s,duration_s\n");
  for (const OutageRecord& o : outages) {
    fmt::format_to(std::back_inserter(out), "{},{},{:.9f},{:.9f},{:.9f}\n", o.fault, o.target, o.t_down_s, o.t_up_s,
                   o.t_up_s - o.t_down_s);
  }
  return fmt::to_string(out);
}

std::string tasks_csv(const std::vector<RequestRecord>& requests, int tasks) {
  struct Counts {
    int64_t requests = 0, correct = 0, edge_correct = 0, cloud_correct = 0, offloaded = 0;
    std::vector<int64_t> task_requests, task_edge_correct;
  };
  int phases = 0;
  for (const RequestRecord& r : requests) phases = std::max(phases, r.phase + 1);
  std::vector<Counts> by_phase(static_cast<size_t>(phases));
  for (Counts& c : by_phase) {
    c.task_requests.assign(static_cast<size_t>(tasks), 0);
    c.task_edge_correct.assign(static_cast<size_t>(tasks), 0);
  }
  for (const RequestRecord& r : requests) {
    Counts& c = by_phase[r.phase];
    c.requests += 1;
    c.correct += r.correct();
    c.edge_correct += r.edge_only_pred == r.label;
    c.cloud_correct += r.cloud_only_pred == r.label;
    c.offloaded += r.offloaded;
    c.task_requests[r.task] += 1;
    c.task_edge_correct[r.task] += r.edge_only_pred == r.label;
  }
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "phase,requests,accuracy,edge_only_accuracy,cloud_only_accuracy,cur");
  for (int k = 0; k < tasks; ++k) fmt::format_to(std::back_inserter(out), ",edge_accuracy_task_{}", k);
  fmt::format_to(std::back_inserter(out), ",mean_forgetting\n");
  std::vector<double> best(static_cast<size_t>(tasks), -1);  // best edge accuracy per task so far
  for (int p = 0; p < phases; ++p) {
    const Counts& c = by_phase[p];
    const double n = std::max<int64_t>(c.requests, 1);
    fmt::format_to(std::back_inserter(out), "{},{},{:.6f},{:.6f},{:.6f},{:.6f}", p, c.requests, c.correct / n,
                   c.edge_correct / n, c.cloud_correct / n, c.offloaded / n);
    double forgetting = 0;
    int forgetting_tasks = 0;
    for (int k = 0; k < tasks; ++k) {
      if (c.task_requests[k] == 0) {
        fmt::format_to(std::back_inserter(out), ",");
        continue;
      }
      const double accuracy = static_cast<double>(c.task_edge_correct[k]) / c.task_requests[k];
      fmt::format_to(std::back_inserter(out), ",{:.6f}", accuracy);
      if (best[k] >= 0) {
        forgetting += std::max(0.0, best[k] - accuracy);
        ++forgetting_tasks;
      }
      best[k] = std::max(best[k], accuracy);
    }
    if (forgetting_tasks > 0) fmt::format_to(std::back_inserter(out), ",{:.6f}\n", forgetting / forgetting_tasks);
    else fmt::format_to(std::back_inserter(out), ",\n");
  }
  return fmt::to_string(out);
}

std::vector<std::string> summary_metric_columns() { return split_csv_record(kSummaryColumns); }

std::string summary_csv_header(const std::vector<std::string>& leading_names) {
  return join(leading_names) + kSummaryColumns + "\n";
}

std::string summary_csv_row(const std::vector<std::string>& leading_values, const Summary& s) {
  return join(leading_values) +
         fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.9f},{:.9f},{:.9f},{:.9f},{:.12f},{:.12f},{:.12f},"
                     "{:.12f},{},{},{:.9f},{},{:.0f},{:.12f},{:.9f}\n",
                     s.requests, s.accuracy, s.edge_only_accuracy, s.cloud_only_accuracy, s.cur, s.acci,
                     s.latency_mean_s, s.latency_p50_s, s.latency_p95_s, s.latency_p99_s, s.energy_per_request_J,
                     s.edge_energy_per_request_J, s.radio_energy_per_request_J, s.cloud_energy_per_request_J,
                     s.fallbacks, s.dropped, s.offline_s, s.updates, s.update_bytes, s.update_energy_J, s.simulated_s);
}

}  // namespace eccsim
