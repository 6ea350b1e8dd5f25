// Transfers with no actor at either end, for devices driven as state (sim/actors/device_pool.hpp).
// A message between two hosts is a SimGrid transfer from one host to the other
// (Comm::sendto_async), started by whoever sends it, at the moment it sends; a courier, a daemon
// actor on the controller host (which never fails), waits for it and hands the message over when it
// arrives, or reports its loss when a link or an end's host fails on the way. Couriers are created as
// transfers need them and reused, so their number is the most transfers ever in flight at once, not
// the fleet's size.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <simgrid/forward.h>

namespace eccsim {

class Couriers {
 public:
  explicit Couriers(simgrid::s4u::Host* home) : home_(home) {}

  // Starts `bytes` from `from` to `to` now; `delivered` runs when the last byte arrives, `lost` at the
  // failure that ends the transfer on the way (neither may be called when the run ends first).
  void carry(simgrid::s4u::Host* from, simgrid::s4u::Host* to, double bytes, std::function<void()> delivered,
             std::function<void()> lost);

  size_t couriers() const { return slots_.size(); }

 private:
  struct Slot {
    simgrid::s4u::CommPtr transfer;
    std::function<void()> delivered;
    std::function<void()> lost;
    simgrid::s4u::SemaphorePtr wake;
  };
  void courier(size_t slot);

  simgrid::s4u::Host* home_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<size_t> idle_;   // slots whose courier waits for a transfer, last idle first
};

}  // namespace eccsim
