// The cost model's formulas (sim/policy/cost_model), each against a value worked out by hand from
// docs/modelling.md's cost table: edge inference and training, cloud batches and training, radio transfers;
// and the cloud's batch-latency curve (sim/policy/batch_latency) and its stored serving profile.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/input_error.hpp"
#include "sim/policy/batch_latency.hpp"
#include "sim/policy/cost_model.hpp"

using namespace eccsim;

TEST_CASE("edge inference: ops, power and constant modes", "[cost]") {
  DeviceConfig device;
  device.speed_ops = 1e9;
  EdgePrediction p;
  p.first_layer_macs = 2e6;
  p.synaptic_ops = 7e6;
  p.neuron_updates = 1e6;
  device.energy = DeviceEnergy::Ops;
  const Cost ops = edge_inference_cost(device, p);
  CHECK(ops.duration_s == Approx(0.01));
  CHECK(ops.energy_J == Approx(4.6e-12 * 2e6 + 0.9e-12 * (7e6 + 1e6)));
  device.first_layer = FirstLayer::PerStep;   // the literature's convention: layer 1 at every step
  p.timesteps = 4;
  CHECK(edge_inference_cost(device, p).energy_J == Approx(4.6e-12 * 8e6 + 0.9e-12 * (7e6 + 1e6)));
  CHECK(edge_inference_cost(device, p).duration_s == Approx(0.016));
  device.first_layer = FirstLayer::Once;
  device.energy = DeviceEnergy::Power;   // busy above idle: the idle power is the run's
  CHECK(edge_inference_cost(device, p).energy_J == Approx((0.3 - 0.05) * 0.01));
  // The idle power it held (attributed with output.idle_energy: held): idle x its own time.
  CHECK(edge_inference_cost(device, p).idle_energy_J == Approx(0.05 * 0.01));
  CHECK(ops.idle_energy_J == Approx(0.05 * 0.01));
  device.energy = DeviceEnergy::Constant;
  const Cost constant = edge_inference_cost(device, p);
  CHECK(constant.duration_s == Approx(2.5e-3));
  CHECK(constant.energy_J == Approx(0.69e-3));
  CHECK(constant.idle_energy_J == 0);   // the paper's figure is the whole cost
}

TEST_CASE("edge training: the inference prices on the training's ops", "[cost]") {
  DeviceConfig device;
  device.speed_ops = 2e9;
  const Cost training = device_training_cost(device, {3e9, 1e9});
  CHECK(training.duration_s == Approx(2.0));
  CHECK(training.energy_J == Approx(4.6e-12 * 3e9 + 0.9e-12 * 1e9));
  CHECK(training.idle_energy_J == Approx(0.05 * 2.0));
  device.energy = DeviceEnergy::Power;
  CHECK(device_training_cost(device, {3e9, 1e9}).energy_J == Approx(0.25 * 2.0));
}

TEST_CASE("memory accesses: reported beside the ALU energy, or charged with it", "[cost]") {
  DeviceConfig device;
  EdgePrediction p;
  p.first_layer_macs = 2e6;
  p.synaptic_ops = 7e6;
  p.neuron_updates = 1e6;
  const double alu_J = 4.6e-12 * 2e6 + 0.9e-12 * 8e6;
  const double memory_J = 5e-12 * (2e6 + 7e6 + 2 * 1e6);   // a read per op, a read and a write per neuron
  const Cost reported = edge_inference_cost(device, p);
  CHECK(reported.energy_J == Approx(alu_J));
  CHECK(reported.memory_energy_J == Approx(memory_J));
  device.memory_energy = MemoryEnergy::Charge;
  CHECK(edge_inference_cost(device, p).energy_J == Approx(alu_J + memory_J));
  const Cost training = device_training_cost(device, {3e9, 1e9});
  CHECK(training.memory_energy_J == Approx(5e-12 * 4e9));
  CHECK(training.energy_J == Approx(4.6e-12 * 3e9 + 0.9e-12 * 1e9 + 5e-12 * 4e9));
  device.energy = DeviceEnergy::Power;   // the measured power includes the memory's
  CHECK(edge_inference_cost(device, p).memory_energy_J == 0);
}

TEST_CASE("cloud batch: one core, its dynamic power shared by the batch's requests", "[cost]") {
  CloudConfig cloud;
  cloud.speed_flops = 1e12;
  cloud.cores = 4;
  cloud.power_idle_W = 100;
  cloud.power_busy_W = 500;
  const Cost batch = cloud_batch_cost(cloud, {}, {1e9, 3e9});
  CHECK(batch.duration_s == Approx(2 * 4e9 / 1e12));
  CHECK(cloud_core_dynamic_W(cloud) == Approx(100));
  CHECK(batch.energy_J == Approx(100.0 * batch.duration_s / 2));
  CHECK(batch.idle_energy_J == Approx(100.0 / 4 * batch.duration_s / 2));   // one core's idle share, per request
  cloud.energy = CloudEnergy::Constant;
  const Cost constant = cloud_batch_cost(cloud, {}, {1e9, 3e9, 5e9});
  CHECK(constant.duration_s == Approx(3 * 4.3e-3));
  CHECK(constant.energy_J == Approx(15.167));
  CHECK(constant.idle_energy_J == 0);
}

TEST_CASE("cloud training: dense MACs at two flops each on one core", "[cost]") {
  CloudConfig cloud;
  cloud.speed_flops = 1e12;
  cloud.cores = 2;
  cloud.power_idle_W = 100;
  cloud.power_busy_W = 300;
  CHECK(cloud_training_flops(5e11) == Approx(1e12));
  const Cost training = cloud_training_cost(cloud, 5e11);
  CHECK(training.duration_s == Approx(1.0));
  CHECK(training.energy_J == Approx(100.0));
  CHECK(training.idle_energy_J == Approx(50.0));
}

TEST_CASE("radio: transmit power x transmission time, or Wi-Fi states x airtime", "[cost]") {
  DeviceConfig device;
  const WifiPowerConfig wifi;   // tx 1.14 W, rx 0.94 W
  CHECK(upload_radio_energy_J(device, wifi, 0, 784, 1.6e-3) == Approx(5.48 * 1.6e-3));   // the paper's 8.77 mJ
  CHECK(download_radio_energy_J(device, wifi, 0, 40) == 0);
  device.radio_energy = RadioEnergy::WifiStates;
  CHECK(upload_radio_energy_J(device, wifi, 1e6, 784, 99) == Approx(1.14 * 784 / 1e6));
  CHECK(download_radio_energy_J(device, wifi, 1e6, 40) == Approx(0.94 * 40 / 1e6));
}

TEST_CASE("radio: a transfer cut by a fault costs what it sent until then", "[cost]") {
  DeviceConfig device;
  const WifiPowerConfig wifi;
  CHECK(cut_transfer_radio_energy_J(device, wifi, 0, 784, 0.02, true) == Approx(5.48 * 0.02));
  CHECK(cut_transfer_radio_energy_J(device, wifi, 0, 784, 0.02, false) == 0);   // receiving costs nothing here
  CHECK(cut_transfer_radio_energy_J(device, wifi, 0, 784, -1, true) == 0);
  device.radio_energy = RadioEnergy::WifiStates;
  CHECK(cut_transfer_radio_energy_J(device, wifi, 1e6, 784, 1e-4, true) == Approx(1.14 * 1e-4));
  // at most the airtime of the whole message, however long the cut transfer waited
  CHECK(cut_transfer_radio_energy_J(device, wifi, 1e6, 784, 5, false) == Approx(0.94 * 784 / 1e6));
}

TEST_CASE("radio tail: ARO's LTE and Wi-Fi profiles, cut short by the next transfer", "[cost]") {
  DeviceConfig device;
  CHECK(radio_tail_states(device).empty());
  device.radio_tail = RadioTail::Lte;
  // 0.1 s at 1.2 W; DRX: a 2 ms ping at 1.68 W per cycle, 1.06 W the rest of the 20 or 40 ms
  const double short_drx_W = (0.002 * 1.68 + 0.018 * 1.06) / 0.02, long_drx_W = (0.002 * 1.68 + 0.038 * 1.06) / 0.04;
  const std::vector<TailState> lte = radio_tail_states(device);
  CHECK(radio_tail_energy_J(lte, 1e9) == Approx(0.1 * 1.2 + 0.02 * short_drx_W + 10 * long_drx_W));   // 11.05 J
  CHECK(radio_tail_energy_J(lte, 0.05) == Approx(0.05 * 1.2));
  CHECK(radio_tail_energy_J(lte, 1.12) == Approx(0.1 * 1.2 + 0.02 * short_drx_W + 1.0 * long_drx_W));
  CHECK(radio_tail_energy_J(lte, 0) == 0);
  device.radio_tail = RadioTail::Wifi;
  CHECK(radio_tail_energy_J(radio_tail_states(device), 10) == Approx(0.25 * 0.403));
}

TEST_CASE("radio tails: one after each silence of the radio, cut by the next transfer or the run's end", "[cost]") {
  DeviceConfig device;
  device.radio_tail = RadioTail::Constant;
  device.radio_tail_power_W = 2;
  device.radio_tail_time_s = 1;
  CHECK(radio_tails_energy_J(device, {}, 100) == 0);
  // one transfer, a whole tail
  CHECK(radio_tails_energy_J(device, {{0, 0.5}}, 100) == Approx(2.0));
  // the run ends 0.25 s into the tail
  CHECK(radio_tails_energy_J(device, {{0, 0.5}}, 0.75) == Approx(0.5));
  // overlapping transfers make one silence; a transfer 0.3 s later cuts the first tail; given out of order
  CHECK(radio_tails_energy_J(device, {{2.0, 2.1}, {0, 0.5}, {0.2, 0.7}, {1.0, 1.2}}, 100) ==
        Approx(2 * 0.3 + 2 * 0.8 + 2 * 1.0));
  // a transfer inside another leaves no gap
  CHECK(radio_tails_energy_J(device, {{0, 1.0}, {0.2, 0.3}}, 100) == Approx(2.0));
  device.radio_tail = RadioTail::None;
  CHECK(radio_tails_energy_J(device, {{0, 0.5}}, 100) == 0);
}

TEST_CASE("cloud cost: a batch-latency curve, linear between its points, scaled by speed", "[cost]") {
  const BatchLatencyCurve curve({{1, 10e-3}, {4, 16e-3}, {32, 72e-3}}, /*speed=*/2);
  CHECK(curve.largest_batch() == 32);
  CHECK(curve.seconds(1) == Approx(5e-3));
  CHECK(curve.seconds(2) == Approx(6e-3));    // (10 + 6 / 3) ms / 2
  CHECK(curve.seconds(4) == Approx(8e-3));
  CHECK(curve.seconds(18) == Approx(22e-3));  // halfway from 16 to 72 ms, / 2
  CHECK(curve.seconds(40) == Approx(44e-3));  // the last slope (2 ms per sample) goes on
  CHECK(BatchLatencyCurve({{1, 3e-3}}).seconds(4) == Approx(12e-3));
  CloudConfig cloud;
  cloud.cores = 4;
  cloud.power_idle_W = 0;
  cloud.power_busy_W = 400;
  const Cost one = cloud_batch_cost(cloud, curve, {1e9});
  const Cost four = cloud_batch_cost(cloud, curve, {1e9, 1e9, 1e9, 1e9});
  CHECK(four.duration_s == Approx(8e-3));
  // A core's dynamic power x batch time, split over the batch: batching lowers the energy per request.
  CHECK(one.energy_J == Approx(100 * 5e-3));
  CHECK(four.energy_J == Approx(100 * 8e-3 / 4));
}

TEST_CASE("cloud cost: a measured profile scaled to the declared core keeps its shape", "[cost]") {
  // 1e6 MACs per input: batch 4 is the best throughput, 4 x 2e6 flop in 2 ms = 4 Gflop/s.
  const std::vector<BatchLatencyPoint> profile{{1, 1e-3}, {4, 2e-3}, {16, 16e-3}};
  const double speed = declared_core_speed_factor(profile, 1e6, 40e9);
  CHECK(speed == Approx(10));
  const BatchLatencyCurve curve(profile, speed);
  // At the best batch size the declared core runs at its declared speed (the flops model's time) ...
  CHECK(curve.seconds(4) == Approx(4 * 2e6 / 40e9));
  // ... and every other size keeps its measured ratio to it.
  CHECK(curve.seconds(1) / curve.seconds(4) == Approx(0.5));
  CHECK(curve.seconds(16) / curve.seconds(4) == Approx(8));
}

TEST_CASE("cloud cost: the stored serving profile round-trips, malformed ones name file and line", "[cost]") {
  const std::vector<BatchLatencyPoint> points{{1, 0.00683}, {2, 0.0022}, {256, 0.38}};
  CHECK(parse_latency_profile(latency_profile_csv(points), "p.csv") == points);
  const auto refused = [](const std::string& text) {
    try {
      parse_latency_profile(text, "p.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(refused("") == "p.csv:1: expected the header batch,latency_s,samples_per_s");
  CHECK(refused("batch,latency_s,samples_per_s\n1,0.01,100\nx,0.02,100\n") ==
        "p.csv:3: expected a batch size and a time in seconds, got 'x,0.02,100'");
  CHECK(refused("batch,latency_s,samples_per_s\n1,0.01,100\n1,0.02,50\n") ==
        "p.csv:3: batch sizes must ascend from 1 with positive times, got '1,0.02,50'");
  CHECK(refused("batch,latency_s,samples_per_s\n2,0.01,200\n") == "p.csv: the profile must start with batch size 1");
}
