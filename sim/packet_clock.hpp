// Keeps SimGrid's ns-3 binding (3.32) from spinning forever. Before each step the engine runs ns-3
// up to the next event of its other models (an execution's end, a timer); ns-3 counts whole
// nanoseconds and rounds, and SimGrid takes any ns-3 step shorter than its precision
// (surf/precision, 10 us) as none. So when such an event falls less than half a nanosecond after
// ns-3's clock, neither clock can move again. The guard notices a long run of empty steps and
// moves ns-3 ahead by twice that precision on its own, so the engine's next step reaches the
// event: what happens meanwhile is processed up to 20 us late (docs/modelling.md, Network models).
#pragma once

namespace eccsim {

// Call once per process, after the engine is configured for ns-3 and before it runs.
void guard_packet_clock();

}  // namespace eccsim
