// Update stage. Training runs for real (LibTorch, on the engine's full-size stack, never on the
// small actor stack) and costs simulated time and energy from its op count:
// on the device, train_ops at the device's speed, sharing its processor with inference;
// in the cloud, 2 flop per op on one core, after the buffer upload and before the weight
// download, both real transfers over the simulated network.
#include "sim/policy/update_stage.hpp"

#include <fmt/core.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <numeric>

#include "core/heap_reuse.hpp"
#include "core/random.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/incremental.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/engine_stack.hpp"
#include "sim/offload_thresholds.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

constexpr double kFlopPerOp = 2;          // a MAC is two flops on the cloud's processors
constexpr double kLabelBytes = 4;         // int32 label uploaded with each buffered image

struct TrainingJob {
  int device = 0;                         // the triggering device (oracle: -1)
  int task = 0;
  UpdateMode mode = UpdateMode::None;
  std::string method;
  std::shared_ptr<const EdgeModel> base;  // the model the new head is added to
  LabelledSamples samples;                // the method picks the labels it trains on
  std::vector<int32_t> new_classes;
};

IncrementalResult train(const RunState& state, const TrainingJob& job) {
  const UpdateConfig& update = state.inputs.scenario.policy.update;
  IncrementalOptions options;
  options.method = parse_incremental_method(update.method);
  options.epochs = update.epochs;
  options.batch_size = update.batch_size;
  options.seed = derive_seed(state.inputs.scenario.seed, /*stream=*/3,
                             static_cast<uint64_t>(job.task) * 1'000'003ULL + static_cast<uint64_t>(job.device + 1));
  const HeapReuse heap_reuse;
  return on_engine_stack([&] { return learn_new_classes(*job.base, job.samples, job.new_classes, options); });
}

double device_training_energy(const DeviceConfig& device, double train_ops, double duration_s) {
  if (device.energy == DeviceEnergy::Power) return device.power_busy_W * duration_s;
  return device.e_mac_J * train_ops;      // backpropagation is dense: every op a MAC
}

void mark_updating(RunState& state, int device, bool updating) {
  if (state.inputs.scenario.policy.update.scope == UpdateScope::Fleet) {
    state.fleet_updating = updating;
    for (DeviceState& each : state.devices) each.learning.updating = updating;
  } else {
    state.devices[device].learning.updating = updating;
  }
}

// Records an update that did not complete: nothing of it is installed. The buffer it was
// trained from is still on the device, so a later reply retries.
void abandon(RunState& state, int device, UpdateRecord record) {
  record.status = UpdateStatus::Abandoned;
  record.t_end_s = sg4::Engine::get_clock();
  state.log.updates.push_back(record);
  mark_updating(state, device, false);
}

// Runs on `device`'s host: pays the training there, then installs the model. If the device
// fails meanwhile, the actor dies with it and the update is recorded as abandoned.
void train_on_device_and_install(RunState* state, int device, std::shared_ptr<const EdgeModel> model,
                                 UpdateRecord record) {
  sg4::this_actor::on_exit([state, device, record](bool failed) {
    if (failed) abandon(*state, device, record);
  });
  const double start_s = sg4::Engine::get_clock();
  sg4::this_actor::execute(record.train_ops);
  record.duration_s = sg4::Engine::get_clock() - start_s;
  record.energy_J = device_training_energy(state->inputs.device_config(device), record.train_ops, record.duration_s);
  state->devices[device].battery.spend(record.energy_J, sg4::Engine::get_clock());
  die_if_battery_empty(*state, device);  // the update is abandoned with the device
  install_model(*state, device, model);
  record.t_end_s = sg4::Engine::get_clock();
  state->log.updates.push_back(record);
}

// Downloads the new weights from the cloud to `device`, then installs them; a failed download
// leaves the old model in place.
void download_and_install(RunState* state, int device, std::shared_ptr<const EdgeModel> model, UpdateRecord record) {
  try {
    if (!state->inputs.cloud_of(device)->is_on()) throw simgrid::NetworkFailureException(XBT_THROW_POINT, "cloud host down");
    sg4::Comm::sendto(state->inputs.cloud_of(device), state->inputs.device_hosts[device], static_cast<uint64_t>(record.bytes_down));
    state->network.carried_down(device, record.bytes_down);
  } catch (const simgrid::NetworkFailureException&) {
    abandon(*state, device, record);
    return;
  }
  install_model(*state, device, model);
  record.t_end_s = sg4::Engine::get_clock();
  state->log.updates.push_back(record);
}

UpdateRecord base_record(const TrainingJob& job, const IncrementalResult& result, double t_start_s) {
  UpdateRecord record;
  record.t_start_s = t_start_s;
  record.mode = job.mode;
  record.method = job.method;
  record.samples = result.samples_used;
  record.classes_added = static_cast<int>(job.new_classes.size());
  record.task = job.task;
  record.train_ops = result.train_ops;
  record.model_version = result.model.version();
  return record;
}

std::vector<int> devices_to_install(const RunState& state, int device) {
  std::vector<int> devices;
  if (state.inputs.scenario.policy.update.scope == UpdateScope::Fleet) {
    devices.resize(state.devices.size());
    std::iota(devices.begin(), devices.end(), 0);
  } else {
    devices.push_back(device);
  }
  return devices;
}

// An update triggered by `job.device`'s buffer (on_device or cloud mode).
void run_buffer_update(RunState* state, TrainingJob job) {
  const double t_start_s = sg4::Engine::get_clock();
  const Scenario& scenario = state->inputs.scenario;
  sg4::Host* device_host = state->inputs.device_hosts[job.device];
  sg4::Host* cloud_host = state->inputs.cloud_of(job.device);

  double upload_s = 0, bytes_up = 0;
  if (job.mode == UpdateMode::Cloud) {
    bytes_up = static_cast<double>(job.samples.indices.size()) * (state->inputs.image_bytes + kLabelBytes);
    try {
      if (!cloud_host->is_on()) throw simgrid::NetworkFailureException(XBT_THROW_POINT, "cloud host down");
      sg4::Comm::sendto(device_host, cloud_host, static_cast<uint64_t>(bytes_up));
      state->network.carried_up(job.device, bytes_up);
    } catch (const simgrid::NetworkFailureException&) {
      UpdateRecord failed;
      failed.device = job.device;
      failed.t_start_s = t_start_s;
      failed.mode = job.mode;
      failed.method = job.method;
      failed.task = job.task;
      failed.samples = static_cast<int64_t>(job.samples.indices.size());
      abandon(*state, job.device, failed);
      return;
    }
    upload_s = sg4::Engine::get_clock() - t_start_s;
  }
  IncrementalResult result = train(*state, job);
  UpdateRecord record = base_record(job, result, t_start_s);
  auto model = std::make_shared<const EdgeModel>(std::move(result.model));
  state->models.push_back(model);

  if (job.mode == UpdateMode::OnDevice) {
    for (int device : devices_to_install(*state, job.device)) {
      record.device = device;
      sg4::Actor::create(fmt::format("update-{}-task-{}", device, job.task), state->inputs.device_hosts[device],
                         train_on_device_and_install, state, device, model, record);
    }
  } else {
    const CloudConfig& cloud = scenario.platform.cloud;
    const double train_start_s = sg4::Engine::get_clock();
    sg4::this_actor::exec_init(kFlopPerOp * result.train_ops)->set_host(cloud_host)->wait();
    const double train_s = sg4::Engine::get_clock() - train_start_s;
    const double transmit_s = std::max(0.0, upload_s - state->inputs.uplink_latency_s[job.device]);
    for (int device : devices_to_install(*state, job.device)) {
      UpdateRecord installed = record;
      installed.device = device;
      installed.duration_s = train_s;
      installed.bytes_down = static_cast<double>(result.model_bytes);
      if (device == job.device) {  // the training and the upload happened once, for this device
        installed.bytes_up = bytes_up;
        installed.energy_J =
            cloud.power_busy_W / cloud.cores * train_s + state->inputs.device_config(device).radio_tx_W * transmit_s;
      } else {
        installed.samples = 0;
        installed.train_ops = 0;
        installed.duration_s = 0;
      }
      sg4::Actor::create(fmt::format("download-{}-task-{}", device, job.task), state->inputs.device_hosts[device],
                         download_and_install, state, device, model, installed);
    }
  }
}

std::vector<int64_t> remaining_samples(const RunState& state, int device) {
  std::vector<int64_t> samples;
  const std::vector<ScheduledRequest>& schedule = state.inputs.schedules[device];
  for (size_t k = state.devices[device].learning.next_request; k < schedule.size(); ++k) samples.push_back(schedule[k].sample);
  return samples;
}

}  // namespace

void install_model(RunState& state, int device, const std::shared_ptr<const EdgeModel>& model) {
  state.inference.want(*model, remaining_samples(state, device));
  recalibrate(state, device, *model);
  DeviceLearning& learning = state.devices[device].learning;
  learning.model = model;
  learning.updating = false;
  if (state.inputs.scenario.policy.update.scope == UpdateScope::Fleet)
    state.fleet_updating = std::any_of(state.devices.begin(), state.devices.end(),
                                       [](const DeviceState& each) { return each.learning.updating; });
  consider_update(state, device);   // the buffer may already hold enough of the next task
}

void consider_update(RunState& state, int device) {
  const UpdateConfig& update = state.inputs.scenario.policy.update;
  if (update.mode != UpdateMode::OnDevice && update.mode != UpdateMode::Cloud) return;
  DeviceLearning& learning = state.devices[device].learning;
  if (learning.updating || state.fleet_updating) return;
  // Heads are added in task order (a head's labels follow the last one's), so the task to learn
  // is the first one the model lacks; the buffer collects every class meanwhile.
  const int task = static_cast<int>(learning.model->head_sizes().size());
  if (task >= state.inputs.split.num_tasks()) return;  // every task learned
  const std::vector<int32_t>& classes = state.inputs.split.task_classes[task];
  if (count_in_classes(learning.buffer, classes) < update.trigger) return;

  TrainingJob job{device, task, update.mode, update.method, learning.model,
                  buffer_samples(learning.buffer, &state.inputs.dataset.test), classes};
  mark_updating(state, device, true);
  sg4::Actor::create(fmt::format("update-{}-task-{}", device, task), state.inputs.device_hosts[device], run_buffer_update,
                     &state, std::move(job));
}

void oracle_scheduler(RunState* state) {
  const Scenario& scenario = state->inputs.scenario;
  const Dataset& dataset = state->inputs.dataset;
  std::shared_ptr<const EdgeModel> latest = state->devices.front().learning.model;
  for (int task = 1; task < state->inputs.split.num_tasks(); ++task) {
    const double t_start_s = task * scenario.workload.phase_length_s;
    sg4::this_actor::sleep_until(t_start_s);
    const UpdateConfig& update = scenario.policy.update;
    TrainingJob job{-1, task, UpdateMode::Oracle, update.method, latest, {&dataset.train, {}, {}}, state->inputs.split.task_classes[task]};
    std::vector<int64_t> task_data = task_samples(state->inputs.split, dataset.train.labels, task);
    const size_t cap = update.oracle_samples > 0 ? static_cast<size_t>(update.oracle_samples) : task_data.size();
    job.samples.indices = seeded_subset(std::move(task_data), cap,
                                        derive_seed(scenario.seed, /*stream=*/4, static_cast<uint64_t>(task)));
    // Rehearsal methods also get a labelled memory of the earlier tasks: `buffer` training images,
    // each old task's share proportional to its classes.
    if (update.method != "lwf") {
      const auto old_classes = static_cast<size_t>(latest->num_classes());
      for (int old = 0; old < task; ++old) {
        const size_t quota = static_cast<size_t>(update.buffer) * state->inputs.split.task_classes[old].size() / old_classes;
        const std::vector<int64_t> memory =
            seeded_subset(task_samples(state->inputs.split, dataset.train.labels, old), quota,
                          derive_seed(scenario.seed, /*stream=*/4, static_cast<uint64_t>(task * 1000 + old)));
        job.samples.indices.insert(job.samples.indices.end(), memory.begin(), memory.end());
      }
    }
    for (int64_t index : job.samples.indices)
      job.samples.labels.push_back(state->inputs.split.new_label_of[dataset.train.labels[index]]);
    IncrementalResult result = train(*state, job);
    UpdateRecord record = base_record(job, result, t_start_s);
    latest = std::make_shared<const EdgeModel>(std::move(result.model));
    state->models.push_back(latest);
    for (size_t device = 0; device < state->devices.size(); ++device) {
      record.device = static_cast<int>(device);
      sg4::Actor::create(fmt::format("oracle-{}-task-{}", device, task), state->inputs.device_hosts[device],
                         train_on_device_and_install, state, static_cast<int>(device), latest, record);
    }
  }
}

}  // namespace eccsim
