// `eccsim export`: loads (or trains) the scenario's native models and writes them as TorchScript.
#include "app/export_command.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "models/nets/torchscript_export.hpp"
#include "sim/model_setup.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace eccsim {

int export_command(const ExportCommandOptions& options) {
  const Scenario scenario = load_scenario(options.scenario_file, options.overrides);
  if (scenario.models.edge.format != ModelFormat::Native || scenario.models.cloud.format != ModelFormat::Native) {
    throw InputError(fmt::format("{}: export writes native models as TorchScript; these are TorchScript already",
                                 scenario.where(scenario.models.edge.format != ModelFormat::Native ? "models.edge.format"
                                                                                                   : "models.cloud.format")));
  }
  prepare_output_dir(options.out_dir, "--out");
  const ScenarioData data = load_scenario_data(scenario);
  const TrainedModels models = prepare_models(scenario, data, /*quick=*/false);
  const std::filesystem::path dir = options.out_dir;
  export_edge_torchscript(models.edge, data.split.class_order, dir / "edge.pt");
  export_cloud_torchscript(models.cloud, data.split.class_order, dir / "cloud.pt");
  fmt::print("{} -> {}\n{} -> {}\n", models.edge_file.string(), (dir / "edge.pt").string(), models.cloud_file.string(),
             (dir / "cloud.pt").string());
  fmt::print("run them with: --set models.edge.format=torchscript --set models.edge.path={} "
             "--set models.cloud.format=torchscript --set models.cloud.path={}\n",
             (dir / "edge.pt").string(), (dir / "cloud.pt").string());
  return 0;
}

}  // namespace eccsim
