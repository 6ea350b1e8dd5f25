// Memoised inference: one table per model version, indexed by test sample, filled in one
// batch with every registered sample on first use; misses are inferred on their own.
#include "sim/inference_cache.hpp"

#include <algorithm>
#include <chrono>

#include "models/cloud_model.hpp"
#include "models/edge_model.hpp"

namespace eccsim {

InferenceCache::InferenceCache(const ImageSet& test_images, bool memoise) : images_(test_images), memoise_(memoise) {}

void InferenceCache::want(int64_t sample) {
  if (!wanted_.empty() && sample < wanted_.back()) wanted_sorted_ = false;
  wanted_.push_back(sample);
}

template <typename Prediction, typename Model>
const Prediction& InferenceCache::lookup(std::map<int64_t, std::vector<Prediction>>& table, const Model& model,
                                         int64_t version, int64_t sample, int64_t& counter, Prediction& scratch) {
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
  auto [entry, created] = table.try_emplace(version);
  std::vector<Prediction>& by_sample = entry->second;
  if (created) {
    if (!wanted_sorted_) {
      std::sort(wanted_.begin(), wanted_.end());
      wanted_sorted_ = true;
    }
    wanted_.erase(std::unique(wanted_.begin(), wanted_.end()), wanted_.end());
    by_sample.resize(static_cast<size_t>(images_.count));
    if (!wanted_.empty()) {
      std::vector<Prediction> batch = model.predict(images_, wanted_);
      for (size_t i = 0; i < wanted_.size(); ++i) by_sample[wanted_[i]] = std::move(batch[i]);
      account(wanted_.size());
    }
  }
  Prediction& slot = by_sample.at(static_cast<size_t>(sample));
  if (slot.predicted < 0) {
    slot = model.predict(images_, {sample}).front();
    account(1);
  }
  return slot;
}

const EdgePrediction& InferenceCache::edge(const EdgeModel& model, int64_t sample) {
  return lookup(edge_by_version_, model, model.version(), sample, stats_.edge_samples, edge_scratch_);
}

const CloudPrediction& InferenceCache::cloud(const CloudModel& model, int64_t sample) {
  return lookup(cloud_by_version_, model, /*version=*/0, sample, stats_.cloud_samples, cloud_scratch_);
}

}  // namespace eccsim
