// Serving-latency measurement of the cloud model; see serving_profile.hpp.
#include "models/nets/serving_profile.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

namespace eccsim {

namespace {

// Sets one intra-op thread for its lifetime, then restores the count.
class SingleThread {
 public:
  SingleThread() : previous_(at::get_num_threads()) { at::set_num_threads(1); }
  ~SingleThread() { at::set_num_threads(previous_); }
  SingleThread(const SingleThread&) = delete;
  SingleThread& operator=(const SingleThread&) = delete;

 private:
  int previous_;
};

}  // namespace

std::vector<BatchTiming> time_cloud_batches(const CloudModel& model, const ImageSet& images,
                                            const ServingProfileOptions& options) {
  using Clock = std::chrono::steady_clock;
  const SingleThread one_thread;
  std::vector<BatchTiming> timings;
  for (const int batch : options.batch_sizes) {
    if (batch < 1 || batch > images.count) throw std::invalid_argument("time_cloud_batches: batch size out of range");
    std::vector<int64_t> indices(static_cast<size_t>(batch));
    std::iota(indices.begin(), indices.end(), 0);
    model.predict(images, indices);  // warm-up: allocations, caches
    std::vector<double> seconds;
    double total_s = 0;
    while (static_cast<int>(seconds.size()) < options.min_repeats || total_s < options.min_seconds) {
      const auto start = Clock::now();
      model.predict(images, indices);
      seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
      total_s += seconds.back();
    }
    std::nth_element(seconds.begin(), seconds.begin() + static_cast<long>(seconds.size() / 2), seconds.end());
    timings.push_back({batch, seconds[seconds.size() / 2]});
  }
  return timings;
}

}  // namespace eccsim
