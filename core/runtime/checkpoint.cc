#include "core/runtime/checkpoint.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/common/raw_syscalls.h"
#include "core/runtime/children.h"
#include "core/runtime/config.h"
#include "core/runtime/hooks.h"
#include "core/runtime/log.h"
#include "core/runtime/memory.h"
#include "core/runtime/process_state.h"
#include "core/runtime/signals.h"
#include "core/runtime/threads.h"

namespace rt {

struct img_process g_process_state;
struct restart_block g_restart_block;

namespace {

constexpr uint64_t kMapsBytes = 16ull << 20;  // /proc/self/maps of a large JVM fits

void FillHeader(struct img_header* h, uint64_t number) {
  memset(h, 0, sizeof *h);
  memcpy(h->magic, IMG_MAGIC, 8);
  h->format_version = IMG_FORMAT_VERSION;
  h->header_size = sizeof *h;
  h->arch = ARCH_ID;
  h->page_size = (uint32_t)sysconf(_SC_PAGESIZE);
  h->codec = g_config.gzip ? IMG_CODEC_DEFLATE : IMG_CODEC_NONE;
  h->pid = (uint64_t)sys::getpid();
  h->ppid = (uint64_t)sys::getppid();
  struct timespec now;
  sys::clock_gettime(CLOCK_REALTIME, &now);
  h->time_sec = now.tv_sec;
  h->ckpt_number = number;
  h->restart_block = (uint64_t)(uintptr_t)&g_restart_block;
  memcpy(h->prog, g_config.prog, sizeof h->prog - 1);  // same sizes, both terminated
  memcpy(h->uniq, g_config.uniq, sizeof h->uniq - 1);
  memcpy(h->host, g_config.host, sizeof h->host - 1);
}

int WriteThreads(img::ImageWriter* w) {
  const long pid = sys::getpid();
  uint32_t n = 0;
  for (int i = 0; i < ThreadCount(); i++) {
    ThreadSlot* t = ThreadAt(i);
    if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) != kThreadSuspended) continue;
    struct img_thread rec;
    memset(&rec, 0, sizeof rec);
    rec.tid = (uint64_t)t->tid;
    rec.thread_pointer = (uint64_t)(uintptr_t)t->thread_pointer;
    rec.context = (uint64_t)(uintptr_t)&t->context;
    rec.is_main = t->tid == pid;
    memcpy(rec.comm, t->comm, sizeof rec.comm);
    int rc = w->WriteRecord(IMG_REC_THREAD, &rec, sizeof rec);
    if (rc < 0) return rc;
    n++;
  }
  return (int)n;
}

int WriteImage(uint64_t number, uint64_t processes, const char* dir, CheckpointResult* result) {
  const size_t scratch_bytes = img::ImageWriter::ScratchBytes() + kMapsBytes +
                               kPagemapBatch * sizeof(uint64_t) + IMG_CHUNK_MAX;
  char* scratch = static_cast<char*>(sys::mmap(nullptr, scratch_bytes, PROT_READ | PROT_WRITE,
                                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (sys::failed(scratch)) return -ENOMEM;
  MemoryScratch mem;
  mem.maps = scratch + img::ImageWriter::ScratchBytes();
  mem.maps_size = kMapsBytes;
  mem.pagemap = reinterpret_cast<uint64_t*>(mem.maps + kMapsBytes);
  mem.bounce = reinterpret_cast<char*>(mem.pagemap + kPagemapBatch);
  mem.skip_start = (uint64_t)(uintptr_t)scratch;
  mem.skip_end = mem.skip_start + ((scratch_bytes + 4095) & ~size_t{4095});

  char name[IMG_NAME_MAX * 3];
  ImageFileName(name, sizeof name);
  img::ImageWriter w;
  int rc = w.Begin(dir, name, g_config.gzip ? IMG_CODEC_DEFLATE : IMG_CODEC_NONE, scratch);
  if (rc == 0) {
    struct img_header header;
    FillHeader(&header, number);
    rc = w.WriteHeader(&header);
  }
  if (rc == 0) rc = w.WriteRecord(IMG_REC_PROCESS, &g_process_state, sizeof g_process_state);
  if (rc == 0) {
    struct img_family family = {(uint64_t)sys::getpid(), (uint64_t)sys::getppid(),
                                (uint64_t)arch_syscall1(__NR_getpgid, 0),
                                (uint64_t)arch_syscall1(__NR_getsid, 0)};
    rc = w.WriteRecord(IMG_REC_FAMILY, &family, sizeof family);
  }
  if (rc == 0 && processes > 0) {
    struct img_computation computation;
    memset(&computation, 0, sizeof computation);
    computation.processes = processes;
    memcpy(computation.compid, g_config.compid, sizeof computation.compid - 1);
    rc = w.WriteRecord(IMG_REC_COMPUTATION, &computation, sizeof computation);
  }
  if (rc == 0 && g_config.cpu_features[0] != '\0') {
    rc = w.WriteRecord(IMG_REC_CPU, g_config.cpu_features, strlen(g_config.cpu_features));
  }
  if (rc == 0) rc = WriteZombieRecords(&w);
  if (rc == 0) {
    int threads = WriteThreads(&w);
    rc = threads < 0 ? threads : 0;
  }
  if (rc == 0) rc = WritePluginRecords(&w);
  if (rc == 0) rc = WriteMemoryAreas(&w, &mem);
  if (rc == 0) {
    rc = w.Finish(result->image, sizeof result->image);
  } else {
    w.Abort();
  }
  result->bytes = w.file_bytes();
  sys::munmap(scratch, scratch_bytes);
  return rc;
}

}  // namespace

CheckpointOutcome TakeCheckpoint(uint64_t number, uint64_t processes, const char* dir,
                                 CheckpointResult* result) {
  memset(result, 0, sizeof *result);
  ThreadSlot* self = CheckpointThreadSlot();
  SaveSignalDispositions();
  int rc = ReadProcessState(&g_process_state);
  if (rc < 0) {
    GiveBackProcessSignals();
    result->error = rc;
    return CheckpointOutcome::kWritten;
  }
  memset(&g_restart_block, 0, sizeof g_restart_block);
  g_config.ckpt_number = number;
  SaveCallingThread(self);
  if (arch_context_save(&self->context) != 0) return CheckpointOutcome::kRestarted;
  result->error = WriteImage(number, processes, dir, result);
  // Still blocked everywhere: they wait for the resume.
  GiveBackProcessSignals();
  GiveBackSignals(&self->taken, false);
  return CheckpointOutcome::kWritten;
}

}  // namespace rt
