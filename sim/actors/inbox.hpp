// A server's mailbox with a wake-up semaphore. A receiver blocked in Mailbox::get() on an empty
// mailbox holds a receive with no source yet; when such an actor is killed (its host fails, or
// the run ends with it pending as a daemon), SimGrid 3.32 completes that receive and the link
// energy plugins ask for the route of a comm without a source, and crash. So receivers never
// wait in get(): they sleep on the semaphore, which every sender releases after its put, and
// call get() only once the mailbox holds a message (sent eagerly to its permanent receiver).
#pragma once

#include <cstdint>
#include <memory>

#include <simgrid/forward.h>

namespace eccsim {

class Inbox {
 public:
  explicit Inbox(simgrid::s4u::Mailbox* mailbox);

  // Sender side: a fire-and-forget transfer of `size_bytes`; a message never delivered (lost on
  // a failed link or host) is deleted by SimGrid's clean-up of the detached transfer.
  template <class Message>
  void send(Message* message, double size_bytes) {
    send_payload(message, size_bytes, [](void* payload) { delete static_cast<Message*>(payload); });
  }

  // Receiver side, called once by the receiving actor before it receives.
  void attach_receiver();
  // The next message, once one is there. Throws simgrid::NetworkFailureException when it was lost.
  template <class Message>
  std::unique_ptr<Message> receive() {
    wait_for_message();
    return std::unique_ptr<Message>(static_cast<Message*>(get_payload()));
  }

 private:
  void send_payload(void* payload, double size_bytes, void (*destroy)(void*));
  void wait_for_message();
  void* get_payload();

  simgrid::s4u::Mailbox* mailbox_;
  simgrid::s4u::SemaphorePtr wake_;
};

}  // namespace eccsim
