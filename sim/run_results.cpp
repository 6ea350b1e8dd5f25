// What one run measured, collected once the engine has stopped: the records of the run state,
// per device and link the energy SimGrid's plugins counted, and the evaluation of every model the
// devices served.
#include "sim/run_results.hpp"

#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "models/nets/edge_model.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/engine_setup.hpp"
#include "sim/platform.hpp"
#include "sim/policy/cost_model.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// links.csv: what each link carried, and its energy: SimGrid's link_energy plugin for wired links
// (idle + (busy - idle) x utilisation); for the Wi-Fi cell, the access point's radio in ns-3's
// idle/tx/rx states from its airtime (it sends what the stations receive and receives what they
// send) and the stations' radios while idle. A station's transmit and receive energy belongs to
// the requests and updates whose bytes it moved (cost model), so the cell's row leaves it out.
// SimGrid 3.32's link_energy_wifi has no getter (it only logs at the end), hence this accounting.
std::vector<LinkRecord> link_records(const Platform& platform, const NetworkLedger& ledger, const Fleet& fleet,
                                     SimulationResult& result) {
  std::vector<LinkRecord> links = ledger.records();
  const bool plugin = wired_links_draw_power(fleet);
  for (size_t k = 0; k < links.size(); ++k) {
    if (links[k].link_class != LinkClass::Wifi && plugin)
      links[k].energy_J = sg_link_get_consumed_energy(platform.ledger_links[k]);
  }
  // Per cell: its stations' radios and its access point's (one cell per group: one radio power).
  struct CellRadios {
    double stations_idle_J = 0, ap_tx_s = 0, ap_rx_s = 0;
    const WifiPowerConfig* power = nullptr;
  };
  std::map<int, CellRadios> cells;
  for (size_t i = 0; i < ledger.stations().size(); ++i) {
    const StationRadio& station = ledger.stations()[i];
    if (station.cell < 0) continue;
    CellRadios& cell = cells[station.cell];
    cell.power = &fleet.group_of(static_cast<int>(i)).access.wifi_power;
    DeviceMeasures& device = result.device_measures[i];
    device.wifi_level = station.level;
    const double powered_s = device.death_s >= 0 ? device.death_s : result.simulated_s;  // a dead radio is off
    device.wifi_radio_energy_J = radio_energy_J(*cell.power, station.tx_s, station.rx_s, powered_s);
    cell.stations_idle_J += radio_energy_J(*cell.power, 0, 0, powered_s - station.tx_s - station.rx_s);
    cell.ap_tx_s += station.rx_s;
    cell.ap_rx_s += station.tx_s;
  }
  for (const auto& [link, cell] : cells) {
    const double access_point_J = radio_energy_J(*cell.power, cell.ap_tx_s, cell.ap_rx_s, result.simulated_s);
    result.access_point_energy_J += access_point_J;
    links[static_cast<size_t>(link)].energy_J = cell.stations_idle_J + access_point_J;
  }
  return links;
}

// The records, and per device the energy SimGrid's host plugin counted.
SimulationResult collect_records(const Platform& platform, RunState& state, const InferenceCache& inference) {
  SimulationResult result;
  result.simulated_s = sg4::Engine::get_clock();
  // Requests of a device still down when everything else ended were never served.
  state.log.requests.drop_unsettled(result.simulated_s);
  result.inference = inference.stats();
  for (sg4::Host* host : platform.clouds) result.cloud_energy_J += sg_host_get_consumed_energy(host);
  // SimGrid's plugin counts idle + (busy - idle) x busy cores / cores: what the cost model charged
  // the batches and trainings is the second term.
  result.cloud_idle_energy_J =
      result.cloud_energy_J - cloud_core_dynamic_W(state.inputs.scenario.platform.cloud) * state.cloud_busy_s;
  for (size_t i = 0; i < state.devices.size(); ++i) {
    Battery& battery = state.devices[i].battery;
    // A battery that emptied after the device's last event died then, with nothing left to drop.
    if (!battery.dead() && battery.empty_by(result.simulated_s)) battery.die(battery.empty_at_s());
    const double powered_s = battery.dead() ? battery.death_s() : result.simulated_s;
    DeviceMeasures measures{sg_host_get_consumed_energy(platform.devices[i]),
                            state.inputs.device_config(static_cast<int>(i)).power_idle_W * powered_s,
                            state.devices[i].offload.offline_s};
    if (!battery.powered_by_mains()) measures.battery_left_J = battery.left_J(powered_s);
    measures.death_s = battery.death_s();
    measures.radio_tail_energy_J = radio_tails_energy_J(state.inputs.device_config(static_cast<int>(i)),
                                                        std::move(state.devices[i].radio_uses), powered_s);
    result.device_measures.push_back(measures);
  }
  result.links = link_records(platform, state.network, state.inputs.fleet, result);
  result.requests = state.log.requests.take();
  result.updates = std::move(state.log.updates);
  if (state.inputs.scenario.output.idle_energy == IdleEnergy::Held)
    attribute_held_idle(result.requests, result.updates, result.device_measures, result.cloud_idle_energy_J);
  result.outages = std::move(state.log.outages);
  result.thresholds = std::move(state.log.thresholds);
  result.trained_samples = std::move(state.log.trained_samples);
  std::stable_sort(result.thresholds.begin(), result.thresholds.end(),
                   [](const ThresholdRecord& a, const ThresholdRecord& b) {
                     return std::tie(a.t_s, a.device) < std::tie(b.t_s, b.device);
                   });
  for (OutageRecord& outage : result.outages) {
    if (outage.t_up_s < outage.t_down_s) outage.t_up_s = result.simulated_s;  // still down at the end
  }
  std::sort(result.updates.begin(), result.updates.end(), [](const UpdateRecord& a, const UpdateRecord& b) {
    return std::tie(a.t_end_s, a.device) < std::tie(b.t_end_s, b.device);
  });
  return result;
}

// The evaluation and calibration sets, by sample.
std::vector<HeldOutSample> held_out_records(const RunInputs& run) {
  std::vector<HeldOutSample> samples;
  const auto add = [&](const std::vector<int64_t>& set, const char* name) {
    for (int64_t sample : set)
      samples.push_back({sample, run.split.new_label_of.at(run.dataset.test.labels[static_cast<size_t>(sample)]), name});
  };
  add(run.evaluation_samples, "evaluation");
  add(run.calibration_samples, "calibration");
  std::sort(samples.begin(), samples.end(), [](const HeldOutSample& a, const HeldOutSample& b) { return a.sample < b.sample; });
  return samples;
}

// Every model version the devices served, on the evaluation set: the initial model (device -1),
// then each install. Each distinct model is evaluated once; none without an evaluation set.
std::vector<AccuracyRow> accuracy_matrix(const RunState& state, const EdgeModel& initial_model, InferenceCache& inference) {
  const std::vector<int64_t>& samples = state.inputs.evaluation_samples;
  if (samples.empty()) return {};
  const TaskSplit& split = state.inputs.split;
  const std::vector<int32_t>& labels = state.inputs.dataset.test.labels;
  std::map<const EdgeModel*, std::vector<double>> evaluated;
  const auto task_accuracy = [&](const EdgeModel& model) -> const std::vector<double>& {
    auto [it, fresh] = evaluated.try_emplace(&model);
    if (!fresh) return it->second;
    inference.want(model, samples);
    inference.infer_wanted(model);
    std::vector<double> correct(static_cast<size_t>(split.num_tasks()), 0), total(correct.size(), 0);
    for (int64_t sample : samples) {
      const int32_t label = split.new_label_of.at(labels[static_cast<size_t>(sample)]);
      const auto task = static_cast<size_t>(split.task_of(label));
      total[task] += 1;
      correct[task] += inference.edge(model, sample).predicted == label ? 1 : 0;
    }
    for (size_t k = 0; k < correct.size(); ++k) correct[k] = total[k] > 0 ? correct[k] / total[k] : 0;
    it->second = std::move(correct);
    return it->second;
  };
  const auto row = [&](int device, double t_s, const EdgeModel& model) {
    return AccuracyRow{device, model.version(), t_s, static_cast<int>(model.head_sizes().size()), task_accuracy(model)};
  };
  std::vector<AccuracyRow> rows{row(-1, 0, initial_model)};
  for (const InstallRecord& install : state.log.installs) rows.push_back(row(install.device, install.t_s, *install.model));
  return rows;
}

}  // namespace

SimulationResult collect_result(const Platform& platform, RunState& state, const EdgeModel& initial_model,
                                InferenceCache& inference) {
  SimulationResult result = collect_records(platform, state, inference);
  result.accuracy_matrix = accuracy_matrix(state, initial_model, inference);
  result.held_out = held_out_records(state.inputs);
  return result;
}

}  // namespace eccsim
