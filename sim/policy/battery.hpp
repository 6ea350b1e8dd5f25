// A device's battery: a capacity drained continuously by the device's idle power (and, with Wi-Fi
// radio states, its radio's idle power) and in steps by what it spends on each inference, upload
// and on-device update. The device dies when the charge reaches zero. Mains-powered devices have
// no capacity and never die.
#pragma once

#include <algorithm>
#include <limits>

namespace eccsim {

class Battery {
 public:
  Battery() = default;
  Battery(double capacity_J, double drain_W) : capacity_J_(capacity_J), drain_W_(drain_W) {}

  bool powered_by_mains() const { return capacity_J_ <= 0; }
  double capacity_J() const { return capacity_J_; }
  // `energy_J` spent at t_s; if it empties the battery, it did so at t_s (unless the drain had already).
  void spend(double energy_J, double t_s) {
    if (!powered_by_mains() && emptied_s_ < 0) {
      const double drained_s = drain_empty_at_s();
      if (drained_s <= t_s) emptied_s_ = drained_s;
      else if (capacity_J_ - spent_J_ - energy_J - drain_W_ * t_s <= 0) emptied_s_ = t_s;
    }
    spent_J_ += energy_J;
  }
  // When the charge reaches (or reached) zero if nothing more is spent; infinity on mains.
  double empty_at_s() const {
    if (powered_by_mains()) return std::numeric_limits<double>::infinity();
    return emptied_s_ >= 0 ? emptied_s_ : drain_empty_at_s();
  }
  bool empty_by(double t_s) const { return !powered_by_mains() && empty_at_s() <= t_s; }
  // Charge left at t_s (0 once empty); the capacity is what a mains-powered device reports as none.
  double left_J(double t_s) const { return std::max(0.0, capacity_J_ - spent_J_ - drain_W_ * t_s); }

  bool dead() const { return death_s_ >= 0; }
  double death_s() const { return death_s_; }
  void die(double t_s) { death_s_ = t_s; }

 private:
  double capacity_J_ = 0;
  double drain_W_ = 0;
  double spent_J_ = 0;
  double emptied_s_ = -1;   // when a step emptied it (or the drain before that step)
  double death_s_ = -1;

  double drain_empty_at_s() const {
    const double left_J = capacity_J_ - spent_J_;
    if (left_J <= 0) return 0;
    return drain_W_ > 0 ? left_J / drain_W_ : std::numeric_limits<double>::infinity();
  }
};

}  // namespace eccsim
