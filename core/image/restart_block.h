/*
 * restart_block.h - what the restorer tells the restored runtime. The runtime owns one
 * struct restart_block in its memory; the image header records its address, and the
 * restorer fills it in before it starts the first thread; ids_kept is settled before
 * the last thread (the main one) jumps back.
 */
#ifndef CORE_IMAGE_RESTART_BLOCK_H
#define CORE_IMAGE_RESTART_BLOCK_H

#include <stdint.h>

#define RESTART_BLOCK_MAGIC 0x4b4c425452534552ULL /* "RESTRBLK" */

struct restart_block {
  uint64_t magic;      /* RESTART_BLOCK_MAGIC once the restorer has written it */
  uint64_t hole_start; /* the restorer's own memory, for the runtime to unmap */
  uint64_t hole_len;
  uint32_t n_threads;  /* threads the restorer started, the main one included */
  uint32_t ids_kept;   /* 1 if every thread got back its original id */
};

#endif /* CORE_IMAGE_RESTART_BLOCK_H */
