// Setup stage (ECC-SNN's stage 1): the cloud ANN trained on all classes, the edge SNN on the first
// task's classes with joint distillation from it; checkpoints loaded from models.dir when they fit
// the scenario, trained and saved there otherwise. Plain structs only: sim/ includes this.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "models/data/dataset.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/models_metadata.hpp"

namespace eccsim {

struct DistillOptions {
  bool enabled = true;
  double weight = 0.5;                 // lambda
  double temperature = 3.0;            // tau
};

struct SetupOptions {
  std::filesystem::path models_dir = "checkpoints/fmnist";
  std::string edge_arch = "svgg";
  int timesteps = 4;                   // T of the edge SNN
  std::string cloud_arch = "cnn";
  std::string profile = "full";        // full | quick (data subset, few epochs)
  int cloud_epochs = 0;                // 0: the profile's default
  int edge_epochs = 0;                 // 0: the profile's default
  int cloud_train_samples = 0;         // 0: the profile's default (a data subset, or the whole split)
  int edge_train_samples = 0;          // 0: the profile's default
  int batch_size = 64;                 // samples
  double learning_rate = 1e-3;         // Adam, cosine-annealed per epoch
  double edge_weight_decay = 5e-4;     // Adam L2 of the edge SNN (the authors' setup stage)
  double cloud_weight_decay = 0;       // the cloud CNN relies on dropout instead
  DistillOptions distill;
  uint64_t seed = 2025;                // initialisation, shuffles, dropout, quick subsets
  TaskSplitOptions split;              // recorded in the metadata (the split itself is an argument)
  bool allow_training = true;          // false: missing checkpoints are an error
  int threads = 2;                     // intra-op threads while training (2-core targets); OMP_NUM_THREADS wins
  bool progress = true;                // one line per epoch on stderr
  std::string scenario_file = "S.yaml";        // named in the "no checkpoint" message
  std::string models_dir_where = "models.dir"; // error prefix for models.dir, e.g. "s.yaml:7: models.dir"
};

struct ProfileSettings {
  int cloud_epochs = 0;
  int edge_epochs = 0;
  int cloud_train_samples = 0;         // 0: the whole training split
  int edge_train_samples = 0;          // 0: all training samples of the first task
  int test_samples = 0;                // 0: the whole test split (for the per-epoch test accuracy)
};

// The epochs and data subsets of options.profile, with the options' epoch overrides applied.
ProfileSettings profile_settings(const SetupOptions& options);

struct TrainedModels {
  EdgeModel edge;
  CloudModel cloud;
  ModelsMetadata metadata;
  bool trained_edge = false;           // false: loaded from edge_file
  bool trained_cloud = false;
  std::filesystem::path edge_file;
  std::filesystem::path cloud_file;
  std::filesystem::path metadata_file;
};

// Wall time (s) to train the given epochs x images, at the throughput the shipped models' own
// training measured (checkpoints/fmnist/train.csv, 2 cores): the cloud CNN about 400 images/s,
// the edge SNN about 80 images/s at T = 4 (proportional to T). 0 images: nothing to train.
double estimated_training_seconds(int cloud_epochs, int64_t cloud_images, int edge_epochs, int64_t edge_images,
                                  int timesteps);

// The identity part of models.yaml that `options` would train (dataset, split, seed, architectures):
// what ensure_models compares a stored models.yaml against.
ModelsMetadata models_identity(const SetupOptions& options, const Dataset& dataset, const TaskSplit& split);

// Loads the checkpoints of options.models_dir, or trains and saves the missing ones. InputError when
// a checkpoint is missing and training is not allowed, does not fit the scenario (names the field),
// or is corrupt (names the file).
TrainedModels ensure_models(const SetupOptions& options, const Dataset& dataset, const TaskSplit& split);

}  // namespace eccsim
