// Intra-op threads through ATen's parallel settings (cheap: no <torch/torch.h>).
#include "models/nets/model_threads.hpp"

#include <ATen/Parallel.h>

#include <cstdlib>

namespace eccsim {

int set_intra_op_threads(int threads) {
  const char* from_environment = std::getenv("OMP_NUM_THREADS");
  if (threads > 0 && (from_environment == nullptr || *from_environment == '\0')) at::set_num_threads(threads);
  return at::get_num_threads();
}

}  // namespace eccsim
