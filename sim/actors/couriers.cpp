// Couriers: see the header. A courier waits on one transfer at a time, so a failure it catches is
// its own transfer's.
#include "sim/actors/couriers.hpp"

#include <simgrid/Exception.hpp>
#include <simgrid/s4u.hpp>

#include <fmt/format.h>

namespace sg4 = simgrid::s4u;

namespace eccsim {

void Couriers::carry(sg4::Host* from, sg4::Host* to, double bytes, std::function<void()> delivered,
                     std::function<void()> lost) {
  sg4::CommPtr transfer = sg4::Comm::sendto_async(from, to, static_cast<uint64_t>(bytes));
  size_t slot = 0;
  if (idle_.empty()) {
    slot = slots_.size();
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->wake = sg4::Semaphore::create(0);
    sg4::Actor::create(fmt::format("courier-{}", slot), home_, [this, slot] { courier(slot); })->daemonize();
  } else {
    slot = idle_.back();
    idle_.pop_back();
  }
  Slot& s = *slots_[slot];
  s.transfer = std::move(transfer);
  s.delivered = std::move(delivered);
  s.lost = std::move(lost);
  s.wake->release();
}

void Couriers::courier(size_t slot) {
  Slot& s = *slots_[slot];
  for (;;) {
    s.wake->acquire();
    bool arrived = true;
    try {
      s.transfer->wait();
    } catch (const simgrid::NetworkFailureException&) {
      arrived = false;
    } catch (const simgrid::HostFailureException&) {
      arrived = false;
    }
    s.transfer = nullptr;
    // Taken out first: what the handler does may start transfers that reuse this slot.
    const std::function<void()> handler = std::move(arrived ? s.delivered : s.lost);
    s.delivered = nullptr;
    s.lost = nullptr;
    idle_.push_back(slot);
    handler();
  }
}

}  // namespace eccsim
