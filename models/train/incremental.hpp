// Update stage (ECC-SNN's stage 3): class-incremental learning on the edge. A new head for the new
// classes, trained with Learning without Forgetting from the previous model; the method decides
// what else is used: nothing (the paper's loss), replayed samples of the old classes, and weight
// aligning of the new head against the old ones. Plain structs only: sim/ includes this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/nets/model_api.hpp"

namespace eccsim {

// How the new classes are learned (docs/updates.md, "Update stage").
enum class IncrementalMethod {
  Lwf,             // the paper's: CE on the new head over new-class samples only, LwF on the frozen old heads
  Replay,          // CE over all heads on old- and new-class samples, LwF on the old heads (all trainable)
  ReplayAligned,   // Replay, then weight aligning: the new head's weights rescaled to the old heads' mean norm
};

IncrementalMethod parse_incremental_method(const std::string& name);   // lwf | replay | replay_wa
const char* incremental_method_name(IncrementalMethod method);

struct IncrementalOptions {
  IncrementalMethod method = IncrementalMethod::Lwf;
  int epochs = 5;
  double learning_rate = 1e-3;         // Adam, cosine-annealed per epoch, no weight decay (authors' update.py)
  int batch_size = 64;                 // samples
  double lwf_weight = 0.5;             // weight of the distillation from the old model's old heads
  double lwf_temperature = 2.0;        // its temperature
  double teacher_weight = 0;           // > 0: also distil the cloud model's logits on the new classes into the new head
  double teacher_temperature = 3.0;
  uint64_t seed = 2025;                // new head initialisation, shuffles
  int threads = 2;                     // intra-op threads while training; OMP_NUM_THREADS wins
  bool progress = false;               // one line per epoch on stderr
};

struct IncrementalResult {
  EdgeModel model;                     // the updated copy, version + 1
  EdgeOps train_ops;                   // on spiking hardware (incremental.cpp): forward, backward, optimiser steps
  double dense_train_macs = 0;         // the same training on dense hardware (the cloud): every layer, every step
  int64_t model_bytes = 0;             // size of the updated model (a weight download)
  int samples_used = 0;                // samples trained on (Lwf: of the new classes; Replay: of every known class)
  int new_class_samples = 0;           // of them, samples of the new classes
  double aligned_scale = 1;            // ReplayAligned: the factor applied to the new head (1 otherwise)
  std::vector<int64_t> trained_indices; // the samples trained on (indices into samples.images), in input order
};

// Learns `new_classes` (re-indexed labels the model does not know yet, any of them, in the order
// given: the new head's outputs) from the samples labelled with them; Lwf ignores samples of other
// labels, Replay also trains on those of the classes already known (other labels are ignored).
// Sample labels are mapped to the model's outputs (EdgeModel::output_labels). `current` is left
// untouched. `cloud_teacher` is needed only when options.teacher_weight > 0 (its logits are indexed
// by label). Deterministic for a seed. Throws std::invalid_argument when `new_classes` is empty,
// repeats a label, holds a negative or an already known label, or when no sample has a new label.
IncrementalResult learn_new_classes(const EdgeModel& current, const LabelledSamples& samples,
                                    const std::vector<int32_t>& new_classes, const IncrementalOptions& options,
                                    const CloudModel* cloud_teacher = nullptr);

}  // namespace eccsim
