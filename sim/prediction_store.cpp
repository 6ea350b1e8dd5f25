// Store files: {format, version, kind, key, entries}, one entry per sample as a flat array (edge:
// sample, predicted, entropy, max_prob, margin, first_layer_macs, synaptic_ops, neuron_updates,
// timesteps, logits, spike_rates;
// cloud: sample, predicted, macs, logits). CBOR keeps floats and doubles bit-exact, so a run that
// reads the store writes the same CSVs as one that infers.
#include "sim/prediction_store.hpp"

#include <fmt/core.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "core/content_hash.hpp"
#include "core/file_io.hpp"
#include "models/nets/library_version.hpp"

namespace eccsim {

namespace {

using Json = nlohmann::json;
constexpr int kFormatVersion = 2;   // 2: layer-1 MACs once, neuron updates and T per entry

template <typename Prediction>
constexpr const char* kind_of() {
  return std::is_same_v<Prediction, EdgePrediction> ? "edge" : "cloud";
}

Json to_entry(int64_t sample, const EdgePrediction& p) {
  return Json::array({sample, p.predicted, p.entropy_score, p.max_prob, p.margin, p.first_layer_macs, p.synaptic_ops,
                      p.neuron_updates, p.timesteps, p.logits, p.spike_rates});
}

Json to_entry(int64_t sample, const CloudPrediction& p) { return Json::array({sample, p.predicted, p.macs, p.logits}); }

void from_entry(const Json& entry, EdgePrediction& p) {
  if (entry.size() != 11) throw std::runtime_error("an edge entry of the wrong length");
  p.predicted = entry.at(1).get<int32_t>();
  p.entropy_score = entry.at(2).get<float>();
  p.max_prob = entry.at(3).get<float>();
  p.margin = entry.at(4).get<float>();
  p.first_layer_macs = entry.at(5).get<double>();
  p.synaptic_ops = entry.at(6).get<double>();
  p.neuron_updates = entry.at(7).get<double>();
  p.timesteps = entry.at(8).get<int>();
  p.logits = entry.at(9).get<std::vector<float>>();
  p.spike_rates = entry.at(10).get<std::vector<float>>();
}

void from_entry(const Json& entry, CloudPrediction& p) {
  if (entry.size() != 4) throw std::runtime_error("a cloud entry of the wrong length");
  p.predicted = entry.at(1).get<int32_t>();
  p.macs = entry.at(2).get<double>();
  p.logits = entry.at(3).get<std::vector<float>>();
}

}  // namespace

SplitDigest digest_of(const ImageSet& images) {
  ContentHash hash;
  hash.add(fmt::format("images {} {}x{}x{}\n", images.count, images.channels, images.height, images.width));
  hash.add(images.pixels.data(), images.pixels.size());
  return {hash.hex(), images.count};
}

template <typename Prediction>
PredictionStore<Prediction>::PredictionStore(const std::filesystem::path& dir, const std::filesystem::path& checkpoint,
                                             const SplitDigest& images)
    : samples_in_split_(images.count) {
  ContentHash hash;
  hash.add(fmt::format("eccsim-predictions {} {} libtorch {} {}\n", kFormatVersion, kind_of<Prediction>(),
                       libtorch_version(), images.hex));
  hash.add(read_file(checkpoint));
  key_ = hash.hex();
  file_ = dir / fmt::format("{}-{}.cbor", kind_of<Prediction>(), key_);
}

template <typename Prediction>
std::map<int64_t, Prediction> PredictionStore<Prediction>::read(std::string& problem) const {
  const std::string bytes = read_file(file_);
  if (bytes.empty()) return {};
  std::map<int64_t, Prediction> stored;
  try {
    const Json store = Json::from_cbor(bytes);
    if (store.at("format") != "eccsim-predictions" || store.at("version") != kFormatVersion ||
        store.at("kind") != kind_of<Prediction>() || store.at("key") != key_)
      throw std::runtime_error("another store's header");
    for (const Json& entry : store.at("entries")) {
      const auto sample = entry.at(0).get<int64_t>();
      if (sample < 0 || sample >= samples_in_split_) throw std::runtime_error("a sample outside the test split");
      from_entry(entry, stored[sample]);
    }
  } catch (const std::exception& error) {
    problem = error.what();
    return {};
  }
  return stored;
}

template <typename Prediction>
std::map<int64_t, Prediction> PredictionStore<Prediction>::load() const {
  std::string problem;
  std::map<int64_t, Prediction> stored = read(problem);
  if (!problem.empty())
    fmt::print(stderr, "eccsim: warning: {}: unreadable prediction store ({}); inferring instead\n", file_.string(),
               problem);
  return stored;
}

template <typename Prediction>
void PredictionStore<Prediction>::save(const std::map<int64_t, Prediction>& added) const {
  std::string problem;  // an unreadable file is replaced
  std::map<int64_t, Prediction> merged = read(problem);  // what other runs stored meanwhile
  for (const auto& [sample, prediction] : added) merged.insert_or_assign(sample, prediction);
  Json entries = Json::array();
  for (const auto& [sample, prediction] : merged) entries.push_back(to_entry(sample, prediction));
  const Json store = {{"format", "eccsim-predictions"},
                      {"version", kFormatVersion},
                      {"kind", kind_of<Prediction>()},
                      {"key", key_},
                      {"entries", std::move(entries)}};
  const std::vector<uint8_t> bytes = Json::to_cbor(store);
  try {
    std::filesystem::create_directories(file_.parent_path());
    write_file_atomically(file_, std::string(bytes.begin(), bytes.end()));
  } catch (const std::exception& error) {
    fmt::print(stderr, "eccsim: warning: cannot keep model outputs for later runs: {}\n", error.what());
  }
}

template class PredictionStore<EdgePrediction>;
template class PredictionStore<CloudPrediction>;

}  // namespace eccsim
