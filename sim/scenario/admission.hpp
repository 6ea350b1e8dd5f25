// The admission check: before the engine starts, estimates from the resolved scenario what a run
// needs (requests, engine events, memory, simulated horizon) and refuses what cannot fit this
// machine or would not finish, naming the key that drives the estimate. Pure: no SimGrid, no models.
// The memory figures are measured (docs/robustness.md, Admission); estimates are upper bounds, not predictions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

// What one run may use. machine_limits() fills memory_B from this machine; the rest are defaults.
struct AdmissionLimits {
  double memory_B = 0;                  // RAM a run may take (0: not checked)
  double max_requests = 1e9;            // generated requests over the run
  double max_events = 1e10;             // engine events (about a microsecond of wall time each)
  double max_horizon_s = 1e9;           // simulated time; beyond, the clock's resolution exceeds 0.1 us
  double max_sweep_points = 1e5;        // points of one sweep (each is built and checked before any runs)
  bool admit_anyway = false;            // --admit-anyway: report nothing, refuse nothing
};

// Share of MemAvailable a run may take (the rest: page cache, other processes, the estimate's error).
constexpr double kMemoryMargin = 0.8;

// Limits of this machine: kMemoryMargin x MemAvailable (/proc/meminfo; sysconf when absent),
// shared by `parallel_runs` runs at once (a sweep's -j).
AdmissionLimits machine_limits(int parallel_runs = 1);

// What a run of the scenario would need.
struct AdmissionEstimate {
  double requests = 0;                  // generated, every device
  double events = 0;                    // requests x kEventsPerRequest + fault events
  double fault_events = 0;
  double horizon_s = 0;                 // last arrival (the mean last one with requests_per_device)
  double model_versions = 0;            // edge models installed and kept
  double models_B = 0;                  // their weights and cached outputs
  double memory_B = 0;
};

// Engine events per request: its arrival, the edge inference, and when offloaded the upload, the
// cloud's receive and batch, and the reply.
constexpr double kEventsPerRequest = 6;

// Peak resident memory, measured with /usr/bin/time on scenarios/quickstart.yaml scaled by --set
// (docs/robustness.md, Admission), rounded up.
struct MemoryModel {
  double base_B = 800e6;                // process, libraries, dataset, models, inference (cold cache: 541-770 MB)
  double per_device_B = 24e3;           // host, links, routes, records, its actor's stack pages (20 KB at 50,000)
  double per_shared_device_B = 6e3;     // the same, devices sharing actors: no stack, no mailbox (5.4 KB at 1,000,000)
  double device_B(const PlatformConfig& platform) const {
    return devices_share_actors(platform) ? per_shared_device_B : per_device_B;
  }
  double per_request_B = 600;           // schedule, record, requests.csv row (540 B)
  double per_cloud_actor_B = 10e3;      // per cloud host and per actor on it, cores and receivers (51 KB a host)
  double per_fault_event_B = 64;        // an outage record, faults.csv row
  double model_version_B = 1.1e6;       // an edge model kept for the run: models.dir/edge.pt's size when it exists
};

AdmissionEstimate estimate_run(const Scenario& scenario, const MemoryModel& model = {});

// What one offloaded request sends: its input image up, its reply (float32 logits) down. The
// dataset gives them (sim/model_setup.hpp, offload_message_bytes): this layer reads no data.
struct OffloadMessageBytes {
  double upload_B = 0;   // one image, channels x height x width bytes
  double reply_B = 0;    // 4 B per class
};

// Throws InputError ("file:line: key: estimate, more than the limit ...") when the scenario cannot
// run within `limits`, or when a request's upload or reply (`messages`) cannot cross its slowest
// link within policy.offload.timeout (it would keep the clock running long after the workload ends).
void admit_run(const Scenario& scenario, const AdmissionLimits& limits, const OffloadMessageBytes& messages);

// Warnings (one line each, "file:line: key: ...") for every shared backhaul that the uploads of the
// offload share the scenario asks for (cloud_only, random, target_cur, budget.cur) would load to
// 80 % of its bandwidth or more: flows pile up there and each transfer event costs more.
std::vector<std::string> shared_link_warnings(const Scenario& scenario, const OffloadMessageBytes& messages);

// Points of the sweep (grid product x zip rows x replication slots), computed without expanding it.
double sweep_point_count(const SweepConfig& sweep);

// Throws InputError when the sweep has more points than limits.max_sweep_points: refused before
// its points are expanded or built.
void admit_sweep(const Scenario& base, const SweepConfig& sweep, const AdmissionLimits& limits);

}  // namespace eccsim
