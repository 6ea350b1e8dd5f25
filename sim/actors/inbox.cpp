// Inbox: see the header for why receivers may sleep on a semaphore rather than in get().
#include "sim/actors/inbox.hpp"

#include <simgrid/s4u.hpp>

namespace sg4 = simgrid::s4u;

namespace eccsim {

Inbox::Inbox(sg4::Mailbox* mailbox, Waiting waiting)
    : mailbox_(mailbox), wake_(waiting == Waiting::OnSemaphore ? sg4::Semaphore::create(0) : nullptr) {}

void Inbox::send_payload(void* payload, double size_bytes, void (*destroy)(void*)) {
  mailbox_->put_init(payload, static_cast<uint64_t>(size_bytes))->detach(destroy);
  if (wake_) wake_->release();
}

void Inbox::attach_receiver() { mailbox_->set_receiver(sg4::Actor::self()); }

sg4::CommPtr Inbox::post_receive(void** payload) { return mailbox_->get_async<void>(payload); }

// A wake-up may be stale (its message already taken, or lost with a failed host); the mailbox
// decides, the semaphore only ends the sleep.
void* Inbox::receive_payload() {
  if (wake_) {
    do wake_->acquire();
    while (!mailbox_->listen());
  }
  return mailbox_->get<void>();
}

}  // namespace eccsim
