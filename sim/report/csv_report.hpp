// CSV text of a run's results (docs/outputs.md, Outputs): header row, unit-suffixed columns,
// fixed precision (times 9 decimals, energies 12), rows in a deterministic order.
#pragma once

#include <string>
#include <vector>

#include "sim/report/metrics.hpp"
#include "sim/report/network_ledger.hpp"

namespace eccsim {

// requests.csv and devices.csv name each device's group and site (from `fleet`) after its index.
std::string requests_csv(const std::vector<RequestRecord>& requests, const Fleet& fleet);
std::string devices_csv(const std::vector<DeviceTotals>& devices, const Fleet& fleet);
// One row per device group: its site, devices and the summary's per-request metrics over them.
std::string groups_csv(const std::vector<GroupTotals>& groups);
std::string updates_csv(const std::vector<UpdateRecord>& updates);
// One row per model version (the initial one, device -1, then every install) with its accuracy on
// each task's evaluation images.
std::string accuracy_matrix_csv(const std::vector<AccuracyRow>& rows, int tasks);
// The test images kept out of the request stream: the evaluation and calibration sets, by sample.
std::string held_out_csv(const std::vector<HeldOutSample>& samples);
// One row per image an update trained on (docs/updates.md, Evaluation).
std::string trained_samples_csv(const std::vector<TrainedSampleRecord>& samples);
std::string links_csv(const std::vector<LinkRecord>& links);
std::string thresholds_csv(const std::vector<ThresholdRecord>& thresholds);
std::string faults_csv(const std::vector<OutageRecord>& outages);
// Per workload phase: accuracy of the collaboration and both baselines, CUR, and the edge's online
// (prequential) accuracy on each task's classes over the phase's requests (empty where the phase had
// no request of that task). The accuracy matrix proper is accuracy_matrix_csv's.
std::string tasks_csv(const std::vector<RequestRecord>& requests, int tasks);

// The summary's own columns, after the leading ones.
std::vector<std::string> summary_metric_columns();

// summary.csv: header and one row; `leading` columns (scenario name, swept keys, ...) come first.
std::string summary_csv(const std::vector<std::string>& leading_names, const std::vector<std::string>& leading_values,
                        const Summary& summary);

}  // namespace eccsim
