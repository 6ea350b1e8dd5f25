// Inbox: see the header for why receivers may sleep on a semaphore rather than in get().
#include "sim/actors/inbox.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace eccsim {

Inbox::Inbox(sg4::Mailbox* mailbox, Waiting waiting, sg4::Host* own_transfers_to)
    : mailbox_(mailbox),
      wake_(waiting == Waiting::OnSemaphore ? sg4::Semaphore::create(0) : nullptr),
      own_transfers_to_(own_transfers_to) {}

void Inbox::send_payload(void* payload, double size_bytes, void (*destroy)(void*), void (*discard)(void*)) {
  if (own_transfers_to_ != nullptr) {
    // A daemon on the receiver's host carries it; a run that ends first discards it (what its
    // radio spent is charged with the transfers in flight).
    sg4::Host* from = sg4::this_actor::get_host();
    sg4::Actor::create("transfer", own_transfers_to_, [this, from, payload, size_bytes, destroy, discard] {
      auto delivered = std::make_shared<bool>(false);
      sg4::this_actor::on_exit([payload, discard, delivered](bool) {
        if (!*delivered) discard(payload);
      });
      sg4::Comm::sendto(from, own_transfers_to_, static_cast<uint64_t>(size_bytes));
      *delivered = true;
      mailbox_->put_init(payload, 0)->detach(destroy);   // on its own host: at once
      if (wake_) wake_->release();
    })->daemonize();
    return;
  }
  mailbox_->put_init(payload, static_cast<uint64_t>(size_bytes))->detach(destroy);
  if (wake_) wake_->release();
}

void Inbox::attach_receiver() { mailbox_->set_receiver(sg4::Actor::self()); }

sg4::CommPtr Inbox::post_receive(void** payload) { return mailbox_->get_async<void>(payload); }

Inbox::~Inbox() {
  for (const Delivered& message : delivered_) message.discard(message.payload);
}

void Inbox::deliver_payload(void* payload, void (*discard)(void*)) {
  delivered_.push_back({payload, discard});
  wake_->release();
}

// A wake-up may be stale (its message already taken, or lost with a failed host); the delivered
// queue and the mailbox decide, the semaphore only ends the sleep.
void* Inbox::receive_payload() {
  for (;;) {
    wake_->acquire();
    if (!delivered_.empty()) {
      void* payload = delivered_.front().payload;
      delivered_.pop_front();
      return payload;
    }
    if (mailbox_->listen()) return mailbox_->get<void>();
  }
}

}  // namespace eccsim
