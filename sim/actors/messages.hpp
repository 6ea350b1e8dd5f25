// Messages between simulated actors. Each carries its simulated size in bytes: what the
// network transfer of that message models. Payloads are heap-allocated by the sender and
// owned (unique_ptr) by the receiver.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

namespace eccsim {

class Inbox;
struct RunState;

// Where a message lost on the way (its link or an end's host failed) reports the radio energy its
// transfer spent until then: SimGrid deletes an undelivered message inside its kernel at the
// failure (Inbox::send_reporting_loss). `state` is cleared once the engine stops, so a message
// deleted when the engine is torn down reports nothing.
struct LossReporter {
  RunState* state = nullptr;
};

// device -> cloud, when the offload filter sends an input; size = the raw image bytes.
struct OffloadRequest {
  int64_t request_id = 0;
  int device = 0;
  int64_t sample = 0;
  double t_sent_s = 0;
  Inbox* reply_to = nullptr;
  double size_bytes = 0;
  std::shared_ptr<LossReporter> losses;
};

// cloud -> device, after the batch holding the request ran; size = the logits (float32 each).
struct CloudReply {
  int64_t request_id = 0;
  int device = 0;
  int32_t cloud_pred = -1;
  double t_sent_s = 0;           // when the device sent the request
  double t_received_s = 0;       // when the request reached the cloud
  double t_batch_start_s = 0;
  double t_batch_end_s = 0;      // when the cloud sent this reply
  double size_bytes = 0;
  std::shared_ptr<LossReporter> losses;
};

// Anything a device's reply mailbox can carry.
using DeviceMessage = std::variant<CloudReply>;
// Anything a cloud server's request mailbox can carry.
using CloudMessage = std::variant<OffloadRequest>;

}  // namespace eccsim
