// Metadata file; see models_metadata.hpp. A flat "key: value" file (valid YAML) so that it is
// readable by people and by scripts without a YAML library in models/.
#include "models/train/models_metadata.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/input_error.hpp"

namespace eccsim {
namespace {

template <typename T>
std::string list_text(const std::vector<T>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

std::string flag_text(bool value) { return value ? "true" : "false"; }

class Fields {
 public:
  Fields(std::map<std::string, std::string> values, std::filesystem::path file)
      : values_(std::move(values)), file_(std::move(file)) {}

  const std::string& text(const std::string& key) const {
    const auto it = values_.find(key);
    if (it == values_.end()) throw InputError(fmt::format("{}: missing key '{}'", file_.string(), key));
    return it->second;
  }
  int64_t integer(const std::string& key) const {
    return parse<int64_t>(key, [](const std::string& s, size_t* end) { return std::stoll(s, end); });
  }
  uint64_t unsigned_integer(const std::string& key) const {
    return parse<uint64_t>(key, [](const std::string& s, size_t* end) { return std::stoull(s, end); });
  }
  double real(const std::string& key) const {
    return parse<double>(key, [](const std::string& s, size_t* end) { return std::stod(s, end); });
  }
  bool flag(const std::string& key) const {
    const std::string& s = text(key);
    if (s == "true") return true;
    if (s == "false") return false;
    throw bad(key);
  }
  template <typename T>
  std::vector<T> list(const std::string& key) const {
    const std::string& s = text(key);
    if (s.size() < 2 || s.front() != '[' || s.back() != ']') throw bad(key);
    std::vector<T> values;
    std::stringstream items(s.substr(1, s.size() - 2));
    std::string item;
    while (std::getline(items, item, ',')) {
      try {
        size_t end = 0;
        const long long v = std::stoll(item, &end);
        if (item.find_first_not_of(' ', end) != std::string::npos) throw bad(key);
        values.push_back(static_cast<T>(v));
      } catch (const std::logic_error&) {
        throw bad(key);
      }
    }
    return values;
  }

 private:
  InputError bad(const std::string& key) const {
    return InputError(fmt::format("{}: key '{}': malformed value '{}'", file_.string(), key, values_.at(key)));
  }
  template <typename T>
  T parse(const std::string& key, const std::function<T(const std::string&, size_t*)>& convert) const {
    const std::string& s = text(key);
    try {
      size_t end = 0;
      const T value = convert(s, &end);
      if (end != s.size()) throw bad(key);
      return value;
    } catch (const std::logic_error&) {
      throw bad(key);
    }
  }

  std::map<std::string, std::string> values_;
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
  std::string out = "# eccsim model checkpoints (edge.pt, cloud.pt): what they were trained for and how.\n"
                    "# Written by eccsim; a scenario reuses them only if the first block matches it.\n";
  out += fmt::format("dataset: {}\nnum_classes: {}\ntasks: {}\nbase_classes: {}\nseed: {}\nclass_order: {}\n"
                     "task_sizes: {}\nedge.arch: {}\nedge.timesteps: {}\ncloud.arch: {}\n",
                     m.dataset, m.num_classes, m.tasks, m.base_classes, m.seed, list_text(m.class_order),
                     list_text(m.task_sizes), m.edge_arch, m.edge_timesteps, m.cloud_arch);
  out += fmt::format("cloud.profile: {}\ncloud.epochs: {}\ncloud.train_samples: {}\ncloud.test_accuracy: {:.6f}\n"
                     "cloud.test_samples: {}\n",
                     m.cloud_profile, m.cloud_epochs, m.cloud_train_samples, m.cloud_test_accuracy,
                     m.cloud_test_samples);
  out += fmt::format("edge.profile: {}\nedge.epochs: {}\nedge.train_samples: {}\nedge.distill: {}\n"
                     "edge.distill_weight: {}\nedge.distill_temperature: {}\nedge.test_accuracy: {:.6f}\n"
                     "edge.test_samples: {}\n",
                     m.edge_profile, m.edge_epochs, m.edge_train_samples, flag_text(m.edge_distill),
                     m.edge_distill_weight, m.edge_distill_temperature, m.edge_test_accuracy, m.edge_test_samples);
  return out;
}

ModelsMetadata read_metadata(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot read the checkpoint metadata", file.string()));
  std::map<std::string, std::string> values;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw InputError(fmt::format("{}:{}: malformed line (expected 'key: value')", file.string(), number));
    }
    const size_t start = line.find_first_not_of(' ', colon + 1);
    values[line.substr(0, colon)] = start == std::string::npos ? "" : line.substr(start);
  }
  const Fields f(std::move(values), file);
  ModelsMetadata m;
  m.dataset = f.text("dataset");
  m.num_classes = static_cast<int>(f.integer("num_classes"));
  m.tasks = static_cast<int>(f.integer("tasks"));
  m.base_classes = static_cast<int>(f.integer("base_classes"));
  m.seed = f.unsigned_integer("seed");
  m.class_order = f.list<int32_t>("class_order");
  m.task_sizes = f.list<int>("task_sizes");
  m.edge_arch = f.text("edge.arch");
  m.edge_timesteps = static_cast<int>(f.integer("edge.timesteps"));
  m.cloud_arch = f.text("cloud.arch");
  m.cloud_profile = f.text("cloud.profile");
  m.cloud_epochs = static_cast<int>(f.integer("cloud.epochs"));
  m.cloud_train_samples = static_cast<int>(f.integer("cloud.train_samples"));
  m.cloud_test_accuracy = f.real("cloud.test_accuracy");
  m.cloud_test_samples = static_cast<int>(f.integer("cloud.test_samples"));
  m.edge_profile = f.text("edge.profile");
  m.edge_epochs = static_cast<int>(f.integer("edge.epochs"));
  m.edge_train_samples = static_cast<int>(f.integer("edge.train_samples"));
  m.edge_distill = f.flag("edge.distill");
  m.edge_distill_weight = f.real("edge.distill_weight");
  m.edge_distill_temperature = f.real("edge.distill_temperature");
  m.edge_test_accuracy = f.real("edge.test_accuracy");
  m.edge_test_samples = static_cast<int>(f.integer("edge.test_samples"));
  return m;
}

void write_metadata(const std::filesystem::path& file, const ModelsMetadata& metadata) {
  std::filesystem::path temp = file;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << to_text(metadata);
    out.close();
    if (!out) throw InputError(fmt::format("{}: cannot write the checkpoint metadata", temp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) throw InputError(fmt::format("{}: cannot write the checkpoint metadata: {}", file.string(), ec.message()));
}

}  // namespace eccsim
