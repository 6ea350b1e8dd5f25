// Fault injection through SimGrid's on/off resources: comms crossing a link that is off fail,
// actors on a host that is turned off die (and restart with it, being auto-restart). What a
// failure loses is settled here: a failed device drops what it was serving or waiting for;
// a failed cloud host loses its queue (the devices time out and fall back).
#include "sim/fault_injector.hpp"

#include <simgrid/s4u.hpp>

#include <string>

#include "sim/edge_device.hpp"

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// "device[12]" -> 12 (the parser has validated the form and the range).
int target_index(const std::string& target) {
  return std::stoi(target.substr(target.find('[') + 1));
}

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

void inject_fault(FaultInjectorConfig config, RunState* state) {
  const std::string& target = config.fault.target;
  const Platform& platform = *config.platform;
  std::vector<sg4::Link*> links;
  std::vector<int> clouds, devices;
  if (target == "backhaul") {
    links = platform.backhaul_links;
  } else if (starts_with(target, "access[")) {
    const int device = target_index(target);
    if (platform.access_down_links.empty()) {  // Wi-Fi: the shared medium
      links.push_back(platform.access_links.front());
    } else {
      links.push_back(platform.access_links[device]);
      links.push_back(platform.access_down_links[device]);
    }
  } else if (target == "cloud") {
    for (int j = 0; j < static_cast<int>(platform.clouds.size()); ++j) clouds.push_back(j);
  } else if (starts_with(target, "cloud[")) {
    clouds.push_back(target_index(target));
  } else if (starts_with(target, "device[")) {
    devices.push_back(target_index(target));
  }

  sg4::this_actor::sleep_until(config.fault.at_s);
  const double down_s = sg4::Engine::get_clock();
  for (sg4::Link* link : links) link->turn_off();
  for (int j : clouds) {
    platform.clouds[j]->turn_off();
    config.cloud_queues[j]->reset();
  }
  for (int i : devices) {
    platform.devices[i]->turn_off();
    drop_in_flight(*state, i, down_s);
    state->learning[i].updating = false;  // an update in progress died with the device
  }

  sg4::this_actor::sleep_for(config.fault.for_s);
  for (sg4::Link* link : links) link->turn_on();
  for (int j : clouds) platform.clouds[j]->turn_on();
  for (int i : devices) platform.devices[i]->turn_on();
}

}  // namespace eccsim
