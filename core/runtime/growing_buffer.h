// growing_buffer.h - a byte buffer for what a plugin collects at checkpoint time (queued
// bytes, messages): anonymous memory, grown by copying, never malloc (the program's
// threads, which may hold malloc's lock, are stopped).
#ifndef CORE_RUNTIME_GROWING_BUFFER_H
#define CORE_RUNTIME_GROWING_BUFFER_H

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>

#include "core/common/raw_syscalls.h"

namespace rt {

struct GrowingBuffer {
  char* data = nullptr;
  size_t size = 0, used = 0;

  // Room for n more bytes at the end (data may move); nullptr if memory ran out.
  char* Reserve(size_t n) {
    if (used + n > size) {
      size_t grown = size ? size : (1u << 16);
      while (grown < used + n) grown *= 2;
      void* p = sys::mmap(nullptr, grown, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (sys::failed(p)) return nullptr;
      if (data != nullptr) {
        memcpy(p, data, used);
        sys::munmap(data, size);
      }
      data = static_cast<char*>(p);
      size = grown;
    }
    char* at = data + used;
    used += n;
    return at;
  }
};

}  // namespace rt

#endif  // CORE_RUNTIME_GROWING_BUFFER_H
