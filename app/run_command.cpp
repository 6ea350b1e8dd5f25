// `eccsim run` as a linear pipeline: scenario, output directory, data and models, simulation,
// outputs. Output files are written only after the simulation succeeded, published as one set
// (core/output_set.hpp): a reader, or a kill at any moment, sees the previous run's set or this one's.
#include "app/run_command.hpp"

#include <fmt/core.h>
#include <xbt/base.h>  // simgrid/version.h needs its macros
#include <simgrid/version.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "core/content_hash.hpp"
#include "core/file_io.hpp"
#include "core/machine.hpp"
#include "core/output_set.hpp"
#include "models/nets/library_version.hpp"
#include "models/nets/model_threads.hpp"
#include "sim/model_setup.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/report/csv_report.hpp"
#include "sim/scenario/admission.hpp"
#include "sim/scenario/scenario_yaml.hpp"
#include "sim/simulation.hpp"
#include "sim/workload/workload.hpp"

namespace eccsim {

namespace {

// Every file a run's output set may hold (requests.csv only with output.requests); run.json last.
const std::vector<std::string> kRunOutputFiles{
    "requests.csv", "devices.csv", "groups.csv", "updates.csv", "trained_samples.csv", "held_out.csv",
    "accuracy_matrix.csv", "links.csv", "faults.csv", "thresholds.csv", "tasks.csv", "summary.csv", "run.json"};

std::string run_manifest(const RunCommandOptions& options, const Scenario& scenario, const SimulationResult& result,
                         const Summary& summary, double wall_s, int inference_threads,
                         const TrainedModels& models, const OffloadPluginLibrary* plugin,
                         const std::vector<OutputFileEntry>& files) {
  const InferenceStats& inference = result.inference;
  nlohmann::ordered_json manifest;
  manifest["scenario_file"] = options.scenario_file;
  manifest["scenario_hash"] = "fnv1a64:" + ContentHash().add(read_file(options.scenario_file)).hex();
  manifest["seed"] = scenario.seed;
  manifest["command_line"] = options.command_line;
  manifest["versions"] = {{"eccsim", kEccsimVersion},
                          {"simgrid", fmt::format("{}.{}.{}", SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR,
                                                  SIMGRID_VERSION_PATCH)},
                          {"libtorch", libtorch_version()}};
  // Which model files answered: a native checkpoint or a TorchScript module, by content.
  const auto model_entry = [](const std::string& arch, const std::filesystem::path& file) {
    return nlohmann::ordered_json{{"format", arch == "torchscript" ? "torchscript" : "native"},
                                  {"arch", arch},
                                  {"file", file.string()},
                                  {"fnv1a64", ContentHash().add(read_file(file)).hex()}};
  };
  manifest["models"] = {{"edge", model_entry(models.edge.arch(), models.edge_file)},
                        {"cloud", model_entry(models.cloud.arch(), models.cloud_file)}};
  manifest["requests"] = summary.requests;
  manifest["simulated_s"] = result.simulated_s;
  // platform.device_actors as resolved: auto is per_device below kSharedDevicesFrom devices.
  manifest["device_actors"] = devices_share_actors(scenario.platform) ? "shared" : "per_device";
  manifest["wall_s"] = wall_s;
  manifest["inference"] = {{"edge_samples", inference.edge_samples},
                           {"cloud_samples", inference.cloud_samples},
                           {"stored_edge_samples", inference.stored_edge_samples},
                           {"stored_cloud_samples", inference.stored_cloud_samples},
                           {"batches", inference.batches},
                           {"threads", inference_threads},
                           {"omp_wait_policy", omp_wait_policy()},
                           {"wall_s", inference.wall_s},
                           {"cpu_s", inference.cpu_s}};
  const OffloadConfig& offload = scenario.policy.offload;
  manifest["offload"] = {{"filter", name_of(offload.filter)},
                         {"threshold", summary.threshold ? nlohmann::ordered_json(*summary.threshold) : nullptr},
                         {"tie_share", result.offload_threshold.tie_share},
                         {"calibrated", offload.calibrates_threshold()},
                         {"target_cur", offload.calibrates() ? nlohmann::ordered_json(offload.target_share()) : nullptr},
                         {"calibration_samples", result.calibration_samples}};
  if (plugin != nullptr) {
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const PluginParam& param : plugin->config().params) params[param.key] = param.value;
    manifest["offload"]["plugin"] = {{"path", plugin->path()},
                                     {"name", plugin->name()},
                                     {"fnv1a64", ContentHash().add(read_file(plugin->path())).hex()},
                                     {"api_version", plugin->api().api_version},
                                     {"params", params}};
  }
  // The other files of the set, as written: a copy of the directory can be checked against them.
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const OutputFileEntry& file : files)
    listed.push_back({{"name", file.name}, {"bytes", file.bytes}, {"fnv1a64", file.fnv1a64}});
  manifest["files"] = listed;
  manifest["resolved_scenario"] = to_yaml(scenario);
  return manifest.dump(2) + "\n";
}

// `value` x `scale` in `format`, or "none" for a metric over no request.
std::string shown(const std::optional<double>& value, std::string_view format, double scale = 1) {
  return value ? fmt::format(fmt::runtime(format), scale * *value) : "none";
}

void print_summary(const Scenario& scenario, const Summary& s, const std::vector<GroupTotals>& groups,
                   double tie_share, double wall_s, const std::string& out_dir) {
  fmt::print("{}: {} requests over {:.1f} simulated s ({:.1f} s wall)\n", scenario.name, s.requests, s.simulated_s,
             wall_s);
  fmt::print("  accuracy      {:>8}   (edge only {}, cloud only {}, AccI {})\n", shown(s.accuracy, "{:.2f} %", 100),
             shown(s.edge_only_accuracy, "{:.2f} %", 100), shown(s.cloud_only_accuracy, "{:.2f} %", 100),
             shown(s.acci, "{:.3f}"));
  fmt::print("  offloaded     {:>8}   (CUR), fallbacks {}, dropped {}\n", shown(s.cur, "{:.2f} %", 100), s.fallbacks,
             s.dropped);
  if (s.threshold && scenario.policy.offload.calibrates())
    fmt::print("  threshold     {:.6g}{}   (calibrated for {:.1f} % CUR)\n", *s.threshold,
               tie_share > 0 && tie_share < 1 ? fmt::format(", ties offloaded {:.1f} %", 100 * tie_share) : "",
               100 * scenario.policy.offload.target_share());
  fmt::print("  energy        {} per request (edge {}, radio {}, cloud {})\n", shown(s.energy_per_request_J, "{:.6g} J"),
             shown(s.edge_energy_per_request_J, "{:.6g}"), shown(s.radio_energy_per_request_J, "{:.6g}"),
             shown(s.cloud_energy_per_request_J, "{:.6g}"));
  fmt::print("  latency       mean {}, p95 {}\n", shown(s.latency_mean_s, "{:.3f} ms", 1e3),
             shown(s.latency_p95_s, "{:.3f} ms", 1e3));
  if (s.network_energy_J > 0)
    fmt::print("  network       {} per request ({:.6g} J over the run, links.csv)\n",
               shown(s.network_energy_per_request_J, "{:.6g} J"), s.network_energy_J);
  if (s.updates > 0)
    fmt::print("  updates       {} ({:.0f} bytes moved, {:.6g} J)\n", s.updates, s.update_bytes, s.update_energy_J);
  if (s.radio_tail_energy_J > 0)
    fmt::print("  radio tails   {:.6g} J over the run (devices.csv)\n", s.radio_tail_energy_J);
  fmt::print("  total energy  {:.6g} J (idle: devices {:.6g}, cloud {:.6g}); {} per answered request with updates\n",
             s.total_energy_J, s.device_idle_energy_J, s.cloud_idle_energy_J,
             shown(s.energy_per_answered_request_with_updates_J, "{:.6g} J"));
  if (s.evaluation.final_average_accuracy)
    fmt::print("  evaluation    final average accuracy {:.2f} %, average incremental {:.2f} %{} (accuracy_matrix.csv)\n",
               100 * *s.evaluation.final_average_accuracy, 100 * *s.evaluation.average_incremental_accuracy,
               s.evaluation.forgetting ? fmt::format(", forgetting {:.2f} %", 100 * *s.evaluation.forgetting) : "");
  if (s.first_death_s)
    fmt::print("  batteries     {} devices died, the first at {:.3f} s{}\n", s.deaths, *s.first_death_s,
               s.median_death_s ? fmt::format(", half the battery-powered ones by {:.3f} s", *s.median_death_s)
                                : std::string());
  if (groups.size() > 1) {
    for (const GroupTotals& group : groups)
      fmt::print("  group {:<8} {} devices at {}: accuracy {}, CUR {}, p95 {}, {} per request\n",
                 group.group, group.devices, group.site, shown(group.summary.accuracy, "{:.2f} %", 100),
                 shown(group.summary.cur, "{:.2f} %", 100), shown(group.summary.latency_p95_s, "{:.3f} ms", 1e3),
                 shown(group.summary.energy_per_request_J, "{:.6g} J"));
  }
  fmt::print("  outputs       {}/\n", out_dir);
}

}  // namespace

int run_command(const RunCommandOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  for (const std::string& warning : scenario.warnings) fmt::print(stderr, "warning: {}\n", warning);
  AdmissionLimits limits = machine_limits();
  limits.admit_anyway = options.admit_anyway;
  const OffloadMessageBytes messages = offload_message_bytes(scenario);
  admit_run(scenario, limits, messages);
  for (const std::string& warning : shared_link_warnings(scenario, messages)) fmt::print(stderr, "warning: {}\n", warning);
  const std::string out_dir = options.out_dir.empty() ? scenario.output.dir : options.out_dir;
  const std::shared_ptr<OffloadPluginLibrary> offload_plugin = open_offload_plugin(scenario);
  prepare_output_dir(out_dir, options.out_dir.empty() ? scenario.where("output.dir") : "--out");
  // Staged beside the current set from the start: what killed runs left is cleaned now.
  OutputSet outputs(out_dir, kRunOutputFiles);

  const int inference_threads =
      set_intra_op_threads(options.inference_threads > 0 ? options.inference_threads : available_cores());
  const ScenarioData data = load_scenario_data(scenario);
  const TrainedModels models = prepare_models(scenario, data, /*quick=*/false);
  const SimulationResult result =
      simulate({&scenario, &data.dataset, &data.split, &models.edge, &models.cloud, models.edge_file,
                models.cloud_file, options.engine,
                cloud_latency_curve(scenario, models.cloud.macs_per_sample()), offload_plugin});

  RunEnergy run_energy{0, result.cloud_idle_energy_J};
  for (const LinkRecord& link : result.links) run_energy.network_J += link.energy_J;
  Summary summary = summarise(result.requests, result.updates, result.device_measures, result.simulated_s, run_energy);
  if (has_threshold(scenario.policy.offload.filter)) summary.threshold = result.offload_threshold.value;
  summary.evaluation =
      continual_metrics(result.accuracy_matrix, scenario.platform.devices,
                        phase_ends(scenario.workload, data.split.num_tasks(), result.simulated_s));
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  const Fleet fleet = fleet_of(scenario);
  if (scenario.output.requests) outputs.add("requests.csv", requests_csv(result.requests, fleet));
  outputs.add("devices.csv", devices_csv(device_totals(result.requests, result.device_measures), fleet));
  const std::vector<GroupTotals> groups = group_totals(result.requests, result.updates, result.device_measures, fleet);
  outputs.add("groups.csv", groups_csv(groups));
  outputs.add("updates.csv", updates_csv(result.updates));
  outputs.add("trained_samples.csv", trained_samples_csv(result.trained_samples));
  outputs.add("held_out.csv", held_out_csv(result.held_out));
  outputs.add("accuracy_matrix.csv", accuracy_matrix_csv(result.accuracy_matrix, data.split.num_tasks()));
  outputs.add("links.csv", links_csv(result.links));
  outputs.add("faults.csv", faults_csv(result.outages));
  outputs.add("thresholds.csv", thresholds_csv(result.thresholds));
  outputs.add("tasks.csv", tasks_csv(result.requests, data.split.num_tasks()));
  outputs.add("summary.csv", summary_csv({"scenario"}, {scenario.name}, summary));
  outputs.add("run.json",
              run_manifest(options, scenario, result, summary, wall_s, inference_threads, models, offload_plugin.get(),
                           outputs.files()));
  outputs.publish();
  print_summary(scenario, summary, groups, result.offload_threshold.tie_share, wall_s, out_dir);
  return 0;
}

}  // namespace eccsim
