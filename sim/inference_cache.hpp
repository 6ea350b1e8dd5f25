// Memoised, batched inference for the actors. A request's model outputs depend only on
// (model, sample), so the samples a model will be asked about are registered when the model
// is installed (the rest of the schedule of the devices running it) and inferred together in
// one batch: before the engine starts for the initial models, at the first lookup for models
// installed later; lookups are then table reads. Tables hold only the registered samples, so a
// model per device costs memory in its own requests, not in the test split. With memoisation
// off every lookup runs the model on its single sample (for checking). A model with a
// PredictionStore (models.persistent_cache) reads the samples it has from there and adds the
// ones it infers.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"
#include "sim/prediction_store.hpp"

namespace eccsim {

class EdgeModel;
class CloudModel;

struct InferenceStats {
  int64_t edge_samples = 0;         // samples run through an edge model
  int64_t cloud_samples = 0;        // samples run through the cloud model
  int64_t stored_edge_samples = 0;  // edge predictions read from a prediction store instead
  int64_t stored_cloud_samples = 0;
  int64_t batches = 0;
  double wall_s = 0;                // host time spent in the models and stores (reporting only)
  double cpu_s = 0;                 // process CPU time (all threads) spent there (reporting only)
};

class InferenceCache {
 public:
  InferenceCache(const ImageSet& test_images, bool memoise);

  // Declares that `model` will be asked about `samples` (they join its next batch). Models are
  // told apart by address: the caller keeps every model alive for the whole run.
  void want(const EdgeModel& model, const std::vector<int64_t>& samples);
  void want_cloud(const std::vector<int64_t>& samples);

  // Gives `model` a persistent store: its batches read what the store has and add what they infer.
  void use_store(const EdgeModel& model, PredictionStore<EdgePrediction> store);
  void use_cloud_store(PredictionStore<CloudPrediction> store);

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
    std::optional<PredictionStore<Prediction>> store;
    std::optional<std::map<int64_t, Prediction>> stored;  // the store's entries, read at the first batch
  };

  struct Counters {
    int64_t& inferred;
    int64_t& stored;
  };

  template <typename Prediction, typename Model>
  void infer(Table<Prediction>& table, const Model& model, std::vector<int64_t> batch, Counters counters);
  template <typename Prediction, typename Model>
  std::vector<Prediction> predictions_of(Table<Prediction>& table, const Model& model,
                                         const std::vector<int64_t>& batch, Counters counters);
  template <typename Prediction>
  void register_samples(Table<Prediction>& table, const std::vector<int64_t>& samples);
  template <typename Prediction, typename Model>
  const Prediction& lookup(Table<Prediction>& table, const Model& model, int64_t sample, Counters counters,
                           Prediction& scratch);
  Counters edge_counters() { return {stats_.edge_samples, stats_.stored_edge_samples}; }
  Counters cloud_counters() { return {stats_.cloud_samples, stats_.stored_cloud_samples}; }

  const ImageSet& images_;
  bool memoise_;
  std::map<const EdgeModel*, Table<EdgePrediction>> edge_tables_;
  Table<CloudPrediction> cloud_table_;
  EdgePrediction edge_scratch_;
  CloudPrediction cloud_scratch_;
  InferenceStats stats_;
};

}  // namespace eccsim
