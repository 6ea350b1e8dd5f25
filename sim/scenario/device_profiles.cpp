// The device profile table. Each row's figures, with their sources (docs/studies.md, "Device profiles"):
//   loihi      Davies et al., IEEE Micro 38(1), 2018, Table 2 (pre-silicon, 14 nm, 0.75 V): 23.6 pJ
//              per synaptic spike op (min), 3.5 ns per synaptic spike op (max) on each of 128 cores.
//   truenorth  Merolla et al., Science 345(6197), 2014: 72 mW measured, 26 pJ per synaptic event
//              (total energy).
//   jetson-nano  NVIDIA Jetson Nano module: 472 GFLOPS FP16 (128 Maxwell cores at 921.6 MHz), 10 W
//              power mode (MaxN, Jetson Linux power management).
//   stm32f407  STMicroelectronics STM32F405/407 (Cortex-M4F): 168 MHz, 238 uA/MHz in run mode from
//              Flash, at 3.3 V; the Cortex-M4 multiplies and accumulates in one cycle.
// Derived figures follow from those: a chip with a per-op energy is busy at (energy x speed); a
// device with a power figure spends (power / speed) per op.
#include "sim/scenario/device_profiles.hpp"

namespace eccsim {

namespace {

DeviceProfile per_op_chip(std::string_view name, std::string_view hardware, double speed_ops, double e_op_J) {
  return {name, hardware, DeviceEnergy::Ops, speed_ops, e_op_J * speed_ops, e_op_J, e_op_J, /*backprop=*/false};
}

DeviceProfile powered_device(std::string_view name, std::string_view hardware, double speed_ops, double busy_W) {
  return {name, hardware, DeviceEnergy::Power, speed_ops, busy_W, busy_W / speed_ops, busy_W / speed_ops, /*backprop=*/true};
}

}  // namespace

const std::vector<DeviceProfile>& device_profiles() {
  static const std::vector<DeviceProfile> table{
      // 128 cores, each 3.5 ns per synaptic op; a dense input weight costs a synaptic op (no MAC unit).
      per_op_chip("loihi", "Intel Loihi (14 nm neuromorphic chip)", 128 / 3.5e-9, 23.6e-12),
      // The synaptic event rate that 72 mW buys at 26 pJ each.
      per_op_chip("truenorth", "IBM TrueNorth (28 nm neuromorphic chip)", 72e-3 / 26e-12, 26e-12),
      // One MAC is two of the 472 GFLOPS (FP16 fused multiply-add).
      powered_device("jetson-nano", "NVIDIA Jetson Nano, 10 W mode (Maxwell GPU)", 472e9 / 2, 10),
      // One MAC per cycle at 168 MHz; 238 uA/MHz x 168 MHz x 3.3 V.
      powered_device("stm32f407", "STM32F407 microcontroller (Cortex-M4F, 168 MHz)", 168e6, 238e-6 * 168 * 3.3),
  };
  return table;
}

const DeviceProfile* find_device_profile(std::string_view name) {
  for (const DeviceProfile& profile : device_profiles())
    if (profile.name == name) return &profile;
  return nullptr;
}

std::vector<std::string> device_profile_choices() {
  std::vector<std::string> names{"none"};
  for (const DeviceProfile& profile : device_profiles()) names.emplace_back(profile.name);
  return names;
}

}  // namespace eccsim
