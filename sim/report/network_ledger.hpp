// What crossed each network link: bytes delivered over it and, on a Wi-Fi cell, the airtime
// they took (bytes / the station's rate level: SimGrid's Wi-Fi model shares the cell's time,
// so a station's transfer of b bytes holds the medium b / rate seconds whatever the crowd).
// Transfers are counted when delivered; a transfer lost on a failed link or host is not.
#pragma once

#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace eccsim {

// What a link is, in links.csv's `class` column.
enum class LinkClass { Access, Backhaul, ApUplink, Wifi };
template <>
struct Choice<LinkClass> {
  static constexpr std::array<std::string_view, 4> names{"access", "backhaul", "ap_uplink", "wifi"};
};

// One row of links.csv.
struct LinkRecord {
  std::string link;
  LinkClass link_class = LinkClass::Access;
  double bandwidth_Bps = 0;        // wifi: the fastest rate level
  double bytes = 0;                // delivered over the link
  double busy_s = 0;               // wired: bytes / bandwidth (time at full rate); wifi: airtime
  double energy_J = 0;             // wired: SimGrid's link_energy; wifi: every radio of the cell
};

// One device's Wi-Fi radio: its cell (the ledger index of the cell's link; -1: a wired device), its
// rate level and the airtime of what it sent and received.
struct StationRadio {
  int cell = -1;
  int level = -1;
  double rate_Bps = 0;
  double tx_s = 0;
  double rx_s = 0;
};

class NetworkLedger {
 public:
  // A link of the platform; returns its index.
  int add_link(std::string name, LinkClass link_class, double bandwidth_Bps);
  // The links a device's uploads and downloads cross (indices from add_link).
  void set_routes(int device, std::vector<int> up, std::vector<int> down);
  // The device is a station of the Wi-Fi cell `cell` (the index of a link added as LinkClass::Wifi).
  void set_station(int device, int cell, int level, double rate_Bps);

  void carried_up(int device, double bytes);     // device -> cloud, delivered
  void carried_down(int device, double bytes);   // cloud -> device, delivered

  // Link rows with busy time filled in; energy_J is left to the caller (it knows the plugins).
  std::vector<LinkRecord> records() const;
  // Per device, in device order (wired devices too, with cell -1), once any cell has a station.
  const std::vector<StationRadio>& stations() const { return stations_; }
  bool has_wifi() const { return !cells_.empty(); }
  const std::vector<int>& cells() const { return cells_; }   // ledger indices of the Wi-Fi cells

 private:
  void carried(int device, const std::vector<std::vector<int>>& routes, double bytes,
               double StationRadio::*airtime_s);

  std::vector<LinkRecord> links_;
  std::vector<double> airtime_s_;             // per link (Wi-Fi only)
  std::vector<std::vector<int>> up_, down_;   // per device
  std::vector<StationRadio> stations_;        // per device (empty without Wi-Fi)
  std::vector<int> cells_;
};

// Energy of one radio over a run of `run_s`: idle whenever it neither sends nor receives
// (ns-3's WifiRadioEnergyModel states, without sleep).
double radio_energy_J(const WifiPowerConfig& power, double tx_s, double rx_s, double run_s);

}  // namespace eccsim
