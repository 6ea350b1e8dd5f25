// eccsim-netcheck: message latencies on eccsim's own platform, under the flow or the packet
// network model, for the network validation (scripts/validate-network; docs/modelling.md, Network models).
// The platform is the one `eccsim run` builds (sim/platform.cpp) for a wired fleet; messages are
// SimGrid transfers from devices to the cloud host, as eccsim's uploads are.
//   single: one device on an access link (--rate, --delay); the backhaul is made negligible
//           (100 Gbps, no latency), so the message crosses one link as in validation/real_tcp.py.
//           Messages of each size, one at a time, 1 s apart.
//   shared: N devices on access links (--access-rate, --access-delay) behind one backhaul
//           (--backhaul-rate, --backhaul-delay); all N start one message at the same instant.
// Writes case,connection,bytes,concurrency,rep,message,latency_s (connection: the model),
// the columns of validation/real_tcp.py.
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/file_io.hpp"
#include "core/input_error.hpp"
#include "sim/platform.hpp"
#include "sim/scenario/fleet.hpp"
#include "sim/scenario/units.hpp"

namespace sg4 = simgrid::s4u;
using namespace eccsim;

namespace {

struct Options {
  std::string model = "flow";
  std::string case_name = "single";
  std::vector<double> sizes{784, 4096, 65536, 1048576};   // bytes
  double size = 784;
  std::vector<int> concurrency{1, 10, 50, 200};
  std::string rate = "20Mbps", delay = "10ms";
  std::string access_rate = "20Mbps", access_delay = "2ms";
  std::string backhaul_rate = "100Mbps", backhaul_delay = "20ms";
  int reps = 5;
  double latency_factor = 1, bandwidth_factor = 1;   // flow only
  std::string out;
};

// One trial: `devices` messages of `bytes` started together.
struct Trial {
  double bytes;
  int devices;
  int rep;
};

constexpr double kGap_s = 1.0;  // idle time before each trial: queues drained, links idle

Scenario scenario_of(const Options& o, int devices) {
  Scenario s;
  s.platform.devices = devices;
  s.platform.access.kind = AccessKind::Wired;
  s.platform.cloud.hosts = 1;
  s.platform.network.model = o.model == "packet" ? NetworkModel::Packet : NetworkModel::Flow;
  s.platform.network.latency_factor = o.latency_factor;
  s.platform.network.bandwidth_factor = o.bandwidth_factor;
  if (o.case_name == "single") {
    s.platform.access.bandwidth_Bps = parse_bandwidth(o.rate);
    s.platform.access.latency_s = parse_time(o.delay);
    s.platform.backhaul.bandwidth_Bps = 100e9 / 8;
    s.platform.backhaul.latency_s = 0;
  } else {
    s.platform.access.bandwidth_Bps = parse_bandwidth(o.access_rate);
    s.platform.access.latency_s = parse_time(o.access_delay);
    s.platform.backhaul.bandwidth_Bps = parse_bandwidth(o.backhaul_rate);
    s.platform.backhaul.latency_s = parse_time(o.backhaul_delay);
  }
  return s;
}

std::vector<Trial> trials_of(const Options& o) {
  std::vector<Trial> trials;
  if (o.case_name == "single") {
    for (double size : o.sizes)
      for (int rep = 0; rep < o.reps; ++rep) trials.push_back({size, 1, rep});
  } else {
    for (int n : o.concurrency)
      for (int rep = 0; rep < o.reps; ++rep) trials.push_back({o.size, n, rep});
  }
  return trials;
}

int run(const Options& o, char* program) {
  if (o.case_name != "single" && o.case_name != "shared") throw InputError("--case: single or shared");
  if (o.model != "flow" && o.model != "packet") throw InputError("--model: flow or packet");
  if (o.reps < 1) throw InputError("--reps: at least 1");
  if (o.latency_factor <= 0 || o.bandwidth_factor <= 0) throw InputError("--latency-factor, --bandwidth-factor: > 0");
  const std::vector<Trial> trials = trials_of(o);
  int devices = 1;
  for (const Trial& trial : trials) devices = std::max(devices, trial.devices);
  const Scenario scenario = scenario_of(o, devices);

  std::vector<std::string> arguments{program, "--log=xbt_cfg.thres:warning"};
  std::vector<char*> engine_argv;
  for (std::string& argument : arguments) engine_argv.push_back(argument.data());
  int engine_argc = static_cast<int>(engine_argv.size());
  sg4::Engine engine(&engine_argc, engine_argv.data());
  configure_network(scenario.platform.network, scenario.seed);
  const Fleet fleet = fleet_of(scenario);
  const Platform platform =
      build_network_platform(fleet, scenario.platform.cloud, scenario.platform.network, scenario.seed);

  std::string csv = "case,connection,bytes,concurrency,rep,message,latency_s\n";
  sg4::Actor::create("driver", platform.controller, [&] {
    for (const Trial& trial : trials) {
      sg4::this_actor::sleep_for(kGap_s);
      const double start_s = sg4::Engine::get_clock();
      std::vector<sg4::ActivityPtr> pending;
      for (int i = 0; i < trial.devices; ++i)
        pending.push_back(sg4::Comm::sendto_async(platform.devices[i], platform.clouds[0],
                                                  static_cast<uint64_t>(trial.bytes)));
      std::vector<double> latency_s(pending.size(), 0);
      std::vector<sg4::ActivityPtr> waiting = pending;
      while (!waiting.empty()) {
        const auto done = static_cast<size_t>(sg4::Activity::wait_any(waiting));
        const auto message = std::find(pending.begin(), pending.end(), waiting[done]) - pending.begin();
        latency_s[static_cast<size_t>(message)] = sg4::Engine::get_clock() - start_s;
        waiting.erase(waiting.begin() + static_cast<long>(done));
      }
      for (size_t i = 0; i < latency_s.size(); ++i)
        csv += fmt::format("{},{},{:.0f},{},{},{},{:.9f}\n", o.case_name, o.model, trial.bytes, trial.devices,
                           trial.rep, i, latency_s[i]);
    }
  });
  engine.run();
  if (o.out.empty()) {
    std::fputs(csv.c_str(), stdout);
  } else {
    write_file_atomically(o.out, csv);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Message latencies on eccsim's platform under the flow or packet network model"};
  app.add_option("--model", o.model, "flow or packet");
  app.add_option("--case", o.case_name, "single or shared");
  app.add_option("--sizes", o.sizes, "single: message sizes in bytes")->delimiter(',');
  app.add_option("--size", o.size, "shared: the message size in bytes");
  app.add_option("--concurrency", o.concurrency, "shared: devices sending at once")->delimiter(',');
  app.add_option("--rate", o.rate, "single: the link's rate");
  app.add_option("--delay", o.delay, "single: the link's one-way latency");
  app.add_option("--access-rate", o.access_rate);
  app.add_option("--access-delay", o.access_delay);
  app.add_option("--backhaul-rate", o.backhaul_rate);
  app.add_option("--backhaul-delay", o.backhaul_delay);
  app.add_option("--reps", o.reps, "trials per point");
  app.add_option("--latency-factor", o.latency_factor, "flow: platform.network.latency_factor");
  app.add_option("--bandwidth-factor", o.bandwidth_factor, "flow: platform.network.bandwidth_factor");
  app.add_option("--out", o.out, "CSV file (default: standard output)");
  CLI11_PARSE(app, argc, argv);
  try {
    return run(o, argv[0]);
  } catch (const InputError& error) {
    fmt::print(stderr, "eccsim-netcheck: {}\n", error.what());
    return 2;
  }
}
