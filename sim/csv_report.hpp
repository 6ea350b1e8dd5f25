// CSV text of a run's results (DESIGN.md, Outputs): header row, unit-suffixed columns,
// fixed precision (times 9 decimals, energies 12), rows in a deterministic order.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sim/metrics.hpp"

namespace eccsim {

std::string requests_csv(const std::vector<RequestRecord>& requests);
std::string devices_csv(const std::vector<DeviceTotals>& devices);

// `leading` columns (name, value) come first: scenario name, swept keys, ...
std::string summary_csv_header(const std::vector<std::string>& leading_names);
std::string summary_csv_row(const std::vector<std::string>& leading_values, const Summary& summary);

}  // namespace eccsim
