/*
 * Mapping the image's areas and filling them from the data stream. Every area is
 * mapped with MAP_FIXED_NOREPLACE, so an overlap is an error rather than silent
 * damage. Data arrives in plan order and is checked chunk by chunk.
 */
#include "core/image/checksum.h"
#include "core/image/format.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

/* A streamed chunk's length, which comes first (plan.h). */
static void read_stream_header(struct restorer* r, const struct plan_chunk* c) {
  uint64_t len = 0;
  char* p = (char*)&len;
  for (size_t got = 0; got < sizeof len;) {
    long n = sys_read(r->data_fd, p + got, sizeof len - got);
    if (n == -4 /* EINTR */) continue;
    if (n <= 0) {
      restorer_die("dmtcp_restart stopped sending the memory contents before address %lx "
                   "(errno %ld)", (unsigned long)c->addr, n < 0 ? -n : 0L);
    }
    got += (size_t)n;
  }
  /* dmtcp_restart found bad data and says so itself: a line here would only name the
   * consequence. */
  if (len == PLAN_STREAM_ABORT) restorer_exit_quietly();
  if (len != c->len) {
    restorer_die("the memory contents for %lx came as %lu bytes, not %lu",
                 (unsigned long)c->addr, (unsigned long)len, (unsigned long)c->len);
  }
}

/* A chunk's bytes, from the image file or from the stream of decompressed ones, into
 * place (an emulator's tables excepted: their bytes go to a scratch copy). */
static void read_chunk(struct restorer* r, const struct plan_chunk* c) {
  if (c->file_offset == PLAN_FROM_STREAM) read_stream_header(r, c);
  uint64_t addr = c->addr;
  uint64_t len = c->len;
  uint64_t offset = c->file_offset;
  while (len > 0) {
    uint64_t run;
    char* p = restorer_image_bytes_at(r, addr, len, &run);
    size_t want = run > (1u << 30) ? (1u << 30) : (size_t)run;
    long n = offset == PLAN_FROM_STREAM ? sys_read(r->data_fd, p, want)
                                         : sys_pread(r->image_fd, p, want, offset);
    if (n == -4 /* EINTR */) continue;
    if (n <= 0) {
      restorer_die("the image data ended early at address %lx (errno %ld): the image is "
                   "truncated or corrupted", (unsigned long)c->addr, n < 0 ? -n : 0L);
    }
    addr += (uint64_t)n;
    len -= (uint64_t)n;
    if (offset != PLAN_FROM_STREAM) offset += (uint64_t)n;
  }
  restorer_check_tables_in_chunk(r, c->addr, c->len);
}

static int open_backing_file(const struct plan_header* plan, const struct plan_area* a) {
  const char* path = plan_string(plan, a->path);
  long fd = sys_openat(path, (a->flags & IMG_AREA_SHARED) && (a->prot & PROT_WRITE) ? O_RDWR : O_RDONLY);
  if (fd < 0 && (a->flags & IMG_AREA_FILE_PAGES)) {
    /* dmtcp_restart checked this file a moment ago. */
    restorer_die("cannot open %s (errno %ld) to map its pages at %lx again", path, -fd,
                 (unsigned long)a->start);
  }
  if (fd < 0) {
    restorer_warn("%s is gone (errno %ld); its shared mapping at %lx is restored as "
                  "anonymous shared memory with the checkpointed contents",
                  path, -fd, (unsigned long)a->start);
  }
  return (int)fd;
}

static void map_area(struct restorer* r, const struct plan_area* a) {
  const uint64_t size = a->end - a->start;
  const int fill = a->n_chunks > 0;
  const int exec = r->read_implies_exec && (a->prot & PROT_READ) ? PROT_EXEC : 0;
  int prot = (int)a->prot | exec | (fill ? PROT_READ | PROT_WRITE : 0);
  /* Over an emulator's tables, replace them and put them back at once (no system call
   * in between), so that the next system call still finds them. */
  const int over_tables = restorer_area_covers_tables(r, a->start, a->end);
  if (over_tables && (!fill || a->shared_fd_plus1 != 0 || (a->flags & IMG_AREA_SHARED))) {
    restorer_check_tables_covered(r, a->start, a->end); /* the image has no copy there */
  }
  int flags = over_tables ? MAP_FIXED : MAP_FIXED_NOREPLACE;
  int fd = -1;
  if (a->shared_fd_plus1 != 0) {
    /* Filled and shared by dmtcp_restart: just map it. */
    void* p = sys_mmap((void*)(uintptr_t)a->start, size, (int)a->prot,
                       MAP_SHARED | MAP_FIXED_NOREPLACE, (int)a->shared_fd_plus1 - 1, a->file_offset);
    if (p != (void*)(uintptr_t)a->start) {
      restorer_die("cannot map shared memory at %lx-%lx (errno %ld)", (unsigned long)a->start,
                   (unsigned long)a->end, sys_failed(p) ? -(long)p : 0L);
    }
    return;
  }
  if (a->flags & IMG_AREA_SHARED) {
    flags |= MAP_SHARED;
    if (a->flags & IMG_AREA_FILE) fd = open_backing_file(r->plan, a);
  } else {
    flags |= MAP_PRIVATE;
    /* The pages the process did not change are the file's own (stored: the others). */
    if (a->flags & IMG_AREA_FILE_PAGES) fd = open_backing_file(r->plan, a);
  }
  if (fd < 0) flags |= MAP_ANONYMOUS;
  if (a->flags & IMG_AREA_GROWSDOWN) flags |= MAP_GROWSDOWN;
  if (a->prot == 0) flags |= MAP_NORESERVE; /* a reservation, not memory */
  void* p = sys_mmap((void*)(uintptr_t)a->start, size, prot, flags, fd, fd < 0 ? 0 : a->file_offset);
  if (p == (void*)(uintptr_t)-12 /* ENOMEM */ && !(flags & MAP_NORESERVE)) {
    /* More than the kernel would commit: the program reserved it with MAP_NORESERVE
     * (as Java and Go reserve address space), which maps says nothing about. */
    flags |= MAP_NORESERVE;
    p = sys_mmap((void*)(uintptr_t)a->start, size, prot, flags, fd, fd < 0 ? 0 : a->file_offset);
  }
  if (over_tables && p == (void*)(uintptr_t)a->start) restorer_put_tables_back(r);
  if (fd >= 0) sys_close(fd);
  if (p != (void*)(uintptr_t)a->start) {
    restorer_die("cannot map %lx-%lx (errno %ld)", (unsigned long)a->start,
                 (unsigned long)a->end, sys_failed(p) ? -(long)p : 0L);
  }
  const struct plan_chunk* c = plan_chunks(r->plan) + a->first_chunk;
  for (uint32_t i = 0; i < a->n_chunks; i++, c++) {
    void* at = (void*)(uintptr_t)c->addr;
    read_chunk(r, c);
    if (img_checksum(at, c->len, 0) != c->check) {
      restorer_die("the image is corrupted: checksum mismatch in %lu bytes at %lx",
                   (unsigned long)c->len, (unsigned long)c->addr);
    }
  }
  if (over_tables) restorer_check_tables_covered(r, a->start, a->end);
  if (prot != ((int)a->prot | exec)) sys_mprotect(p, size, (int)a->prot | exec);
}

void restorer_map_areas(struct restorer* r) {
  const uint32_t vdso_kinds = IMG_AREA_VDSO | IMG_AREA_VVAR | IMG_AREA_VVAR_VCLOCK;
  const struct plan_area* a = plan_areas(r->plan);
  for (uint32_t i = 0; i < r->plan->n_areas; i++) {
    if (!(a[i].flags & vdso_kinds)) map_area(r, &a[i]);
  }
  /* Everything was read: anything more on the stream means plan and data disagree. */
  char extra;
  if (sys_read(r->data_fd, &extra, 1) > 0) {
    restorer_die("the image data is longer than its areas: the image is corrupted");
  }
  sys_close(r->data_fd);
  sys_close(r->image_fd);
  /* The shared objects stay alive through their mappings; the program must not see
   * the descriptors they came on. */
  for (uint32_t i = 0; i < r->plan->n_areas; i++) {
    if (a[i].shared_fd_plus1 != 0) sys_close((int)a[i].shared_fd_plus1 - 1);
  }
}
