/*
 * restorer.h - the restorer's shared state and its steps.
 *
 * dmtcp_restart execs the restorer in the process that becomes the restored program.
 * The restorer has no libc. In order, it:
 *   1. reads and checks the plan (restorer.c);
 *   2. copies itself into a hole no image area uses, and continues there (relocate.c);
 *   3. unmaps everything else, keeping only the kernel's vDSO, which it moves to where
 *      the image had it (address_space.c);
 *   4. maps every area of the image and fills it from the data stream (memory.c);
 *   5. starts one kernel thread per image thread, each of which jumps back into the
 *      runtime where that thread was checkpointed (threads.c).
 * The runtime then unmaps the hole (its address is left in the restart block).
 */
#ifndef CORE_RESTORER_RESTORER_H
#define CORE_RESTORER_RESTORER_H

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/image/plan.h"

#define RESTORER_STACK_SIZE (256u << 10)
#define RESTORER_THREAD_STACK_SIZE (64u << 10)
#define RESTORER_MAPS_BUF_SIZE (256u << 10)
#define RESTORER_MAX_VDSO_PARTS 4
#define RESTORER_MAX_TABLES 4

/* A piece of the kernel's vDSO block in this process ([vvar], [vvar_vclock], [vdso]). */
struct vdso_part {
  uint32_t kind; /* IMG_AREA_VDSO, IMG_AREA_VVAR or IMG_AREA_VVAR_VCLOCK */
  uint64_t start, end;
};

struct restorer {
  /* Inputs. */
  const struct plan_header* plan;
  uint64_t plan_bytes;
  int data_fd;   /* compressed chunks, decompressed by dmtcp_restart */
  int image_fd;  /* stored chunks, read in place */
  uint64_t page_size;

  /* This process as exec'd: its vDSO parts. */
  struct vdso_part vdso[RESTORER_MAX_VDSO_PARTS];
  int n_vdso;
  uint64_t vdso_span; /* from the lowest part's start to the highest part's end */

  /* The hole: [hole, hole + hole_len), laid out by relocate.c. */
  uint64_t hole, hole_len;
  uint64_t stack_top;       /* the restorer's own stack after relocation */
  uint64_t thread_stacks;   /* n_threads stacks of RESTORER_THREAD_STACK_SIZE */
  uint64_t vdso_parking;    /* where the vDSO waits while the rest is unmapped */
  char* maps_buf;           /* scratch for /proc/self/maps */
  /* An emulator's tables in this process (emulator_tables.c); none on real hardware. */
  struct arch_emulator_table tables[RESTORER_MAX_TABLES];
  int n_tables;
  uint64_t tables_bytes;                  /* their sizes added up */
  uint64_t tables_seen[RESTORER_MAX_TABLES]; /* bytes of each the image provided */
  char* tables_live;                      /* in the hole: their bytes before the restore */
  char* tables_image;                     /* in the hole: the image's bytes for them */
  int read_implies_exec;                  /* maps shows no 'x' even for code */
};

/* Steps. Each either succeeds or calls restorer_die(). */
void restorer_relocate_and_continue(struct restorer* r, void (*next)(void*))
    __attribute__((noreturn));
void restorer_clear_address_space(struct restorer* r);
void restorer_place_vdso(struct restorer* r);
void restorer_map_areas(struct restorer* r);
void restorer_start_threads(struct restorer* r) __attribute__((noreturn));

/* An emulator's tables (emulator_tables.c). */
void restorer_find_emulator_tables(struct restorer* r, char* buf, size_t size);
void restorer_unmap_except_tables(const struct restorer* r, uint64_t start, uint64_t end);
void restorer_save_emulator_tables(struct restorer* r);
int restorer_area_covers_tables(const struct restorer* r, uint64_t start, uint64_t end);
void restorer_put_tables_back(const struct restorer* r);
char* restorer_image_bytes_at(struct restorer* r, uint64_t addr, uint64_t len, uint64_t* run);
void restorer_check_tables_in_chunk(struct restorer* r, uint64_t addr, uint64_t len);
void restorer_check_tables_covered(const struct restorer* r, uint64_t start, uint64_t end);

/* Helpers. */
void restorer_die(const char* fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void restorer_warn(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
/* The failure exit without a message: for a failure someone else reports. */
void restorer_exit_quietly(void) __attribute__((noreturn));
void restorer_set_fail_rc(int rc);
void restorer_set_image_name(const char* image);
uint64_t page_round_up(uint64_t v, uint64_t page);

/* Reads /proc/self/maps into r->maps_buf (or `buf` of `size`); returns its length. */
size_t restorer_read_maps(char* buf, size_t size);

static inline const struct plan_area* plan_areas(const struct plan_header* p) {
  return (const struct plan_area*)(p + 1);
}
static inline const struct plan_chunk* plan_chunks(const struct plan_header* p) {
  return (const struct plan_chunk*)(plan_areas(p) + p->n_areas);
}
static inline const struct plan_thread* plan_threads(const struct plan_header* p) {
  return (const struct plan_thread*)(plan_chunks(p) + p->n_chunks);
}
static inline const char* plan_string(const struct plan_header* p, uint32_t offset) {
  return offset ? (const char*)p + offset : "";
}

#endif /* CORE_RESTORER_RESTORER_H */
