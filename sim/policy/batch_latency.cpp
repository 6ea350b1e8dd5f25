// Batch-latency curves and the profile file; see batch_latency.hpp.
#include "sim/policy/batch_latency.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/csv.hpp"
#include "core/content_hash.hpp"
#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "sim/policy/cost_model.hpp"

namespace eccsim {

BatchLatencyCurve::BatchLatencyCurve(std::vector<BatchLatencyPoint> points, double speed)
    : points_(std::move(points)), speed_(speed) {}

double BatchLatencyCurve::seconds(int batch) const {
  if (points_.size() == 1) return points_.front().latency_s * batch / points_.front().batch / speed_;
  // The segment [a, b] holding `batch` (the last one beyond the largest size).
  auto upper = std::lower_bound(points_.begin(), points_.end(), batch,
                                [](const BatchLatencyPoint& p, int n) { return p.batch < n; });
  if (upper == points_.end()) upper = points_.end() - 1;
  if (upper == points_.begin()) upper = points_.begin() + 1;
  const BatchLatencyPoint& a = *(upper - 1);
  const BatchLatencyPoint& b = *upper;
  const double t = a.latency_s + (b.latency_s - a.latency_s) * (batch - a.batch) / (b.batch - a.batch);
  return t / speed_;
}

std::filesystem::path latency_profile_file(const Scenario& scenario) {
  const std::filesystem::path dir = scenario.models.dir;
  if (scenario.models.cloud.format == ModelFormat::Native) return dir / "cloud_latency.csv";
  return dir / fmt::format("cloud_latency-{}.csv", ContentHash().add(read_file(scenario.models.cloud.path)).hex());
}

std::string latency_profile_csv(const std::vector<BatchLatencyPoint>& points) {
  std::string text = "batch,latency_s,samples_per_s\n";
  for (const BatchLatencyPoint& p : points) {
    text += fmt::format("{},{:.9f},{:.3f}\n", p.batch, p.latency_s, p.batch / p.latency_s);
  }
  return text;
}

std::vector<BatchLatencyPoint> parse_latency_profile(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  std::string line;
  int number = 1;
  if (!std::getline(in, line) || split_csv_record(line).at(0) != "batch") {
    throw InputError(fmt::format("{}:1: expected the header batch,latency_s,samples_per_s", file));
  }
  std::vector<BatchLatencyPoint> points;
  while (std::getline(in, line)) {
    ++number;
    const std::vector<std::string> fields = split_csv_record(line);
    BatchLatencyPoint point;
    size_t used = 0;
    try {
      point.batch = std::stoi(fields.at(0), &used);
      if (used != fields[0].size()) throw std::invalid_argument("batch");
      point.latency_s = std::stod(fields.at(1), &used);
      if (used != fields[1].size()) throw std::invalid_argument("latency_s");
    } catch (const std::exception&) {
      throw InputError(fmt::format("{}:{}: expected a batch size and a time in seconds, got '{}'", file, number, line));
    }
    if (point.batch < 1 || !(point.latency_s > 0) || !std::isfinite(point.latency_s) ||
        (!points.empty() && point.batch <= points.back().batch)) {
      throw InputError(fmt::format("{}:{}: batch sizes must ascend from 1 with positive times, got '{}'", file,
                                   number, line));
    }
    points.push_back(point);
  }
  if (points.empty() || points.front().batch != 1) {
    throw InputError(fmt::format("{}: the profile must start with batch size 1", file));
  }
  return points;
}

double declared_core_speed_factor(const std::vector<BatchLatencyPoint>& profile, double cloud_macs_per_sample,
                                  double core_flops) {
  double best_flops = 0;
  for (const BatchLatencyPoint& p : profile) {
    best_flops = std::max(best_flops, kFlopPerMac * cloud_macs_per_sample * p.batch / p.latency_s);
  }
  return core_flops / best_flops;
}

namespace {

// models.dir's stored profile, its largest batch checked against batch.max; empty when it has not
// been measured.
std::vector<BatchLatencyPoint> stored_profile(const Scenario& scenario) {
  const std::filesystem::path file = latency_profile_file(scenario);
  const std::string text = read_file(file);
  if (text.empty()) return {};
  std::vector<BatchLatencyPoint> profile = parse_latency_profile(text, file.string());
  const int batch_max = scenario.platform.cloud.batch.max;
  if (batch_max > profile.back().batch) {
    throw InputError(fmt::format("{}: {} is beyond the profile's largest batch ({}, in {})",
                                 scenario.where("platform.cloud.batch.max"), batch_max, profile.back().batch,
                                 file.string()));
  }
  return profile;
}

bool times_batches_by_profile(const CloudConfig& cloud) {
  return cloud.energy == CloudEnergy::Power && cloud.latency.model == CloudLatencyModel::Profile;
}

}  // namespace

void check_stored_latency_profile(const Scenario& scenario) {
  if (times_batches_by_profile(scenario.platform.cloud)) stored_profile(scenario);
}

BatchLatencyCurve cloud_latency_curve(const Scenario& scenario, double cloud_macs_per_sample) {
  const CloudConfig& cloud = scenario.platform.cloud;
  if (cloud.energy == CloudEnergy::Constant) return {};
  const bool speed_given = cloud.latency.speed != kScaleToDeclaredCore;
  switch (cloud.latency.model) {
    case CloudLatencyModel::Flops: return {};
    case CloudLatencyModel::Table:
      return BatchLatencyCurve(cloud.latency.table, speed_given ? cloud.latency.speed : 1);
    case CloudLatencyModel::Profile: break;
  }
  std::vector<BatchLatencyPoint> profile = stored_profile(scenario);
  if (profile.empty()) {
    throw InputError(fmt::format("{}: profile, but {} does not exist (eccsim profile {} measures it)",
                                 scenario.where("platform.cloud.latency.model"),
                                 latency_profile_file(scenario).string(), scenario.source_file.string()));
  }
  const double speed = speed_given ? cloud.latency.speed
                                   : declared_core_speed_factor(profile, cloud_macs_per_sample, cloud.speed_flops);
  return BatchLatencyCurve(std::move(profile), speed);
}

}  // namespace eccsim
