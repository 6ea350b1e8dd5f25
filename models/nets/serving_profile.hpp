// The cloud model's serving latency on this machine: wall-clock time of batched inference through
// the simulator's own predict(), on one intra-op thread (in the simulation a batch holds one cloud
// core). Measured once beside the checkpoints; runs read the stored figures and never time anything.
#pragma once

#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/cloud_model.hpp"

namespace eccsim {

struct BatchTiming {
  int batch = 1;
  double seconds = 0;                   // median of the repeated timings
};

struct ServingProfileOptions {
  std::vector<int> batch_sizes{1, 2, 4, 8, 16, 32, 64, 128, 256};
  int min_repeats = 5;                  // per size, after one warm-up call
  double min_seconds = 0.3;             // per size: repeat until this much time was measured
};

// Times model.predict on the first images of `images` at each batch size.
std::vector<BatchTiming> time_cloud_batches(const CloudModel& model, const ImageSet& images,
                                            const ServingProfileOptions& options = {});

}  // namespace eccsim
