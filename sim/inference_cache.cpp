// Memoised inference: per model, the registered samples are inferred in one ascending batch and
// kept in a stable deque, found through a sorted (sample, slot) list, or a dense slot array once
// the table covers an eighth of the test split; unregistered samples are inferred on their own.
// With a store, a batch takes what the store holds and infers (and stores) only the rest.
#include "sim/inference_cache.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "core/heap_reuse.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/engine_stack.hpp"

namespace eccsim {

namespace {

// CPU seconds of the whole process (the models' threads included).
double process_cpu_s() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

}  // namespace

InferenceCache::InferenceCache(const ImageSet& test_images, bool memoise) : images_(test_images), memoise_(memoise) {}

template <typename Prediction>
void InferenceCache::register_samples(Table<Prediction>& table, const std::vector<int64_t>& samples) {
  if (table.registered.empty()) table.registered.assign(static_cast<size_t>(images_.count), false);
  for (const int64_t sample : samples) {
    if (table.registered.at(static_cast<size_t>(sample))) continue;
    table.registered[static_cast<size_t>(sample)] = true;
    table.wanted.push_back(sample);
  }
}

void InferenceCache::want(const EdgeModel& model, const std::vector<int64_t>& samples) {
  if (memoise_) register_samples(edge_tables_[&model], samples);
}

void InferenceCache::want_cloud(const std::vector<int64_t>& samples) {
  if (memoise_) register_samples(cloud_table_, samples);
}

void InferenceCache::use_store(const EdgeModel& model, PredictionStore<EdgePrediction> store) {
  edge_tables_[&model].store = std::move(store);
}

void InferenceCache::use_cloud_store(PredictionStore<CloudPrediction> store) { cloud_table_.store = std::move(store); }

// The predictions of `batch` (ascending), from the store where it has them, the rest inferred.
// Runs on the engine's stack (LibTorch and the store's CBOR are deep).
template <typename Prediction, typename Model>
std::vector<Prediction> InferenceCache::predictions_of(Table<Prediction>& table, const Model& model,
                                                       const std::vector<int64_t>& batch, Counters counters) {
  const auto run_model = [&](const std::vector<int64_t>& samples) {
    const HeapReuse heap_reuse;
    counters.inferred += static_cast<int64_t>(samples.size());
    stats_.batches += 1;
    return model.predict(images_, samples);
  };
  if (!table.store) return run_model(batch);
  if (!table.stored) table.stored = table.store->load();
  std::vector<int64_t> missing;
  for (const int64_t sample : batch)
    if (table.stored->count(sample) == 0) missing.push_back(sample);
  if (!missing.empty()) {
    std::vector<Prediction> inferred = run_model(missing);
    std::map<int64_t, Prediction> added;
    for (size_t i = 0; i < missing.size(); ++i) added.emplace(missing[i], std::move(inferred[i]));
    table.store->save(added);
    table.stored->merge(added);
  }
  counters.stored += static_cast<int64_t>(batch.size() - missing.size());
  std::vector<Prediction> predictions;
  predictions.reserve(batch.size());
  for (const int64_t sample : batch) {
    auto entry = table.stored->find(sample);
    predictions.push_back(std::move(entry->second));
    table.stored->erase(entry);  // the table holds it from now on
  }
  return predictions;
}

// Infers `batch` (distinct samples not in the table) and adds the predictions to the table.
template <typename Prediction, typename Model>
void InferenceCache::infer(Table<Prediction>& table, const Model& model, std::vector<int64_t> batch,
                           Counters counters) {
  if (batch.empty()) return;
  const auto started = std::chrono::steady_clock::now();
  const double started_cpu_s = process_cpu_s();
  std::sort(batch.begin(), batch.end());
  std::vector<Prediction> predictions = on_engine_stack([&] { return predictions_of(table, model, batch, counters); });
  const size_t old_slots = table.slots.size();
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto slot = static_cast<int32_t>(table.predictions.size());
    table.predictions.push_back(std::move(predictions[i]));
    table.slots.emplace_back(batch[i], slot);
  }
  std::inplace_merge(table.slots.begin(), table.slots.begin() + static_cast<std::ptrdiff_t>(old_slots),
                     table.slots.end());
  if (table.dense_slots.empty() && table.predictions.size() * 8 >= static_cast<size_t>(images_.count)) {
    table.dense_slots.assign(static_cast<size_t>(images_.count), -1);
    for (const auto& [sample, slot] : table.slots) table.dense_slots[static_cast<size_t>(sample)] = slot;
  } else if (!table.dense_slots.empty()) {
    for (size_t i = old_slots; i < table.predictions.size(); ++i)
      table.dense_slots[static_cast<size_t>(batch[i - old_slots])] = static_cast<int32_t>(i);
  }
  stats_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  stats_.cpu_s += process_cpu_s() - started_cpu_s;
}

void InferenceCache::infer_wanted(const EdgeModel& model) {
  if (!memoise_) return;
  Table<EdgePrediction>& table = edge_tables_[&model];
  infer(table, model, std::move(table.wanted), edge_counters());
  table.wanted.clear();
}

void InferenceCache::infer_wanted_cloud(const CloudModel& model) {
  if (!memoise_) return;
  infer(cloud_table_, model, std::move(cloud_table_.wanted), cloud_counters());
  cloud_table_.wanted.clear();
}

template <typename Prediction, typename Model>
const Prediction& InferenceCache::lookup(Table<Prediction>& table, const Model& model, int64_t sample,
                                         Counters counters, Prediction& scratch) {
  if (!memoise_) {
    const auto started = std::chrono::steady_clock::now();
    const double started_cpu_s = process_cpu_s();
    scratch = on_engine_stack([&] { return model.predict(images_, {sample}); }).front();
    counters.inferred += 1;
    stats_.batches += 1;
    stats_.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    stats_.cpu_s += process_cpu_s() - started_cpu_s;
    return scratch;
  }
  if (!table.wanted.empty()) {
    infer(table, model, std::move(table.wanted), counters);
    table.wanted.clear();
  }
  const auto find = [&]() -> int32_t {
    if (!table.dense_slots.empty()) return table.dense_slots.at(static_cast<size_t>(sample));
    const auto it = std::lower_bound(table.slots.begin(), table.slots.end(), std::make_pair(sample, int32_t{-1}));
    return it != table.slots.end() && it->first == sample ? it->second : -1;
  };
  int32_t slot = find();
  if (slot < 0) {  // not registered: inferred on its own
    register_samples(table, {sample});
    table.wanted.clear();
    infer(table, model, {sample}, counters);
    slot = find();
  }
  return table.predictions[static_cast<size_t>(slot)];
}

const EdgePrediction& InferenceCache::edge(const EdgeModel& model, int64_t sample) {
  return lookup(edge_tables_[&model], model, sample, edge_counters(), edge_scratch_);
}

const CloudPrediction& InferenceCache::cloud(const CloudModel& model, int64_t sample) {
  return lookup(cloud_table_, model, sample, cloud_counters(), cloud_scratch_);
}

}  // namespace eccsim
