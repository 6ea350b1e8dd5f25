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
#include <string>
#include <tuple>

#include "sim/actors/cloud_server.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/actors/fault_injector.hpp"
#include "models/nets/edge_model.hpp"
#include "sim/platform.hpp"
#include "sim/policy/update_stage.hpp"
#include "sim/run_state.hpp"
#include "sim/actors/workload.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// SimGrid's command-line style options for the engine: its configuration chatter kept off
// stderr, and the context factory if one was chosen.
std::vector<std::string> engine_arguments(const std::string& context_factory) {
  std::vector<std::string> arguments{"eccsim", "--log=xbt_cfg.thres:warning", "--log=host_energy.thres:warning"};
  if (!context_factory.empty()) arguments.push_back("--cfg=contexts/factory:" + context_factory);
  return arguments;
}

void configure_engine_and_plugins() {
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  // Host energy only: radio energy is charged at the device (transmit power x upload time).
  // SimGrid 3.32's link energy plugin also crashes when daemons with pending receives are
  // killed at the end of the run.
  sg_host_energy_plugin_init();
}

// Prints simulated time and requests settled on stderr, at most every few wall seconds.
void progress_reporter(const RunState* state, int64_t total_requests, double step_s) {
  using Clock = std::chrono::steady_clock;
  auto last_print = Clock::now();
  for (;;) {
    sg4::this_actor::sleep_for(step_s);
    if (Clock::now() - last_print < std::chrono::seconds(2)) continue;
    last_print = Clock::now();
    fmt::print(stderr, "eccsim: simulated {:.1f} s, {}/{} requests settled\n", sg4::Engine::get_clock(),
               state->requests_done, total_requests);
  }
}

}  // namespace

SimulationResult simulate(const SimulationInputs& inputs) {
  const Scenario& scenario = *inputs.scenario;
  const ImageSet& test = inputs.dataset->test;

  std::vector<std::string> arguments = engine_arguments(inputs.context_factory);
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(arguments.size());
  sg4::Engine engine(&argc, argv.data());
  configure_engine_and_plugins();
  const Platform platform = build_platform(scenario.platform);

  InferenceCache inference(test, scenario.models.cache);
  RunState state(scenario, *inputs.split, *inputs.dataset, *inputs.cloud_model, inference);
  state.device_hosts = platform.devices;
  state.cloud_hosts = platform.clouds;
  auto initial_model = std::make_shared<const EdgeModel>(*inputs.edge_model);
  state.models.push_back(initial_model);
  const SamplePools pools(scenario.workload, *inputs.split, test.labels);
  const std::vector<double> trace =
      scenario.workload.arrival == Arrival::Trace ? read_trace(scenario.workload.trace) : std::vector<double>{};
  int64_t total_requests = 0;
  for (int i = 0; i < scenario.platform.devices; ++i) {
    state.schedules.push_back(device_schedule(scenario, i, pools, *inputs.split, test.labels, trace));
    state.first_request_id.push_back(total_requests);
    total_requests += static_cast<int64_t>(state.schedules.back().size());
    state.learning.push_back({initial_model, {}, false, 0});
    std::vector<int64_t> samples;
    for (const ScheduledRequest& request : state.schedules.back()) samples.push_back(request.sample);
    inference.want(*initial_model, samples);
    inference.want_cloud(samples);  // the cloud-only baseline is computed for every request
  }
  state.offloads.resize(static_cast<size_t>(scenario.platform.devices));
  // Every request has its row from the start, so one that is never served is still reported.
  // The initial model's and the cloud's batches run here, before any actor exists.
  inference.infer_wanted(*initial_model);
  inference.infer_wanted_cloud(*inputs.cloud_model);
  state.records.resize(static_cast<size_t>(total_requests));
  for (int i = 0; i < scenario.platform.devices; ++i) {
    for (size_t k = 0; k < state.schedules[i].size(); ++k) {
      const ScheduledRequest& request = state.schedules[i][k];
      RequestRecord& record = state.records[state.first_request_id[i] + static_cast<int64_t>(k)];
      record.request_id = state.first_request_id[i] + static_cast<int64_t>(k);
      record.device = i;
      record.t_arrival_s = request.t_arrival_s;
      record.sample = request.sample;
      record.label = request.label;
      record.task = inputs.split->task_of(request.label);
      record.phase = request.phase;
    }
  }
  state.image_bytes = static_cast<double>(test.image_bytes());
  state.logits_bytes = 4.0 * inputs.dataset->num_classes;  // float32 logits over all classes

  // Actors on hosts that can fail are daemonized first, then marked auto-restart (SimGrid
  // remembers the daemon flag only in that order).
  std::vector<sg4::Mailbox*> cloud_mailboxes;
  std::vector<std::shared_ptr<CloudQueue>> cloud_queues;
  for (int j = 0; j < scenario.platform.cloud.hosts; ++j) {
    sg4::Host* host = platform.clouds[j];
    const CloudServerConfig config{j, sg4::Mailbox::by_name(fmt::format("cloud-{}", j))};
    auto queue = std::make_shared<CloudQueue>();
    queue->reset();
    sg4::Actor::create(fmt::format("cloud-{}-receiver", j), host, CloudReceiver(config, queue))
        ->daemonize()
        ->set_auto_restart();
    for (int core = 0; core < scenario.platform.cloud.cores; ++core)
      sg4::Actor::create(fmt::format("cloud-{}-core-{}", j, core), host, CloudWorker(config, state, queue))
          ->daemonize()
          ->set_auto_restart();
    cloud_mailboxes.push_back(config.requests);
    cloud_queues.push_back(queue);
  }
  for (int i = 0; i < scenario.platform.devices; ++i) {
    sg4::Host* host = platform.devices[i];
    const EdgeDeviceConfig config{i, cloud_mailboxes[i % cloud_mailboxes.size()],
                                  sg4::Mailbox::by_name(fmt::format("device-{}-replies", i))};
    std::vector<sg4::Link*> route;
    double route_latency_s = 0;
    host->route_to(platform.clouds[i % platform.clouds.size()], route, &route_latency_s);
    state.uplink_latency_s.push_back(route_latency_s);
    sg4::Actor::create(fmt::format("device-{}", i), host, EdgeDevice(config, state))->set_auto_restart();
    sg4::Actor::create(fmt::format("device-{}-receiver", i), host, ReplyReceiver(config, state))
        ->daemonize()
        ->set_auto_restart();
  }
  for (size_t k = 0; k < scenario.faults.size(); ++k)
    sg4::Actor::create(fmt::format("fault-{}", k), platform.controller, inject_fault,
                       FaultInjectorConfig{static_cast<int>(k), &platform, cloud_queues}, &state)
        ->daemonize();
  const double horizon_s = scenario.workload.requests_per_device > 0 ? 60.0 : scenario.workload.duration_s;
  sg4::Actor::create("progress", platform.controller, progress_reporter, &state, total_requests, horizon_s / 100)
      ->daemonize();
  if (scenario.policy.update.mode == UpdateMode::Oracle)
    sg4::Actor::create("oracle", platform.controller, oracle_scheduler, &state)->daemonize();

  engine.run();
  // Requests of a device still down when everything else ended were never served.
  for (RequestRecord& record : state.records) {
    if (!record.settled) settle_dropped(record, sg4::Engine::get_clock());
  }

  SimulationResult result;
  result.simulated_s = sg4::Engine::get_clock();
  result.inference = inference.stats();
  for (sg4::Host* host : platform.clouds) result.cloud_energy_J += sg_host_get_consumed_energy(host);
  result.devices.resize(static_cast<size_t>(scenario.platform.devices));
  for (int i = 0; i < scenario.platform.devices; ++i) {
    DeviceTotals& totals = result.devices[i];
    totals.device = i;
    totals.host_energy_J = sg_host_get_consumed_energy(platform.devices[i]);
    totals.idle_energy_J = scenario.platform.device.power_idle_W * result.simulated_s;
  }
  for (const RequestRecord& record : state.records) {
    DeviceTotals& totals = result.devices[record.device];
    totals.requests += 1;
    totals.offloaded += record.offloaded;
    totals.fallbacks += record.outcome == Outcome::Fallback;
    totals.correct += record.correct();
    totals.busy_s += record.edge_compute_s;
    totals.inference_energy_J += record.edge_energy_J;
    totals.radio_energy_J += record.radio_energy_J;
  }
  for (int i = 0; i < scenario.platform.devices; ++i) result.devices[i].offline_s = state.offloads[i].offline_s;
  result.requests = std::move(state.records);
  result.updates = std::move(state.updates);
  result.outages = std::move(state.outages);
  for (OutageRecord& outage : result.outages) {
    if (outage.t_up_s < outage.t_down_s) outage.t_up_s = result.simulated_s;  // still down at the end
  }
  std::sort(result.updates.begin(), result.updates.end(), [](const UpdateRecord& a, const UpdateRecord& b) {
    return std::tie(a.t_end_s, a.device) < std::tie(b.t_end_s, b.device);
  });
  return result;
}

}  // namespace eccsim
