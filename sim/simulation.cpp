// One simulation: the engine (engine_setup), the platform, the request schedules, the actors,
// then the run and what it measured (run_results). Network: SimGrid's CM02 flow model without
// TCP cross-traffic, so a lone transfer takes exactly latency + bytes / bandwidth and concurrent
// flows share links max-min fairly.
#include "sim/simulation.hpp"

#include <fmt/core.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "core/heap_reuse.hpp"
#include "core/input_error.hpp"
#include "core/random.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/actors/cloud_server.hpp"
#include "sim/actors/device_pool.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/actors/fault_injector.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/actors/update_stage.hpp"
#include "sim/engine_setup.hpp"
#include "sim/offload_thresholds.hpp"
#include "sim/platform.hpp"
#include "sim/policy/calibration.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/run_results.hpp"
#include "sim/scenario/seed_streams.hpp"
#include "sim/workload/workload.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

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
                                               derive_seed(scenario.seed, SeedStream::CalibrationSamples, 0),
                                               run.evaluation_samples);
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

// Each device's upload path class: its group and, on Wi-Fi, its rate level; every class has its own
// receiver per cloud host (one in a uniform wired fleet). The classes kept uploads that travel alike
// in one mailbox, which delivered in send order; uploads now come by courier, each when its own
// transfer ends, so one receiver per host would do. Kept as it is: the order in which receivers woken
// at the same instant queue their inputs is part of what makes outputs identical to earlier runs.
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

// One actor per device, on the device's host, with its own reply mailbox.
void spawn_device_actors(const Platform& platform, RunState& state, const std::vector<std::vector<Inbox*>>& cloud_inboxes,
                         const std::vector<int>& class_of, bool own_transfers) {
  for (int i = 0; i < state.inputs.scenario.platform.devices; ++i) {
    sg4::Host* host = platform.devices[i];
    const EdgeDeviceConfig config{
        i, cloud_inboxes[i % cloud_inboxes.size()][static_cast<size_t>(class_of[i])],
        // The device waits on its posted receive (Inbox::post_receive), never on a semaphore.
        &state.inboxes.emplace_back(sg4::Mailbox::by_name(fmt::format("device-{}-replies", i)), Inbox::Waiting::PostedReceive,
                                    own_transfers ? host : nullptr)};
    sg4::Actor::create(fmt::format("device-{}", i), host, EdgeDevice(config, state))->set_auto_restart();
  }
}

// Devices driven as state: one actor per block of kDevicesPerPool on the controller host.

void spawn_device_pools(const Platform& platform, RunState& state, const std::vector<std::vector<Inbox*>>& cloud_inboxes,
                        const std::vector<int>& class_of) {
  const int devices = state.inputs.scenario.platform.devices;
  auto cloud_inbox_of = std::make_shared<std::vector<Inbox*>>();
  cloud_inbox_of->reserve(static_cast<size_t>(devices));
  for (int i = 0; i < devices; ++i)
    cloud_inbox_of->push_back(cloud_inboxes[i % cloud_inboxes.size()][static_cast<size_t>(class_of[i])]);
  const int blocks = (devices + kDevicesPerPool - 1) / kDevicesPerPool;
  state.bell = std::make_shared<DeviceBell>(platform.controller, state,
                                            DevicePoolConfig{0, kDevicesPerPool, cloud_inbox_of, nullptr, false}, blocks);
  state.device_changed = [bell = state.bell.get()](int device) { bell->ring(device); };
  for (int first = 0; first < devices; first += kDevicesPerPool) {
    const DevicePoolConfig config{first, std::min(kDevicesPerPool, devices - first), cloud_inbox_of, state.bell.get(),
                                  false};
    sg4::Actor::create(fmt::format("devices-{}", first), platform.controller, DevicePool(config, state));
  }
}

// The actors: per cloud host a receiver per upload class and one worker per core; the devices' (one
// each, or one per block: platform.device_actors) and the couriers for their transfers; a fault
// injector per fault, the progress line, and the oracle's phase clock. Actors on hosts that can fail
// are daemonized first, then marked auto-restart (SimGrid remembers the daemon flag only in that order).
void spawn_actors(const Platform& platform, RunState& state) {
  const Scenario& scenario = state.inputs.scenario;
  const bool shared = devices_share_actors(scenario.platform);
  // Uploads come by courier, handed over on arrival (Inbox::deliver): the receivers wait on a semaphore.
  state.couriers = std::make_unique<Couriers>(platform.controller);
  const std::vector<int> class_of = upload_classes(state.inputs.fleet, state.network);
  const bool own_transfers = !shared && scenario.platform.network.model == NetworkModel::Packet;
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
          j, &state.inboxes.emplace_back(sg4::Mailbox::by_name(name), Inbox::Waiting::OnSemaphore)};
      sg4::Actor::create(name + "-receiver", host, CloudReceiver(config, state, queue))->daemonize()->set_auto_restart();
      cloud_inboxes.back().push_back(config.requests);
    }
    for (int core = 0; core < scenario.platform.cloud.cores; ++core)
      sg4::Actor::create(fmt::format("cloud-{}-core-{}", j, core), host, CloudWorker({j, nullptr}, state, queue))
          ->daemonize()
          ->set_auto_restart();
    cloud_queues.push_back(queue);
  }
  if (shared) {
    spawn_device_pools(platform, state, cloud_inboxes, class_of);
  } else {
    spawn_device_actors(platform, state, cloud_inboxes, class_of, own_transfers);
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

}  // namespace

SimulationResult simulate(const SimulationInputs& inputs) {
  std::vector<std::string> arguments = engine_arguments(*inputs.scenario, inputs.engine);
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
    if (inputs.offload_plugin)
      device.offload.plugin = create_plugin_instance(inputs.offload_plugin, *inputs.scenario, static_cast<int>(i));
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
  if (inputs.offload_plugin && inputs.offload_plugin->failure())
    throw RunFailure(inputs.offload_plugin->failure_message());
  SimulationResult result = collect_result(platform, state, *initial_model, inference);
  result.offload_threshold = start;
  result.calibration_samples = static_cast<int64_t>(run.calibration_samples.size());
  return result;
}

}  // namespace eccsim
