// LibTorch's intra-op threads for inference. Predictions are the same bits whatever the count (a
// simulation test compares 1 and 2 threads), so runs use the cores they are given. Training keeps
// its own fixed count (TrainingThreads): its results do depend on it.
#pragma once

namespace eccsim {

// Sets the intra-op thread count, unless OMP_NUM_THREADS is set (then torch's count, which follows
// it, is kept). Returns the count in use.
int use_inference_threads(int threads);

}  // namespace eccsim
