/* The restorer's entry: read and check the plan, then hand over to relocate.c. */
#include <linux/auxvec.h>

#include "arch/arch.h"
#include "core/common/fds.h"
#include "core/common/maps_line.h"
#include "core/image/format.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

static struct restorer the_restorer;

static int starts_with(const char* s, const char* prefix) {
  while (*prefix) {
    if (*s++ != *prefix++) return 0;
  }
  return 1;
}

static int parse_int(const char* s) {
  int v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return v;
}

/* A plan is built by dmtcp_restart, which validated the image; these checks catch a
 * plan from another build or a damaged fd, before anything is unmapped. */
static void check_plan(const struct plan_header* p, uint64_t bytes, uint64_t page_size) {
  if (bytes < sizeof *p || p->magic != PLAN_MAGIC || p->version != PLAN_VERSION) {
    restorer_die("the restore plan is not valid (was dmtcp_restart from another build?)");
  }
  if (p->arch != ARCH_ID) {
    restorer_die("the restore plan is for arch %u, this restorer is %s", p->arch, ARCH_NAME);
  }
  if (p->page_size != page_size) {
    restorer_die("the image was made with %u-byte pages, this kernel uses %lu-byte pages",
                 p->page_size, (unsigned long)page_size);
  }
  uint64_t need = sizeof *p + (uint64_t)p->n_areas * sizeof(struct plan_area) +
                  (uint64_t)p->n_chunks * sizeof(struct plan_chunk) +
                  (uint64_t)p->n_threads * sizeof(struct plan_thread);
  if (p->total_bytes != bytes || need > bytes || p->n_threads == 0) {
    restorer_die("the restore plan is truncated");
  }
  const struct plan_area* areas = plan_areas(p);
  for (uint32_t i = 0; i < p->n_areas; i++) {
    if (areas[i].first_chunk + (uint64_t)areas[i].n_chunks > p->n_chunks ||
        areas[i].start >= areas[i].end || areas[i].path >= bytes ||
        (i > 0 && areas[i].start < areas[i - 1].end)) {
      restorer_die("the restore plan has a bad area %u", i);
    }
  }
  int mains = 0;
  for (uint32_t i = 0; i < p->n_threads; i++) mains += plan_threads(p)[i].is_main != 0;
  if (mains != 1) restorer_die("the restore plan has %d main threads", mains);
}

static uint32_t vdso_kind(const struct maps_line* m) {
  if (maps_path_is(m, "[vdso]")) return IMG_AREA_VDSO;
  if (maps_path_is(m, "[vvar]")) return IMG_AREA_VVAR;
  if (maps_path_is(m, "[vvar_vclock]")) return IMG_AREA_VVAR_VCLOCK;
  return 0;
}

static void find_vdso(struct restorer* r, char* buf, size_t size) {
  size_t len = restorer_read_maps(buf, size);
  uint64_t lo = ~0ULL, hi = 0;
  for (char* line = buf; line < buf + len;) {
    char* end = line;
    while (end < buf + len && *end != '\n') end++;
    struct maps_line m;
    if (maps_parse_line(line, end, &m) == 0) {
      uint32_t kind = vdso_kind(&m);
      if (kind && r->n_vdso < RESTORER_MAX_VDSO_PARTS) {
        r->vdso[r->n_vdso].kind = kind;
        r->vdso[r->n_vdso].start = m.start;
        r->vdso[r->n_vdso].end = m.end;
        r->n_vdso++;
        if (m.start < lo) lo = m.start;
        if (m.end > hi) hi = m.end;
      }
    }
    line = end + 1;
  }
  r->vdso_span = r->n_vdso ? hi - lo : 0;
}

static void continue_in_hole(void* arg) {
  struct restorer* r = arg;
  restorer_set_image_name(r->plan->image);  /* the copy in the hole: the old one goes */
  restorer_save_emulator_tables(r);
  restorer_clear_address_space(r);
  restorer_place_vdso(r);
  restorer_map_areas(r);
  restorer_start_threads(r);
}

void freestanding_main(long* sp) {
  struct restorer* r = &the_restorer;
  int argc = (int)sp[0];
  char** argv = (char**)(sp + 1);
  char** env = argv + argc + 1;
  while (*env) {
    if (starts_with(*env, "DMTCP_FAIL_RC=")) restorer_set_fail_rc(parse_int(*env + 14));
    env++;
  }
  unsigned long* aux = (unsigned long*)(env + 1);
  for (; aux[0] != AT_NULL; aux += 2) {
    if (aux[0] == AT_PAGESZ) r->page_size = aux[1];
  }
  sys_block_all_signals();

  long size = sys_lseek_end(FD_RESTORE_PLAN);
  if (size <= 0) restorer_die("no restore plan on fd %d: run dmtcp_restart, not the restorer", FD_RESTORE_PLAN);
  void* plan = sys_mmap(0, (size_t)size, PROT_READ, MAP_PRIVATE, FD_RESTORE_PLAN, 0);
  if (sys_failed(plan)) restorer_die("cannot map the restore plan (errno %ld)", -(long)plan);
  sys_close(FD_RESTORE_PLAN);  /* the mapping is all we need; the program must not see it */
  r->plan = plan;
  r->plan_bytes = (uint64_t)size;
  r->data_fd = FD_RESTORE_DATA;
  r->image_fd = FD_RESTORE_IMAGE;
  check_plan(r->plan, r->plan_bytes, r->page_size);
  restorer_set_image_name(r->plan->image);

  char* scratch = sys_mmap(0, RESTORER_MAPS_BUF_SIZE, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (sys_failed(scratch)) restorer_die("out of memory");
  find_vdso(r, scratch, RESTORER_MAPS_BUF_SIZE);
  restorer_find_emulator_tables(r, scratch, RESTORER_MAPS_BUF_SIZE);
  sys_munmap(scratch, RESTORER_MAPS_BUF_SIZE);

  restorer_relocate_and_continue(r, continue_in_hole);
}
