// The small metadata file beside the checkpoints (<models.dir>/models.yaml, flat "key: value" YAML):
// what the models were trained for (dataset, split, architectures, seed) and how (profile, epochs,
// distillation), with their test accuracies. Written atomically; checked against each scenario.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace eccsim {

struct ModelsMetadata {
  // Identity: a checkpoint is only reused when all of these match the scenario.
  std::string dataset;                  // dataset.name
  int num_classes = 0;
  int tasks = 0;                        // dataset.tasks
  int base_classes = 0;                 // dataset.base_classes (0 = equal split)
  uint64_t seed = 0;                    // scenario seed (class order, initialisation, shuffles)
  std::vector<int32_t> class_order;     // class_order[new label] = original class id
  std::vector<int> task_sizes;          // classes per task
  std::string edge_arch;
  int edge_timesteps = 0;
  std::string cloud_arch;

  // Provenance (recorded, not checked).
  std::string cloud_profile;            // full | quick
  int cloud_epochs = 0;
  int cloud_train_samples = 0;
  double cloud_test_accuracy = 0;       // fraction, all classes
  int cloud_test_samples = 0;
  std::string edge_profile;
  int edge_epochs = 0;
  int edge_train_samples = 0;
  bool edge_distill = false;
  double edge_distill_weight = 0;       // lambda
  double edge_distill_temperature = 0;  // tau
  double edge_test_accuracy = 0;        // fraction, on the first task's classes
  int edge_test_samples = 0;
};

// The first identity field where `found` differs from `expected`, as a scenario key path with both
// values ("models.edge.timesteps: 8 in the checkpoints, 4 in the scenario"); nullopt when they match.
std::optional<std::string> metadata_mismatch(const ModelsMetadata& found, const ModelsMetadata& expected);

std::string to_text(const ModelsMetadata& metadata);
// Reads the file; InputError naming the file on malformed YAML, a missing key or a malformed value.
ModelsMetadata read_metadata(const std::filesystem::path& file);
// Written atomically (core/file_io).
void write_metadata(const std::filesystem::path& file, const ModelsMetadata& metadata);

}  // namespace eccsim
