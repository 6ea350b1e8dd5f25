// Memoised inference: one table per model, indexed by test sample, filled in one batch with
// every registered sample on first use (and again when more samples were registered since);
// unregistered samples are inferred on their own.
#include "sim/inference_cache.hpp"

#include <algorithm>
#include <chrono>

#include "models/cloud_model.hpp"
#include "models/edge_model.hpp"

namespace eccsim {

InferenceCache::InferenceCache(const ImageSet& test_images, bool memoise) : images_(test_images), memoise_(memoise) {}

void InferenceCache::want(const EdgeModel& model, const std::vector<int64_t>& samples) {
  if (!memoise_) return;
  std::vector<int64_t>& wanted = edge_tables_[&model].wanted;
  wanted.insert(wanted.end(), samples.begin(), samples.end());
}

void InferenceCache::want_cloud(const std::vector<int64_t>& samples) {
  if (!memoise_) return;
  cloud_table_.wanted.insert(cloud_table_.wanted.end(), samples.begin(), samples.end());
}

template <typename Prediction, typename Model>
const Prediction& InferenceCache::lookup(Table<Prediction>& table, const Model& model, int64_t sample,
                                         int64_t& counter, Prediction& scratch) {
  const auto started = std::chrono::steady_clock::now();
  auto account = [&](size_t samples) {
    counter += static_cast<int64_t>(samples);
    stats_.batches += 1;
    stats_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  if (!memoise_) {
    scratch = model.predict(images_, {sample}).front();
    account(1);
    return scratch;
  }
  if (table.by_sample.empty()) table.by_sample.resize(static_cast<size_t>(images_.count));
  if (!table.wanted.empty()) {
    // One batch with every registered sample not inferred yet.
    std::vector<int64_t> batch;
    std::sort(table.wanted.begin(), table.wanted.end());
    table.wanted.erase(std::unique(table.wanted.begin(), table.wanted.end()), table.wanted.end());
    for (int64_t s : table.wanted)
      if (table.by_sample[s].predicted < 0) batch.push_back(s);
    table.wanted.clear();
    if (!batch.empty()) {
      std::vector<Prediction> predictions = model.predict(images_, batch);
      for (size_t i = 0; i < batch.size(); ++i) table.by_sample[batch[i]] = std::move(predictions[i]);
      account(batch.size());
    }
  }
  Prediction& slot = table.by_sample.at(static_cast<size_t>(sample));
  if (slot.predicted < 0) {
    slot = model.predict(images_, {sample}).front();
    account(1);
  }
  return slot;
}

const EdgePrediction& InferenceCache::edge(const EdgeModel& model, int64_t sample) {
  return lookup(edge_tables_[&model], model, sample, stats_.edge_samples, edge_scratch_);
}

const CloudPrediction& InferenceCache::cloud(const CloudModel& model, int64_t sample) {
  return lookup(cloud_table_, model, sample, stats_.cloud_samples, cloud_scratch_);
}

}  // namespace eccsim
