// Deep call chains (LibTorch's inference and autograd) must not run on a simulated actor's
// stack, which is kept small so that a city-scale fleet fits in memory. on_engine_stack runs the
// work in SimGrid's kernel context, on the main thread's full-size stack (with the main thread's
// heap arena and LibTorch thread settings), and hands back its result or rethrows its exception.
// The work must not block on simulated activities; simulated time stands still meanwhile.
#pragma once

#include <simgrid/simix.hpp>

#include <utility>

namespace eccsim {

template <typename Work>
auto on_engine_stack(Work&& work) {
  return simgrid::kernel::actor::simcall_answered(std::forward<Work>(work));
}

}  // namespace eccsim
