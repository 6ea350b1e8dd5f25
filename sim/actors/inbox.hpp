// A mailbox of a server (a cloud host's receiver) or of a device actor (its replies).
//
// Uploads come by courier (sim/actors/couriers.hpp): a message that has crossed the network already
// is handed over with deliver(), and the receiver, waiting on a wake-up semaphore, takes it at once.
// A receiver never waits in Mailbox::get() on an empty mailbox: a receiver blocked there holds a
// receive with no source yet, and when such an actor is killed (its host fails, or the run ends
// with it pending as a daemon), SimGrid 3.32 completes that receive and the link energy plugin asks
// for the route of a comm without a source, and crashes. A device actor keeps a receive posted for
// its replies instead (post_receive) and waits in Activity::wait_any: killed there, it only cancels
// the receive, which fires no plugin callback.
//
// Under the packet network model (SimGrid's ns-3) each reply to a device actor travels as a
// transfer of its own to the device's host and is handed to the mailbox when it arrives: TCP
// transfers on alike paths can finish out of order (a lost SYN waits a second for its
// retransmission), while a mailbox delivers in send order, each message waiting for the one before.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>

#include <simgrid/forward.h>

namespace eccsim {

class Inbox {
 public:
  // OnSemaphore: its receiver calls receive(); PostedReceive: its receiver waits on post_receive().
  enum class Waiting { OnSemaphore, PostedReceive };

  // `own_transfers_to`: the receiver's host, when every message is its own transfer (packet model).
  Inbox(simgrid::s4u::Mailbox* mailbox, Waiting waiting, simgrid::s4u::Host* own_transfers_to = nullptr);
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  ~Inbox();   // discards what was delivered and never received

  // Sender side: a fire-and-forget transfer of `size_bytes`; a message never delivered (lost on
  // a failed link or host) is deleted by SimGrid's clean-up of the detached transfer.
  template <class Message>
  void send(Message* message, double size_bytes) {
    send_payload(message, size_bytes, &discard<Message>, &discard<Message>);
  }

  // The same, but a message lost on the way is handed to `on_lost` (while SimGrid deletes it,
  // at the failure; it must not issue simcalls) before it is deleted.
  template <auto on_lost, class Message>
  void send_reporting_loss(Message* message, double size_bytes) {
    send_payload(
        message, size_bytes,
        [](void* payload) {
          const std::unique_ptr<Message> lost(static_cast<Message*>(payload));
          on_lost(*lost);
        },
        &discard<Message>);
  }

  // A message that has arrived already (by courier): the receiver takes it next. Needs OnSemaphore.
  template <class Message>
  void deliver(Message* message) {
    deliver_payload(message, &discard<Message>);
  }

  // Receiver side, called once by the receiving actor before it receives.
  void attach_receiver();
  // The next message, once one is there. Throws simgrid::NetworkFailureException when it was lost.
  template <class Message>
  std::unique_ptr<Message> receive() {
    return std::unique_ptr<Message>(static_cast<Message*>(receive_payload()));
  }
  // A receive posted now, for Activity::wait_any; once it completes, *payload holds the message
  // (owned by the caller).
  simgrid::s4u::CommPtr post_receive(void** payload);

 private:
  template <class Message>
  static void discard(void* payload) {
    delete static_cast<Message*>(payload);
  }
  // `destroy` for a message lost on the way; `discard` for one still travelling when the run ends.
  void send_payload(void* payload, double size_bytes, void (*destroy)(void*), void (*discard)(void*));
  void* receive_payload();
  void deliver_payload(void* payload, void (*discard)(void*));

  simgrid::s4u::Mailbox* mailbox_;
  simgrid::s4u::SemaphorePtr wake_;  // OnSemaphore only
  simgrid::s4u::Host* own_transfers_to_;
  struct Delivered {
    void* payload;
    void (*discard)(void*);
  };
  std::deque<Delivered> delivered_;   // arrived by courier, not yet received
};

}  // namespace eccsim
