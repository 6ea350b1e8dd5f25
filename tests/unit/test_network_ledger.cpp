// Link accounting (links.csv) and Wi-Fi station levels: bytes per link, a cell's airtime at each
// station's rate, radio state energy, and the round-robin, fixed and seeded-share assignments.
#include <catch2/catch.hpp>

#include <vector>

#include "sim/platform.hpp"
#include "sim/report/network_ledger.hpp"

using eccsim::AccessConfig;
using eccsim::LinkClass;
using eccsim::NetworkLedger;
using eccsim::StationLevels;

TEST_CASE("the ledger counts bytes per link and a cell's airtime at each station's rate", "[network]") {
  NetworkLedger ledger;
  const int air = ledger.add_link("wifi-cell", LinkClass::Wifi, 1000);
  const int up = ledger.add_link("backhaul-up", LinkClass::Backhaul, 500);
  const int down = ledger.add_link("backhaul-down", LinkClass::Backhaul, 500);
  ledger.set_routes(0, {air, up}, {down, air});
  ledger.set_routes(1, {air, up}, {down, air});
  ledger.set_station(0, air, 0, 1000);
  ledger.set_station(1, air, 1, 100);
  ledger.carried_up(0, 200);
  ledger.carried_up(1, 50);
  ledger.carried_down(1, 10);
  const std::vector<eccsim::LinkRecord> links = ledger.records();
  CHECK(links[air].bytes == 260);
  CHECK(links[air].busy_s == Approx(200.0 / 1000 + 50.0 / 100 + 10.0 / 100));
  CHECK(links[up].bytes == 250);
  CHECK(links[up].busy_s == Approx(250.0 / 500));
  CHECK(links[down].bytes == 10);
  CHECK(ledger.stations()[0].tx_s == Approx(0.2));
  CHECK(ledger.stations()[1].tx_s == Approx(0.5));
  CHECK(ledger.stations()[1].rx_s == Approx(0.1));
  CHECK(ledger.cells() == std::vector<int>{air});
}

TEST_CASE("two cells keep their own airtime and a wired device none", "[network]") {
  NetworkLedger ledger;
  const int north = ledger.add_link("wifi-north", LinkClass::Wifi, 1000);
  const int south = ledger.add_link("wifi-south", LinkClass::Wifi, 1000);
  const int wire = ledger.add_link("access-2-up", LinkClass::Access, 100);
  ledger.set_routes(0, {north}, {north});
  ledger.set_routes(1, {south}, {south});
  ledger.set_routes(2, {wire}, {});
  ledger.set_station(0, north, 0, 1000);
  ledger.set_station(1, south, 1, 250);
  ledger.carried_up(0, 100);
  ledger.carried_up(1, 100);
  ledger.carried_up(2, 100);
  const std::vector<eccsim::LinkRecord> links = ledger.records();
  CHECK(links[north].busy_s == Approx(0.1));
  CHECK(links[south].busy_s == Approx(0.4));
  CHECK(links[wire].busy_s == Approx(1.0));
  CHECK(ledger.stations().size() == 2);  // the wired device, after the stations, has no radio row
  CHECK(ledger.cells() == std::vector<int>{north, south});
}

TEST_CASE("a radio's energy is idle power outside its transmit and receive time", "[network]") {
  const eccsim::WifiPowerConfig power{0.82, 1.14, 0.94};
  CHECK(eccsim::radio_energy_J(power, 2, 1, 10) == Approx(0.82 * 7 + 1.14 * 2 + 0.94 * 1));
  CHECK(eccsim::radio_energy_J(power, 0, 0, 10) == Approx(8.2));
}

TEST_CASE("stations get their rate level in turn, all the same, or drawn by the shares", "[network]") {
  AccessConfig access;
  access.kind = eccsim::AccessKind::Wifi;
  access.rates_Bps = {54e6 / 8, 24e6 / 8, 6e6 / 8};
  CHECK(eccsim::station_levels(access, 5, 1) == std::vector<int>{0, 1, 2, 0, 1});
  access.stations = StationLevels::Fixed;
  access.level = 2;
  CHECK(eccsim::station_levels(access, 3, 1) == std::vector<int>{2, 2, 2});
  access.stations = StationLevels::Random;
  access.shares = {0.7, 0.2, 0.1};
  const std::vector<int> drawn = eccsim::station_levels(access, 10000, 7);
  std::vector<int> count(3, 0);
  for (const int level : drawn) count[static_cast<size_t>(level)] += 1;
  CHECK(count[0] == Approx(7000).margin(200));
  CHECK(count[1] == Approx(2000).margin(150));
  CHECK(count[2] == Approx(1000).margin(100));
  CHECK(eccsim::station_levels(access, 10000, 7) == drawn);   // seeded
  CHECK(eccsim::station_levels(access, 10000, 8) != drawn);
  access.shares.clear();  // equal odds
  const std::vector<int> equal = eccsim::station_levels(access, 3000, 7);
  std::vector<int> equal_count(3, 0);
  for (const int level : equal) equal_count[static_cast<size_t>(level)] += 1;
  for (const int c : equal_count) CHECK(c == Approx(1000).margin(100));
}
