// Content hashes for manifests and cache keys: FNV-1a, 64 bit (hand-written: no hashing library
// among the project's dependencies, and these tell contents apart, they do not secure them).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eccsim {

class ContentHash {
 public:
  ContentHash& add(std::string_view bytes);
  ContentHash& add(const void* data, size_t size);
  std::string hex() const;   // 16 lowercase hex digits

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace eccsim
