// LibTorch's intra-op threads. Predictions are the same bits whatever the count (a simulation test
// compares 1 and 2 threads), so runs infer on the cores they are given; training sets its own
// fixed count around each training run (TrainingThreads), because its results do depend on it.
#pragma once

namespace eccsim {

// Sets the intra-op thread count, unless OMP_NUM_THREADS is set (then torch's count, which follows
// it, is kept). Returns the count in use.
int set_intra_op_threads(int threads);

}  // namespace eccsim
