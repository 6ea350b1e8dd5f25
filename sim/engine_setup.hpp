// The SimGrid engine of one run: its options and plugins, chosen from the scenario.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/fleet.hpp"
#include "sim/scenario/scenario.hpp"

namespace eccsim {

// How SimGrid runs the actors; results never depend on it.
struct EngineOptions {
  std::string context_factory;              // SimGrid's contexts/factory; empty: SimGrid's default (raw)
  int actor_stack_KiB = 16;                 // stack of each actor (raw, ucontext, boost; threads keep 8 MiB)
};

// SimGrid's command-line style arguments (argv[0] first): configuration chatter kept off stderr,
// the context factory, the actors' stack size, and guard pages below the stacks while the fleet
// leaves room for their memory mappings. Refuses (InputError) a fleet whose thread contexts would
// exceed vm.max_map_count.
std::vector<std::string> engine_arguments(const Scenario& scenario, const EngineOptions& engine);

// Whether any wired link of the fleet draws power (then SimGrid's link energy plugin runs).
bool wired_links_draw_power(const Fleet& fleet);

// The network model's configuration and the energy plugins, once the engine exists.
void configure_engine_and_plugins(const Scenario& scenario, const Fleet& fleet);

}  // namespace eccsim
