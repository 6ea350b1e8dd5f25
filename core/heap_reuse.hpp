// Two settings of glibc's allocator for phases of a run.
//
// HeapReuse keeps glibc from mapping and zeroing fresh pages for every large tensor while the models work.
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

// Keeps zeroed allocations from touching pages nobody uses, while the actors are created. SimGrid
// callocs every actor's stack (16 KiB), and glibc's calloc clears the block unless it was carved
// from heap memory just obtained from the kernel, which is zero already. glibc grows the heap by
// 128 KiB beyond each need, so most stacks come from that margin and all their pages get cleared
// and become resident, although an actor touches only the top one or two. While an ExactHeapGrowth
// lives the heap grows by just what each allocation needs, so each stack is fresh memory: at
// 100,000 devices (200,000 actors) about 1 GB less resident memory, and the kernel time to clear it.
class ExactHeapGrowth {
 public:
#if defined(__GLIBC__)
  ExactHeapGrowth() { mallopt(M_TOP_PAD, 0); }
  ~ExactHeapGrowth() { mallopt(M_TOP_PAD, 128 * 1024); }  // glibc's default
#endif
  ExactHeapGrowth(const ExactHeapGrowth&) = delete;
  ExactHeapGrowth& operator=(const ExactHeapGrowth&) = delete;
};

}  // namespace eccsim
