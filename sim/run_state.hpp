// What the actors of one run share: the scenario, the models and their inference cache,
// the precomputed request schedules, and the record table the actors fill in.
#pragma once

#include <cstdint>
#include <vector>

#include "models/task_split.hpp"
#include "sim/inference_cache.hpp"
#include "sim/metrics.hpp"
#include "sim/scenario.hpp"
#include "sim/workload.hpp"

namespace eccsim {

class EdgeModel;
class CloudModel;

struct RunState {
  const Scenario& scenario;
  const TaskSplit& split;
  const EdgeModel& edge_model;
  const CloudModel& cloud_model;
  InferenceCache& inference;
  std::vector<std::vector<ScheduledRequest>> schedules;  // per device
  std::vector<int64_t> first_request_id;                 // per device: id of its first request
  std::vector<RequestRecord> records;                    // by request_id
  std::vector<DeviceTotals> devices;
  std::vector<double> uplink_latency_s;                  // per device: propagation latency to its cloud host
  double image_bytes = 0;                                // one offloaded input
  double logits_bytes = 0;                               // one cloud reply
  int64_t requests_done = 0;
};

}  // namespace eccsim
