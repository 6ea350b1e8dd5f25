// Checks of a run's outputs that every run must pass (docs/modelling.md, Cost model): each request's latency
// parts add up to its latency, and summary.csv's total energy is the sum of every energy the run's
// files hold. Catch2 assertions, for the simulation tests.
#pragma once

#include <filesystem>
#include <string>

#include "tests/support/csv_table.hpp"

namespace eccsim::testing {

// The sum of a numeric column over every row.
double column_sum(const CsvTable& table, const std::string& column);

// requests.csv: latency_s = t_done_s - t_arrival_s = the sum of its parts, on every row.
void check_latency_parts_add_up(const std::filesystem::path& out);

// summary.csv's total_energy_J = requests' + updates' + links' + idle energy; its per-answered and
// availability figures from the same files; each update's energy = training + radio.
void check_energy_adds_up(const std::filesystem::path& out);

}  // namespace eccsim::testing
