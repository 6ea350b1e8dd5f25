// CSV formatting of run results.
#include "sim/csv_report.hpp"

#include <fmt/format.h>

#include <iterator>

namespace eccsim {

namespace {

constexpr const char* kSummaryColumns =
    "requests,accuracy,edge_only_accuracy,cloud_only_accuracy,cur,acci,latency_mean_s,latency_p50_s,latency_p95_s,"
    "latency_p99_s,energy_per_request_J,edge_energy_per_request_J,radio_energy_per_request_J,"
    "cloud_energy_per_request_J,fallbacks,dropped,updates,update_bytes,update_energy_J,simulated_s,wall_s";

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
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "request_id,device,t_arrival_s,t_done_s,sample,label,task,phase,edge_pred,score,offloaded,cloud_pred,"
                 "final_pred,correct,outcome,latency_s,edge_queue_s,edge_compute_s,uplink_s,cloud_queue_s,"
                 "cloud_compute_s,downlink_s,fallback_wait_s,edge_energy_J,radio_energy_J,cloud_energy_J\n");
  for (const RequestRecord& r : requests) {
    fmt::format_to(std::back_inserter(out),
                   "{},{},{:.9f},{:.9f},{},{},{},{},{},{:.6f},{},{},{},{},{},{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},{:.9f},"
                   "{:.9f},{:.9f},{:.12f},{:.12f},{:.12f}\n",
                   r.request_id, r.device, r.t_arrival_s, r.t_done_s, r.sample, r.label, r.task, r.phase, r.edge_pred,
                   r.score, int{r.offloaded}, r.cloud_pred, r.final_pred, int{r.correct()}, outcome_name(r.outcome),
                   r.latency_s, r.edge_queue_s, r.edge_compute_s, r.uplink_s, r.cloud_queue_s, r.cloud_compute_s,
                   r.downlink_s, r.fallback_wait_s, r.edge_energy_J, r.radio_energy_J, r.cloud_energy_J);
  }
  return fmt::to_string(out);
}

std::string devices_csv(const std::vector<DeviceTotals>& devices) {
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "device,requests,offloaded,fallbacks,accuracy,busy_s,inference_energy_J,radio_energy_J,"
                 "idle_energy_J,host_energy_J\n");
  for (const DeviceTotals& d : devices) {
    const double accuracy = d.requests > 0 ? static_cast<double>(d.correct) / d.requests : 0;
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{:.6f},{:.9f},{:.12f},{:.12f},{:.12f},{:.12f}\n", d.device,
                   d.requests, d.offloaded, d.fallbacks, accuracy, d.busy_s, d.inference_energy_J, d.radio_energy_J,
                   d.idle_energy_J, d.host_energy_J);
  }
  return fmt::to_string(out);
}

std::string summary_csv_header(const std::vector<std::string>& leading_names) {
  return join(leading_names) + kSummaryColumns + "\n";
}

std::string summary_csv_row(const std::vector<std::string>& leading_values, const Summary& s) {
  return join(leading_values) +
         fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.9f},{:.9f},{:.9f},{:.9f},{:.12f},{:.12f},{:.12f},"
                     "{:.12f},{},{},{},{:.0f},{:.12f},{:.9f},{:.3f}\n",
                     s.requests, s.accuracy, s.edge_only_accuracy, s.cloud_only_accuracy, s.cur, s.acci,
                     s.latency_mean_s, s.latency_p50_s, s.latency_p95_s, s.latency_p99_s, s.energy_per_request_J,
                     s.edge_energy_per_request_J, s.radio_energy_per_request_J, s.cloud_energy_per_request_J,
                     s.fallbacks, s.dropped, s.updates, s.update_bytes, s.update_energy_J, s.simulated_s, s.wall_s);
}

}  // namespace eccsim
