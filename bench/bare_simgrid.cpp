// The benchmark's bare SimGrid program: eccsim's platform shape, actors and message pattern with
// no models, no dataset and no CSV. Devices play Poisson schedules, run a constant edge cost, and
// offload with a seeded coin of eccsim's measured offload rate; the cloud batches as eccsim does.
// Its wall time is the floor eccsim's simulation side is compared with (ratio 2 of scripts/bench).
#include <simgrid/plugins/energy.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <memory>
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
  std::string sends = "detached";
};

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
  sg4::Mailbox* reply_to = nullptr;
  double t_sent_s = 0;
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

struct Shared {
  const BenchConfig& config;
  std::vector<std::vector<Request>> schedules;
  std::vector<int64_t> first_request_id;
  std::vector<Record> records;
};

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
    double last_s = 0;
    for (const auto& [id, deadline_s] : deadline_s_) last_s = std::max(last_s, deadline_s);
    wait_settling_replies(nullptr, last_s);
    for (const auto& [id, deadline_s] : deadline_s_) shared_->records[id] = {deadline_s, Outcome::Fallback};
    deadline_s_.clear();
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
      settle(std::unique_ptr<Reply>(reply_payload_));
      reply_ = replies_->get_async(&reply_payload_);
      waited.front() = reply_;
    }
  }

  void settle(std::unique_ptr<Reply> reply) {
    auto it = deadline_s_.find(reply->request_id);
    if (it == deadline_s_.end()) return;
    const double now_s = sg4::Engine::get_clock();
    shared_->records[reply->request_id] = now_s <= it->second ? Record{now_s, Outcome::Cloud}
                                                                : Record{it->second, Outcome::Fallback};
    deadline_s_.erase(it);
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

void cloud_receiver(sg4::Mailbox* requests, std::shared_ptr<CloudQueue> queue) {
  for (;;) {
    std::unique_ptr<Upload> upload(requests->get<Upload>());
    std::unique_lock lock(*queue->mutex);
    queue->waiting.push_back(*upload);
    queue->t_received_s.push_back(sg4::Engine::get_clock());
    queue->arrived->notify_all();
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
    for (const Upload& upload : batch)
      send(upload.reply_to, new Reply{upload.request_id}, config.logits_bytes, config, sent);
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
  root->seal();

  Shared shared{config, {}, {}, {}};
  int64_t total = 0;
  for (int i = 0; i < config.devices; ++i) {
    shared.schedules.push_back(schedule_of(config, i));
    shared.first_request_id.push_back(total);
    total += static_cast<int64_t>(shared.schedules.back().size());
  }
  shared.records.resize(static_cast<size_t>(total));

  auto* requests = sg4::Mailbox::by_name("cloud-0");
  auto queue = std::make_shared<CloudQueue>();
  auto receiver = sg4::Actor::create("cloud-0-receiver", cloud, cloud_receiver, requests, queue);
  receiver->daemonize();
  requests->set_receiver(receiver);
  for (int core = 0; core < config.cloud_cores; ++core)
    sg4::Actor::create("cloud-0-core-" + std::to_string(core), cloud, cloud_worker, &shared, queue)->daemonize();
  for (int i = 0; i < config.devices; ++i) {
    auto* replies = sg4::Mailbox::by_name("device-" + std::to_string(i) + "-replies");
    sg4::Actor::create("device-" + std::to_string(i), devices[i], EdgeDevice(&shared, i, requests, replies));
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
