// Memoised, batched inference for the actors. A request's model outputs depend only on
// (model, sample), so the samples a model will be asked about are registered when the model
// is installed (the rest of the schedule of the devices running it), and the first lookup
// under that model infers them all in one batch; later lookups are table reads. With
// memoisation off every lookup runs the model on its single sample (for checking).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "models/dataset.hpp"
#include "models/model_api.hpp"

namespace eccsim {

class EdgeModel;
class CloudModel;

struct InferenceStats {
  int64_t edge_samples = 0;      // samples run through an edge model
  int64_t cloud_samples = 0;     // samples run through the cloud model
  int64_t batches = 0;
  double wall_s = 0;             // host time spent in the models (reporting only)
};

class InferenceCache {
 public:
  InferenceCache(const ImageSet& test_images, bool memoise);

  // Declares that `model` will be asked about `samples` (they join its first batch). Models are
  // told apart by address: the caller keeps every model alive for the whole run.
  void want(const EdgeModel& model, const std::vector<int64_t>& samples);
  void want_cloud(const std::vector<int64_t>& samples);

  const EdgePrediction& edge(const EdgeModel& model, int64_t sample);
  const CloudPrediction& cloud(const CloudModel& model, int64_t sample);
  const InferenceStats& stats() const { return stats_; }

 private:
  template <typename Prediction>
  struct Table {
    std::vector<int64_t> wanted;
    std::vector<Prediction> by_sample;   // filled on first lookup; predicted < 0 = not inferred
  };

  template <typename Prediction, typename Model>
  const Prediction& lookup(Table<Prediction>& table, const Model& model, int64_t sample, int64_t& counter,
                           Prediction& scratch);

  const ImageSet& images_;
  bool memoise_;
  std::map<const EdgeModel*, Table<EdgePrediction>> edge_tables_;
  Table<CloudPrediction> cloud_table_;
  EdgePrediction edge_scratch_;
  CloudPrediction cloud_scratch_;
  InferenceStats stats_;
};

}  // namespace eccsim
