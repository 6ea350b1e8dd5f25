// The scenario: everything a run needs, parsed once from YAML, defaults resolved and
// validated before the engine starts. Units are SI inside (s, B/s, flop/s, W, J, B);
// the YAML side takes unit strings ("20Mbps", "5ms", "1Gf", "0.3W", "0.9pJ").
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eccsim {

// A scenario choice is an enum E whose YAML names Choice<E>::names lists in the order of its
// values; the scenario reader maps names to values, outputs print name_of(value).
template <class E>
struct Choice;

template <class E>
constexpr std::string_view name_of(E value) {
  return Choice<E>::names[static_cast<size_t>(value)];
}

enum class DeviceEnergy { Ops, Power, Constant };
template <>
struct Choice<DeviceEnergy> {
  static constexpr std::array<std::string_view, 3> names{"ops", "power", "constant"};
};

// How often an inference's first layer (dense, on the analog image) is charged: once, as the model
// computes it (direct encoding repeats one image), or at every time step, as the SNN literature's
// estimate E_MAC x T x MACs(first layer) counts it.
enum class FirstLayer { Once, PerStep };
template <>
struct Choice<FirstLayer> {
  static constexpr std::array<std::string_view, 2> names{"once", "per_step"};
};

// The ops mode's memory accesses (docs/modelling.md, Cost model): reported beside the ALU energy (report), or
// added to it (charge).
enum class MemoryEnergy { Report, Charge };
template <>
struct Choice<MemoryEnergy> {
  static constexpr std::array<std::string_view, 2> names{"report", "charge"};
};

// A request's radio energy: the paper's transmit power x the upload's transmission time, or the
// station's Wi-Fi radio states (tx power x upload airtime + rx power x reply airtime; wifi only).
enum class RadioEnergy { TransmitPower, WifiStates };
template <>
struct Choice<RadioEnergy> {
  static constexpr std::array<std::string_view, 2> names{"transmit_power", "wifi_states"};
};

// The radio's tail (docs/modelling.md, Cost model): after its last transfer a cellular or Wi-Fi radio stays in a
// high-power state until its inactivity timers expire; a transfer that starts meanwhile cuts it
// short. lte and wifi: the default profiles of AT&T's ARO; constant: radio_tail_power for radio_tail_time.
enum class RadioTail { None, Lte, Wifi, Constant };
template <>
struct Choice<RadioTail> {
  static constexpr std::array<std::string_view, 4> names{"none", "lte", "wifi", "constant"};
};

enum class AccessKind { Wired, Wifi };
template <>
struct Choice<AccessKind> {
  static constexpr std::array<std::string_view, 2> names{"wired", "wifi"};
};

// How the stations of a Wi-Fi cell are given their rate level (index into access.rates).
enum class StationLevels { RoundRobin, Fixed, Random };
template <>
struct Choice<StationLevels> {
  static constexpr std::array<std::string_view, 3> names{"round_robin", "fixed", "random"};
};

enum class CloudEnergy { Power, Constant };
template <>
struct Choice<CloudEnergy> {
  static constexpr std::array<std::string_view, 2> names{"power", "constant"};
};

// How long a batch of n inputs occupies a cloud core: 2 flop per MAC at the core's speed, the
// profile measured from the real cloud model (models.dir/cloud_latency.csv, the default), or a table
// in the YAML.
enum class CloudLatencyModel { Flops, Profile, Table };
template <>
struct Choice<CloudLatencyModel> {
  static constexpr std::array<std::string_view, 3> names{"flops", "profile", "table"};
};

enum class Arrival { Poisson, Periodic, Trace };
template <>
struct Choice<Arrival> {
  static constexpr std::array<std::string_view, 3> names{"poisson", "periodic", "trace"};
};

enum class ClassMix { Cumulative, Current, All };
template <>
struct Choice<ClassMix> {
  static constexpr std::array<std::string_view, 3> names{"cumulative", "current", "all"};
};

enum class OffloadFilter { Entropy, MaxProb, Margin, Random, EdgeOnly, CloudOnly, Plugin };
template <>
struct Choice<OffloadFilter> {
  static constexpr std::array<std::string_view, 7> names{"entropy",   "max_prob",   "margin", "random",
                                                         "edge_only", "cloud_only", "plugin"};
};

enum class UpdateMode { None, OnDevice, Cloud, Oracle };
template <>
struct Choice<UpdateMode> {
  static constexpr std::array<std::string_view, 4> names{"none", "on_device", "cloud", "oracle"};
};

// How a new head is learned (models/train/incremental.hpp): LwF (the paper's), rehearsal of a
// labelled memory, or rehearsal with the new head's weights aligned to the old ones'.
enum class UpdateMethod { Lwf, Replay, ReplayAligned };
template <>
struct Choice<UpdateMethod> {
  static constexpr std::array<std::string_view, 3> names{"lwf", "replay", "replay_wa"};
};

enum class BufferPolicy { Balanced, Fifo };
template <>
struct Choice<BufferPolicy> {
  static constexpr std::array<std::string_view, 2> names{"balanced", "fifo"};
};

// Which classes a device's next head learns (docs/updates.md, "The update stage"): those the cloud labelled
// first in its buffer, or the split's next task (the paper's predefined order).
enum class UpdateClasses { CloudLabels, TaskOrder };
template <>
struct Choice<UpdateClasses> {
  static constexpr std::array<std::string_view, 2> names{"cloud_labels", "task_order"};
};

enum class UpdateScope { Device, Fleet };
template <>
struct Choice<UpdateScope> {
  static constexpr std::array<std::string_view, 2> names{"device", "fleet"};
};

struct DatasetConfig {
  std::string name = "fashion-mnist";   // fashion-mnist | mnist | cifar10 | cifar100 | image-folder | npy
  std::string path;                     // empty: Debian package location (needed by image-folder and npy)
  int tasks = 5;                        // class-incremental tasks
  int base_classes = 0;                 // classes in the first task; 0 = equal split
  std::vector<double> class_order;      // dataset class ids in task order (whole numbers); empty: shuffled by models.seed
  double evaluation_share = 0.1;        // of each class's test images: the evaluation set, never requested
                                        // nor trained on (docs/updates.md, Evaluation); 0: no evaluation set
};

// Where a model comes from. native: eccsim's own architecture, trained into models.dir;
// torchscript: a user's TorchScript file meeting docs/own-models.md's contract (never trained here).
enum class ModelFormat { Native, Torchscript };
template <>
struct Choice<ModelFormat> {
  static constexpr std::array<std::string_view, 2> names{"native", "torchscript"};
};

struct EdgeModelConfig {
  ModelFormat format = ModelFormat::Native;
  std::string path;                     // torchscript: the module file (relative to the working directory)
  std::string arch = "svgg";            // native: spiking VGG, ECC-SNN's edge model
  int timesteps = 4;                    // native: T, direct encoding
};

struct CloudModelConfig {
  ModelFormat format = ModelFormat::Native;
  std::string path;                     // torchscript: the module file
  std::string arch = "cnn";             // native: conventional CNN teacher / cloud model
};

struct DistillConfig {
  bool enabled = true;
  double weight = 0.5;                  // lambda
  double temperature = 3.0;             // tau
};

struct TrainConfig {
  std::string profile = "full";         // full | quick
  int cloud_epochs = 0;                 // 0: the profile's default
  int edge_epochs = 0;                  // 0: the profile's default
  int cloud_samples = 0;                // training samples of the cloud ANN; 0: the profile's default
  int edge_samples = 0;                 // training samples of the edge SNN; 0: the profile's default
  int batch_size = 64;
  double learning_rate = 1e-3;
  bool allow = true;                    // train missing checkpoints before a run
  DistillConfig distill;
};

struct ModelsConfig {
  std::string dir = "checkpoints/fmnist";   // the shipped full-profile models
  // Seeds the class order and the training, and nothing else: changing `seed` (arrivals,
  // filter and exploration draws, faults, update shuffles) keeps the same models.
  uint64_t seed = 2025;
  EdgeModelConfig edge;
  CloudModelConfig cloud;
  TrainConfig train;
  bool cache = true;                    // memoise inference per (model version, sample)
  bool persistent_cache = true;         // keep the setup models' outputs in dir/predictions across runs
};

struct DeviceConfig {
  std::string profile = "none";         // real hardware filling energy, speed, power_busy, e_mac, e_ac
  double speed_ops = 1e9;               // op/s (one MAC or one synaptic AC = one op)
  double power_idle_W = 0.05;
  double power_busy_W = 0.3;
  double radio_tx_W = 5.48;             // transmit power while uploading
  RadioEnergy radio_energy = RadioEnergy::TransmitPower;
  RadioTail radio_tail = RadioTail::None;
  double radio_tail_power_W = 0;        // radio_tail constant: the tail's power
  double radio_tail_time_s = 0;         // radio_tail constant: how long a whole tail lasts
  DeviceEnergy energy = DeviceEnergy::Ops;
  FirstLayer first_layer = FirstLayer::Once;  // ops and power modes: layer 1's MACs once or x T
  double e_mac_J = 4.6e-12;             // ops mode: energy per dense MAC
  double e_ac_J = 0.9e-12;              // ops mode: energy per synaptic accumulate
  double e_mem_J = 5e-12;               // ops mode: energy per memory access (a 32-bit word from an 8 KB SRAM)
  MemoryEnergy memory_energy = MemoryEnergy::Report;
  double constant_latency_s = 2.5e-3;   // constant mode: per inference
  double constant_energy_J = 0.69e-3;   // constant mode: per inference
  double battery_J = 0;                 // capacity; 0: mains powered
  bool backprop = true;                 // can train on the device (false: a neuromorphic profile without e_mac)
};

// Radio state powers of every Wi-Fi radio (stations and the access point); ns-3's defaults,
// also those of SimGrid's link_energy_wifi plugin.
struct WifiPowerConfig {
  double idle_W = 0.82;
  double tx_W = 1.14;
  double rx_W = 0.94;
};

struct AccessConfig {
  AccessKind kind = AccessKind::Wired;  // wifi: one SimGrid Wi-Fi cell, the access point its gateway
  double bandwidth_Bps = 20e6 / 8;      // wired: uplink; wifi: the one rate level when rates is empty
  double downlink_bandwidth_Bps = 0;    // wired: 0 = same as bandwidth
  double latency_s = 2e-3;              // wired: per link; wifi: on the access point's wired uplink
  double power_idle_W = 0;              // wired: per access link (each direction), SimGrid link_energy
  double power_busy_W = 0;              // wired: at full load
  std::vector<double> rates_Bps;        // wifi: rate levels (MCS / distance), fastest first
  StationLevels stations = StationLevels::RoundRobin;  // wifi: how stations get their level
  int level = 0;                        // wifi, fixed: every station's level
  std::vector<double> shares;           // wifi, random: share of stations per level (sums to 1)
  WifiPowerConfig wifi_power;

  // The Wi-Fi cell's rate levels: `rates`, or the one level `bandwidth`.
  std::vector<double> wifi_rates_Bps() const {
    return rates_Bps.empty() ? std::vector<double>{bandwidth_Bps} : rates_Bps;
  }
  // A wired device's downlink: `downlink_bandwidth`, or when it is 0 the uplink's `bandwidth`.
  double wired_downlink_Bps() const { return downlink_bandwidth_Bps > 0 ? downlink_bandwidth_Bps : bandwidth_Bps; }
};

struct BackhaulConfig {
  double bandwidth_Bps = 100e6 / 8;     // gateway <-> cloud, shared by all devices
  double latency_s = 20e-3;
  double power_idle_W = 0;              // per direction, SimGrid link_energy
  double power_busy_W = 0;              // at full load
};

// How transfers are simulated. flow: SimGrid's CM02 flow model (a transfer takes the route's
// latency + size / its max-min share of bandwidth). packet: SimGrid's ns-3 binding (TCP over
// point-to-point links, a new connection per transfer: handshake, slow start, headers, queues).
enum class NetworkModel { Flow, Packet };
template <>
struct Choice<NetworkModel> {
  static constexpr std::array<std::string_view, 2> names{"flow", "packet"};
};

// Flow model corrections (SimGrid's network/latency-factor and network/bandwidth-factor): a
// transfer takes latency_factor x the route's latency + size / (bandwidth_factor x its share).
// From the validation against real TCP (docs/modelling.md, Network models): a new TCP connection per message
// is latency_factor 3 (SYN, SYN-ACK, then the data); TCP/IP headers are bandwidth_factor 0.965.
struct NetworkConfig {
  NetworkModel model = NetworkModel::Flow;
  double latency_factor = 1;
  double bandwidth_factor = 1;
  std::string calibration;              // a file of the two factors, written by `eccsim calibrate`
  // From a calibration file only: the latency factor by message size, (from bytes, factor) in
  // increasing size from 0; a message takes the factor of the largest size at or below its own.
  std::vector<std::pair<double, double>> latency_factor_by_size;
};

// ns-3's payload share as SimGrid sets it up: 1,000-byte segments under 42 bytes of headers.
inline constexpr double kPacketPayloadShare = 1000.0 / 1042.0;

// The factor of a (from bytes, factor) table, from 0 in increasing size, for a message of `bytes`.
inline double latency_factor_at(const std::vector<std::pair<double, double>>& table, double bytes) {
  double factor = table.front().second;
  for (const auto& [from, f] : table)
    if (bytes >= from) factor = f;
  return factor;
}

// The flow model's latency factor for a message of `bytes`: the calibration's table, or the one factor.
inline double latency_factor_for(const NetworkConfig& network, double bytes) {
  return network.latency_factor_by_size.empty() ? network.latency_factor
                                                : latency_factor_at(network.latency_factor_by_size, bytes);
}
// ns-3 simulates every packet: packet mode is refused beyond this fleet, and beyond this many
// transfers in a run (SimGrid's binding gives each a TCP port of its own; docs/modelling.md, Network models).
inline constexpr int kMaxPacketDevices = 1000;
inline constexpr double kMaxPacketTransfers = 60000;

struct BatchConfig {
  int max = 32;                         // requests per batch
  double wait_s = 2e-3;                 // longest wait for a batch to fill
};

// One measured or given point of a batch-latency curve.
struct BatchLatencyPoint {
  int batch = 1;                        // inputs in the batch
  double latency_s = 0;                 // time the batch holds one core
  bool operator==(const BatchLatencyPoint& other) const {
    return batch == other.batch && latency_s == other.latency_s;
  }
};

// latency.speed when it is not given: a table's times are used as given; a profile is scaled to the
// declared core (see cloud_latency_curve).
constexpr double kScaleToDeclaredCore = 0;

struct CloudLatencyConfig {
  CloudLatencyModel model = CloudLatencyModel::Profile;
  double speed = kScaleToDeclaredCore;  // profile, table: the latencies are divided by this factor
  std::vector<BatchLatencyPoint> table; // model table: ascending batch sizes, from 1
};

struct CloudConfig {
  int hosts = 1;
  double speed_flops = 20e12;           // per core
  int cores = 4;
  double power_idle_W = 100;
  double power_busy_W = 300;
  CloudEnergy energy = CloudEnergy::Power;
  double constant_latency_s = 4.3e-3;   // constant mode: per inference
  double constant_energy_J = 15.167;    // constant mode: per inference
  BatchConfig batch;
  CloudLatencyConfig latency;
};

struct WorkloadConfig {
  Arrival arrival = Arrival::Poisson;
  double rate_per_s = 2;                // per device
  std::string trace;                    // arrival=trace: file of arrival times (s), one per line
  double duration_s = 120;              // used when requests_per_device == 0
  int64_t requests_per_device = 0;      // > 0: stop each device after this many requests
  double phase_length_s = 0;            // 0: no phases (everything is task 0's world)
  ClassMix classes = ClassMix::Cumulative;  // which tasks' classes a phase draws from
};

// An optional share (target_cur, budget.cur, a group's share): below 0 when the scenario does not give it.
constexpr double kNotGiven = -1;

// A site (platform.sites): a gateway with its own backhaul to the cloud.
struct SiteConfig {
  std::string name;
  BackhaulConfig backhaul;              // the top-level backhaul with the site's keys applied
};

// A device group (platform.groups): its devices are numbered after the previous groups'. Each
// block starts as the top-level one with the group's keys applied.
struct GroupConfig {
  std::string name;
  int count = -1;                       // devices, as given (-1: not given)
  double share = kNotGiven;             // of platform.devices, as given
  std::string site;                     // a platform.sites name; empty: the first site
  DeviceConfig device;
  AccessConfig access;
  WorkloadConfig workload;              // only arrival, rate and trace may differ per group
  int devices = 0;                      // resolved: count, the share rounded, or the devices left
};

// How devices are simulated. per_device: each its own SimGrid actor (with its stack). shared: one actor
// drives a block of devices, each device's place in its stream kept as data; the same hosts, links and
// results, in a fraction of the memory (docs/performance.md). auto: shared from kSharedDevicesFrom devices.
enum class DeviceActors { Auto, PerDevice, Shared };
template <>
struct Choice<DeviceActors> {
  static constexpr std::array<std::string_view, 3> names{"auto", "per_device", "shared"};
};
inline constexpr int kSharedDevicesFrom = 20000;
inline constexpr int kDevicesPerPool = 1024;    // devices one actor drives when they share actors

struct PlatformConfig {
  int devices = 10;
  DeviceActors device_actors = DeviceActors::Auto;
  DeviceConfig device;
  AccessConfig access;
  BackhaulConfig backhaul;
  std::vector<SiteConfig> sites;        // empty: one site, the top-level backhaul
  std::vector<GroupConfig> groups;      // empty: one group, the top-level blocks
  CloudConfig cloud;
  NetworkConfig network;
};

// True when one actor drives many devices (platform.device_actors).
inline bool devices_share_actors(const PlatformConfig& platform) {
  return platform.device_actors == DeviceActors::Shared ||
         (platform.device_actors == DeviceActors::Auto && platform.devices >= kSharedDevicesFrom);
}

// True for the filters that compare a score with a threshold: entropy, max_prob, margin, and a plugin,
// which is told the entropy threshold (given or calibrated) and decides what to make of it.
constexpr bool has_threshold(OffloadFilter filter) {
  return filter == OffloadFilter::Entropy || filter == OffloadFilter::MaxProb || filter == OffloadFilter::Margin ||
         filter == OffloadFilter::Plugin;
}

// True when the filter's score is the normalised entropy (more doubt above the threshold).
constexpr bool scores_entropy(OffloadFilter filter) {
  return filter == OffloadFilter::Entropy || filter == OffloadFilter::Plugin;
}

// One parameter of an offload plugin: its key below policy.offload.plugin.params (nested mappings
// joined by dots) and its value's YAML text, as the plugin receives them (include/eccsim/policy.h).
struct PluginParam {
  std::string key;
  std::string value;

  bool operator==(const PluginParam& other) const { return key == other.key && value == other.value; }
};

// policy.offload.filter: plugin — a shared library deciding each offload (docs/policies.md).
struct PluginConfig {
  std::string path;                     // the library, relative to the working directory
  std::vector<PluginParam> params;      // in the scenario's order
};

struct OffloadConfig {
  OffloadFilter filter = OffloadFilter::Entropy;
  PluginConfig plugin;                  // filter plugin
  double threshold = 0.7;               // entropy: offload if score > t; max_prob/margin: if score < t
  double rate = 0.5;                    // random: offload probability
  // Instead of threshold (and rate): the share of requests to offload, exploration included; the
  // threshold is calibrated on held-out test images before the run (sim/policy/calibration.hpp).
  double target_cur = kNotGiven;
  bool recalibrate = true;              // calibrate again for each model an update installs
  double calibration_share = 0.2;       // of each class's test images, held out from the requests
  // Online budget: each device keeps its offloaded share over the last window at budget_cur
  // (sim/policy/budget_controller.hpp), starting from the threshold calibrated for it.
  double budget_cur = kNotGiven;
  double budget_window_s = 30;
  // Share of the inputs the filter keeps on the edge that are offloaded anyway, for their cloud
  // label (update stage). Default 0, or kBufferExploreDefault with buffer-driven updates.
  double explore = 0;
  double timeout_s = 1.0;               // reply deadline before falling back to the edge prediction
  int backoff_after = 3;                // consecutive timeouts after which the cloud counts as down (0: never)
  double backoff_s = 5.0;               // then no offloading for this long, after which the next offload probes

  // True when the scenario gives a target share (target_cur or budget) instead of threshold or rate.
  bool calibrates() const { return target_cur >= 0 || budget_cur >= 0; }
  // True when a threshold is calibrated on held-out images: a target share for a score filter.
  bool calibrates_threshold() const { return calibrates() && has_threshold(filter); }
  // The share offloaded the scenario asks for (target_cur or budget.cur); kNotGiven when neither.
  double target_share() const { return budget_cur >= 0 ? budget_cur : target_cur; }
};

// policy.offload.explore when policy.update.mode is on_device or cloud and explore is not given.
constexpr double kBufferExploreDefault = 0.2;

struct UpdateConfig {
  UpdateMode mode = UpdateMode::None;
  UpdateMethod method = UpdateMethod::ReplayAligned;
  int buffer = 200;                     // local buffer capacity (samples)
  BufferPolicy buffer_policy = BufferPolicy::Balanced;  // when full, drop: the oldest of the most held class | the oldest
  int trigger = 20;                     // buffered samples of the next head's classes that start its update
  UpdateClasses classes = UpdateClasses::CloudLabels;  // the next head's classes: the cloud's order | the split's tasks
  int epochs = 5;
  int batch_size = 16;                  // samples per step: a small buffer still gets several steps per epoch
  UpdateScope scope = UpdateScope::Device;
  int oracle_samples = 0;               // oracle: training samples per task (0 = the task's whole split)
  // No request carries an image a model serving it trained on (docs/updates.md, Evaluation); false: the
  // earlier protocol, where a trained image could come back as a request, kept to measure its bias.
  bool exclude_trained = true;
};

struct PolicyConfig {
  OffloadConfig offload;
  UpdateConfig update;
};

// A scheduled fault (down at `at` for `for`), or with `rate` random faults: from `at` on, outages
// start as a Poisson process of that rate and each lasts an exponential time of mean `for`.
// A fault target as the scenario reader parsed and checked it.
struct FaultTarget {
  enum class Kind { Backhaul, Cloud, Device, Access };
  Kind kind = Kind::Backhaul;
  int index = -1;                       // backhaul[site], cloud[j], device[i], access[i]; -1: every backhaul or cloud host
};

struct FaultConfig {
  double at_s = 0;                      // s
  double for_s = 0;                     // s; the mean duration of a random fault
  double rate_per_s = 0;                // 1/s; 0: one scheduled fault
  std::string target;                   // backhaul | backhaul[site] | cloud | cloud[j] | device[i] | access[i], as written
  FaultTarget parsed;                   // target, parsed once by the reader
};

// Whose the hosts' idle power is in the outputs (docs/modelling.md, Cost model): the run's (device_idle_energy_J,
// cloud_idle_energy_J), or, held, each request's and update's for the time its work held a
// processor or core (idle_energy_J), the rest staying the run's.
enum class IdleEnergy { Run, Held };
template <>
struct Choice<IdleEnergy> {
  static constexpr std::array<std::string_view, 2> names{"run", "held"};
};

struct OutputConfig {
  std::string dir = "results";
  bool requests = true;                 // write requests.csv
  IdleEnergy idle_energy = IdleEnergy::Run;
};

// sweep: dotted key path -> list of values (YAML text of each value), in file order.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// sweep.replications: how many times each grid point runs, each time with its own seed.
struct SweepReplications {
  static constexpr int kMax = 1000;     // bound of n and max
  int n = 1;                            // replications per grid point (without `until`)
  bool models_seed = false;             // replication k > 0 also derives models.seed (training variance)
  // Sequential stopping: min replications first, then more (up to max) while the 95 % half-width
  // of `metric` is above `half_width`. Off when `metric` is empty.
  int min = 3;
  int max = 30;
  std::string metric;                   // a summary.csv metric column; empty: no sequential stopping
  double half_width = 0;                // in the metric's unit

  bool sequential() const { return !metric.empty(); }
  int slots() const { return sequential() ? max : n; }  // replications a grid point may run
};

// sweep.compare: the baseline value of one grid axis for paired differences (compare.csv).
struct SweepCompare {
  std::string key;                      // a grid key; empty: no comparison
  std::string value;                    // YAML text of the baseline value, as in SweepAxis::values
};

struct SweepConfig {
  std::vector<SweepAxis> grid;          // Cartesian product
  std::vector<SweepAxis> zip;           // paired values (all lists the same length)
  SweepReplications replications;
  SweepCompare compare;
};

struct Scenario {
  std::string name = "eccsim";
  uint64_t seed = 2025;
  DatasetConfig dataset;
  ModelsConfig models;
  PlatformConfig platform;
  WorkloadConfig workload;
  PolicyConfig policy;
  std::vector<FaultConfig> faults;
  OutputConfig output;
  SweepConfig sweep;

  std::filesystem::path source_file;    // where it was read from
  // Where each key's value was given, for checks made after loading (a trace file that does not
  // parse, a checkpoint that does not fit): key path ("platform.devices", "faults[1].target",
  // "sweep.platform.devices") -> 1-based line in source_file, or 0 when set by --set. Defaults are absent.
  std::map<std::string, int> key_lines;
  // Keys given (in the file or by --set) that this scenario does not use, one line each, "file:line:
  // key: given but unused (why)": validate and run print them to stderr as warnings.
  std::vector<std::string> warnings;

  // Error prefix for a key: "file:line: key.path", "--set key.path", or "file: key.path" for a default.
  std::string where(const std::string& key_path) const {
    const auto it = key_lines.find(key_path);
    if (it == key_lines.end()) return source_file.string() + ": " + key_path;
    if (it->second == 0) return "--set " + key_path;
    return source_file.string() + ":" + std::to_string(it->second) + ": " + key_path;
  }
};

}  // namespace eccsim
