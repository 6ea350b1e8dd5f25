// The SimGrid engine of one run: its command-line options (context factory, actor stacks and
// their guard pages) and the plugins the scenario needs.
#include "sim/engine_setup.hpp"

#include <fmt/core.h>
#include <simgrid/plugins/energy.h>

#include <fstream>

#include "core/input_error.hpp"
#include "sim/platform.hpp"

namespace eccsim {

namespace {

// The most upload classes a fleet can have: per group one, or one per Wi-Fi rate level.
int64_t max_upload_classes(const Fleet& fleet) {
  int64_t classes = 0;
  for (const GroupConfig& group : fleet.groups)
    classes += group.access.kind == AccessKind::Wifi ? static_cast<int64_t>(group.access.wifi_rates_Bps().size()) : 1;
  return classes;
}

// The most actors the run holds at once: per device its own (none when devices share actors: one
// per block of them), a courier for a message in flight (about one per device at most) and, while it
// updates, the update and install actors; per cloud host a receiver per upload class and a worker per
// core; the fault injectors, the progress line and the oracle.
int64_t peak_actors(const Scenario& scenario) {
  const PlatformConfig& platform = scenario.platform;
  const bool shared = devices_share_actors(platform);
  const int64_t per_device = (shared ? 1 : 2) + (scenario.policy.update.mode == UpdateMode::None ? 0 : 2);
  const int64_t pools = shared ? (platform.devices + kDevicesPerPool - 1) / kDevicesPerPool : 0;
  return per_device * platform.devices + pools +
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
std::vector<std::string> engine_arguments_with(const EngineOptions& engine, bool guard_pages) {
  // res_ns3 warns once that a message handed over on its own host (Inbox, packet model) takes no time.
  std::vector<std::string> arguments{"eccsim", "--log=xbt_cfg.thres:warning", "--log=host_energy.thres:warning",
                                     "--log=link_energy.thres:warning", "--log=res_ns3.thres:error"};
  if (!engine.context_factory.empty()) arguments.push_back("--cfg=contexts/factory:" + engine.context_factory);
  if (engine.context_factory != "thread")  // threads keep the system's stack size
    arguments.push_back(fmt::format("--cfg=contexts/stack-size:{}", engine.actor_stack_KiB));
  if (!guard_pages) arguments.push_back("--cfg=contexts/guard-size:0");
  return arguments;
}

}  // namespace

std::vector<std::string> engine_arguments(const Scenario& scenario, const EngineOptions& engine) {
  return engine_arguments_with(engine, use_guard_pages(scenario, engine));
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

}  // namespace eccsim
