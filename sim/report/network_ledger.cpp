// Link accounting for links.csv and the network energy of summary.csv.
#include "sim/report/network_ledger.hpp"

#include <algorithm>

namespace eccsim {

int NetworkLedger::add_link(std::string name, LinkClass link_class, double bandwidth_Bps) {
  if (link_class == LinkClass::Wifi) cells_.push_back(static_cast<int>(links_.size()));
  links_.push_back({std::move(name), link_class, bandwidth_Bps});
  airtime_s_.push_back(0);
  return static_cast<int>(links_.size()) - 1;
}

void NetworkLedger::set_routes(int device, std::vector<int> up, std::vector<int> down) {
  const auto index = static_cast<size_t>(device);
  if (up_.size() <= index) {
    up_.resize(index + 1);
    down_.resize(index + 1);
  }
  up_[index] = std::move(up);
  down_[index] = std::move(down);
}

void NetworkLedger::set_station(int device, int cell, int level, double rate_Bps) {
  const auto index = static_cast<size_t>(device);
  if (stations_.size() <= index) stations_.resize(index + 1);
  stations_[index] = {cell, level, rate_Bps, 0, 0};
}

// Bytes over every link of the route; on a Wi-Fi station, the air time they took at its rate.
void NetworkLedger::carried(int device, const std::vector<std::vector<int>>& routes, double bytes,
                            double StationRadio::*airtime_s) {
  const auto index = static_cast<size_t>(device);
  for (const int link : routes[index]) links_[static_cast<size_t>(link)].bytes += bytes;
  if (index >= stations_.size() || stations_[index].cell < 0) return;
  StationRadio& station = stations_[index];
  station.*airtime_s += bytes / station.rate_Bps;
  airtime_s_[static_cast<size_t>(station.cell)] += bytes / station.rate_Bps;
}

void NetworkLedger::carried_up(int device, double bytes) { carried(device, up_, bytes, &StationRadio::tx_s); }

void NetworkLedger::carried_down(int device, double bytes) { carried(device, down_, bytes, &StationRadio::rx_s); }

std::vector<LinkRecord> NetworkLedger::records() const {
  std::vector<LinkRecord> rows = links_;
  for (size_t k = 0; k < rows.size(); ++k)
    rows[k].busy_s = rows[k].link_class == LinkClass::Wifi ? airtime_s_[k] : rows[k].bytes / rows[k].bandwidth_Bps;
  return rows;
}

double radio_energy_J(const WifiPowerConfig& power, double tx_s, double rx_s, double run_s) {
  const double idle_s = std::max(0.0, run_s - tx_s - rx_s);
  return power.idle_W * idle_s + power.tx_W * tx_s + power.rx_W * rx_s;
}

}  // namespace eccsim
