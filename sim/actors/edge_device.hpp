// An edge device: plays its request stream, runs the SNN on each input, offloads the
// ambiguous ones and settles each offloaded request when the reply comes or the timeout
// passes (falling back to its own prediction). After repeated timeouts it stops offloading
// for a back-off period. Requests that reach a device while it is down are dropped; a device on
// a battery dies for good when the battery empties (sim/policy/battery.hpp).
#pragma once

#include <cstdint>
#include <vector>

#include <simgrid/forward.h>

#include "sim/actors/inbox.hpp"
#include "sim/actors/messages.hpp"
#include "sim/actors/run_state.hpp"
#include "sim/policy/offload_policy.hpp"

namespace eccsim {

// What a device reuses from request to request when a policy plugin decides: the serving model's head
// sizes (read again when another model serves) and its heads' entropies.
struct PluginScratch {
  const EdgeModel* sizes_of = nullptr;
  std::vector<int64_t> head_sizes;
  std::vector<double> head_entropy;
};

// Where a device's offloaded inputs go (by courier, sim/actors/couriers.hpp), and where the cloud
// sends the replies: the device actor's inbox, or none for a device driven as state (by courier too).
struct UploadPath {
  Inbox* cloud = nullptr;
  Inbox* replies = nullptr;
};

// One request being served, between the decision and the end of its edge computation.
struct ServingRequest {
  int64_t request_id = 0;
  int64_t sample = -1;
  double start_s = 0;               // when the device started serving it
  double compute_flops = 0;         // the edge inference the device computes (0: none)
  OffloadDecision decision;
  PluginDecision scores;            // what the decision saw (told to a policy plugin)
};

// Serving a request up to its edge computation: the record's edge fields, the offload decision, the
// inference's energy. False when that settled it (the stream is exhausted) or its energy emptied the
// battery (the device died: an actor serving the device dies with its host before that returns).
bool start_serving(DeviceView device, OffloadPolicy& policy, PluginScratch& scratch, const ScheduledRequest& request,
                   int64_t request_id, ServingRequest& serving);
// Serving it after the edge computation: settled on the edge, or offloaded through `upload`.
void finish_serving(DeviceView device, const OffloadPolicy& policy, const ServingRequest& serving, UploadPath upload);
// A cloud reply reaching the device: its radio energy, the request settled (or a late reply ignored),
// the buffer for the update stage.
void receive_reply(DeviceView device, const CloudReply& reply);

struct EdgeDeviceConfig {
  int index = 0;
  Inbox* cloud = nullptr;      // where offloaded inputs go
  Inbox* replies = nullptr;    // where cloud replies arrive
};

// One actor per device: it plays the request stream and handles each cloud reply the moment it
// arrives, also while it sleeps or computes (it waits on its posted reply receive together with
// its timer or its execution). Once its last request is settled it becomes a daemon that still
// takes the late replies (their bytes still cross the downlink) until the run ends.
class EdgeDevice {
 public:
  EdgeDevice(EdgeDeviceConfig config, RunState& state);
  void operator()();

 private:
  void serve(const ScheduledRequest& request, int64_t request_id);
  void sleep_until(double t_s);
  void compute(double flops);
  // Waits until `work` is done, or when it is null until t_s (forever when infinite), handling
  // the replies that arrive meanwhile.
  void wait_handling_replies(const simgrid::s4u::ExecPtr& work, double t_s);

  EdgeDeviceConfig config_;
  DeviceView device_;
  OffloadPolicy policy_;
  PluginScratch plugin_scratch_;
  // The receive posted on config_.replies and where its message lands; set only in the running
  // actor, so a restarted device (a fresh copy of this object) posts its own.
  simgrid::s4u::CommPtr reply_;
  void* reply_payload_ = nullptr;
};

// Energy of the device's radio for a transfer it sent (transmitting for transmit_s) or received,
// by the cost model; charged to its battery by charge_device.
double upload_radio_energy_J(DeviceView device, double bytes, double transmit_s);
double download_radio_energy_J(DeviceView device, double bytes);
// The same for a transfer cut by a failure `elapsed_s` after it started (cost model).
double cut_transfer_radio_energy_J(DeviceView device, double bytes, double elapsed_s, bool sending);
// What a lost upload's or reply's transfer cost `device`'s radio until the failure, charged to
// the request's row and to the battery. Called while SimGrid deletes the message inside its
// kernel (Inbox::send_reporting_loss): the device notices an emptied battery when it next runs.
void charge_lost_upload(const CloudMessage& message);
void charge_lost_reply(const DeviceMessage& message);
// The device's radio sent or received from start_s to end_s: kept for its tail energy
// (platform.device.radio_tail; cost model), counted when the run ends.
void note_radio_use(DeviceView device, double start_s, double end_s);
// The requests' uploads and replies still on their way when the run ends: charged what their
// radios spent until now, as a transfer cut by a failure is (no battery dies of it any more).
void charge_transfers_in_flight(RunState& state);
// The device spends energy_J now: its battery drains, and it dies if the battery empties.
void charge_device(DeviceView device, double energy_J);

// Settles the device's offloaded requests whose deadline is at or before now_s as fallbacks to
// the edge prediction, counting timeouts towards the back-off.
void settle_timed_out(DeviceView device, double now_s);

// The device went down at t_s: what it was serving or waiting for is lost.
void drop_in_flight(DeviceView device, double t_s, RequestReason reason = RequestReason::DeviceDown);

// If the device's battery is empty by now, the device dies at the moment it emptied: what it was
// serving or waiting for and all its later requests are dropped (reason battery) and its host
// turns off for good, which ends the calling actor when it runs there.
void die_if_battery_empty(DeviceView device);
// The same, unconditionally: the battery empties now or emptied earlier.
void die_of_battery(DeviceView device);

}  // namespace eccsim
