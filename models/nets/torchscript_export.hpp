// eccsim's own models written as TorchScript files that meet the contract of docs/own-models.md:
// the same weights and the same sequence of tensor operations, so a scenario gives byte-identical
// results with the native checkpoint or its export. Also the reference for a user's own export.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"

namespace eccsim {

// class_order[label] is the dataset class id of each label (TaskSplit::class_order): the export's
// `classes` are dataset ids, as a model trained outside eccsim knows them. Written atomically.
void export_edge_torchscript(const EdgeModel& model, const std::vector<int32_t>& class_order,
                             const std::filesystem::path& file);
void export_cloud_torchscript(const CloudModel& model, const std::vector<int32_t>& class_order,
                              const std::filesystem::path& file);

}  // namespace eccsim
