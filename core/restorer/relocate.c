/*
 * Moving the restorer out of the way. The kernel loaded us wherever it liked, which
 * may be where the image needs memory. We pick a hole that no image area touches,
 * copy every mapping of our own program there, and continue in the copy. This works
 * because the restorer is built position-independent with no relocations at all (a
 * test checks the binary), so a byte copy runs at any address.
 *
 * Hole layout (page aligned):  program copy | plan copy | maps buffer | emulator tables
 *                              (live, image) | vDSO parking | guard | restorer stack |
 *                              thread stacks
 */
#include "core/common/maps_line.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

/* Defined by the linker. Hidden, so the compiler addresses them PC-relative instead of
 * through the GOT, whose entries would need relocating. */
extern const char __ehdr_start[] __attribute__((visibility("hidden"))); /* our first byte */
extern const char _end[] __attribute__((visibility("hidden")));         /* end of our bss */

#define GAP_MARGIN (4ULL << 20) /* keep clear of image areas and stack guard gaps */
#define LOWEST_HOLE (16ULL << 20)

static void* try_hole(uint64_t addr, uint64_t len) {
  void* p = sys_mmap((void*)(uintptr_t)addr, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
  if (sys_failed(p)) return 0;
  if ((uint64_t)(uintptr_t)p != addr) { /* a kernel that ignores MAP_FIXED_NOREPLACE */
    sys_munmap(p, len);
    return 0;
  }
  return p;
}

/* Highest gaps first: below the stack there is usually plenty of room. */
static uint64_t find_hole(const struct plan_header* plan, uint64_t len, uint64_t page) {
  const struct plan_area* a = plan_areas(plan);
  for (int64_t i = (int64_t)plan->n_areas - 1; i >= 0; i--) {
    uint64_t lo = i > 0 ? a[i - 1].end + GAP_MARGIN : LOWEST_HOLE;
    uint64_t hi = a[i].start > GAP_MARGIN ? a[i].start - GAP_MARGIN : 0;
    if (hi <= lo || hi - lo < len) continue;
    uint64_t top = (hi - len) & ~(page - 1);
    if (try_hole(top, len)) return top;
    uint64_t bottom = page_round_up(lo, page);
    if (bottom + len <= hi && try_hole(bottom, len)) return bottom;
  }
  restorer_die("no room for the restorer between the image's memory areas");
}

void restorer_relocate_and_continue(struct restorer* r, void (*next)(void*)) {
  const uint64_t page = r->page_size;
  const uint64_t self = (uint64_t)(uintptr_t)__ehdr_start;
  const uint64_t self_len = page_round_up((uint64_t)(uintptr_t)_end, page) - self;
  const uint64_t plan_len = page_round_up(r->plan_bytes, page);
  const uint64_t parking_len = page_round_up(r->vdso_span, page);

  uint64_t off = self_len;
  const uint64_t plan_off = off;
  off += plan_len;
  const uint64_t maps_off = off;
  off += RESTORER_MAPS_BUF_SIZE;
  const uint64_t tables_off = off;
  off += page_round_up(2 * r->tables_bytes, page);
  const uint64_t parking_off = off;
  off += parking_len + page;
  off += RESTORER_STACK_SIZE;
  const uint64_t stack_top_off = off;
  const uint64_t threads_off = off;
  off += (uint64_t)r->plan->n_threads * RESTORER_THREAD_STACK_SIZE;
  const uint64_t hole_len = off;

  const uint64_t hole = find_hole(r->plan, hole_len, page);
  char* maps = (char*)(uintptr_t)(hole + maps_off);

  /* Fill in the state the copy will use before copying it: the copy of `*r` is what
   * the continuation sees. */
  r->hole = hole;
  r->hole_len = hole_len;
  r->stack_top = hole + stack_top_off;
  r->thread_stacks = hole + threads_off;
  r->vdso_parking = hole + parking_off;
  r->maps_buf = maps;
  r->tables_live = (char*)(uintptr_t)(hole + tables_off);
  r->tables_image = r->tables_live + r->tables_bytes;
  const struct plan_header* old_plan = r->plan;
  r->plan = (const struct plan_header*)(uintptr_t)(hole + plan_off);
  __builtin_memcpy((void*)(uintptr_t)(hole + plan_off), old_plan, r->plan_bytes);

  /* Copy each mapping of this program, keeping its protection. */
  size_t len = restorer_read_maps(maps, RESTORER_MAPS_BUF_SIZE);
  for (char* line = maps; line < maps + len;) {
    char* end = line;
    while (end < maps + len && *end != '\n') end++;
    struct maps_line m;
    if (maps_parse_line(line, end, &m) == 0 && m.start >= self && m.end <= self + self_len &&
        m.r == 'r') {
      char* to = (char*)(uintptr_t)(hole + (m.start - self));
      __builtin_memcpy(to, (const void*)(uintptr_t)m.start, m.end - m.start);
      /* Where maps hides exec (QEMU's i386 guests), our code must keep it all the same:
       * QEMU honours PROT_EXEC once we set it. */
      const int exec = m.x == 'x' || r->read_implies_exec;
      int prot = PROT_READ | (m.w == 'w' ? PROT_WRITE : 0) | (exec ? PROT_EXEC : 0);
      sys_mprotect(to, m.end - m.start, prot);
    }
    line = end + 1;
  }

  const uintptr_t delta = (uintptr_t)(hole - self);
  struct restorer* moved = (struct restorer*)((uintptr_t)r + delta);
  void (*moved_next)(void*) = (void (*)(void*))((uintptr_t)next + delta);
  arch_call_on_stack((void*)(uintptr_t)moved->stack_top, moved_next, moved);
}
