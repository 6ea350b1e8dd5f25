// Sweep logic without processes: grid expansion and ids, shards, per-point scenarios, the summary
// table (copying a point's summary.csv, quoting) and merging shard tables byte for byte.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <set>

#include "app/point_scenario.hpp"
#include "app/sweep/sweep_grid.hpp"
#include "app/sweep/sweep_table.hpp"
#include "core/csv.hpp"
#include "core/input_error.hpp"
#include "sim/report/csv_report.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "tests/support/input_error_of.hpp"
#include "tests/support/temp_dir.hpp"

namespace fs = std::filesystem;
using eccsim::testing::TempDir;
using namespace eccsim;

namespace {

using eccsim::testing::input_error_of;

SweepConfig two_by_three() {
  SweepConfig sweep;
  sweep.grid.push_back({"platform.devices", {"1", "10"}});
  sweep.grid.push_back({"platform.backhaul.bandwidth", {"10Mbps", "100Mbps", "1Gbps"}});
  return sweep;
}

// A point's summary.csv as a run writes it, with a leading column and distinct numbers per point.
std::string fake_point_summary(int index) {
  const std::vector<std::string> columns = summary_metric_columns();
  std::string header = "name";
  std::string row = "fake";
  for (size_t i = 0; i < columns.size(); ++i) {
    header += "," + columns[i];
    row += "," + std::to_string(index * 100 + static_cast<int>(i)) + ".5";
  }
  return header + "\n" + row + "\n";
}

// The table of `points` where every third point failed and the others copied fake summaries.
std::string table_of(const std::vector<std::string>& keys, const std::vector<SweepPoint>& points) {
  std::vector<PointResult> results;
  for (const SweepPoint& point : points) {
    PointResult result;
    if (point.index % 3 == 2) {
      result.status = PointStatus::Failed;
      result.error = "run.yaml:3: platform.devices: boom, \"quoted\"";
    } else {
      result.status = PointStatus::Ok;
      result.metrics = *read_point_summary(fake_point_summary(point.index), summary_metric_columns());
    }
    results.push_back(result);
  }
  return sweep_table({keys, summary_metric_columns()}, points, results);
}

}  // namespace

TEST_CASE("grid: Cartesian product, first key slowest, zero-padded ids", "[sweep]") {
  const std::vector<SweepPoint> points = expand_sweep(two_by_three());
  REQUIRE(points.size() == 6);
  CHECK(sweep_keys(two_by_three()) == std::vector<std::string>{"platform.devices", "platform.backhaul.bandwidth"});
  const std::vector<std::vector<std::string>> expected{{"1", "10Mbps"},  {"1", "100Mbps"},  {"1", "1Gbps"},
                                                       {"10", "10Mbps"}, {"10", "100Mbps"}, {"10", "1Gbps"}};
  for (size_t i = 0; i < points.size(); ++i) {
    CHECK(points[i].index == static_cast<int>(i));
    CHECK(points[i].values == expected[i]);
  }
  CHECK(points[0].id == "0000");
  CHECK(points[5].id == "0005");
  CHECK(point_overrides(sweep_keys(two_by_three()), points[4]) ==
        std::vector<std::string>{"platform.devices=10", "platform.backhaul.bandwidth=100Mbps"});
}

TEST_CASE("grid: zip rows are one axis, varying fastest", "[sweep]") {
  SweepConfig sweep;
  sweep.grid.push_back({"policy.offload.filter", {"entropy", "random"}});
  sweep.zip.push_back({"policy.offload.threshold", {"0.2", "0.8"}});
  sweep.zip.push_back({"policy.offload.rate", {"0.7", "0.1"}});
  const std::vector<SweepPoint> points = expand_sweep(sweep);
  REQUIRE(points.size() == 4);
  CHECK(sweep_keys(sweep) ==
        std::vector<std::string>{"policy.offload.filter", "policy.offload.threshold", "policy.offload.rate"});
  CHECK(points[0].values == std::vector<std::string>{"entropy", "0.2", "0.7"});
  CHECK(points[1].values == std::vector<std::string>{"entropy", "0.8", "0.1"});
  CHECK(points[2].values == std::vector<std::string>{"random", "0.2", "0.7"});
  CHECK(points[3].values == std::vector<std::string>{"random", "0.8", "0.1"});

  SweepConfig zip_only;
  zip_only.zip = sweep.zip;
  CHECK(expand_sweep(zip_only).size() == 2);
  CHECK(expand_sweep(SweepConfig{}).empty());
}

TEST_CASE("grid: ids widen beyond 10000 points", "[sweep]") {
  CHECK(point_id_width(1) == 4);
  CHECK(point_id_width(10000) == 4);
  CHECK(point_id_width(10001) == 5);
  SweepConfig sweep;
  std::vector<std::string> values;
  for (int i = 0; i < 101; ++i) values.push_back(std::to_string(i));
  sweep.grid.push_back({"platform.devices", values});
  sweep.grid.push_back({"seed", values});
  const std::vector<SweepPoint> points = expand_sweep(sweep);
  REQUIRE(points.size() == 10201);
  CHECK(points.front().id == "00000");
  CHECK(points.back().id == "10200");
}

TEST_CASE("shards: K/N parsing and a partition of the points", "[sweep]") {
  const Shard shard = parse_shard("1/3");
  CHECK(shard.index == 1);
  CHECK(shard.count == 3);
  CHECK(input_error_of([] { parse_shard("3/3"); }) == "--shard 3/3: K must be in 0..N-1 (0 <= K < N), e.g. --shard 0/10");
  for (const char* bad : {"", "1", "a/3", "-1/3", "1/0x", "1/ 3", "1/3/4"}) {
    CAPTURE(bad);
    CHECK(input_error_of([bad] { parse_shard(bad); }).rfind(std::string("--shard ") + bad + ": expected K/N", 0) == 0);
  }
  CHECK(input_error_of([] { parse_shard("0/0"); }).find("K must be in 0..N-1") != std::string::npos);

  const std::vector<SweepPoint> points = expand_sweep(two_by_three());
  std::multiset<int> seen;
  for (int k = 0; k < 4; ++k) {
    for (const SweepPoint& point : points) {
      if (Shard{k, 4}.contains(point)) seen.insert(point.index);
    }
  }
  CHECK(seen == std::multiset<int>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("table: a point's summary.csv is copied by column name, complete files only", "[sweep]") {
  const std::vector<std::string> columns = summary_metric_columns();
  REQUIRE(columns.size() > 5);
  CHECK(columns.front() == "requests");
  const std::string summary = fake_point_summary(7);
  const auto values = read_point_summary(summary, summary_metric_columns());
  REQUIRE(values);
  REQUIRE(values->size() == columns.size());
  CHECK(values->front() == "700.5");

  CHECK_FALSE(read_point_summary("", summary_metric_columns()));
  CHECK_FALSE(read_point_summary(summary.substr(0, summary.size() - 1), summary_metric_columns()));              // no final newline
  CHECK_FALSE(read_point_summary(summary.substr(0, summary.find('\n') + 1), summary_metric_columns()));          // header only
  CHECK_FALSE(read_point_summary(summary + summary.substr(summary.find('\n') + 1), summary_metric_columns()));   // two rows
  CHECK_FALSE(read_point_summary("requests,accuracy\n10,0.5\n", summary_metric_columns()));                      // columns missing
  CHECK_FALSE(read_point_summary(summary.substr(0, summary.rfind(',')) + "\n", summary_metric_columns()));       // a field short
  const std::string comma_name = "name" + summary.substr(4, summary.find('\n') - 3) + "a, b" +
                                 summary.substr(summary.find('\n') + 1 + 4);
  REQUIRE(read_point_summary(comma_name, summary_metric_columns()));                                             // unquoted comma in a name
  CHECK(*read_point_summary(comma_name, summary_metric_columns()) == *values);
}

TEST_CASE("table: point, status, swept keys, metrics, error, with quoting", "[sweep]") {
  const std::vector<std::string> keys = sweep_keys(two_by_three());
  const std::vector<SweepPoint> points = expand_sweep(two_by_three());
  const SweepTableLayout layout{keys, summary_metric_columns()};
  const std::string header = sweep_table_header(layout);
  CHECK(header.rfind("point,status,platform.devices,platform.backhaul.bandwidth,requests,", 0) == 0);
  CHECK(header.size() > 7);
  CHECK(header.substr(header.size() - 7) == ",error\n");
  const size_t fields = split_csv_record(header.substr(0, header.size() - 1)).size();

  PointResult failed;
  failed.status = PointStatus::Failed;
  failed.error = "bad, \"value\"\nsecond line";
  const std::string failed_row = sweep_table_row(layout, points[1], failed);
  CHECK(failed_row.rfind("0001,failed,1,100Mbps,,", 0) == 0);
  CHECK(failed_row.find("\"bad, \"\"value\"\" second line\"\n") != std::string::npos);
  const std::vector<std::string> parsed = split_csv_record(failed_row.substr(0, failed_row.size() - 1));
  CHECK(parsed.size() == fields);
  CHECK(parsed.back() == "bad, \"value\" second line");

  const std::string pending_row = sweep_table_row(layout, points[2], PointResult{});
  CHECK(pending_row.rfind("0002,pending,1,1Gbps,,", 0) == 0);
  CHECK(split_csv_record(pending_row.substr(0, pending_row.size() - 1)).size() == fields);

  PointResult ok;
  ok.status = PointStatus::Ok;
  ok.metrics = *read_point_summary(fake_point_summary(3), summary_metric_columns());
  const std::string ok_row = sweep_table_row(layout, points[3], ok);
  CHECK(ok_row.rfind("0003,ok,10,10Mbps,300.5,301.5,", 0) == 0);
  CHECK(ok_row.substr(ok_row.size() - 2) == ",\n");  // empty error

  SweepPoint listy = points[0];
  listy.values[0] = "[1, 2]";
  CHECK(sweep_table_row(layout, listy, PointResult{}).rfind("0000,pending,\"[1, 2]\",10Mbps,", 0) == 0);
}

TEST_CASE("merge: shards joined equal the unsharded table byte for byte", "[sweep]") {
  SweepConfig sweep = two_by_three();
  sweep.grid[0].values.push_back("100");  // 9 points, shards of unequal size
  const std::vector<std::string> keys = sweep_keys(sweep);
  const std::vector<SweepPoint> points = expand_sweep(sweep);
  const std::string whole = table_of(keys, points);

  for (const int n : {1, 2, 3, 4, 9, 12}) {
    CAPTURE(n);
    std::vector<SweepTableFile> files;
    for (int k = n - 1; k >= 0; --k) {  // any order of directories on the command line
      std::vector<SweepPoint> slice;
      for (const SweepPoint& point : points) {
        if (Shard{k, n}.contains(point)) slice.push_back(point);
      }
      files.push_back({"shard-" + std::to_string(k) + "/summary.csv", table_of(keys, slice), 9});
    }
    const MergedTable merged = merge_sweep_tables(files);
    CHECK(merged.text == whole);
    CHECK(merged.pending.empty());
  }
}

TEST_CASE("merge: mismatched headers, duplicates, missing points, non-sweep files", "[sweep]") {
  const std::vector<std::string> keys = sweep_keys(two_by_three());
  const std::vector<SweepPoint> points = expand_sweep(two_by_three());
  std::vector<SweepPoint> even;
  std::vector<SweepPoint> odd;
  for (const SweepPoint& point : points) (point.index % 2 == 0 ? even : odd).push_back(point);
  const SweepTableFile a{"a/summary.csv", table_of(keys, even), 6};
  const SweepTableFile b{"b/summary.csv", table_of(keys, odd), 6};

  CHECK(input_error_of([&] { merge_sweep_tables({a, a}); }) ==
        "a/summary.csv:2: point 0000 is also in a/summary.csv (a shard given twice?)");
  CHECK(input_error_of([&] { merge_sweep_tables({a}); }) ==
        "merge: 3 of the sweep's 6 points are in no directory given (indices 1, 3, 5); was every shard merged?");

  const SweepTableFile other{"c/summary.csv", table_of({"platform.devices", "seed"}, odd), 6};
  CHECK(input_error_of([&] { merge_sweep_tables({a, other}); }) ==
        "c/summary.csv: header differs from a/summary.csv's (shards of different sweeps?)");
  const SweepTableFile bigger{"d/summary.csv", b.text, 8};
  CHECK(input_error_of([&] { merge_sweep_tables({a, bigger}); }) ==
        "d/summary.csv: a sweep of 8 points, but a/summary.csv is one of 6 (shards of different sweeps?)");
  const SweepTableFile run{"run/summary.csv", fake_point_summary(0), 0};
  CHECK(input_error_of([&] { merge_sweep_tables({run}); }) ==
        "run/summary.csv: not a sweep summary (expected a complete CSV whose header starts with point,status)");
  CHECK(input_error_of([&] { merge_sweep_tables({}); }) == "merge: no sweep directories given");

  // Without manifests nothing is known about the grid size: the union is merged as it is.
  const MergedTable merged = merge_sweep_tables({{"b", b.text, 0}, {"a", a.text, 0}});
  CHECK(merged.text == table_of(keys, points));

  // A shard that was stopped leaves pending points: merged, and reported.
  std::vector<PointResult> results(odd.size());
  const SweepTableFile stopped{"s/summary.csv", sweep_table({keys, summary_metric_columns()}, odd, results), 6};
  CHECK(merge_sweep_tables({a, stopped}).pending == std::vector<std::string>{"0001", "0003", "0005"});
}

TEST_CASE("point scenario: overrides applied, sweep removed, training off, models keyed", "[sweep]") {
  TempDir dir;
  const fs::path file = dir.path() / "s.yaml";
  std::ofstream(file) << "name: t\n"
                         "models: {dir: models/cache/a, train: {profile: quick}}\n"
                         "platform: {devices: 2}\n"
                         "workload: {requests_per_device: 20}\n"
                         "sweep:\n"
                         "  platform.devices: [1, 3]\n"
                         "  models.dir: [models/cache/a, models/cache/b]\n";
  const ScenarioWithoutSweep base = read_without_sweep(file);
  const Scenario one =
      point_scenario(base, {"platform.devices=3", "models.dir=models/cache/a"}, "out/points/0002", true);
  CHECK(one.platform.devices == 3);
  CHECK(one.sweep.grid.empty());
  CHECK(one.sweep.zip.empty());
  CHECK_FALSE(one.models.train.allow);
  CHECK(one.output.dir == "out/points/0002");
  CHECK(point_scenario(base, {}, "x", false).models.train.allow);

  const Scenario same_models = point_scenario(base, {"platform.devices=1", "models.dir=models/cache/a"}, "y", true);
  const Scenario other_models = point_scenario(base, {"platform.devices=3", "models.dir=models/cache/b"}, "z", true);
  CHECK(model_config_key(one) == model_config_key(same_models));
  CHECK(model_config_key(one) != model_config_key(other_models));
  // The seed of the simulation alone does not call for other models; the models' seed does.
  const auto key = [&](std::vector<std::string> sets) { return model_config_key(point_scenario(base, sets, "v", true)); };
  CHECK(key({"seed=1", "models.seed=5"}) == key({"seed=2", "models.seed=5"}));
  CHECK(key({"seed=1"}) == key({"seed=2"}));          // models.seed is independent of seed
  CHECK(key({"models.seed=1"}) != key({"models.seed=2"}));
  CHECK(input_error_of([&] { point_scenario(base, {"platform.devices=0"}, "w", true); }).find("platform.devices") !=
        std::string::npos);
}

TEST_CASE("point scenario: built without reading the sweep's values, the same as from the whole file", "[sweep]") {
  TempDir dir;
  // The text a point reads; its scenario, key lines and warnings are those of the whole file.
  const auto point_text = [&](const std::string& name, const std::string& text, const std::vector<std::string>& sets) {
    const fs::path file = dir.write(name, text);
    std::vector<std::string> whole_sets = sets;
    whole_sets.emplace_back("sweep={}");
    const Scenario whole = load_scenario(file, whole_sets);
    const ScenarioWithoutSweep base = read_without_sweep(file);
    const Scenario point = point_scenario(base, sets, whole.output.dir, false);
    CHECK(to_yaml(point) == to_yaml(whole));
    CHECK(point.key_lines == whole.key_lines);
    CHECK(point.warnings == whole.warnings);
    return base.text;
  };
  // A block sweep between two keys: its lines blank, the later keys on their lines.
  CHECK(point_text("block.yaml",
                   "name: t\nsweep:\n  seed: [1, 2, 3]\n  zip: {platform.devices: [1, 2]}\n# note\n"
                   "platform: {devices: 2}\npolicy: {offload: {budget: {window: 10s}}}\n",
                   {"seed=2"}) == "name: t\n\n\n\n\nplatform: {devices: 2}\npolicy: {offload: {budget: {window: 10s}}}\n");
  CHECK(point_text("last.yaml", "name: t\nsweep: {seed: [1,\n  2]}", {}) == "name: t\n\n");
  CHECK(point_text("unused-anchor.yaml", "name: t\nsweep: {seed: &s [1, 2]}\nplatform: {devices: 2}\n", {}) ==
        "name: t\n\nplatform: {devices: 2}\n");
  // The whole text when lines cannot cut the block out: a one-line flow mapping, an anchor used later.
  const std::string flow = "{name: t, sweep: {seed: [1, 2]}, platform: {devices: 3}}\n";
  CHECK(point_text("flow.yaml", flow, {"seed=1"}) == flow);
  const std::string anchor = "sweep: {platform.devices: &n [2, 3]}\nname: t\nworkload: {rates: *n}\n";
  CHECK(read_without_sweep(dir.write("anchor.yaml", anchor)).text == anchor);
  // Every point of every example sweep.
  for (const auto& entry : fs::directory_iterator(fs::path(ECCSIM_SOURCE_DIR) / "scenarios")) {
    const Scenario scenario = load_scenario(entry.path());
    if (scenario.sweep.grid.empty() && scenario.sweep.zip.empty()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const ScenarioWithoutSweep whole{entry.path(), std::string(std::istreambuf_iterator<char>(in), {})};
    const ScenarioWithoutSweep base = read_without_sweep(entry.path());
    CHECK(base.text.size() < whole.text.size());
    const std::vector<std::string> keys = sweep_keys(scenario.sweep);
    for (const SweepPoint& point : expand_sweep(scenario.sweep)) {
      INFO(entry.path().string() << " point " << point.id);
      const std::vector<std::string> sets = point_overrides(keys, point);
      CHECK(to_yaml(point_scenario(base, sets, "", false)) == to_yaml(point_scenario(whole, sets, "", false)));
    }
  }
}

TEST_CASE("example sweeps expand to their documented grids", "[sweep]") {
  const fs::path dir = fs::path(ECCSIM_SOURCE_DIR) / "scenarios";
  const auto points_of = [&](const char* name) { return expand_sweep(load_scenario(dir / name).sweep); };
  const std::vector<SweepPoint> devices = points_of("sweep-devices-backhaul.yaml");
  REQUIRE(devices.size() == 21);
  CHECK(devices.front().values == std::vector<std::string>{"1", "10Mbps"});
  CHECK(devices.back().values == std::vector<std::string>{"1000", "1Gbps"});
  CHECK(points_of("sweep-threshold-filter.yaml").size() == 33);
  const std::vector<SweepPoint> sensitivity = points_of("sweep-sensitivity.yaml");
  REQUIRE(sensitivity.size() == 44);
  CHECK(sensitivity[43].values == std::vector<std::string>{"random", "1"});
  const std::vector<SweepPoint> batching = points_of("sweep-cloud-batching.yaml");
  REQUIRE(batching.size() == 72);
  CHECK(batching.back().values == std::vector<std::string>{"8/s", "256", "10ms"});
}
