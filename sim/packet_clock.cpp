#include "sim/packet_clock.hpp"

#include <ns3/nstime.h>
#include <ns3/simulator.h>
#include <simgrid/s4u/Engine.hpp>
#include <xbt/config.hpp>

namespace sg4 = simgrid::s4u;

namespace eccsim {

namespace {

// Empty steps in a row before the guard acts. Legitimate ones (flows ending at the same instant,
// each one step) come in far shorter runs; a spin makes millions.
constexpr int kEmptyStepsBeforeNudge = 1000;

}  // namespace

void guard_packet_clock() {
  const double nudge_s = 2 * simgrid::config::get_value<double>("surf/precision");
  sg4::Engine::on_time_advance_cb([nudge_s, empty_steps = 0](double step_s) mutable {
    if (step_s > 0) {
      empty_steps = 0;
      return;
    }
    if (++empty_steps < kEmptyStepsBeforeNudge) return;
    empty_steps = 0;
    // ns-3 stops earlier if a flow ends meanwhile (SimGrid's receive callback stops it): the
    // engine then takes that step and the guard waits for the next spin.
    ns3::Simulator::Stop(ns3::Seconds(nudge_s));
    ns3::Simulator::Run();
  });
}

}  // namespace eccsim
