// Keeps glibc from mapping and zeroing fresh pages for every large tensor while the models work.
// A batch's activations are tens of MB each, above glibc's mmap ceiling (32 MiB): each one would
// be a fresh mapping the kernel faults in and zeroes, then unmaps. While a HeapReuse lives, the
// heap keeps freed blocks for reuse instead (about a fifth of inference's and training's CPU
// time); afterwards glibc's fixed defaults come back and the spare memory is returned.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace eccsim {

class HeapReuse {
 public:
#if defined(__GLIBC__)
  HeapReuse() {
    mallopt(M_MMAP_MAX, 0);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
  ~HeapReuse() {
    mallopt(M_MMAP_MAX, 65536);          // glibc's default
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    malloc_trim(0);
  }
#endif
  HeapReuse(const HeapReuse&) = delete;
  HeapReuse& operator=(const HeapReuse&) = delete;
};

}  // namespace eccsim
