// Metadata file; see models_metadata.hpp. Flat "key: value" YAML (dotted keys, no nesting), read
// and written with yaml-cpp, so that people and scripts read it with any YAML reader.
#include "models/train/models_metadata.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include "core/file_io.hpp"
#include "core/input_error.hpp"

namespace eccsim {
namespace {

template <typename T>
std::string list_text(const std::vector<T>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

// The file's keys, each converted to its field's type; InputError naming the file and key otherwise.
class Fields {
 public:
  Fields(YAML::Node root, std::filesystem::path file) : root_(std::move(root)), file_(std::move(file)) {}

  template <typename T>
  T get(const std::string& key) const {
    const YAML::Node node = root_[key];
    if (!node.IsDefined() || node.IsNull()) throw InputError(fmt::format("{}: missing key '{}'", file_.string(), key));
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      throw InputError(fmt::format("{}: key '{}': malformed value '{}'", file_.string(), key,
                                   node.IsScalar() ? node.Scalar() : YAML::Dump(node)));
    }
  }

 private:
  YAML::Node root_;
  std::filesystem::path file_;
};

}  // namespace

std::optional<std::string> metadata_mismatch(const ModelsMetadata& found, const ModelsMetadata& expected) {
  auto differ = [](const std::string& key, const std::string& in_file, const std::string& in_scenario) {
    return fmt::format("{}: {} in the checkpoints, {} in the scenario", key, in_file, in_scenario);
  };
  if (found.dataset != expected.dataset) return differ("dataset.name", found.dataset, expected.dataset);
  if (found.num_classes != expected.num_classes) {
    return differ("dataset classes", std::to_string(found.num_classes), std::to_string(expected.num_classes));
  }
  if (found.seed != expected.seed) return differ("seed", std::to_string(found.seed), std::to_string(expected.seed));
  if (found.tasks != expected.tasks) {
    return differ("dataset.tasks", std::to_string(found.tasks), std::to_string(expected.tasks));
  }
  if (found.base_classes != expected.base_classes) {
    return differ("dataset.base_classes", std::to_string(found.base_classes), std::to_string(expected.base_classes));
  }
  if (found.class_order != expected.class_order) {
    return differ("class order", list_text(found.class_order), list_text(expected.class_order));
  }
  if (found.task_sizes != expected.task_sizes) {
    return differ("task split", list_text(found.task_sizes), list_text(expected.task_sizes));
  }
  if (found.edge_arch != expected.edge_arch) return differ("models.edge.arch", found.edge_arch, expected.edge_arch);
  if (found.edge_timesteps != expected.edge_timesteps) {
    return differ("models.edge.timesteps", std::to_string(found.edge_timesteps),
                  std::to_string(expected.edge_timesteps));
  }
  if (found.cloud_arch != expected.cloud_arch) {
    return differ("models.cloud.arch", found.cloud_arch, expected.cloud_arch);
  }
  return std::nullopt;
}

std::string to_text(const ModelsMetadata& m) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  const auto entry = [&out](const char* key, const auto& value) { out << YAML::Key << key << YAML::Value << value; };
  const auto list = [&out](const char* key, const auto& values) {
    out << YAML::Key << key << YAML::Value << YAML::Flow << values;
  };
  const auto fraction = [&out](const char* key, double value) {  // accuracies: 6 decimals
    out << YAML::Key << key << YAML::Value << fmt::format("{:.6f}", value);
  };
  entry("dataset", m.dataset);
  entry("num_classes", m.num_classes);
  entry("tasks", m.tasks);
  entry("base_classes", m.base_classes);
  entry("seed", m.seed);
  list("class_order", m.class_order);
  list("task_sizes", m.task_sizes);
  entry("edge.arch", m.edge_arch);
  entry("edge.timesteps", m.edge_timesteps);
  entry("cloud.arch", m.cloud_arch);
  entry("cloud.profile", m.cloud_profile);
  entry("cloud.epochs", m.cloud_epochs);
  entry("cloud.train_samples", m.cloud_train_samples);
  fraction("cloud.test_accuracy", m.cloud_test_accuracy);
  entry("cloud.test_samples", m.cloud_test_samples);
  entry("edge.profile", m.edge_profile);
  entry("edge.epochs", m.edge_epochs);
  entry("edge.train_samples", m.edge_train_samples);
  entry("edge.distill", m.edge_distill);
  entry("edge.distill_weight", fmt::format("{}", m.edge_distill_weight));
  entry("edge.distill_temperature", fmt::format("{}", m.edge_distill_temperature));
  fraction("edge.test_accuracy", m.edge_test_accuracy);
  entry("edge.test_samples", m.edge_test_samples);
  out << YAML::EndMap;
  return "# eccsim model checkpoints (edge.pt, cloud.pt): what they were trained for and how.\n"
         "# Written by eccsim; a scenario reuses them only if the first block matches it.\n" +
         std::string(out.c_str()) + "\n";
}

ModelsMetadata read_metadata(const std::filesystem::path& file) {
  std::error_code unreadable;
  if (!std::filesystem::is_regular_file(file, unreadable)) {
    throw InputError(fmt::format("{}: cannot read the checkpoint metadata", file.string()));
  }
  YAML::Node root;
  try {
    root = YAML::Load(read_file(file));
  } catch (const YAML::ParserException& e) {
    throw InputError(fmt::format("{}:{}: malformed line ({})", file.string(), e.mark.line + 1, e.msg));
  }
  if (!root.IsNull() && !root.IsMap()) {
    throw InputError(fmt::format("{}:1: malformed line (expected 'key: value' lines)", file.string()));
  }
  const Fields f(root, file);
  ModelsMetadata m;
  m.dataset = f.get<std::string>("dataset");
  m.num_classes = f.get<int>("num_classes");
  m.tasks = f.get<int>("tasks");
  m.base_classes = f.get<int>("base_classes");
  m.seed = f.get<uint64_t>("seed");
  m.class_order = f.get<std::vector<int32_t>>("class_order");
  m.task_sizes = f.get<std::vector<int>>("task_sizes");
  m.edge_arch = f.get<std::string>("edge.arch");
  m.edge_timesteps = f.get<int>("edge.timesteps");
  m.cloud_arch = f.get<std::string>("cloud.arch");
  m.cloud_profile = f.get<std::string>("cloud.profile");
  m.cloud_epochs = f.get<int>("cloud.epochs");
  m.cloud_train_samples = f.get<int>("cloud.train_samples");
  m.cloud_test_accuracy = f.get<double>("cloud.test_accuracy");
  m.cloud_test_samples = f.get<int>("cloud.test_samples");
  m.edge_profile = f.get<std::string>("edge.profile");
  m.edge_epochs = f.get<int>("edge.epochs");
  m.edge_train_samples = f.get<int>("edge.train_samples");
  m.edge_distill = f.get<bool>("edge.distill");
  m.edge_distill_weight = f.get<double>("edge.distill_weight");
  m.edge_distill_temperature = f.get<double>("edge.distill_temperature");
  m.edge_test_accuracy = f.get<double>("edge.test_accuracy");
  m.edge_test_samples = f.get<int>("edge.test_samples");
  return m;
}

void write_metadata(const std::filesystem::path& file, const ModelsMetadata& metadata) {
  write_file_atomically(file, to_text(metadata));
}

}  // namespace eccsim
