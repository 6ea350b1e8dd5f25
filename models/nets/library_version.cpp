// LibTorch's version from its version header (cheap: no <torch/torch.h>).
#include "models/nets/library_version.hpp"

#include <torch/version.h>

namespace eccsim {

std::string libtorch_version() { return TORCH_VERSION; }

}  // namespace eccsim
