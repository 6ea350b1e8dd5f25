// One simulation: engine and plugins, the platform, the request schedules, the actors,
// then the run. Network: SimGrid's CM02 flow model without TCP cross-traffic, so a lone
// transfer takes exactly latency + bytes / bandwidth and concurrent flows share links
// max-min fairly.
#include "sim/simulation.hpp"

#include <fmt/core.h>
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "core/heap_reuse.hpp"
#include "core/input_error.hpp"
#include "core/random.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/actors/cloud_server.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/actors/fault_injector.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/actors/update_stage.hpp"
#include "sim/offload_thresholds.hpp"
#include "sim/platform.hpp"
#include "sim/policy/calibration.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/scenario/seed_streams.hpp"
#include "sim/workload/workload.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// The most upload classes a fleet can have: per group one, or one per Wi-Fi rate level.
int64_t max_upload_classes(const Fleet& fleet) {
  int64_t classes = 0;
  for (const GroupConfig& group : fleet.groups)
    classes += group.access.kind == AccessKind::Wifi ? static_cast<int64_t>(group.access.wifi_rates_Bps().size()) : 1;
  return classes;
}

// The most actors the run holds at once: per device its own (and while it updates, the update
// and install actors), per cloud host a receiver per upload class and a worker per core, the
// fault injectors, the progress line and the oracle.
int64_t peak_actors(const Scenario& scenario) {
  const int64_t per_device = scenario.policy.update.mode == UpdateMode::None ? 1 : 3;
  const PlatformConfig& platform = scenario.platform;
  return per_device * platform.devices +
         int64_t{platform.cloud.hosts} * (platform.cloud.cores + max_upload_classes(fleet_of(scenario))) +
         static_cast<int64_t>(scenario.faults.size()) + 2;
}

int64_t max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  int64_t count = 65530;  // Linux's default
  in >> count;
  return count;
}

// Memory mappings the process needs besides actor stacks (libraries, LibTorch's pools), with room.
constexpr int64_t kBaseMappings = 8192;

// Actor stacks. A guard page below each stack turns an overflow into a crash instead of silent
// corruption, but costs two memory mappings per actor (the kernel allows vm.max_map_count per
// process, 65,530 by default); so do OS threads, which the thread factory gives every actor.
// Without guard pages, stacks of less than glibc's mmap threshold (128 KiB) come from the heap
// and cost no mapping at all. Guard pages stay on while the fleet leaves room for them. The
// stacks are small (16 KiB by default, EngineOptions) because SimGrid zeroes each one: a
// 100,000-device fleet has 200,000 actors. Actors run only eccsim's and SimGrid's shallow code;
// LibTorch runs on_engine_stack. A test runs every actor path on 8 KiB under guard pages.
bool use_guard_pages(const Scenario& scenario, const EngineOptions& engine) {
  const int64_t needed = 2 * peak_actors(scenario) + kBaseMappings;
  const int64_t allowed = max_map_count();
  if (needed <= allowed) return true;
  if (engine.context_factory == "thread")
    throw InputError(fmt::format(
        "{}: {} devices need about {} actors, and the thread contexts' {} memory mappings exceed "
        "vm.max_map_count ({}); run without --context-factory thread",
        scenario.where("platform.devices"), scenario.platform.devices, peak_actors(scenario), needed, allowed));
  return false;
}

// SimGrid's command-line style options for the engine: its configuration chatter kept off
// stderr, the context factory and the actors' stacks.
std::vector<std::string> engine_arguments(const EngineOptions& engine, bool guard_pages) {
  // res_ns3 warns once that a message handed over on its own host (Inbox, packet model) takes no time.
  std::vector<std::string> arguments{"eccsim", "--log=xbt_cfg.thres:warning", "--log=host_energy.thres:warning",
                                     "--log=link_energy.thres:warning", "--log=res_ns3.thres:error"};
  if (!engine.context_factory.empty()) arguments.push_back("--cfg=contexts/factory:" + engine.context_factory);
  if (engine.context_factory != "thread")  // threads keep the system's stack size
    arguments.push_back(fmt::format("--cfg=contexts/stack-size:{}", engine.actor_stack_KiB));
  if (!guard_pages) arguments.push_back("--cfg=contexts/guard-size:0");
  return arguments;
}

// Wired links draw power only when the scenario gives them some; the link energy plugin then
// runs (it costs a route lookup per transfer start and end).
bool wired_links_draw_power(const Fleet& fleet) {
  const auto draws = [](double idle_W, double busy_W) { return idle_W > 0 || busy_W > 0; };
  for (const GroupConfig& group : fleet.groups)
    if (group.access.kind == AccessKind::Wired && draws(group.access.power_idle_W, group.access.power_busy_W))
      return true;
  for (const SiteConfig& site : fleet.sites)
    if (draws(site.backhaul.power_idle_W, site.backhaul.power_busy_W)) return true;
  return false;
}

void configure_engine_and_plugins(const Scenario& scenario, const Fleet& fleet) {
  configure_network(scenario.platform.network, scenario.seed);
  sg_host_energy_plugin_init();
  if (wired_links_draw_power(fleet)) sg_link_energy_plugin_init();
}

// Prints simulated time and requests settled on stderr, at most every few wall seconds.
void progress_reporter(const RunState* state, double step_s) {
  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now();
  for (;;) {
    sg4::this_actor::sleep_for(step_s);
    if (Clock::now() - last_print < std::chrono::seconds(2)) continue;
    last_print = Clock::now();
    fmt::print(stderr, "eccsim: simulated {:.1f} s, {}/{} requests settled\n", sg4::Engine::get_clock(),
               state->log.requests.settled(), state->log.requests.size());
  }
}

// The fixed inputs of the run: hosts, every device's request schedule and the size of the
// messages. The initial model's and the cloud's batches for every scheduled request run here,
// before any actor exists.
RunInputs build_inputs(const SimulationInputs& inputs, const Fleet& fleet, const Platform& platform,
                       const EdgeModel& initial_model, InferenceCache& inference) {
  const Scenario& scenario = *inputs.scenario;
  const ImageSet& test = inputs.dataset->test;
  RunInputs run(scenario, *inputs.split, *inputs.dataset, *inputs.cloud_model);
  run.fleet = fleet;
  run.device_hosts = platform.devices;
  run.cloud_hosts = platform.clouds;
  run.cloud_latency = inputs.cloud_latency;
  const OffloadConfig& offload = scenario.policy.offload;
  // The test images split three ways, disjoint: the evaluation set, the calibration set (with a
  // target share, whatever the filter, so that every filter of a sensitivity sweep sees the same
  // requests) and the stream the requests draw from (docs/updates.md, Evaluation).
  if (scenario.dataset.evaluation_share > 0)
    run.evaluation_samples = held_out_samples(test.labels, scenario.dataset.evaluation_share,
                                              derive_seed(scenario.seed, SeedStream::EvaluationSamples, 0));
  if (offload.calibrates()) {
    run.calibration_samples = held_out_samples(test.labels, offload.calibration_share,
                                               derive_seed(scenario.seed, SeedStream::CalibrationSamples, 0), run.evaluation_samples);
    for (int64_t sample : run.calibration_samples)
      run.calibration_labels.push_back(inputs.split->new_label_of.at(test.labels[sample]));
    if (offload.calibrates_threshold()) inference.want(initial_model, run.calibration_samples);
  }
  std::vector<int64_t> held_out;
  std::merge(run.evaluation_samples.begin(), run.evaluation_samples.end(), run.calibration_samples.begin(),
             run.calibration_samples.end(), std::back_inserter(held_out));
  run.pools = SamplePools(scenario.workload, *inputs.split, test.labels, held_out);
  const SamplePools& pools = run.pools;
  run.phase_class_shares = phase_class_shares(pools, *inputs.split, test.labels);
  std::vector<int64_t> phase_requests(run.phase_class_shares.size(), 0);
  std::vector<std::vector<double>> traces;  // per group
  for (const GroupConfig& group : fleet.groups)
    traces.push_back(group.workload.arrival == Arrival::Trace ? read_trace(group.workload.trace) : std::vector<double>{});
  int64_t total_requests = 0;
  for (int i = 0; i < scenario.platform.devices; ++i) {
    const int group = fleet.group_of_device[static_cast<size_t>(i)];
    run.schedules.push_back(device_schedule(fleet.groups[static_cast<size_t>(group)].workload, scenario.seed, i, pools,
                                            *inputs.split, test.labels, traces[static_cast<size_t>(group)]));
    run.first_request_id.push_back(total_requests);
    total_requests += static_cast<int64_t>(run.schedules.back().size());
    std::vector<int64_t> samples;
    for (const ScheduledRequest& request : run.schedules.back()) {
      samples.push_back(request.sample);
      ++phase_requests[static_cast<size_t>(request.phase)];
    }
    inference.want(initial_model, samples);
    inference.want_cloud(samples);  // the cloud-only baseline is computed for every request
    std::vector<sg4::Link*> route;
    double route_latency_s = 0;
    platform.devices[i]->route_to(run.cloud_of(i), route, &route_latency_s);
    run.uplink_latency_s.push_back(route_latency_s);
  }
  run.class_mix = expected_class_mix(run.phase_class_shares, phase_requests);
  inference.infer_wanted(initial_model);
  inference.infer_wanted_cloud(*inputs.cloud_model);
  run.image_bytes = static_cast<double>(test.image_bytes());
  run.logits_bytes = 4.0 * inputs.dataset->num_classes;  // float32 logits over all classes
  return run;
}

// Every request's row, from the start, so one that is never served is still reported.
std::vector<RequestRecord> initial_records(const RunInputs& run) {
  std::vector<RequestRecord> records;
  records.reserve(static_cast<size_t>(run.requests()));
  for (int i = 0; i < static_cast<int>(run.schedules.size()); ++i) {
    for (size_t k = 0; k < run.schedules[i].size(); ++k) {
      const ScheduledRequest& request = run.schedules[i][k];
      RequestRecord record;
      record.request_id = run.request_id(i, k);
      record.device = i;
      record.t_arrival_s = request.t_arrival_s;
      record.sample = request.sample;
      record.label = request.label;
      record.task = run.split.task_of(request.label);
      record.phase = request.phase;
      records.push_back(record);
    }
  }
  return records;
}

// Each device's upload path class: its group and, on Wi-Fi, its rate level. A receiver takes the
// uploads of its mailbox in the order they were sent, which is the order they arrive only when they
// travel alike; so every class has its own receiver per cloud host (one in a uniform wired fleet).
// (Under the packet model each message is its own transfer: Inbox.)
std::vector<int> upload_classes(const Fleet& fleet, const NetworkLedger& network) {
  std::map<std::pair<int, int>, int> index_of;
  std::vector<int> class_of;
  for (size_t i = 0; i < fleet.group_of_device.size(); ++i) {
    const bool station = i < network.stations().size() && network.stations()[i].cell >= 0;
    const std::pair<int, int> key{fleet.group_of_device[i], station ? network.stations()[i].level : -1};
    class_of.push_back(index_of.emplace(key, static_cast<int>(index_of.size())).first->second);
  }
  return class_of;
}

// The actors: per cloud host a receiver per upload class and one worker per core, one per device,
// a fault injector per fault, the progress line, and the oracle's phase clock. Actors on hosts that can fail are daemonized first, then marked auto-restart
// (SimGrid remembers the daemon flag only in that order).
void spawn_actors(const Platform& platform, RunState& state) {
  const Scenario& scenario = state.inputs.scenario;
  const Inbox::Waiting waiting =
      wired_links_draw_power(state.inputs.fleet) ? Inbox::Waiting::OnSemaphore : Inbox::Waiting::InGet;
  const std::vector<int> class_of = upload_classes(state.inputs.fleet, state.network);
  const bool own_transfers = scenario.platform.network.model == NetworkModel::Packet;
  const int classes = class_of.empty() ? 1 : 1 + *std::max_element(class_of.begin(), class_of.end());
  std::vector<std::vector<Inbox*>> cloud_inboxes;         // per cloud host, per upload class
  std::vector<std::shared_ptr<CloudQueue>> cloud_queues;  // shared with the fault injectors
  for (int j = 0; j < scenario.platform.cloud.hosts; ++j) {
    sg4::Host* host = platform.clouds[j];
    auto queue = std::make_shared<CloudQueue>();
    queue->reset();
    cloud_inboxes.emplace_back();
    for (int c = 0; c < classes; ++c) {
      const std::string name = classes == 1 ? fmt::format("cloud-{}", j) : fmt::format("cloud-{}-class-{}", j, c);
      const CloudServerConfig config{
          j, &state.inboxes.emplace_back(sg4::Mailbox::by_name(name), waiting, own_transfers ? host : nullptr)};
      sg4::Actor::create(name + "-receiver", host, CloudReceiver(config, state, queue))->daemonize()->set_auto_restart();
      cloud_inboxes.back().push_back(config.requests);
    }
    for (int core = 0; core < scenario.platform.cloud.cores; ++core)
      sg4::Actor::create(fmt::format("cloud-{}-core-{}", j, core), host, CloudWorker({j, nullptr}, state, queue))
          ->daemonize()
          ->set_auto_restart();
    cloud_queues.push_back(queue);
  }
  for (int i = 0; i < scenario.platform.devices; ++i) {
    sg4::Host* host = platform.devices[i];
    const EdgeDeviceConfig config{
        i, cloud_inboxes[i % cloud_inboxes.size()][static_cast<size_t>(class_of[i])],
        // The device waits on its posted receive (Inbox::post_receive), never on a semaphore.
        &state.inboxes.emplace_back(sg4::Mailbox::by_name(fmt::format("device-{}-replies", i)), Inbox::Waiting::InGet,
                                    own_transfers ? host : nullptr)};
    sg4::Actor::create(fmt::format("device-{}", i), host, EdgeDevice(config, state))->set_auto_restart();
  }
  for (size_t k = 0; k < scenario.faults.size(); ++k)
    sg4::Actor::create(fmt::format("fault-{}", k), platform.controller, inject_fault,
                       FaultInjectorConfig{static_cast<int>(k), &platform, cloud_queues}, &state)
        ->daemonize();
  const double horizon_s = scenario.workload.requests_per_device > 0 ? 60.0 : scenario.workload.duration_s;
  sg4::Actor::create("progress", platform.controller, progress_reporter, &state, horizon_s / 100)->daemonize();
  if (scenario.policy.update.mode == UpdateMode::Oracle && edge_model_serves(scenario))
    sg4::Actor::create("oracle", platform.controller, oracle_scheduler, &state)->daemonize();
}

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
    if (links[k].link_class != LinkClass::Wifi && plugin) links[k].energy_J = sg_link_get_consumed_energy(platform.ledger_links[k]);
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

// What the run measured: the records, and per device the energy SimGrid's host plugin counted.
SimulationResult collect_result(const Platform& platform, RunState& state, const InferenceCache& inference) {
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

SimulationResult simulate(const SimulationInputs& inputs) {
  const bool guard_pages = use_guard_pages(*inputs.scenario, inputs.engine);
  std::vector<std::string> arguments = engine_arguments(inputs.engine, guard_pages);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(arguments.size());
  sg4::Engine engine(&argc, argv.data());
  const Fleet fleet = fleet_of(*inputs.scenario);
  configure_engine_and_plugins(*inputs.scenario, fleet);
  Platform platform = build_network_platform(fleet, inputs.scenario->platform.cloud, inputs.scenario->platform.network,
                                             inputs.scenario->seed);

  const ModelsConfig& models = inputs.scenario->models;
  const ImageSet& test = inputs.dataset->test;
  InferenceCache inference(test, models.cache);
  auto initial_model = std::make_shared<const EdgeModel>(*inputs.edge_model);
  if (models.cache && models.persistent_cache && !inputs.edge_checkpoint.empty()) {
    const std::filesystem::path store_dir = std::filesystem::path(models.dir) / "predictions";
    const SplitDigest split = digest_of(test);
    inference.use_store(*initial_model, {store_dir, inputs.edge_checkpoint, split});
    inference.use_cloud_store({store_dir, inputs.cloud_checkpoint, split});
  }
  const RunInputs run = build_inputs(inputs, fleet, platform, *initial_model, inference);
  RunState state(run, inference, initial_records(run), std::move(platform.ledger));
  state.models.push_back(initial_model);
  for (size_t i = 0; i < state.devices.size(); ++i) {
    DeviceState& device = state.devices[i];
    device.learning.model = initial_model;
    // The battery drains at the device's idle power, and its Wi-Fi radio's when the radio states count.
    const GroupConfig& group = fleet.group_of(static_cast<int>(i));
    const bool radio_states = group.device.radio_energy == RadioEnergy::WifiStates;
    device.battery = Battery(group.device.battery_J,
                             group.device.power_idle_W + (radio_states ? group.access.wifi_power.idle_W : 0));
  }
  const Threshold start = init_thresholds(state, *initial_model);

  {
    const ExactHeapGrowth fresh_stacks;  // the actors' stacks: only the pages they use become resident
    spawn_actors(platform, state);
  }
  state.losses->state = &state;
  engine.run();
  charge_transfers_in_flight(state);
  state.losses->state = nullptr;   // messages still undelivered are deleted with the engine
  SimulationResult result = collect_result(platform, state, inference);
  result.accuracy_matrix = accuracy_matrix(state, *initial_model, inference);
  result.held_out = held_out_records(run);
  result.offload_threshold = start;
  result.calibration_samples = static_cast<int64_t>(run.calibration_samples.size());
  return result;
}

}  // namespace eccsim
