/*
 * Emptying the address space and putting the vDSO back where the image had it.
 *
 * glibc caches pointers into the vDSO, so it must reappear at its checkpointed
 * address. The kernel's [vvar], [vvar_vclock] and [vdso] are moved there together,
 * keeping their layout; if this kernel's layout differs from the image's, the restart
 * cannot be exact and we stop.
 */
#include "core/common/maps_line.h"
#include "core/image/format.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

static uint64_t vdso_lowest(const struct restorer* r) {
  uint64_t lo = ~0ULL;
  for (int i = 0; i < r->n_vdso; i++) {
    if (r->vdso[i].start < lo) lo = r->vdso[i].start;
  }
  return lo;
}

void restorer_clear_address_space(struct restorer* r) {
  const uint64_t lo = vdso_lowest(r);
  size_t len = restorer_read_maps(r->maps_buf, RESTORER_MAPS_BUF_SIZE);
  char* buf = r->maps_buf;
  for (char* line = buf; line < buf + len;) {
    char* end = line;
    while (end < buf + len && *end != '\n') end++;
    struct maps_line m;
    if (maps_parse_line(line, end, &m) != 0) restorer_die("cannot parse /proc/self/maps");
    line = end + 1;
    if (m.start >= r->hole && m.end <= r->hole + r->hole_len) continue;
    if (maps_path_is(&m, "[vsyscall]")) continue; /* fixed by the kernel, cannot move */
    int is_vdso = 0;
    for (int i = 0; i < r->n_vdso; i++) is_vdso |= r->vdso[i].start == m.start;
    if (is_vdso) {
      void* to = (void*)(uintptr_t)(r->vdso_parking + (m.start - lo));
      void* p = sys_mremap((void*)(uintptr_t)m.start, m.end - m.start, m.end - m.start,
                           MREMAP_MAYMOVE | MREMAP_FIXED, to);
      if (p != to) restorer_die("cannot move the vDSO (errno %ld)", -(long)p);
      continue;
    }
    restorer_unmap_except_tables(r, m.start, m.end);
  }
}

void restorer_place_vdso(struct restorer* r) {
  const struct plan_area* a = plan_areas(r->plan);
  const uint32_t kinds = IMG_AREA_VDSO | IMG_AREA_VVAR | IMG_AREA_VVAR_VCLOCK;
  const uint64_t lo = vdso_lowest(r);
  int wanted = 0, image_vdso = -1;
  for (uint32_t i = 0; i < r->plan->n_areas; i++) {
    if (a[i].flags & kinds) wanted++;
    if (a[i].flags & IMG_AREA_VDSO) image_vdso = (int)i;
  }
  int host_vdso = -1;
  for (int j = 0; j < r->n_vdso; j++) {
    if (r->vdso[j].kind == IMG_AREA_VDSO) host_vdso = j;
  }
  if (wanted == 0) { /* the program ran without a vDSO; so shall it now */
    if (r->n_vdso) sys_munmap((void*)(uintptr_t)r->vdso_parking, r->vdso_span);
    return;
  }
  if (wanted != r->n_vdso || image_vdso < 0 || host_vdso < 0) {
    restorer_die("this kernel's vDSO layout differs from the image's (%d parts here, %d in "
                 "the image): restart on the kernel that made the checkpoint",
                 r->n_vdso, wanted);
  }
  for (uint32_t i = 0; i < r->plan->n_areas; i++) {
    uint32_t kind = a[i].flags & kinds;
    if (!kind) continue;
    int j = 0;
    while (j < r->n_vdso && r->vdso[j].kind != kind) j++;
    const struct vdso_part* part = &r->vdso[j];
    uint64_t size = part->end - part->start;
    int64_t host_rel = (int64_t)(part->start - r->vdso[host_vdso].start);
    int64_t image_rel = (int64_t)(a[i].start - a[image_vdso].start);
    if (j == r->n_vdso || a[i].end - a[i].start != size || host_rel != image_rel) {
      restorer_die("this kernel's vDSO layout differs from the image's: restart on the "
                   "kernel that made the checkpoint");
    }
    void* from = (void*)(uintptr_t)(r->vdso_parking + (part->start - lo));
    void* to = (void*)(uintptr_t)a[i].start;
    void* p = sys_mremap(from, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, to);
    if (p != to) restorer_die("cannot move the vDSO into place (errno %ld)", -(long)p);
  }
}
