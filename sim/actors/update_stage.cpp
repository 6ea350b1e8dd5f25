// Update stage. Training runs for real (LibTorch, on the engine's full-size stack, never on the
// small actor stack) and costs simulated time and energy from its op count (sim/policy/cost_model):
// on the device, its spiking-hardware ops at the device's speed, sharing its processor with
// inference; in the cloud, its dense MACs on one core, after the buffer upload and before the
// weight download. Every model a device installs but did not train itself reaches it over the
// simulated network (scope fleet included), its bytes, time and radio energy charged.
#include "sim/actors/update_stage.hpp"

#include <fmt/core.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <iterator>
#include <numeric>
#include <stdexcept>

#include "core/heap_reuse.hpp"
#include "core/random.hpp"
#include "models/data/task_split.hpp"
#include "models/nets/edge_model.hpp"
#include "models/train/incremental.hpp"
#include "sim/actors/edge_device.hpp"
#include "sim/engine_stack.hpp"
#include "sim/offload_thresholds.hpp"
#include "sim/policy/cost_model.hpp"
#include "sim/policy/head_classes.hpp"
#include "sim/scenario/seed_streams.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

constexpr double kLabelBytes = 4;         // int32 label uploaded with each buffered image

struct TrainingJob {
  int device = 0;                         // the triggering device (oracle: -1)
  int task = 0;                           // the head it adds (its index; oracle: the split's task, the same)
  UpdateMode mode = UpdateMode::None;
  UpdateMethod method = UpdateMethod::ReplayAligned;
  std::shared_ptr<const EdgeModel> base;  // the model the new head is added to
  LabelledSamples samples;                // the method picks the labels it trains on
  std::vector<int32_t> new_classes;
};

IncrementalMethod incremental_method(UpdateMethod method) {
  switch (method) {
    case UpdateMethod::Lwf: return IncrementalMethod::Lwf;
    case UpdateMethod::Replay: return IncrementalMethod::Replay;
    case UpdateMethod::ReplayAligned: return IncrementalMethod::ReplayAligned;
  }
  throw std::logic_error("unknown update method");
}

IncrementalResult train(const RunState& state, const TrainingJob& job) {
  const UpdateConfig& update = state.inputs.scenario.policy.update;
  IncrementalOptions options;
  options.method = incremental_method(update.method);
  options.epochs = update.epochs;
  options.batch_size = update.batch_size;
  options.seed = derive_seed(state.inputs.scenario.seed, SeedStream::UpdateTraining,
                             static_cast<uint64_t>(job.task) * 1'000'003ULL + static_cast<uint64_t>(job.device + 1));
  const HeapReuse heap_reuse;
  return on_engine_stack([&] { return learn_new_classes(*job.base, job.samples, job.new_classes, options); });
}

// Merges `samples` into the sorted set `into`.
void add_sorted(std::vector<int64_t>& into, std::vector<int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  std::vector<int64_t> merged;
  merged.reserve(into.size() + samples.size());
  std::set_union(into.begin(), into.end(), samples.begin(), samples.end(), std::back_inserter(merged));
  into = std::move(merged);
}

// Records what `job`'s training took, now, and (test images) keeps it out of the requests of
// every device that will install the model: the trainer's, or with scope fleet every device's.
void note_trained(RunState& state, const TrainingJob& job, const IncrementalResult& result) {
  const bool fleet = job.mode == UpdateMode::Oracle || state.inputs.scenario.policy.update.scope == UpdateScope::Fleet;
  const bool stream = job.mode != UpdateMode::Oracle;   // the oracle trains on the training split
  for (int64_t sample : result.trained_indices)
    state.log.trained_samples.push_back({job.device, job.task, job.new_classes, result.model.version(),
                                         sg4::Engine::get_clock(), fleet, stream ? "test" : "train", sample});
  if (!stream || !state.inputs.scenario.policy.update.exclude_trained) return;
  add_sorted(fleet ? state.fleet_trained_on : state.devices[job.device].learning.trained_on, result.trained_indices);
}

// The device starts or ends an update; scope fleet: every device waits for the fleet's.
void mark_updating(DeviceView device, bool updating) {
  RunState& run = device.run();
  if (device.scenario().policy.update.scope == UpdateScope::Fleet) {
    run.fleet_updating = updating;
    for (DeviceState& each : run.devices) each.learning.updating = updating;
  } else {
    device.learning().updating = updating;
  }
}

// The device is done with its update (installed or not); scope fleet: the fleet is while any device waits.
void done_updating(DeviceView device) {
  device.learning().updating = false;
  RunState& run = device.run();
  if (device.scenario().policy.update.scope == UpdateScope::Fleet)
    run.fleet_updating = std::any_of(run.devices.begin(), run.devices.end(),
                                     [](const DeviceState& each) { return each.learning.updating; });
}

// Why the device is down: its battery emptied, or a fault.
UpdateReason down_reason(DeviceView device) {
  return device.battery().dead() ? UpdateReason::Battery : UpdateReason::DeviceDown;
}

// Why a transfer between the device and its cloud host failed: the cloud host was down, else a link.
UpdateReason transfer_reason(DeviceView device) {
  return device.cloud_host()->is_on() ? UpdateReason::TransferFailed : UpdateReason::CloudDown;
}

// Records that an update did not reach the device: nothing of it is installed there. The buffer
// it was trained from is still on the triggering device, so a later reply retries.
void abandon(DeviceView device, UpdateRecord record, UpdateReason reason) {
  record.device = device.index();
  record.status = UpdateStatus::Abandoned;
  record.reason = reason;
  record.t_end_s = sg4::Engine::get_clock();
  record.energy_J = record.train_energy_J + record.radio_energy_J;   // what was spent before it failed
  device.run().log.updates.push_back(record);
  done_updating(device);
}

// The update failed before its model could leave the device (training or upload): no device that
// waited for it gets anything.
void abandon_everywhere(DeviceView device, const UpdateRecord& record, UpdateReason reason) {
  abandon(device, record, reason);
  mark_updating(device, false);
}

// Records `record` as installed on the device now.
void installed(DeviceView device, const std::shared_ptr<const EdgeModel>& model, UpdateRecord record) {
  install_model(device, model);
  record.t_end_s = sg4::Engine::get_clock();
  record.energy_J = record.train_energy_J + record.radio_energy_J;
  device.run().log.updates.push_back(record);
}

void share_with_fleet(DeviceView device, const std::shared_ptr<const EdgeModel>& model, UpdateRecord& record);

// A transfer of `bytes` for `record` started at t_start_s and was cut now: what the device's radio
// spent on it until then.
void charge_cut_transfer(DeviceView device, UpdateRecord& record, double t_start_s, double bytes, bool sending) {
  const double energy_J = cut_transfer_radio_energy_J(device, bytes, sg4::Engine::get_clock() - t_start_s, sending);
  record.radio_energy_J += energy_J;
  device.battery().spend(energy_J, sg4::Engine::get_clock());   // abandoned anyway: no death here
  note_radio_use(device, t_start_s, sg4::Engine::get_clock());
}

// A cloud training started at t_start_s was cut now (its host, or the device waiting for it,
// failed): the core it held until then.
void charge_cut_cloud_training(RunState& state, UpdateRecord& record, double t_start_s) {
  const double elapsed_s = sg4::Engine::get_clock() - t_start_s;
  record.duration_s = elapsed_s;
  record.train_energy_J = cloud_core_dynamic_W(state.inputs.scenario.platform.cloud) * elapsed_s;
  record.held_cloud_idle_J = cloud_core_idle_W(state.inputs.scenario.platform.cloud) * elapsed_s;
  state.cloud_busy_s += elapsed_s;
}

// Runs on `device`'s host: pays the training there, then installs the model and, with `share`,
// sends it to the other devices. The training runs in kTrainingSteps equal parts, each charged to
// the battery when it ends, so the battery drains while it trains. If the device fails meanwhile,
// the actor dies with it and the update is recorded as abandoned with what it spent: the parts
// done and the share of the current part it had time for.
void train_on_device_and_install(DeviceView device, std::shared_ptr<const EdgeModel> model, UpdateRecord record,
                                 EdgeOps ops, bool share) {
  constexpr int kTrainingSteps = 100;
  const DeviceConfig& processor = device.config();
  const Cost step = device_training_cost(processor, {ops.macs / kTrainingSteps, ops.acs / kTrainingSteps});
  struct Progress {
    UpdateRecord record;
    double start_s = 0;
    double step_start_s = 0;
    bool training = true;
  };
  const auto progress = std::make_shared<Progress>(Progress{record});   // what on_exit records
  sg4::this_actor::on_exit([device, progress, step, share](bool failed) {
    if (!failed) return;
    if (progress->training) {   // the part cut short, at the device's full speed (an upper bound if inference shared it)
      const double part = std::min(1.0, (sg4::Engine::get_clock() - progress->step_start_s) / step.duration_s);
      progress->record.train_energy_J += part * step.energy_J;
      progress->record.train_memory_energy_J += part * step.memory_energy_J;
      progress->record.held_device_idle_J += part * step.idle_energy_J;
      progress->record.duration_s = sg4::Engine::get_clock() - progress->start_s;
      device.battery().spend(part * step.energy_J, sg4::Engine::get_clock());
    }
    if (share) abandon_everywhere(device, progress->record, down_reason(device));
    else abandon(device, progress->record, down_reason(device));
  });
  progress->start_s = sg4::Engine::get_clock();
  progress->step_start_s = progress->start_s;
  for (int k = 0; k < kTrainingSteps; ++k) {
    sg4::this_actor::execute(ops.total() / kTrainingSteps);
    progress->step_start_s = sg4::Engine::get_clock();   // the next part starts now
    progress->record.train_energy_J += step.energy_J;
    progress->record.train_memory_energy_J += step.memory_energy_J;
    progress->record.held_device_idle_J += step.idle_energy_J;
    charge_device(device, step.energy_J);  // the update is abandoned with the device
  }
  progress->training = false;
  progress->record.duration_s = sg4::Engine::get_clock() - progress->start_s;
  if (share) share_with_fleet(device, model, progress->record);
  installed(device, model, progress->record);
}

// Downloads the new weights from the cloud to the device, then installs them; a failed download
// (or the device failing meanwhile) leaves the old model in place.
void download_and_install(DeviceView device, std::shared_ptr<const EdgeModel> model, UpdateRecord record) {
  const auto progress = std::make_shared<UpdateRecord>(record);   // what on_exit records
  sg4::this_actor::on_exit([device, progress](bool failed) {
    if (failed) abandon(device, *progress, down_reason(device));
  });
  const double start_s = sg4::Engine::get_clock();
  try {
    if (!device.cloud_host()->is_on()) throw simgrid::NetworkFailureException(XBT_THROW_POINT, "cloud host down");
    sg4::Comm::sendto(device.cloud_host(), device.host(), static_cast<uint64_t>(record.bytes_down));
    device.run().network.carried_down(device.index(), record.bytes_down);
  } catch (const simgrid::NetworkFailureException&) {
    charge_cut_transfer(device, record, start_s, record.bytes_down, false);
    *progress = record;
    abandon(device, record, transfer_reason(device));
    return;
  }
  if (record.train_ops == 0) record.duration_s = sg4::Engine::get_clock() - start_s;  // this device only downloads
  const double receive_J = download_radio_energy_J(device, record.bytes_down);
  record.radio_energy_J += receive_J;
  *progress = record;
  charge_device(device, receive_J);
  note_radio_use(device, start_s, sg4::Engine::get_clock());
  installed(device, model, record);
}

// Starts `body` on the device's host, or records the update as abandoned when the device is down
// (SimGrid cannot start an actor on a host that is off).
template <typename Body, typename... Args>
void start_on_device(DeviceView device, const std::string& name, const UpdateRecord& record, Body body, Args... args) {
  if (!device.host()->is_on()) {
    UpdateRecord missed = record;
    missed.device = device.index();
    abandon(device, missed, down_reason(device));
    return;
  }
  sg4::Actor::create(name, device.host(), body, device, args...);
}

UpdateRecord base_record(const TrainingJob& job, const IncrementalResult& result, double t_start_s) {
  UpdateRecord record;
  record.t_start_s = t_start_s;
  record.mode = job.mode;
  record.method = job.method;
  record.samples = result.samples_used;
  record.classes_added = static_cast<int>(job.new_classes.size());
  record.classes = job.new_classes;
  record.task = job.task;
  record.train_ops = job.mode == UpdateMode::Cloud ? result.dense_train_macs : result.train_ops.total();
  record.model_version = result.model.version();
  return record;
}

// Every device but `source` (scope fleet) or none: who installs a model `source`'s update made.
std::vector<DeviceView> other_installers(DeviceView source) {
  std::vector<DeviceView> devices;
  if (source.scenario().policy.update.scope != UpdateScope::Fleet) return devices;
  for (int device = 0; device < static_cast<int>(source.run().devices.size()); ++device)
    if (device != source.index()) devices.emplace_back(source.run(), device);
  return devices;
}

// What a device that only downloads the model `record` made records.
UpdateRecord download_record(const UpdateRecord& record, const EdgeModel& model) {
  UpdateRecord download = record;
  download.samples = 0;
  download.train_ops = 0;
  download.train_energy_J = 0;
  download.train_memory_energy_J = 0;
  download.held_device_idle_J = 0;
  download.held_cloud_idle_J = 0;
  download.radio_energy_J = 0;
  download.duration_s = 0;
  download.bytes_up = 0;
  download.bytes_down = static_cast<double>(model.size_bytes());
  return download;
}

// Sends the model `record` made to every other installer from `source`'s cloud host: each downloads
// it (and only installs it) in its own actor.
void download_to_others(DeviceView source, const std::shared_ptr<const EdgeModel>& model, const UpdateRecord& record) {
  UpdateRecord download = download_record(record, *model);
  for (DeviceView device : other_installers(source)) {
    download.device = device.index();
    start_on_device(device, fmt::format("download-{}-task-{}", device.index(), record.task), download,
                    download_and_install, model, download);
  }
}

// Scope fleet, on the device: the trainer uploads its model to its cloud host, which sends it on
// to every other device. A failed upload leaves the others with their old model.
void share_with_fleet(DeviceView device, const std::shared_ptr<const EdgeModel>& model, UpdateRecord& record) {
  const auto bytes = static_cast<double>(model->size_bytes());
  sg4::Host* cloud_host = device.cloud_host();
  const double start_s = sg4::Engine::get_clock();
  try {
    if (!cloud_host->is_on()) throw simgrid::NetworkFailureException(XBT_THROW_POINT, "cloud host down");
    sg4::Comm::sendto(device.host(), cloud_host, static_cast<uint64_t>(bytes));
  } catch (const simgrid::NetworkFailureException&) {
    charge_cut_transfer(device, record, start_s, bytes, true);
    for (DeviceView other : other_installers(device))
      abandon(other, download_record(record, *model), UpdateReason::ModelUploadFailed);
    return;
  }
  device.run().network.carried_up(device.index(), bytes);
  record.bytes_up = bytes;
  const double transmit_s = sg4::Engine::get_clock() - start_s -
                            device.inputs().upload_latency_s(device.index(), bytes, sg4::Engine::get_clock() - start_s);
  const double transmit_J = upload_radio_energy_J(device, bytes, transmit_s);
  record.radio_energy_J += transmit_J;
  charge_device(device, transmit_J);
  note_radio_use(device, start_s, start_s + transmit_s);
  download_to_others(device, model, record);
}

// An update triggered by `job.device`'s buffer (on_device or cloud mode).
void run_buffer_update(RunState* state, TrainingJob job) {
  const double t_start_s = sg4::Engine::get_clock();
  const DeviceView device(*state, job.device);
  sg4::Host* cloud_host = device.cloud_host();

  // What is recorded if the update fails before it has a model: the device fails (this actor
  // dies with it while it waits for the cloud) or the buffer upload does.
  const auto failed = std::make_shared<UpdateRecord>();
  failed->t_start_s = t_start_s;
  failed->mode = job.mode;
  failed->method = job.method;
  failed->task = job.task;
  failed->classes = job.new_classes;
  failed->samples = static_cast<int64_t>(job.samples.indices.size());
  const auto cloud_training_since = std::make_shared<double>(-1);   // while the cloud trains: since when
  sg4::this_actor::on_exit([state, device, failed, cloud_training_since](bool killed) {
    if (!killed) return;   // nothing blocks once the model is handed on
    if (*cloud_training_since >= 0) charge_cut_cloud_training(*state, *failed, *cloud_training_since);
    abandon_everywhere(device, *failed, down_reason(device));
  });

  double bytes_up = 0, upload_J = 0;
  if (job.mode == UpdateMode::Cloud) {
    bytes_up = static_cast<double>(job.samples.indices.size()) * (state->inputs.image_bytes + kLabelBytes);
    try {
      if (!cloud_host->is_on()) throw simgrid::NetworkFailureException(XBT_THROW_POINT, "cloud host down");
      sg4::Comm::sendto(device.host(), cloud_host, static_cast<uint64_t>(bytes_up));
      state->network.carried_up(job.device, bytes_up);
    } catch (const simgrid::NetworkFailureException&) {
      charge_cut_transfer(device, *failed, t_start_s, bytes_up, true);
      abandon_everywhere(device, *failed, transfer_reason(device));
      return;
    }
    const double transmit_s = sg4::Engine::get_clock() - t_start_s -
                              state->inputs.upload_latency_s(job.device, bytes_up, sg4::Engine::get_clock() - t_start_s);
    upload_J = upload_radio_energy_J(device, bytes_up, transmit_s);
    failed->bytes_up = bytes_up;
    failed->radio_energy_J = upload_J;
    charge_device(device, upload_J);
    note_radio_use(device, t_start_s, t_start_s + transmit_s);
  }
  IncrementalResult result = train(*state, job);
  note_trained(*state, job, result);
  UpdateRecord record = base_record(job, result, t_start_s);
  record.device = job.device;
  auto model = std::make_shared<const EdgeModel>(std::move(result.model));
  state->models.push_back(model);

  if (job.mode == UpdateMode::OnDevice) {
    const bool share = state->inputs.scenario.policy.update.scope == UpdateScope::Fleet;
    start_on_device(device, fmt::format("update-{}-task-{}", job.device, job.task), record,
                    train_on_device_and_install, model, record, result.train_ops, share);
    return;
  }
  // In the cloud: the training and the upload happened once, for the triggering device.
  const Cost cost = cloud_training_cost(state->inputs.scenario.platform.cloud, result.dense_train_macs);
  const double train_start_s = sg4::Engine::get_clock();
  *cloud_training_since = train_start_s;
  try {
    sg4::this_actor::exec_init(cloud_training_flops(result.dense_train_macs))->set_host(cloud_host)->wait();
  } catch (const simgrid::HostFailureException&) {   // the cloud host failed while training
    *cloud_training_since = -1;
    charge_cut_cloud_training(*state, *failed, train_start_s);
    abandon_everywhere(device, *failed, UpdateReason::CloudDown);
    return;
  }
  *cloud_training_since = -1;
  state->cloud_busy_s += sg4::Engine::get_clock() - train_start_s;
  record.duration_s = sg4::Engine::get_clock() - train_start_s;
  record.train_energy_J = cost.energy_J;
  record.held_cloud_idle_J = cost.idle_energy_J;
  record.radio_energy_J = upload_J;
  record.bytes_up = bytes_up;
  record.bytes_down = static_cast<double>(model->size_bytes());
  start_on_device(device, fmt::format("download-{}-task-{}", job.device, job.task), record, download_and_install,
                  model, record);
  download_to_others(device, model, record);
}

// The samples the device's remaining requests will carry if no further update excludes any.
std::vector<int64_t> remaining_samples(DeviceView device) {
  std::vector<int64_t> samples;
  const std::vector<ScheduledRequest>& schedule = device.schedule();
  for (size_t k = device.learning().next_request; k < schedule.size(); ++k) {
    const int64_t sample = request_sample(device, schedule[k]);
    if (sample >= 0) samples.push_back(sample);
  }
  return samples;
}

}  // namespace

int64_t request_sample(DeviceView device, const ScheduledRequest& request) {
  const std::vector<int64_t>& own = device.learning().trained_on;
  const std::vector<int64_t>& fleet = device.run().fleet_trained_on;
  if (own.empty() && fleet.empty()) return request.sample;
  return device.inputs().pools.first_allowed(request.phase, request.sample, [&](int64_t sample) {
    return std::binary_search(own.begin(), own.end(), sample) || std::binary_search(fleet.begin(), fleet.end(), sample);
  });
}

bool edge_model_serves(const Scenario& scenario) { return scenario.policy.offload.filter != OffloadFilter::CloudOnly; }

void install_model(DeviceView device, const std::shared_ptr<const EdgeModel>& model) {
  RunState& run = device.run();
  run.inference.want(*model, remaining_samples(device));
  recalibrate(device, *model);
  device.learning().model = model;
  run.log.installs.push_back({device.index(), sg4::Engine::get_clock(), model});
  done_updating(device);
  consider_update(device);   // the buffer may already hold enough of the next task
}

void consider_update(DeviceView device) {
  const UpdateConfig& update = device.scenario().policy.update;
  if (update.mode != UpdateMode::OnDevice && update.mode != UpdateMode::Cloud) return;
  if (!edge_model_serves(device.scenario())) return;
  DeviceLearning& learning = device.learning();
  if (learning.updating || device.run().fleet_updating) return;
  // The next head: the split's next task, or the classes the cloud labelled first in this
  // device's buffer (policy.update.classes); the buffer collects every class meanwhile.
  const LearnedClasses learned{static_cast<int>(learning.model->head_sizes().size()), learning.model->output_labels()};
  std::optional<NextHead> next =
      next_head(update, device.inputs().split, learned, learning.buffer, learning.label_order);
  if (!next) return;

  TrainingJob job{device.index(), next->head, update.mode, update.method, learning.model,
                  buffer_samples(learning.buffer, &device.inputs().dataset.test), std::move(next->classes)};
  mark_updating(device, true);
  sg4::Actor::create(fmt::format("update-{}-task-{}", device.index(), job.task), device.host(), run_buffer_update,
                     &device.run(), std::move(job));
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
    const uint64_t task_seed = derive_seed(scenario.seed, SeedStream::OracleSamples, static_cast<uint64_t>(task));
    job.samples.indices = seeded_subset(std::move(task_data), cap, task_seed);
    // Rehearsal methods also get a labelled memory of the earlier tasks: `buffer` training images,
    // each old task's share proportional to its classes.
    if (update.method != UpdateMethod::Lwf) {
      const auto old_classes = static_cast<size_t>(latest->num_classes());
      for (int old = 0; old < task; ++old) {
        const size_t quota = static_cast<size_t>(update.buffer) * state->inputs.split.task_classes[old].size() / old_classes;
        const uint64_t memory_seed =
            derive_seed(scenario.seed, SeedStream::OracleSamples, static_cast<uint64_t>(task * 1000 + old));
        const std::vector<int64_t> memory =
            seeded_subset(task_samples(state->inputs.split, dataset.train.labels, old), quota, memory_seed);
        job.samples.indices.insert(job.samples.indices.end(), memory.begin(), memory.end());
      }
    }
    for (int64_t index : job.samples.indices)
      job.samples.labels.push_back(state->inputs.split.new_label_of[dataset.train.labels[index]]);
    IncrementalResult result = train(*state, job);
    note_trained(*state, job, result);
    UpdateRecord record = base_record(job, result, t_start_s);
    latest = std::make_shared<const EdgeModel>(std::move(result.model));
    state->models.push_back(latest);
    // The authors' procedure: every device holds the task's data and trains on it itself.
    for (int device = 0; device < static_cast<int>(state->devices.size()); ++device) {
      record.device = device;
      start_on_device(DeviceView(*state, device), fmt::format("oracle-{}-task-{}", device, task), record,
                      train_on_device_and_install, latest, record, result.train_ops, false);
    }
  }
}

}  // namespace eccsim
