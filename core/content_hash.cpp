// FNV-1a over bytes, chained across add() calls.
#include "core/content_hash.hpp"

#include <fmt/core.h>

namespace eccsim {

ContentHash& ContentHash::add(const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash_ ^= bytes[i];
    hash_ *= 0x100000001b3ULL;
  }
  return *this;
}

ContentHash& ContentHash::add(std::string_view bytes) { return add(bytes.data(), bytes.size()); }

std::string ContentHash::hex() const { return fmt::format("{:016x}", hash_); }

}  // namespace eccsim
