// Device profiles (platform.device.profile): the speed, busy power and per-op energies of real
// edge hardware, each figure published or computed from published figures (docs/studies.md, "Device
// profiles", gives every source and formula). No profile gives an idle power: none of the sources
// publishes what the device draws while it waits, so the scenario states it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

struct DeviceProfile {
  std::string_view name;
  std::string_view hardware;   // what it is, for messages and docs/studies.md
  DeviceEnergy energy;         // ops for chips with a per-synaptic-op figure, power for the others
  double speed_ops;            // op/s (one MAC or one synaptic op = one op)
  double power_busy_W;
  double e_mac_J;
  double e_ac_J;
  bool backprop;               // can train by backpropagation (neuromorphic chips: local plasticity at most)
};

// The table, in the order docs/studies.md lists it.
const std::vector<DeviceProfile>& device_profiles();

// The profile of that name, or nullptr.
const DeviceProfile* find_device_profile(std::string_view name);

// "none" (no profile, the default) and every profile's name: the key's choices.
std::vector<std::string> device_profile_choices();

// The fields a profile fills, by their key name below platform.device.
inline constexpr std::string_view kProfileFields[] = {"energy", "speed", "power_busy", "e_mac", "e_ac"};

// Fills `device`'s profile fields except those `explicit_key` says the scenario gives itself.
template <class IsExplicit>
void apply_device_profile(const DeviceProfile& profile, DeviceConfig& device, IsExplicit explicit_key) {
  if (!explicit_key("energy")) device.energy = profile.energy;
  if (!explicit_key("speed")) device.speed_ops = profile.speed_ops;
  if (!explicit_key("power_busy")) device.power_busy_W = profile.power_busy_W;
  if (!explicit_key("e_mac")) device.e_mac_J = profile.e_mac_J;
  if (!explicit_key("e_ac")) device.e_ac_J = profile.e_ac_J;
  device.backprop = profile.backprop || explicit_key("e_mac");   // a given e_mac prices its training MACs
}

}  // namespace eccsim
