// Raw batched LibTorch inference, the reference of the benchmark's ratio 3: loads the same edge and
// cloud checkpoints as a run and infers the same unique test samples (read from the run's
// requests.csv, or the first N) through the same predict() calls in one batch per model, with
// glibc's allocator set as a run sets it while its models work (HeapReuse), or left at its defaults.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/csv.hpp"
#include "core/heap_reuse.hpp"
#include "core/machine.hpp"
#include "models/data/dataset.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/nets/model_threads.hpp"

namespace {

struct Options {
  std::string models_dir;
  std::string requests_csv;   // unique values of its `sample` column
  int64_t samples = 0;        // or the first N test samples
  int repeat = 1;             // best of N timings
  int threads = 0;            // LibTorch intra-op threads; 0: available_cores()
  std::string heap = "reuse"; // reuse: as in a run (HeapReuse); default: glibc's defaults
};

std::vector<int64_t> unique_samples(const std::string& requests_csv) {
  std::ifstream in(requests_csv);
  if (!in) throw std::invalid_argument(requests_csv + ": cannot read");
  std::string line;
  std::getline(in, line);
  // The column is found by its header name: requests.csv gains columns as the product grows.
  const std::vector<std::string> header = eccsim::split_csv_record(line);
  const auto column = static_cast<size_t>(std::find(header.begin(), header.end(), "sample") - header.begin());
  if (column == header.size()) throw std::invalid_argument(requests_csv + ": no `sample` column in its header");
  std::set<int64_t> samples;
  while (std::getline(in, line)) samples.insert(std::stoll(eccsim::split_csv_record(line).at(column)));
  return {samples.begin(), samples.end()};
}

double process_cpu_s() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

struct Timing {
  double wall_s = 1e300;
  double cpu_s = 1e300;   // process CPU time, all threads
};

// Best of `repeat` timings of one predict() call over all samples (the models chunk internally).
template <typename Model>
Timing best_timing(const Model& model, const eccsim::ImageSet& images, const std::vector<int64_t>& samples,
                   int repeat) {
  Timing best;
  for (int r = 0; r < repeat; ++r) {
    const auto started = std::chrono::steady_clock::now();
    const double started_cpu_s = process_cpu_s();
    const auto predictions = model.predict(images, samples);
    best.cpu_s = std::min(best.cpu_s, process_cpu_s() - started_cpu_s);
    best.wall_s = std::min(best.wall_s, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    if (predictions.size() != samples.size()) throw std::logic_error("predict returned the wrong count");
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Batched LibTorch inference of a run's unique samples, without the simulator"};
  Options options;
  app.add_option("--models", options.models_dir, "directory with edge.pt and cloud.pt")->required();
  auto* requests = app.add_option("--requests", options.requests_csv, "a run's requests.csv: its unique samples");
  app.add_option("--samples", options.samples, "or the first N test samples")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}))
      ->excludes(requests);
  app.add_option("--repeat", options.repeat, "best of this many timings")->check(CLI::Range(1, 1000));
  app.add_option("--heap", options.heap, "glibc's allocator: reuse (as a run sets it) or default")
      ->check(CLI::IsMember({"reuse", "default"}));
  app.add_option("--threads", options.threads, "LibTorch intra-op threads (default: every available core)")
      ->check(CLI::Range(1, 1024));
  try {
    app.parse(argc, argv);
    if (options.requests_csv.empty() && options.samples == 0) throw CLI::RequiredError("--requests or --samples");
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    const int threads = eccsim::set_intra_op_threads(options.threads > 0 ? options.threads : eccsim::available_cores());
    const eccsim::Dataset dataset = eccsim::load_dataset({});
    std::vector<int64_t> samples;
    if (!options.requests_csv.empty()) {
      samples = unique_samples(options.requests_csv);
    } else {
      for (int64_t i = 0; i < std::min(options.samples, dataset.test.count); ++i) samples.push_back(i);
    }
    const eccsim::EdgeModel edge = eccsim::EdgeModel::load(options.models_dir + "/edge.pt");
    const eccsim::CloudModel cloud = eccsim::CloudModel::load(options.models_dir + "/cloud.pt");
    std::optional<eccsim::HeapReuse> heap_reuse;
    if (options.heap == "reuse") heap_reuse.emplace();
    const Timing edge_t = best_timing(edge, dataset.test, samples, options.repeat);
    const Timing cloud_t = best_timing(cloud, dataset.test, samples, options.repeat);
    heap_reuse.reset();
    const double n = static_cast<double>(samples.size());
    std::printf("raw_inference: %zu unique samples, edge %.3f s (%.1f samples/s, %.3f s CPU), cloud %.3f s "
                "(%.1f samples/s, %.3f s CPU)\n",
                samples.size(), edge_t.wall_s, n / edge_t.wall_s, edge_t.cpu_s, cloud_t.wall_s, n / cloud_t.wall_s,
                cloud_t.cpu_s);
    std::printf("raw_inference: heap=%s threads=%d edge_samples=%zu cloud_samples=%zu wall_s=%.3f cpu_s=%.3f "
                "throughput=%.1f samples/s\n",
                options.heap.c_str(), threads, samples.size(), samples.size(), edge_t.wall_s + cloud_t.wall_s,
                edge_t.cpu_s + cloud_t.cpu_s, 2 * n / (edge_t.wall_s + cloud_t.wall_s));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "raw_inference: %s\n", e.what());
    return 2;
  }
}
