// Checkpoint archive helpers; see checkpoint_io.hpp. Lists are stored as 1-D tensors
// (int64 or float64), strings as IValues.
#include "models/nets/checkpoint_io.hpp"

#include <system_error>

#include <fmt/format.h>

#include "core/input_error.hpp"

namespace eccsim {

namespace {
constexpr int64_t kFormat = 1;   // checkpoint layout version
}

void write_checkpoint_head(torch::serialize::OutputArchive& archive, const std::string& kind, const std::string& arch,
                           int64_t channels, int64_t height, int64_t width) {
  write_kind(archive, kind);
  write_int(archive, "eccsim.format", kFormat);
  write_string(archive, "arch", arch);
  write_ints(archive, "shape", {channels, height, width});
}

void write_checkpoint_tail(torch::serialize::OutputArchive& archive, const Normalisation& n,
                           const torch::nn::Module& net) {
  write_doubles(archive, "normalisation", {n.mean[0], n.mean[1], n.mean[2], n.std[0], n.std[1], n.std[2]});
  torch::serialize::OutputArchive weights;
  net.save(weights);
  archive.write("weights", weights);
}

CheckpointHead read_checkpoint_head(torch::serialize::InputArchive& archive) {
  TORCH_CHECK(read_int(archive, "eccsim.format") == kFormat, "unsupported checkpoint format");
  CheckpointHead head;
  head.arch = read_string(archive, "arch");
  const std::vector<int64_t> shape = read_ints(archive, "shape");
  TORCH_CHECK(shape.size() == 3, "bad input shape");
  head.channels = shape[0];
  head.height = shape[1];
  head.width = shape[2];
  return head;
}

Normalisation read_normalisation(torch::serialize::InputArchive& archive) {
  const std::vector<double> n = read_doubles(archive, "normalisation");
  TORCH_CHECK(n.size() == 6, "bad normalisation");
  Normalisation normalisation;
  for (size_t c = 0; c < 3; ++c) {
    normalisation.mean[c] = static_cast<float>(n[c]);
    normalisation.std[c] = static_cast<float>(n[3 + c]);
  }
  return normalisation;
}

void read_weights(torch::serialize::InputArchive& archive, torch::nn::Module& net) {
  torch::serialize::InputArchive weights;
  archive.read("weights", weights);
  net.load(weights);
}

std::string first_line(const std::string& message) { return message.substr(0, message.find('\n')); }

void save_archive(torch::serialize::OutputArchive& archive, const std::filesystem::path& file) {
  std::filesystem::path temp = file;
  temp += ".tmp";
  try {
    archive.save_to(temp.string());
  } catch (const c10::Error& e) {
    throw InputError(fmt::format("{}: cannot write checkpoint: {}", temp.string(), first_line(e.what())));
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) throw InputError(fmt::format("{}: cannot write checkpoint: {}", file.string(), ec.message()));
}

torch::serialize::InputArchive open_archive(const std::filesystem::path& file, const std::string& kind) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw InputError(fmt::format("{}: no such checkpoint file", file.string()));
  }
  torch::serialize::InputArchive archive;
  std::string found;
  try {
    archive.load_from(file.string());
    found = read_string(archive, "eccsim.kind");
  } catch (const c10::Error& e) {
    throw InputError(fmt::format("{}: corrupt or not an eccsim checkpoint ({})", file.string(), first_line(e.what())));
  }
  if (found != kind) {
    throw InputError(fmt::format("{}: holds an eccsim {} model, expected the {} model", file.string(), found, kind));
  }
  return archive;
}

void write_kind(torch::serialize::OutputArchive& archive, const std::string& kind) {
  write_string(archive, "eccsim.kind", kind);
}

void write_int(torch::serialize::OutputArchive& archive, const std::string& key, int64_t value) {
  write_ints(archive, key, {value});
}

void write_ints(torch::serialize::OutputArchive& archive, const std::string& key, const std::vector<int64_t>& values) {
  archive.write(key, torch::tensor(values, torch::kInt64), /*is_buffer=*/true);
}

void write_doubles(torch::serialize::OutputArchive& archive, const std::string& key,
                   const std::vector<double>& values) {
  archive.write(key, torch::tensor(values, torch::kFloat64), /*is_buffer=*/true);
}

void write_string(torch::serialize::OutputArchive& archive, const std::string& key, const std::string& value) {
  archive.write(key, c10::IValue(value));
}

std::vector<int64_t> read_ints(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t, /*is_buffer=*/true);
  t = t.to(torch::kInt64).contiguous();
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

std::optional<std::vector<int64_t>> read_ints_if_any(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  if (!archive.try_read(key, t, /*is_buffer=*/true)) return std::nullopt;
  t = t.to(torch::kInt64).contiguous();
  return std::vector<int64_t>(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
}

int64_t read_int(torch::serialize::InputArchive& archive, const std::string& key) {
  const std::vector<int64_t> values = read_ints(archive, key);
  TORCH_CHECK(values.size() == 1, "entry ", key, " is not a single integer");
  return values.front();
}

std::vector<double> read_doubles(torch::serialize::InputArchive& archive, const std::string& key) {
  torch::Tensor t;
  archive.read(key, t, /*is_buffer=*/true);
  t = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  archive.read(key, value);
  TORCH_CHECK(value.isString(), "entry ", key, " is not a string");
  return value.toStringRef();
}

}  // namespace eccsim
