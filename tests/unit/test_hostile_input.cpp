// Hostile input beyond the scenario table: corrupt, truncated and mismatched checkpoints and their
// metadata, corrupt dataset files and bad trace files through the binary (exit 2, one line naming
// the file), and a sweep long enough to expose quadratic validation. Checkpoints are small untrained
// models written here, so no case trains; cases that simulate need the [sim] models fixture.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

// Torch first: Debian's LibTorch pulls in glog, whose CHECK macro would replace Catch2's.
#include "models/nets/edge_model_impl.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include "core/input_error.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/cloud_model.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/models_metadata.hpp"
#include "models/train/setup.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::testing::TempDir;
using eccsim::InputError;
using eccsim::testing::ProcessResult;
using Catch::Matchers::Contains;
using eccsim::testing::run_eccsim;

namespace {

const std::string kTiny = eccsim::testing::tiny_scenario();

std::string read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// Replaces `key: value` in a models.yaml text.
std::string with_line(const std::string& text, const std::string& key, const std::string& value) {
  const size_t at = text.find("\n" + key + ": ");
  REQUIRE(at != std::string::npos);
  const size_t end = text.find('\n', at + 1);
  return text.substr(0, at + 1) + key + ": " + value + text.substr(end);
}

// The setup stage's view of Fashion-MNIST in 5 tasks; ensure_models only needs name and classes
// when it loads (no training here), so the image sets stay empty.
struct Setting {
  eccsim::Dataset data;
  eccsim::TaskSplit split = eccsim::make_task_split(eccsim::TaskSplitOptions{10, 5, 0, 2025, {}});
  eccsim::SetupOptions options;

  explicit Setting(const fs::path& models_dir) {
    data.name = "fashion-mnist";
    data.num_classes = 10;
    options.models_dir = models_dir;
    options.allow_training = false;   // a wrong guess here must fail, never start training
    options.progress = false;
    options.split = eccsim::TaskSplitOptions{10, 5, 0, 2025, {}};
  }

  eccsim::ModelsMetadata metadata(int timesteps = 4) const {
    eccsim::ModelsMetadata m;
    m.dataset = data.name;
    m.num_classes = data.num_classes;
    m.tasks = split.num_tasks();
    m.base_classes = 0;
    m.seed = options.seed;
    m.class_order = split.class_order;
    for (const auto& classes : split.task_classes) m.task_sizes.push_back(static_cast<int>(classes.size()));
    m.edge_arch = "svgg";
    m.edge_timesteps = timesteps;
    m.cloud_arch = "cnn";
    m.cloud_profile = m.edge_profile = "quick";
    return m;
  }
};

// An untrained edge model with the first task's head (what the setup stage saves).
eccsim::EdgeModel edge_model(int timesteps = 4) {
  eccsim::EdgeModelOptions o;
  o.timesteps = timesteps;
  eccsim::EdgeModel model(o);
  model.impl().net->add_head(2);
  return model;
}

// A models dir that ensure_models accepts for Setting: edge.pt, cloud.pt, models.yaml.
struct ModelsDir {
  TempDir dir{"models"};
  Setting setting{dir.path()};
  fs::path edge = dir.path() / "edge.pt";
  fs::path cloud = dir.path() / "cloud.pt";
  fs::path metadata = dir.path() / "models.yaml";

  ModelsDir() {
    edge_model().save(edge);
    eccsim::CloudModel(eccsim::CloudModelOptions{}).save(cloud);
    eccsim::write_metadata(metadata, setting.metadata());
  }

  // The InputError message of ensure_models, or "(no error)".
  std::string error() const {
    try {
      eccsim::ensure_models(setting.options, setting.data, setting.split);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
};

int lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("corrupt and truncated checkpoints are input errors naming the file", "[robustness]") {
  ModelsDir m;
  REQUIRE(m.error() == "(no error)");
  const std::string edge_bytes = read_bytes(m.edge);
  const std::string cloud_bytes = read_bytes(m.cloud);

  SECTION("empty edge checkpoint") {
    write_bytes(m.edge, "");
    CHECK_THAT(m.error(), Contains(m.edge.string()) && Contains("corrupt"));
  }
  SECTION("edge checkpoint cut at several points") {
    for (const double fraction : {0.1, 0.5, 0.9, 0.999}) {
      INFO(fraction);
      write_bytes(m.edge, edge_bytes.substr(0, static_cast<size_t>(fraction * edge_bytes.size())));
      CHECK_THAT(m.error(), Contains(m.edge.string()) && Contains("corrupt"));
    }
  }
  SECTION("cloud checkpoint cut in half") {
    write_bytes(m.cloud, cloud_bytes.substr(0, cloud_bytes.size() / 2));
    CHECK_THAT(m.error(), Contains(m.cloud.string()) && Contains("corrupt"));
  }
  SECTION("random bytes with a zip header") {
    std::string bytes = "PK\x03\x04";
    for (int i = 0; i < 4096; ++i) bytes += static_cast<char>((i * 7919 + 13) % 251);
    write_bytes(m.cloud, bytes);
    CHECK_THAT(m.error(), Contains(m.cloud.string()) && Contains("corrupt"));
  }
  SECTION("a directory where a checkpoint should be") {
    fs::remove(m.edge);
    fs::create_directories(m.edge);
    CHECK_THAT(m.error(), Contains(m.edge.string()));
  }
}

TEST_CASE("checkpoints that do not fit the scenario are refused, naming the field or file", "[robustness]") {
  ModelsDir m;
  const std::string metadata = read_bytes(m.metadata);

  SECTION("models.yaml edited to another edge.timesteps") {
    write_bytes(m.metadata, with_line(metadata, "edge.timesteps", "8"));
    CHECK_THAT(m.error(), Contains("models.edge.timesteps: 8 in the checkpoints, 4 in the scenario"));
  }
  SECTION("models.yaml edited to another seed") {
    write_bytes(m.metadata, with_line(metadata, "seed", "7"));
    CHECK_THAT(m.error(), Contains("seed: 7 in the checkpoints, 2025 in the scenario"));
  }
  SECTION("an edge checkpoint of another T behind a matching models.yaml") {
    edge_model(8).save(m.edge);
    CHECK_THAT(m.error(), Contains(m.edge.string()) && Contains("T=8") && Contains("T=4"));
  }
  SECTION("a cloud checkpoint for another dataset behind a matching models.yaml") {
    eccsim::CloudModelOptions hundred;
    hundred.num_classes = 100;
    eccsim::CloudModel(hundred).save(m.cloud);
    CHECK_THAT(m.error(), Contains(m.cloud.string()) && Contains("100 classes"));
  }
  SECTION("edge and cloud swapped") {
    fs::rename(m.edge, m.dir.path() / "tmp.pt");
    fs::rename(m.cloud, m.edge);
    fs::rename(m.dir.path() / "tmp.pt", m.cloud);
    CHECK_THAT(m.error(), Contains("holds an eccsim"));
  }
}

TEST_CASE("corrupt or truncated models.yaml is an input error naming the file", "[robustness]") {
  ModelsDir m;
  const std::string metadata = read_bytes(m.metadata);

  SECTION("empty") {
    write_bytes(m.metadata, "");
    CHECK_THAT(m.error(), Contains(m.metadata.string()) && Contains("missing key 'dataset'"));
  }
  SECTION("cut in the middle") {
    write_bytes(m.metadata, metadata.substr(0, metadata.find("edge.arch")));
    CHECK_THAT(m.error(), Contains(m.metadata.string()) && Contains("missing key 'edge.arch'"));
  }
  SECTION("binary garbage") {
    write_bytes(m.metadata, std::string("\x7f" "ELF\x02\x01\x01\0\0\0\n\x01\x02", 14));
    CHECK_THAT(m.error(), Contains(m.metadata.string() + ":1: malformed line"));
  }
  SECTION("a malformed value") {
    write_bytes(m.metadata, with_line(metadata, "class_order", "[1, 2, three]"));
    CHECK_THAT(m.error(), Contains(m.metadata.string()) && Contains("key 'class_order': malformed value"));
  }
  SECTION("a number too large for its field") {
    write_bytes(m.metadata, with_line(metadata, "num_classes", "99999999999999999999999"));
    CHECK_THAT(m.error(), Contains(m.metadata.string()) && Contains("key 'num_classes': malformed value"));
  }
  SECTION("checkpoints without models.yaml") {
    fs::remove(m.metadata);
    CHECK_THAT(m.error(), Contains("checkpoints without models.yaml"));
  }
}

TEST_CASE("a corrupt dataset file stops `eccsim run` with exit 2 naming the file", "[robustness]") {
  TempDir data("dataset");
  const fs::path fashion = "/usr/share/datasets/fashion-mnist";
  for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                           "t10k-labels-idx1-ubyte.gz"}) {
    fs::copy_file(fashion / name, data.path() / name);
  }
  const fs::path labels = data.path() / "t10k-labels-idx1-ubyte.gz";
  const std::string gz = read_bytes(labels);
  TempDir out("dataset-out");

  SECTION("a gzip stream cut short") {
    write_bytes(labels, gz.substr(0, gz.size() / 3));
  }
  SECTION("an empty file") {
    write_bytes(labels, "");
  }
  SECTION("not gzip at all") {
    write_bytes(labels, std::string(100, '\xff'));
  }
  const ProcessResult r = run_eccsim({"run", kTiny, "--out", (out.path() / "o").string(), "--set",
                                  "dataset.path=" + data.path().string(), "--set",
                                  "models.dir=" + (out.path() / "models").string()});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains(labels.string()));
  CHECK_FALSE(fs::exists(out.path() / "models" / "edge.pt"));
}

TEST_CASE("a long sweep is validated in linear time", "[robustness]") {
  // Each value used to re-parse the whole file: 2000 values took 12 s, 4000 about a minute.
  std::string text = "sweep:\n  seed: [";
  for (int i = 0; i < 4000; ++i) text += fmt::format("{}{}", i == 0 ? "" : ", ", i);
  text += "]\n";
  const auto start = std::chrono::steady_clock::now();
  const eccsim::Scenario s = eccsim::load_scenario_text(text, "long.yaml");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(s.sweep.grid.at(0).values.size() == 4000);
  CHECK(seconds < 20);
}

TEST_CASE("scenario text and file give the same scenario and messages", "[robustness]") {
  TempDir dir("text");
  const std::string text = "name: t\nplatform: {devices: 3}\nsweep: {seed: [1, 2]}\n";
  const fs::path file = dir.path() / "t.yaml";
  write_bytes(file, text);
  CHECK(eccsim::to_yaml(eccsim::load_scenario_text(text, file)) == eccsim::to_yaml(eccsim::load_scenario(file)));
  CHECK(eccsim::load_scenario_text(text, file).source_file == file);
  CHECK_THROWS_WITH(eccsim::load_scenario_text("name: t\nplatform: {devices: 0}\n", "mem.yaml"),
                    "mem.yaml:2: platform.devices: must be >= 1, got 0");
}

TEST_CASE("a trace with unsorted or negative times stops `eccsim run` with exit 2 at file:line",
          "[robustness][sim]") {
  TempDir dir("trace");
  const fs::path trace = dir.path() / "arrivals.txt";
  std::string expected;
  SECTION("unsorted") {
    write_bytes(trace, "# arrival times\n0.5\n1.0\n0.75\n2\n");
    expected = trace.string() + ":4: workload.trace: times must be non-decreasing (0.75 after 1)";
  }
  SECTION("negative") {
    write_bytes(trace, "0\n-1.5\n");
    expected = trace.string() + ":2: workload.trace: negative time -1.5";
  }
  SECTION("not a number") {
    write_bytes(trace, "0.1\n0.2s\n");
    expected = trace.string() + ":2: workload.trace: not a time in seconds: '0.2s'";
  }
  const ProcessResult r = run_eccsim({"run", kTiny, "--out", (dir.path() / "out").string(), "--set",
                                  std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "--set",
                                  "workload={arrival: trace, trace: '" + trace.string() + "'}"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err == expected + "\n");
  CHECK_FALSE(fs::exists(dir.path() / "out" / "requests.csv"));
}

TEST_CASE("a corrupt checkpoint stops `eccsim run` with exit 2 naming the file", "[robustness][sim]") {
  TempDir models("run-models");
  for (const auto& entry : fs::directory_iterator(ECCSIM_TEST_MODELS_DIR)) {
    if (entry.is_regular_file()) fs::copy_file(entry.path(), models.path() / entry.path().filename());
  }
  const fs::path edge = models.path() / "edge.pt";
  const std::string bytes = read_bytes(edge);
  write_bytes(edge, bytes.substr(0, bytes.size() / 2));
  const ProcessResult r = run_eccsim({"run", kTiny, "--out", (models.path() / "out").string(), "--set",
                                  "models.dir=" + models.path().string()});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(lines(r.err) == 1);
  CHECK_THAT(r.err, Contains(edge.string()) && Contains("corrupt"));
  CHECK(read_bytes(edge).size() == bytes.size() / 2);   // never retrained over
}
