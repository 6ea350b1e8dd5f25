// Memoised, batched inference for the actors. A request's model outputs depend only on
// (model, sample), so the samples a model will be asked about are registered when the model
// is installed (the rest of the schedule of the devices running it) and inferred together in
// one batch: before the engine starts for the initial models, at the first lookup for models
// installed later; lookups are then table reads. Tables hold only the registered samples, so a
// model per device costs memory in its own requests, not in the test split. With memoisation
// off every lookup runs the model on its single sample (for checking).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <utility>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"

namespace eccsim {

class EdgeModel;
class CloudModel;

struct InferenceStats {
  int64_t edge_samples = 0;      // samples run through an edge model
  int64_t cloud_samples = 0;     // samples run through the cloud model
  int64_t batches = 0;
  double wall_s = 0;             // host time spent in the models (reporting only)
  double cpu_s = 0;              // process CPU time (all threads) spent in the models (reporting only)
};

class InferenceCache {
 public:
  InferenceCache(const ImageSet& test_images, bool memoise);

  // Declares that `model` will be asked about `samples` (they join its next batch). Models are
  // told apart by address: the caller keeps every model alive for the whole run.
  void want(const EdgeModel& model, const std::vector<int64_t>& samples);
  void want_cloud(const std::vector<int64_t>& samples);

  // Infers the registered samples now, in one batch per model (the set-up does this before the
  // engine starts, so the bulk of the inference never runs on an actor's stack).
  void infer_wanted(const EdgeModel& model);
  void infer_wanted_cloud(const CloudModel& model);

  // The returned reference stays valid for the whole run (memoised) or until the next lookup (not).
  const EdgePrediction& edge(const EdgeModel& model, int64_t sample);
  const CloudPrediction& cloud(const CloudModel& model, int64_t sample);
  const InferenceStats& stats() const { return stats_; }

 private:
  template <typename Prediction>
  struct Table {
    std::vector<bool> registered;                   // by sample: wanted or inferred already
    std::vector<int64_t> wanted;                    // registered, not inferred yet
    std::deque<Prediction> predictions;             // stable addresses
    std::vector<std::pair<int64_t, int32_t>> slots; // (sample, index in predictions), by sample
    std::vector<int32_t> dense_slots;               // by sample, -1 = none; once the table is large
  };

  template <typename Prediction, typename Model>
  void infer(Table<Prediction>& table, const Model& model, std::vector<int64_t> batch, int64_t& counter);
  template <typename Prediction>
  void register_samples(Table<Prediction>& table, const std::vector<int64_t>& samples);
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
