/*
 * plan.h - what dmtcp_restart hands the restorer: the image's areas and threads,
 * already validated, laid out so that the freestanding restorer only follows it.
 *
 *   struct plan_header
 *   struct plan_area   [n_areas]     in address order
 *   struct plan_chunk  [n_chunks]    in stream order; each area's chunks are contiguous
 *   struct plan_thread [n_threads]
 *   strings                          paths, referenced by offset from the plan's start
 *
 * A chunk stored uncompressed is read by the restorer straight from the image at
 * `file_offset`. The others arrive, decompressed and in plan order, on the data pipe:
 * each as its length (a uint64, equal to `len`) then exactly `len` raw bytes. A length
 * of PLAN_STREAM_ABORT instead says that dmtcp_restart found bad data in the image and
 * reports it itself; nothing follows. Either way the restorer places the bytes at
 * `addr` and checks them against `check`.
 */
#ifndef CORE_IMAGE_PLAN_H
#define CORE_IMAGE_PLAN_H

#include <stdint.h>

#define PLAN_MAGIC 0x4e414c50u /* "PLAN" */
#define PLAN_VERSION 2

struct plan_header {
  uint32_t magic, version;
  uint32_t arch, page_size;
  uint32_t n_areas, n_chunks, n_threads, reserved;
  uint64_t total_bytes;   /* of the whole plan */
  uint64_t restart_block; /* where to report to the runtime */
  uint64_t pid;           /* the pid to ask for; 0: any */
  char image[256];        /* image path, for messages */
};

struct plan_area {
  uint64_t start, end;
  uint64_t file_offset;
  uint32_t prot, flags; /* as in struct img_area */
  uint32_t path;        /* offset of a NUL-terminated path in the plan, 0 if none */
  uint32_t first_chunk, n_chunks;
  /* Memory shared with other processes (or with itself): dmtcp_restart filled the
   * shared object and passed it on this descriptor, plus one (0: none). The area is
   * mapped from it, MAP_SHARED at file_offset, and has no chunks of its own. */
  uint32_t shared_fd_plus1;
};

#define PLAN_FROM_STREAM (~0ULL)
#define PLAN_STREAM_ABORT (~0ULL) /* in place of a streamed chunk's length */

struct plan_chunk {
  uint64_t addr;
  uint64_t len;
  uint64_t check;
  uint64_t file_offset; /* in the image, or PLAN_FROM_STREAM */
};

struct plan_thread {
  uint64_t tid;
  uint64_t thread_pointer;
  uint64_t context; /* struct arch_jmpbuf * in the restored memory */
  uint32_t is_main, reserved;
};

#endif /* CORE_IMAGE_PLAN_H */
