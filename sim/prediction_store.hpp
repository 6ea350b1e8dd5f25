// Model outputs kept across runs beside the checkpoints (models.persistent_cache): the first run
// of a checkpoint pays its inference, later runs and every sweep point read it. One file holds
// one checkpoint's predictions on one test split, named by a hash of the checkpoint's bytes, the
// test images and the LibTorch version, so a changed checkpoint, dataset or library never reads
// another's entries. Files are CBOR (nlohmann-json), rewritten whole and atomically; a writer
// merges what is on disk first, so concurrent runs can only lose entries, never corrupt a file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "models/data/dataset.hpp"
#include "models/nets/model_api.hpp"

namespace eccsim {

// A test split's identity in store keys: a hash of its shape and pixels, computed once per run.
struct SplitDigest {
  std::string hex;
  int64_t count = 0;   // samples in the split
};
SplitDigest digest_of(const ImageSet& images);

template <typename Prediction>   // EdgePrediction or CloudPrediction
class PredictionStore {
 public:
  // The store of the model saved in `checkpoint`, inferring on the split of `images`, in `dir`.
  PredictionStore(const std::filesystem::path& dir, const std::filesystem::path& checkpoint, const SplitDigest& images);

  const std::filesystem::path& file() const { return file_; }

  // The stored predictions by sample; empty without a file. A file that cannot be read, or that
  // does not hold this key's predictions, reads as empty, with a warning on stderr.
  std::map<int64_t, Prediction> load() const;

  // Adds `added` to the file. A store that cannot be written is a warning on stderr, not an error:
  // the run's results never depend on it.
  void save(const std::map<int64_t, Prediction>& added) const;

 private:
  std::map<int64_t, Prediction> read(std::string& problem) const;  // empty, and why, when unreadable

  std::filesystem::path file_;
  std::string key_;
  int64_t samples_in_split_ = 0;
};

extern template class PredictionStore<EdgePrediction>;
extern template class PredictionStore<CloudPrediction>;

}  // namespace eccsim
