// Memoised, batched inference for the actors. A request's model outputs depend only on
// (model, model version, sample), so every sample the run will need is registered up
// front and the first lookup under a model version infers them all in one batch.
// With memoisation off every lookup runs the model on its single sample (for checking).
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

  // Declares that `sample` will be looked up (so it joins the first batch).
  void want(int64_t sample);
  const EdgePrediction& edge(const EdgeModel& model, int64_t sample);
  const CloudPrediction& cloud(const CloudModel& model, int64_t sample);
  const InferenceStats& stats() const { return stats_; }

 private:
  template <typename Prediction, typename Model>
  const Prediction& lookup(std::map<int64_t, std::vector<Prediction>>& table, const Model& model, int64_t version,
                           int64_t sample, int64_t& counter, Prediction& scratch);

  const ImageSet& images_;
  bool memoise_;
  std::vector<int64_t> wanted_;          // sorted, unique once frozen
  bool wanted_sorted_ = true;
  std::map<int64_t, std::vector<EdgePrediction>> edge_by_version_;   // version -> by sample
  std::map<int64_t, std::vector<CloudPrediction>> cloud_by_version_;
  EdgePrediction edge_scratch_;
  CloudPrediction cloud_scratch_;
  InferenceStats stats_;
};

}  // namespace eccsim
