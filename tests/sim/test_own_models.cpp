// A user's own models and data through the real binary: TorchScript exports of the test models give
// the same CSVs as the native checkpoints; image-folder and .npy copies of the same images give the
// same run; a TorchScript cloud gets its own serving profile; every mistake is one line, exit 2.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/data/dataset.hpp"
#include "tests/support/csv_table.hpp"
#include "tests/support/dataset_files.hpp"
#include "tests/support/eccsim_runs.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using eccsim::testing::CsvTable;
using eccsim::testing::file_bytes;
using eccsim::testing::ProcessResult;
using eccsim::testing::SimRun;
using eccsim::testing::TempDir;

namespace {

// The test models exported to dir/edge.pt and dir/cloud.pt by `eccsim export`.
void export_test_models(const fs::path& dir) {
  const ProcessResult exported = eccsim::testing::run_eccsim(
      {"export", eccsim::testing::tiny_scenario(), "--set", std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR,
       "--out", dir.string()});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);
  REQUIRE(fs::exists(dir / "edge.pt"));
  REQUIRE(fs::exists(dir / "cloud.pt"));
}

// The exported models of `dir` in place of the checkpoints. Their cloud's time comes from its MACs
// (latency model flops) unless `profiled`: a measured serving profile takes seconds, and would differ
// between the checkpoint and its export.
std::vector<std::string> torchscript_sets(const fs::path& dir, std::vector<std::string> sets = {}, bool profiled = false) {
  sets.insert(sets.begin(), {"models.edge.format=torchscript", "models.edge.path=" + (dir / "edge.pt").string(),
                             "models.cloud.format=torchscript", "models.cloud.path=" + (dir / "cloud.pt").string()});
  if (!profiled) sets.push_back("platform.cloud.latency.model=flops");
  return sets;
}

const std::vector<std::string> kCsvFiles{"requests.csv", "devices.csv",  "summary.csv", "tasks.csv",
                                         "thresholds.csv", "links.csv", "held_out.csv", "accuracy_matrix.csv"};

// `eccsim validate` or `run` of the tiny scenario with `sets`: its one-line refusal (exit 2).
std::string refusal(const std::string& command, const std::vector<std::string>& sets) {
  std::vector<std::string> args{command, eccsim::testing::tiny_scenario(), "--set",
                                std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR};
  for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
  if (command == "run") args.insert(args.end(), {"--out", eccsim::testing::fresh_output_dir("own-models-refused").string()});
  const ProcessResult result = eccsim::testing::run_eccsim(args);
  INFO(result.err);
  REQUIRE(result.exit_code == 2);
  REQUIRE(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  return result.err;
}

}  // namespace

TEST_CASE("TorchScript exports of the test models give byte-identical CSVs to the checkpoints", "[sim][own-models]") {
  const TempDir exported("own-models");
  export_test_models(exported.path());
  for (const std::string policy : {"policy.offload.threshold=0.5", "policy.offload.target_cur=0.3"}) {
    INFO(policy);
    const std::vector<std::string> sets{"platform.devices=3", "platform.cloud.latency.model=flops", policy};
    const fs::path native = eccsim::testing::run_sim_ok("own-models-native", SimRun(eccsim::testing::tiny_scenario(), sets));
    const fs::path scripted = eccsim::testing::run_sim_ok(
        "own-models-torchscript", SimRun(eccsim::testing::tiny_scenario(), torchscript_sets(exported.path(), sets)));
    for (const std::string& file : kCsvFiles) {
      INFO(file);
      CHECK(file_bytes(native / file) == file_bytes(scripted / file));
    }
    REQUIRE(CsvTable(scripted / "summary.csv").number(0, "cur") > 0.05);   // both models answered
    std::ifstream manifest(scripted / "run.json");
    const nlohmann::json run = nlohmann::json::parse(manifest);
    CHECK(run["models"]["edge"]["format"] == "torchscript");
    CHECK(run["models"]["cloud"]["file"] == (exported.path() / "cloud.pt").string());
    CHECK(run["models"]["edge"]["fnv1a64"].get<std::string>().size() == 16);
  }
}

TEST_CASE("the shipped checkpoints and their TorchScript export give byte-identical CSVs on the quick start",
          "[sim][own-models]") {
  const TempDir exported("own-models-shipped");
  const std::string quickstart = std::string(ECCSIM_SOURCE_DIR) + "/scenarios/quickstart.yaml";
  const ProcessResult written =
      eccsim::testing::run_eccsim({"export", quickstart, "--out", exported.path().string()}, eccsim::testing::kEccsimTimeout,
                                  ECCSIM_SOURCE_DIR);
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  // No store of predictions beside the shipped checkpoints for a file that lives only in this test.
  const std::vector<std::string> sets{"workload.duration=20s", "platform.cloud.latency.model=flops",
                                      "models.persistent_cache=false"};
  std::vector<fs::path> outs;
  for (const std::vector<std::string>& models : {std::vector<std::string>{}, torchscript_sets(exported.path())}) {
    SimRun run(quickstart, sets);
    run.sets.insert(run.sets.end(), models.begin(), models.end());
    run.models_dir.clear();                 // the scenario's own: checkpoints/fmnist
    run.working_dir = ECCSIM_SOURCE_DIR;
    outs.push_back(eccsim::testing::run_sim_ok(outs.empty() ? "own-models-shipped-native" : "own-models-shipped-ts", run));
  }
  for (const std::string& file : kCsvFiles) {
    INFO(file);
    CHECK(file_bytes(outs[0] / file) == file_bytes(outs[1] / file));
  }
  CHECK(CsvTable(outs[1] / "summary.csv").number(0, "requests") > 300);
}

TEST_CASE("the same images as an image folder and as .npy files give the same run", "[sim][own-models]") {
  const TempDir dir("own-data");
  export_test_models(dir.path() / "models");
  const eccsim::Dataset fashion = eccsim::load_dataset({"fashion-mnist", {}});
  eccsim::ImageSet train = fashion.train;   // the first 600 training and 1,500 test images
  eccsim::ImageSet test = fashion.test;
  for (auto [set, count] : {std::pair{&train, int64_t{600}}, std::pair{&test, int64_t{1500}}}) {
    set->count = count;
    set->pixels.resize(static_cast<size_t>(count * set->image_bytes()));
    set->labels.resize(static_cast<size_t>(count));
  }
  eccsim::testing::write_image_folder(dir.path() / "folder", train, test);
  eccsim::testing::write_npy_dataset(dir.path() / "npy", train, test);

  std::vector<fs::path> outs;
  for (const std::string format : {"image-folder", "npy"}) {
    const std::string data = (dir.path() / (format == "npy" ? "npy" : "folder")).string();
    outs.push_back(eccsim::testing::run_sim_ok(
        "own-data-" + format,
        SimRun(eccsim::testing::tiny_scenario(),
               torchscript_sets(dir.path() / "models", {"dataset.name=" + format, "dataset.path=" + data}))));
  }
  for (const std::string& file : kCsvFiles) {
    INFO(file);
    CHECK(file_bytes(outs[0] / file) == file_bytes(outs[1] / file));
  }
  const CsvTable summary(outs[0] / "summary.csv");
  CHECK(summary.number(0, "requests") == 40);
  CHECK(summary.number(0, "cloud_only_accuracy") > 0.5);   // chance is 0.1: the images reached the models intact
  CHECK(CsvTable(outs[0] / "requests.csv").rows() == 40);
}

TEST_CASE("a TorchScript cloud model gets its own serving profile, named by its content", "[sim][own-models]") {
  const TempDir dir("own-profile");
  export_test_models(dir.path());
  SimRun run(eccsim::testing::tiny_scenario(), torchscript_sets(dir.path(), {}, /*profiled=*/true));
  run.models_dir = (dir.path() / "models").string();   // empty: no native checkpoint, no profile yet
  eccsim::testing::run_sim_ok("own-models-profile", run);
  std::vector<std::string> profiles;
  for (const auto& entry : fs::directory_iterator(dir.path() / "models")) {
    if (entry.path().filename().string().rfind("cloud_latency-", 0) == 0) profiles.push_back(entry.path().filename());
  }
  REQUIRE(profiles.size() == 1);
  CHECK(CsvTable(dir.path() / "models" / profiles[0]).rows() == 9);   // batch sizes 1 ... 256
  CHECK(!fs::exists(dir.path() / "models" / "cloud_latency.csv"));    // the native model's name stays free
}

TEST_CASE("eccsim train trains the native model beside a TorchScript one and says it leaves that one alone",
          "[sim][own-models]") {
  const TempDir dir("own-train");
  export_test_models(dir.path());
  const ProcessResult trained = eccsim::testing::run_eccsim(
      {"train", eccsim::testing::tiny_scenario(), "--set", std::string("models.dir=") + ECCSIM_TEST_MODELS_DIR, "--set",
       "models.edge.format=torchscript", "--set", "models.edge.path=" + (dir.path() / "edge.pt").string()});
  INFO(trained.err);
  REQUIRE(trained.exit_code == 0);
  CHECK_THAT(trained.out, Contains("edge  TorchScript " + (dir.path() / "edge.pt").string() + ": not trained by eccsim"));
  CHECK_THAT(trained.out, Contains("cloud cnn   loaded"));
}

TEST_CASE("mistakes with own models and data are refused in one line", "[sim][own-models]") {
  const TempDir dir("own-refusals");
  export_test_models(dir.path());
  const std::vector<std::string> scripted = torchscript_sets(dir.path());
  const auto with = [&](std::vector<std::string> sets) {
    sets.insert(sets.begin(), scripted.begin(), scripted.end());
    return sets;
  };
  CHECK_THAT(refusal("validate", with({"policy.update.mode=on_device"})),
             Contains("policy.update.mode: mode on_device trains the edge model") &&
                 Contains("cannot do to a TorchScript module; use mode none"));
  CHECK_THAT(refusal("validate", {"models.edge.format=torchscript"}),
             Contains("models.edge.format: format torchscript needs the module's file"));
  CHECK_THAT(refusal("validate", {"models.cloud.format=torchscript", "models.cloud.path=nowhere.pt"}),
             Contains("models.cloud.path: no such file 'nowhere.pt'"));
  CHECK_THAT(refusal("validate", {"dataset.name=image-folder"}), Contains("dataset.name: image-folder needs dataset.path"));
  // A sweep checks each point's files before any runs.
  CHECK_THAT(refusal("validate", {"models.edge.format=torchscript", "models.edge.path=nowhere.pt",
                                  "sweep={models.edge.format: [torchscript, native]}"}),
             Contains("point 0000 (models.edge.format=torchscript) cannot run: ") &&
                 Contains("models.edge.path: no such file 'nowhere.pt'"));
  CHECK_THAT(refusal("validate", {"dataset.class_order=[0, 1, 2]"}),
             Contains("dataset.class_order: must list each of fashion-mnist's 10 classes (0 to 9) once"));

  const fs::path text = dir.path() / "text.pt";
  std::ofstream(text) << "weights";
  CHECK_THAT(refusal("run", {"models.edge.format=torchscript", "models.edge.path=" + text.string()}),
             Contains("models.edge.path: " + text.string() + ": not a TorchScript file"));

  // Another seed shuffles the classes: the exported edge model's two classes are no longer the first task.
  const std::string moved = refusal("run", with({"models.seed=7"}));
  CHECK_THAT(moved, Contains("models.edge.path: the model knows classes [") &&
                        Contains("which are not the split's first tasks") && Contains("dataset.class_order"));
  // Naming those classes first in dataset.class_order puts them back in the first task.
  const std::string known = moved.substr(moved.find('[') + 1, moved.find(']') - moved.find('[') - 1);
  std::vector<std::string> order{known};
  for (int c = 0; c < 10; ++c) {
    if (known.find(std::to_string(c)) == std::string::npos) order.push_back(std::to_string(c));
  }
  std::string class_order = "dataset.class_order=[";
  for (size_t i = 0; i < order.size(); ++i) class_order += (i ? ", " : "") + order[i];
  eccsim::testing::run_sim_ok("own-models-class-order",
                              SimRun(eccsim::testing::tiny_scenario(), with({"models.seed=7", class_order + "]"})));

  // Colour images of 8 x 8 pixels do not fit a model of 1 x 28 x 28.
  eccsim::ImageSet colour;
  colour.count = 20;
  colour.channels = 3;
  colour.height = 8;
  colour.width = 8;
  colour.pixels.assign(static_cast<size_t>(20 * 3 * 64), 128);
  for (int32_t i = 0; i < 20; ++i) colour.labels.push_back(i % 10);
  // .npy images are channels last; these are uniform, so the layout does not matter here.
  eccsim::testing::write_bytes(dir.path() / "rgb" / "train_images.npy",
                               eccsim::testing::npy("|u1", {20, 8, 8, 3}, colour.pixels));
  eccsim::testing::write_bytes(dir.path() / "rgb" / "test_images.npy",
                               eccsim::testing::npy("|u1", {20, 8, 8, 3}, colour.pixels));
  std::vector<int64_t> labels(colour.labels.begin(), colour.labels.end());
  eccsim::testing::write_bytes(dir.path() / "rgb" / "train_labels.npy",
                               eccsim::testing::npy("<i8", {20}, eccsim::testing::label_bytes(labels, 8)));
  eccsim::testing::write_bytes(dir.path() / "rgb" / "test_labels.npy",
                               eccsim::testing::npy("<i8", {20}, eccsim::testing::label_bytes(labels, 8)));
  CHECK_THAT(refusal("run", with({"dataset.name=npy", "dataset.path=" + (dir.path() / "rgb").string()})),
             Contains("models.edge.path: the edge model takes 1x28x28 images, npy has 3x8x8"));
}
