// The benchmark's bare SimGrid program: eccsim's platform shape, actors and message pattern with
// no models, no dataset and no CSV. Devices play Poisson schedules, run a constant edge cost, and
// offload with a seeded coin of eccsim's measured offload rate; the cloud batches as eccsim does.
// Its wall time is the floor eccsim's simulation side is compared with (ratio 2 of scripts/bench).
// Devices are one actor each (--devices-as actors) or, as eccsim's platform.device_actors: shared,
// state played by one actor per block of devices (--devices-as pooled).
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

namespace {

// Defaults: tests/scenarios/tiny.yaml and eccsim's platform defaults.
struct BenchConfig {
  int devices = 10;
  int requests_per_device = 100;
  double rate_per_s = 5;              // Poisson arrivals per device
  double offload_rate = 0.45;         // share of requests offloaded (eccsim's CUR on the same scenario)
  uint64_t seed = 7;
  double image_bytes = 784;           // one Fashion-MNIST image
  double logits_bytes = 40;           // ten float32 logits
  double device_speed_ops = 1e9;
  double edge_ops = 4e7;              // per edge inference (eccsim: dense MACs + synaptic ops)
  double access_Bps = 20e6 / 8;
  double access_latency_s = 2e-3;
  double backhaul_Bps = 100e6 / 8;
  double backhaul_latency_s = 20e-3;
  double cloud_speed_flops = 20e12;
  int cloud_cores = 4;
  double cloud_macs = 1e7;            // per cloud inference
  int batch_max = 32;
  double batch_wait_s = 2e-3;
  double timeout_s = 1;
  std::string stack_size_KiB = "16";   // eccsim's default (--actor-stack)
  // "detached" (eccsim's pattern: SimGrid 3.32 scans a list of every detached message in flight at
  // each completion), "tested" (each sender keeps its messages and tests them off as they finish)
  // or "kept" (devices keep their uploads in the set they wait on; the cloud still detaches).
  // Does not apply under --devices-as pooled, where every message is a courier's transfer.
  std::string sends = "detached";
  // "actors" (one actor per device, on its host) or "pooled" (devices driven as state: one actor per
  // block of kDevicesPerBlock on the controller host, messages carried by couriers).
  std::string devices_as = "actors";
};

constexpr int kDevicesPerBlock = 1024;   // eccsim's kDevicesPerPool

// A sender's messages in flight under --sends tested: finished ones are tested off before each send.
class SentMessages {
 public:
  void add(sg4::CommPtr comm) {
    for (ssize_t done; !comms_.empty() && (done = sg4::Comm::test_any(comms_)) >= 0;)
      comms_.erase(comms_.begin() + done);
    comms_.push_back(std::move(comm));
  }
  void wait_all() {
    for (const sg4::CommPtr& comm : comms_) comm->wait();
    comms_.clear();
  }

 private:
  std::vector<sg4::CommPtr> comms_;
};

template <class Message>
void send(sg4::Mailbox* to, Message* message, double bytes, const BenchConfig& config, SentMessages& sent) {
  if (config.sends == "tested") {
    sent.add(to->put_async(message, static_cast<uint64_t>(bytes)));
  } else {
    to->put_init(message, static_cast<uint64_t>(bytes))->detach([](void* payload) { delete static_cast<Message*>(payload); });
  }
}

struct Request {
  double t_arrival_s = 0;
  bool offload = false;
};

enum class Outcome { Edge, Cloud, Fallback };

struct Record {
  double t_done_s = 0;
  Outcome outcome = Outcome::Edge;
};

// device -> cloud, an offloaded input; size = the image bytes.
struct Upload {
  int64_t request_id = 0;
  sg4::Mailbox* reply_to = nullptr;   // --devices-as actors
  double t_sent_s = 0;
  int device = -1;                    // --devices-as pooled: the reply's destination
};

// cloud -> device, the batch's answer; size = the logits bytes.
struct Reply {
  int64_t request_id = 0;
};

struct CloudQueue {
  std::deque<Upload> waiting;
  std::deque<double> t_received_s;
  sg4::MutexPtr mutex = sg4::Mutex::create();
  sg4::ConditionVariablePtr arrived = sg4::ConditionVariable::create();
  sg4::MutexPtr batch_forming = sg4::Mutex::create();
};

// Transfers with no actor at either end (--devices-as pooled), as eccsim's sim/actors/couriers.hpp:
// a message is a transfer from host to host (Comm::sendto_async) started by its sender when it sends;
// a courier, a daemon actor on the controller host, waits for it and hands the message over when it
// arrives. Couriers are created as transfers need them and reused, one transfer each at a time.
class Couriers {
 public:
  explicit Couriers(sg4::Host* home) : home_(home) {}

  void carry(sg4::Host* from, sg4::Host* to, double bytes, std::function<void()> delivered) {
    sg4::CommPtr transfer = sg4::Comm::sendto_async(from, to, static_cast<uint64_t>(bytes));
    size_t slot = 0;
    if (idle_.empty()) {
      slot = slots_.size();
      slots_.push_back(std::make_unique<Slot>());
      slots_.back()->wake = sg4::Semaphore::create(0);
      sg4::Actor::create("courier-" + std::to_string(slot), home_, [this, slot] { courier(slot); })->daemonize();
    } else {
      slot = idle_.back();
      idle_.pop_back();
    }
    Slot& s = *slots_[slot];
    s.transfer = std::move(transfer);
    s.delivered = std::move(delivered);
    s.wake->release();
  }

 private:
  struct Slot {
    sg4::CommPtr transfer;
    std::function<void()> delivered;
    sg4::SemaphorePtr wake;
  };

  void courier(size_t slot) {
    Slot& s = *slots_[slot];
    for (;;) {
      s.wake->acquire();
      s.transfer->wait();
      s.transfer = nullptr;
      // Taken out first: the hand-over may start a transfer that reuses this slot.
      const std::function<void()> delivered = std::move(s.delivered);
      s.delivered = nullptr;
      idle_.push_back(slot);
      delivered();
    }
  }

  sg4::Host* home_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<size_t> idle_;   // slots whose courier waits for a transfer, last idle first
};

// Uploads handed over by courier (--devices-as pooled): they have crossed the network already, so
// the cloud receiver sleeps on a semaphore and takes them in arrival order, not from a mailbox.
struct CloudInbox {
  std::deque<Upload> delivered;
  sg4::SemaphorePtr wake = sg4::Semaphore::create(0);
};

// What devices driven as state share with the cloud (--devices-as pooled).
struct PooledDevices {
  std::vector<sg4::Host*> hosts;                      // per device
  std::vector<std::map<int64_t, double>> deadline_s;  // per device: its offloads not settled yet
  sg4::Host* cloud = nullptr;
  Couriers couriers;
  CloudInbox cloud_inbox;
};

struct Shared {
  const BenchConfig& config;
  std::vector<std::vector<Request>> schedules;
  std::vector<int64_t> first_request_id;
  std::vector<Record> records;
  PooledDevices* pooled = nullptr;   // --devices-as pooled
};

// A reply reaches its device: in time it is the cloud's answer, late a fallback at the deadline;
// one for an offload already settled (its device gave up at its last deadline) is ignored.
void settle_reply(Shared* shared, std::map<int64_t, double>& deadline_s, int64_t request_id) {
  auto it = deadline_s.find(request_id);
  if (it == deadline_s.end()) return;
  const double now_s = sg4::Engine::get_clock();
  shared->records[request_id] = now_s <= it->second ? Record{now_s, Outcome::Cloud}
                                                    : Record{it->second, Outcome::Fallback};
  deadline_s.erase(it);
}

// The device's last deadline has passed: whatever is still out falls back.
void settle_fallbacks(Shared* shared, std::map<int64_t, double>& deadline_s) {
  for (const auto& [id, deadline] : deadline_s) shared->records[id] = {deadline, Outcome::Fallback};
  deadline_s.clear();
}

double last_deadline_s(const std::map<int64_t, double>& deadline_s) {
  double last_s = 0;
  for (const auto& [id, deadline] : deadline_s) last_s = std::max(last_s, deadline);
  return last_s;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

std::vector<Request> schedule_of(const BenchConfig& config, int device) {
  std::mt19937_64 rng(splitmix64(splitmix64(splitmix64(config.seed) ^ 1) ^ static_cast<uint64_t>(device)));
  std::vector<Request> schedule;
  double t = 0;
  for (int k = 0; k < config.requests_per_device; ++k) {
    t += -std::log1p(-uniform01(rng)) / config.rate_per_s;
    schedule.push_back({t, uniform01(rng) < config.offload_rate});
  }
  return schedule;
}

// One actor per device, as in eccsim: it keeps a receive posted on its reply mailbox and waits on
// it together with its timer or its execution, settling each reply as it comes; after its last
// deadline it stays on as a daemon for late replies.
class EdgeDevice {
 public:
  EdgeDevice(Shared* shared, int index, sg4::Mailbox* cloud, sg4::Mailbox* replies)
      : shared_(shared), index_(index), cloud_(cloud), replies_(replies) {}

  void operator()() {
    const BenchConfig& config = shared_->config;
    const std::vector<Request>& schedule = shared_->schedules[index_];
    replies_->set_receiver(sg4::Actor::self());
    reply_ = replies_->get_async(&reply_payload_);
    SentMessages sent;
    for (size_t k = 0; k < schedule.size(); ++k) {
      const Request& request = schedule[k];
      const int64_t id = shared_->first_request_id[index_] + static_cast<int64_t>(k);
      wait_settling_replies(nullptr, request.t_arrival_s);
      wait_settling_replies(sg4::this_actor::exec_async(config.edge_ops), 0);
      const double now_s = sg4::Engine::get_clock();
      if (!request.offload) {
        shared_->records[id] = {now_s, Outcome::Edge};
        continue;
      }
      deadline_s_.emplace(id, now_s + config.timeout_s);
      if (config.sends == "kept")
        uploads_.push_back(cloud_->put_async(new Upload{id, replies_, now_s}, static_cast<uint64_t>(config.image_bytes)));
      else
        send(cloud_, new Upload{id, replies_, now_s}, config.image_bytes, config, sent);
    }
    sent.wait_all();
    wait_settling_replies(nullptr, last_deadline_s(deadline_s_));
    settle_fallbacks(shared_, deadline_s_);
    sg4::Actor::self()->daemonize();
    wait_settling_replies(nullptr, std::numeric_limits<double>::infinity());
  }

 private:
  // Until `work` is done, or when it is null until t_s; uploads kept (--sends kept) are dropped as
  // they finish.
  void wait_settling_replies(const sg4::ExecPtr& work, double t_s) {
    std::vector<sg4::ActivityPtr> waited{reply_};
    if (work) waited.emplace_back(work);
    const size_t first_upload = waited.size();
    waited.insert(waited.end(), uploads_.begin(), uploads_.end());
    for (;;) {
      double timeout_s = -1;
      if (!work && t_s < std::numeric_limits<double>::infinity()) {
        timeout_s = t_s - sg4::Engine::get_clock();
        if (timeout_s <= 0) return;
      }
      const ssize_t done = sg4::Activity::wait_any_for(waited, timeout_s);
      if (done < 0) return;  // t_s reached
      if (static_cast<size_t>(done) >= first_upload) {
        uploads_.erase(uploads_.begin() + (done - static_cast<ssize_t>(first_upload)));
        waited.erase(waited.begin() + done);
        continue;
      }
      if (done > 0) return;  // the work is done
      const std::unique_ptr<Reply> reply(reply_payload_);
      settle_reply(shared_, deadline_s_, reply->request_id);
      reply_ = replies_->get_async(&reply_payload_);
      waited.front() = reply_;
    }
  }

  Shared* shared_;
  int index_;
  sg4::Mailbox* cloud_;
  sg4::Mailbox* replies_;
  sg4::CommPtr reply_;
  Reply* reply_payload_ = nullptr;
  std::map<int64_t, double> deadline_s_;
  std::vector<sg4::CommPtr> uploads_;  // --sends kept
};

// Devices driven as state (--devices-as pooled), as eccsim's sim/actors/device_pool.hpp: one actor on
// the controller host plays the schedules of a block of devices, keeping each device's place in its
// schedule and its offloads' deadlines as data, and doing step for step, at the same times, what
// EdgeDevice does. It sleeps until the next step of any of its devices, runs each inference as an
// execution on the device's own host, and sends uploads by courier; replies come back by courier
// and are settled on arrival.
class DeviceBlock {
 public:
  DeviceBlock(Shared* shared, int first, int count)
      : shared_(shared), first_(first), count_(count), next_request_(static_cast<size_t>(count), 0) {}

  void operator()() {
    for (int d = first_; d < first_ + count_; ++d) next_request(d);
    std::vector<sg4::ActivityPtr> waited;
    double due_s = sg4::Engine::get_clock();
    for (;;) {
      // Every step due, in time order (a wait that timed out makes its event due, whatever the
      // clock's rounding).
      while (!events_.empty() && events_.top().t_s <= due_s) {
        const Event event = events_.top();
        events_.pop();
        wake(event);
      }
      if (events_.empty() && computing_.empty()) break;
      const double next_s = events_.empty() ? std::numeric_limits<double>::infinity() : events_.top().t_s;
      const double timeout_s = events_.empty() ? -1 : next_s - sg4::Engine::get_clock();
      if (computing_.empty()) {
        sg4::this_actor::sleep_for(timeout_s);
        due_s = next_s;
        continue;
      }
      waited.clear();
      for (const Computing& c : computing_) waited.emplace_back(c.exec);
      const ssize_t done = sg4::Activity::wait_any_for(waited, timeout_s);
      if (done < 0) {
        due_s = next_s;
        continue;
      }
      computed(static_cast<size_t>(done));
      due_s = sg4::Engine::get_clock();
    }
  }

 private:
  enum class Wake { Arrival, LastDeadline };
  struct Event {
    double t_s;
    int device;
    Wake wake;
    bool operator>(const Event& other) const { return t_s != other.t_s ? t_s > other.t_s : device > other.device; }
  };
  struct Computing {
    sg4::ExecPtr exec;
    int device;
  };

  size_t local(int device) const { return static_cast<size_t>(device - first_); }
  int64_t request_id(int device, size_t k) const {
    return shared_->first_request_id[static_cast<size_t>(device)] + static_cast<int64_t>(k);
  }

  // The device is free: it sleeps until its next request arrives (at once when it arrived while
  // the device computed), or after its last one until its last deadline.
  void next_request(int device) {
    const std::vector<Request>& schedule = shared_->schedules[static_cast<size_t>(device)];
    const double now_s = sg4::Engine::get_clock();
    size_t& k = next_request_[local(device)];
    if (k < schedule.size()) {
      events_.push({std::max(schedule[k].t_arrival_s, now_s), device, Wake::Arrival});
      ++k;
      return;
    }
    const double last_s = last_deadline_s(shared_->pooled->deadline_s[static_cast<size_t>(device)]);
    events_.push({std::max(last_s, now_s), device, Wake::LastDeadline});
  }

  void wake(const Event& event) {
    if (event.wake == Wake::LastDeadline) {
      settle_fallbacks(shared_, shared_->pooled->deadline_s[static_cast<size_t>(event.device)]);
      return;
    }
    // The request arrived: its edge inference runs on the device's host.
    sg4::ExecPtr exec = sg4::Exec::init()
                            ->set_flops_amount(shared_->config.edge_ops)
                            ->set_host(shared_->pooled->hosts[static_cast<size_t>(event.device)]);
    exec->start();
    computing_.push_back({std::move(exec), event.device});
  }

  // An edge inference is done: the request is answered at the edge, or offloaded with its deadline.
  void computed(size_t index) {
    const int device = computing_[index].device;
    computing_.erase(computing_.begin() + static_cast<std::ptrdiff_t>(index));
    const size_t k = next_request_[local(device)] - 1;
    const int64_t id = request_id(device, k);
    const double now_s = sg4::Engine::get_clock();
    PooledDevices& pooled = *shared_->pooled;
    if (!shared_->schedules[static_cast<size_t>(device)][k].offload) {
      shared_->records[id] = {now_s, Outcome::Edge};
    } else {
      pooled.deadline_s[static_cast<size_t>(device)].emplace(id, now_s + shared_->config.timeout_s);
      pooled.couriers.carry(pooled.hosts[static_cast<size_t>(device)], pooled.cloud, shared_->config.image_bytes,
                            [&pooled, upload = Upload{id, nullptr, now_s, device}] {
                              pooled.cloud_inbox.delivered.push_back(upload);
                              pooled.cloud_inbox.wake->release();
                            });
    }
    next_request(device);
  }

  Shared* shared_;
  int first_;
  int count_;
  std::vector<size_t> next_request_;   // per device of the block: the index of its next request
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<Computing> computing_;   // the inferences in flight
};

void enqueue(CloudQueue& queue, const Upload& upload) {
  std::unique_lock lock(*queue.mutex);
  queue.waiting.push_back(upload);
  queue.t_received_s.push_back(sg4::Engine::get_clock());
  queue.arrived->notify_all();
}

void cloud_receiver(sg4::Mailbox* requests, std::shared_ptr<CloudQueue> queue) {
  for (;;) {
    std::unique_ptr<Upload> upload(requests->get<Upload>());
    enqueue(*queue, *upload);
  }
}

// --devices-as pooled: the uploads the couriers hand over.
void pooled_cloud_receiver(CloudInbox* inbox, std::shared_ptr<CloudQueue> queue) {
  for (;;) {
    inbox->wake->acquire();
    const Upload upload = inbox->delivered.front();
    inbox->delivered.pop_front();
    enqueue(*queue, upload);
  }
}

void cloud_worker(Shared* shared, std::shared_ptr<CloudQueue> queue) {
  const BenchConfig& config = shared->config;
  SentMessages sent;
  for (;;) {
    std::vector<Upload> batch;
    {
      std::unique_lock forming(*queue->batch_forming);
      std::unique_lock lock(*queue->mutex);
      queue->arrived->wait(lock, [&] { return !queue->waiting.empty(); });
      const double close_s = queue->t_received_s.front() + config.batch_wait_s;
      const auto full = [&] { return static_cast<int>(queue->waiting.size()) >= config.batch_max; };
      if (!full() && sg4::Engine::get_clock() < close_s) queue->arrived->wait_until(lock, close_s, full);
      const size_t n = std::min(queue->waiting.size(), static_cast<size_t>(config.batch_max));
      batch.assign(queue->waiting.begin(), queue->waiting.begin() + static_cast<long>(n));
      queue->waiting.erase(queue->waiting.begin(), queue->waiting.begin() + static_cast<long>(n));
      queue->t_received_s.erase(queue->t_received_s.begin(), queue->t_received_s.begin() + static_cast<long>(n));
    }
    sg4::this_actor::execute(2 * config.cloud_macs * static_cast<double>(batch.size()));
    for (const Upload& upload : batch) {
      if (PooledDevices* pooled = shared->pooled) {
        // The reply's transfer, started now; its courier settles it on arrival.
        const auto device = static_cast<size_t>(upload.device);
        pooled->couriers.carry(pooled->cloud, pooled->hosts[device], config.logits_bytes,
                               [shared, pooled, device, id = upload.request_id] {
                                 settle_reply(shared, pooled->deadline_s[device], id);
                               });
      } else {
        send(upload.reply_to, new Reply{upload.request_id}, config.logits_bytes, config, sent);
      }
    }
  }
}

std::string wattage(double idle_W, double busy_W, int cores) {
  return std::to_string(idle_W) + ":" + std::to_string(idle_W + (busy_W - idle_W) / cores) + ":" +
         std::to_string(busy_W);
}

sg4::Link* make_link(sg4::NetZone* zone, const std::string& name, double bandwidth_Bps, double latency_s) {
  return zone->create_link(name, bandwidth_Bps)->set_latency(latency_s)->seal();
}

void attach(sg4::NetZone* star, simgrid::kernel::routing::NetPoint* point, sg4::Link* up, sg4::Link* down) {
  star->add_route(point, nullptr, nullptr, nullptr, {sg4::LinkInRoute(up)}, false);
  star->add_route(nullptr, point, nullptr, nullptr, {sg4::LinkInRoute(down)}, false);
}

BenchConfig parse(int argc, char** argv) {
  BenchConfig c;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument(flag + ": missing value");
    const std::string value = argv[++i];
    if (flag == "--devices") c.devices = std::stoi(value);
    else if (flag == "--requests-per-device") c.requests_per_device = std::stoi(value);
    else if (flag == "--rate") c.rate_per_s = std::stod(value);
    else if (flag == "--offload-rate") c.offload_rate = std::stod(value);
    else if (flag == "--seed") c.seed = std::stoull(value);
    else if (flag == "--edge-ops") c.edge_ops = std::stod(value);
    else if (flag == "--cloud-macs") c.cloud_macs = std::stod(value);
    else if (flag == "--stack-size") c.stack_size_KiB = value;
    else if (flag == "--sends" && (value == "detached" || value == "tested" || value == "kept")) c.sends = value;
    else if (flag == "--devices-as" && (value == "actors" || value == "pooled")) c.devices_as = value;
    else throw std::invalid_argument("unknown flag " + flag);
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  sg4::Engine engine(&argc, argv);  // consumes --cfg= and --log= arguments
  BenchConfig config;
  try {
    config = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bare_simgrid: %s\n", e.what());
    return 2;
  }
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/crosstraffic:0");
  sg4::Engine::set_config("contexts/stack-size:" + config.stack_size_KiB);
  sg_host_energy_plugin_init();

  auto* root = sg4::create_star_zone("edge-cloud");
  std::vector<sg4::Host*> devices;
  for (int i = 0; i < config.devices; ++i) {
    auto* host = root->create_host("device-" + std::to_string(i), config.device_speed_ops)
                     ->set_property("wattage_per_state", wattage(0.05, 0.3, 1))
                     ->set_property("wattage_off", "0")
                     ->seal();
    attach(root, host->get_netpoint(),
           make_link(root, "access-" + std::to_string(i) + "-up", config.access_Bps, config.access_latency_s),
           make_link(root, "access-" + std::to_string(i) + "-down", config.access_Bps, config.access_latency_s));
    devices.push_back(host);
  }
  auto* to_cloud = make_link(root, "backhaul-up", config.backhaul_Bps, config.backhaul_latency_s);
  auto* from_cloud = make_link(root, "backhaul-down", config.backhaul_Bps, config.backhaul_latency_s);
  auto* cloud = root->create_host("cloud-0", config.cloud_speed_flops)
                    ->set_core_count(config.cloud_cores)
                    ->set_property("wattage_per_state", wattage(100, 300, config.cloud_cores))
                    ->set_property("wattage_off", "0")
                    ->seal();
  attach(root, cloud->get_netpoint(), from_cloud, to_cloud);
  // --devices-as pooled: the block actors' and couriers' host, with no route and drawing no power.
  sg4::Host* controller = nullptr;
  if (config.devices_as == "pooled")
    controller = root->create_host("controller", 1e9)->set_property("wattage_per_state", "0:0:0")->seal();
  root->seal();

  Shared shared{config, {}, {}, {}};
  int64_t total = 0;
  for (int i = 0; i < config.devices; ++i) {
    shared.schedules.push_back(schedule_of(config, i));
    shared.first_request_id.push_back(total);
    total += static_cast<int64_t>(shared.schedules.back().size());
  }
  shared.records.resize(static_cast<size_t>(total));

  auto queue = std::make_shared<CloudQueue>();
  std::unique_ptr<PooledDevices> pooled;
  if (controller != nullptr) {
    pooled.reset(new PooledDevices{devices, std::vector<std::map<int64_t, double>>(devices.size()), cloud,
                                   Couriers(controller), CloudInbox()});
    shared.pooled = pooled.get();
    sg4::Actor::create("cloud-0-receiver", cloud, pooled_cloud_receiver, &pooled->cloud_inbox, queue)->daemonize();
  }
  auto* requests = sg4::Mailbox::by_name("cloud-0");
  if (!pooled) {
    auto receiver = sg4::Actor::create("cloud-0-receiver", cloud, cloud_receiver, requests, queue);
    receiver->daemonize();
    requests->set_receiver(receiver);
  }
  for (int core = 0; core < config.cloud_cores; ++core)
    sg4::Actor::create("cloud-0-core-" + std::to_string(core), cloud, cloud_worker, &shared, queue)->daemonize();
  if (pooled) {
    for (int first = 0; first < config.devices; first += kDevicesPerBlock)
      sg4::Actor::create("devices-" + std::to_string(first), controller,
                         DeviceBlock(&shared, first, std::min(kDevicesPerBlock, config.devices - first)));
  } else {
    for (int i = 0; i < config.devices; ++i) {
      auto* replies = sg4::Mailbox::by_name("device-" + std::to_string(i) + "-replies");
      sg4::Actor::create("device-" + std::to_string(i), devices[i], EdgeDevice(&shared, i, requests, replies));
    }
  }
  engine.run();

  int64_t offloaded = 0, fallbacks = 0;
  double latency_sum_s = 0;
  for (int i = 0; i < config.devices; ++i)
    for (size_t k = 0; k < shared.schedules[i].size(); ++k) {
      const Record& record = shared.records[shared.first_request_id[i] + static_cast<int64_t>(k)];
      offloaded += record.outcome != Outcome::Edge;
      fallbacks += record.outcome == Outcome::Fallback;
      latency_sum_s += record.t_done_s - shared.schedules[i][k].t_arrival_s;
    }
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("bare_simgrid: %lld requests, %d devices, offloaded %.4f, fallbacks %lld, mean latency %.6f s, "
              "simulated %.3f s, wall_s=%.3f\n",
              static_cast<long long>(total), config.devices, static_cast<double>(offloaded) / total,
              static_cast<long long>(fallbacks), latency_sum_s / total, sg4::Engine::get_clock(), wall_s);
  return 0;
}
