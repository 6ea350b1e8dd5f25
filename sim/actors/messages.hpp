// Messages between simulated actors. Each carries its simulated size in bytes: what the
// network transfer of that message models. Payloads are heap-allocated by the sender and
// owned (unique_ptr) by the receiver.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace eccsim {

class Inbox;

// device -> cloud, when the offload filter sends an input; size = the raw image bytes.
struct OffloadRequest {
  int64_t request_id = 0;
  int device = 0;
  int64_t sample = 0;
  double t_sent_s = 0;
  Inbox* reply_to = nullptr;
  double size_bytes = 0;
};

// cloud -> device, after the batch holding the request ran; size = the logits (float32 each).
struct CloudReply {
  int64_t request_id = 0;
  int32_t cloud_pred = -1;
  double t_sent_s = 0;           // when the device sent the request
  double t_received_s = 0;       // when the request reached the cloud
  double t_batch_start_s = 0;
  double t_batch_end_s = 0;
  double size_bytes = 0;
};

// Anything a device's reply mailbox can carry.
using DeviceMessage = std::variant<CloudReply>;
// Anything a cloud server's request mailbox can carry.
using CloudMessage = std::variant<OffloadRequest>;

}  // namespace eccsim
