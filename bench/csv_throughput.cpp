// Time to format requests.csv: N synthetic request records (times, scores and energies over the
// magnitudes a fleet run produces) through requests_csv, best of a few repetitions.
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/report/csv_report.hpp"

int main(int argc, char** argv) {
  CLI::App app{"requests.csv formatting throughput"};
  int64_t rows = 1'000'000;
  int repeats = 3;
  app.add_option("--rows", rows, "request records");
  app.add_option("--repeats", repeats, "repetitions (the best is reported)");
  CLI11_PARSE(app, argc, argv);

  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<eccsim::RequestRecord> records(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    eccsim::RequestRecord& r = records[static_cast<size_t>(i)];
    r.request_id = i;
    r.device = static_cast<int>(i % 10000);
    r.t_arrival_s = 60 * unit(rng);
    r.edge_compute_s = 0.003 * unit(rng);
    r.latency_s = r.edge_compute_s + 0.02 * unit(rng);
    r.t_done_s = r.t_arrival_s + r.latency_s;
    r.score = unit(rng);
    r.edge_energy_J = 1e-4 * unit(rng);
    r.radio_energy_J = 1e-2 * unit(rng);
    r.cloud_energy_J = 0.3 * unit(rng);
  }
  eccsim::Scenario scenario;
  scenario.platform.devices = 10000;
  const eccsim::Fleet fleet = eccsim::fleet_of(scenario);
  double best_s = 1e300;
  size_t bytes = 0;
  for (int k = 0; k < repeats; ++k) {
    const auto start = std::chrono::steady_clock::now();
    bytes = eccsim::requests_csv(records, fleet).size();
    best_s = std::min(best_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("requests_csv: %lld rows, %.1f MB in %.3f s (best of %d): %.0f rows/s\n", static_cast<long long>(rows),
              static_cast<double>(bytes) / 1e6, best_s, repeats, static_cast<double>(rows) / best_s);
  return 0;
}
