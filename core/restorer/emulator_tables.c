/*
 * Pages an emulator keeps in our address space (see arch_emulator_tables()): QEMU user
 * mode gives an i386 guest its GDT and IDT in guest memory, and every system call
 * (`int $0x80`) reads the IDT. They cannot move, so the restorer works around them:
 * it never unmaps them, and where an image area covers them it maps the area over
 * them, puts the live bytes straight back before the next system call, and reads the
 * image's bytes for them into a scratch copy instead of into place.
 *
 * dmtcp_restart makes the emulator lay out the restorer as it laid out the program
 * (the same ELF interpreter), so the image holds the program's own copy of the tables
 * exactly there. The IDT is the same in every process of the emulator: if the image
 * has other bytes there, the restart cannot be exact and we stop.
 */
#include "core/common/maps_line.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

static uint64_t page_down(uint64_t v, uint64_t page) { return v & ~(page - 1); }

/* The maps line holding [start, end), or 0. */
static int find_line(char* buf, size_t len, uint64_t start, uint64_t end, struct maps_line* m) {
  for (char* line = buf; line < buf + len;) {
    char* eol = line;
    while (eol < buf + len && *eol != '\n') eol++;
    if (maps_parse_line(line, eol, m) == 0 && m->start <= start && end <= m->end) return 1;
    line = eol + 1;
  }
  return 0;
}

void restorer_find_emulator_tables(struct restorer* r, char* buf, size_t size) {
  struct arch_emulator_table t[RESTORER_MAX_TABLES];
  int n = arch_emulator_tables(t, RESTORER_MAX_TABLES);
  size_t len = restorer_read_maps(buf, size);
  struct maps_line m;
  /* QEMU's i386 guests run code from pages maps shows as r-- (read implies exec there),
   * so images made under it say r-- for code: our own code tells. */
  const uint64_t code = (uint64_t)(uintptr_t)restorer_find_emulator_tables;
  r->read_implies_exec = find_line(buf, len, code, code + 1, &m) && m.x != 'x';
  r->n_tables = 0;
  r->tables_bytes = 0;
  for (int i = 0; i < n; i++) {
    /* Whole pages: QEMU reads past the limit sidt reports (its IDT limit leaves out
     * vector 0x80, which every system call consults). */
    t[i].start = page_down(t[i].start, r->page_size);
    t[i].end = page_round_up(t[i].end, r->page_size);
    if (t[i].end <= t[i].start || !find_line(buf, len, t[i].start, t[i].end, &m)) continue;
    r->tables[r->n_tables++] = t[i];
    r->tables_bytes += t[i].end - t[i].start;
  }
}

/* Whether [start, end) meets table i (whose bounds are whole pages). */
static int meets(const struct restorer* r, int i, uint64_t start, uint64_t end) {
  return r->tables[i].start < end && start < r->tables[i].end;
}

int restorer_area_covers_tables(const struct restorer* r, uint64_t start, uint64_t end) {
  for (int i = 0; i < r->n_tables; i++) {
    if (meets(r, i, start, end)) return 1;
  }
  return 0;
}

void restorer_unmap_except_tables(const struct restorer* r, uint64_t start, uint64_t end) {
  uint64_t from = start;
  for (uint64_t p = start; p <= end; p += r->page_size) {
    if (p == end || restorer_area_covers_tables(r, p, p + r->page_size)) {
      if (p > from) {
        long rc = sys_munmap((void*)(uintptr_t)from, p - from);
        if (rc < 0) restorer_die("cannot unmap %lx-%lx (errno %ld)", (unsigned long)from,
                                 (unsigned long)p, -rc);
      }
      from = p + r->page_size;
    }
  }
}

/* The live tables, saved before the address space is rebuilt. */
void restorer_save_emulator_tables(struct restorer* r) {
  char* copy = r->tables_live;
  for (int i = 0; i < r->n_tables; i++) {
    uint64_t len = r->tables[i].end - r->tables[i].start;
    __builtin_memcpy(copy, (const void*)(uintptr_t)r->tables[i].start, len);
    copy += len;
  }
}

/* Right after an area was mapped over the tables: no system call may come first. */
void restorer_put_tables_back(const struct restorer* r) {
  const char* copy = r->tables_live;
  for (int i = 0; i < r->n_tables; i++) {
    uint64_t len = r->tables[i].end - r->tables[i].start;
    __builtin_memcpy((void*)(uintptr_t)r->tables[i].start, copy, len);
    copy += len;
  }
}

/* The part of [addr, addr + len) that table i covers, as [*from, *to); 0 if none. */
static int overlap(const struct restorer* r, int i, uint64_t addr, uint64_t len,
                   uint64_t* from, uint64_t* to) {
  *from = addr > r->tables[i].start ? addr : r->tables[i].start;
  *to = addr + len < r->tables[i].end ? addr + len : r->tables[i].end;
  return *from < *to;
}

/* Where the image's bytes for address `addr` go: the scratch copy if a table is
 * there, else the address itself; *run is how many bytes from addr go the same way. */
char* restorer_image_bytes_at(struct restorer* r, uint64_t addr, uint64_t len, uint64_t* run) {
  char* scratch = r->tables_image;
  uint64_t nearest = addr + len;
  for (int i = 0; i < r->n_tables; i++) {
    uint64_t from, to;
    if (overlap(r, i, addr, len, &from, &to)) {
      if (from == addr) {
        *run = to - addr;
        r->tables_seen[i] += to - from;
        return scratch + (addr - r->tables[i].start);
      }
      if (from < nearest) nearest = from;
    }
    scratch += r->tables[i].end - r->tables[i].start;
  }
  *run = nearest - addr;
  return (char*)(uintptr_t)addr;
}

/* After a chunk at [addr, addr + len) was read: the tables it covered must hold the
 * image's bytes in memory for its checksum; the IDT only if they are the live ones. */
void restorer_check_tables_in_chunk(struct restorer* r, uint64_t addr, uint64_t len) {
  const char* live = r->tables_live;
  const char* image = r->tables_image;
  for (int i = 0; i < r->n_tables; i++) {
    uint64_t from, to;
    const struct arch_emulator_table* t = &r->tables[i];
    if (overlap(r, i, addr, len, &from, &to)) {
      const uint64_t off = from - t->start;
      if (t->fixed_contents) {
        for (uint64_t b = off; b < to - t->start; b++) {
          if (image[b] != live[b]) {
            restorer_die("the emulator's descriptor table at %lx holds other data in the "
                         "image: this QEMU laid out memory differently from the one that "
                         "ran the program (restart under the same emulator and interpreter)",
                         (unsigned long)t->start);
          }
        }
      } else {
        __builtin_memcpy((void*)(uintptr_t)from, image + off, to - from);
      }
    }
    live += t->end - t->start;
    image += t->end - t->start;
  }
}

/* After an area over the tables was filled: the image must have covered them whole. */
void restorer_check_tables_covered(const struct restorer* r, uint64_t start, uint64_t end) {
  for (int i = 0; i < r->n_tables; i++) {
    const struct arch_emulator_table* t = &r->tables[i];
    if (meets(r, i, start, end) && r->tables_seen[i] != t->end - t->start) {
      restorer_die("the image has no copy of the emulator's descriptor table at %lx: this "
                   "QEMU laid out memory differently from the one that ran the program",
                   (unsigned long)t->start);
    }
  }
}
