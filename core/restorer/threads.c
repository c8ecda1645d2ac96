/*
 * Starting the image's threads. Each gets a kernel thread, with its old id when the
 * kernel allows it (clone3 with set_tid needs CAP_CHECKPOINT_RESTORE), on a small
 * stack in the hole; it sets its thread pointer and jumps to the context its runtime
 * saved, leaving the hole for good. The first thread of this process becomes the
 * image's main thread, so that its id stays the process id.
 */
#include <linux/sched.h>

#include "core/image/restart_block.h"
#include "core/restorer/restorer.h"
#include "core/restorer/sys.h"

#define THREAD_FLAGS \
  (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

/* Threads that have set their thread pointer. The main thread sets its own last:
 * under QEMU user mode an i386 guest's threads share one GDT, which every sigreturn
 * reloads %gs from, and the main thread is the one the checkpoint signal reaches. */
static uint32_t pointers_set;

static void enter_thread(void* arg) {
  const struct plan_thread* t = arg;
  long rc = arch_set_thread_pointer((void*)(uintptr_t)t->thread_pointer);
  if (rc < 0) restorer_die("cannot set the thread pointer of thread %lu (errno %ld)",
                           (unsigned long)t->tid, -rc);
  __atomic_add_fetch(&pointers_set, 1, __ATOMIC_RELEASE);
  arch_context_restore((const struct arch_jmpbuf*)(uintptr_t)t->context, 1);
}

/* Returns 1 if the thread kept its id. */
static int start_thread(struct restorer* r, const struct plan_thread* t, uint32_t slot) {
  const uint64_t stack = r->thread_stacks + (uint64_t)slot * RESTORER_THREAD_STACK_SIZE;
  struct clone_args args = {0};
  int32_t tid = (int32_t)t->tid;
  args.flags = THREAD_FLAGS;
  args.stack = stack;
  args.stack_size = RESTORER_THREAD_STACK_SIZE;
  args.set_tid = (uint64_t)(uintptr_t)&tid;
  args.set_tid_size = 1;
  long rc = arch_clone3(&args, sizeof args, enter_thread, (void*)t);
  if (rc > 0) return 1;
  if (rc != -38 /* ENOSYS */) { /* id taken or not permitted: any id will do */
    args.set_tid = 0;
    args.set_tid_size = 0;
    rc = arch_clone3(&args, sizeof args, enter_thread, (void*)t);
  }
  if (rc == -38) { /* no clone3 (QEMU user mode): the classic call */
    rc = arch_clone(THREAD_FLAGS, (void*)(uintptr_t)(stack + RESTORER_THREAD_STACK_SIZE), 0, 0,
                    enter_thread, (void*)t);
  }
  if (rc < 0) restorer_die("cannot start thread %lu (errno %ld)", (unsigned long)t->tid, -rc);
  return 0;
}

void restorer_start_threads(struct restorer* r) {
  const struct plan_thread* threads = plan_threads(r->plan);
  const struct plan_thread* main_thread = 0;
  int kept = 1;
  uint32_t slot = 0;
  for (uint32_t i = 0; i < r->plan->n_threads; i++) {
    if (threads[i].is_main) main_thread = &threads[i];
  }
  kept &= (uint64_t)sys_getpid() == main_thread->tid;

  /* Complete before the first thread starts: the checkpoint thread may be that one.
   * Only ids_kept is settled later, before the main thread (the last) reports back. */
  struct restart_block* rb = (struct restart_block*)(uintptr_t)r->plan->restart_block;
  rb->hole_start = r->hole;
  rb->hole_len = r->hole_len;
  rb->n_threads = r->plan->n_threads;
  rb->ids_kept = 0;
  __atomic_store_n(&rb->magic, RESTART_BLOCK_MAGIC, __ATOMIC_RELEASE);
  for (uint32_t i = 0; i < r->plan->n_threads; i++) {
    if (&threads[i] == main_thread) continue;
    kept &= start_thread(r, &threads[i], slot++);
  }
  __atomic_store_n(&rb->ids_kept, (uint32_t)kept, __ATOMIC_RELEASE);
  while (__atomic_load_n(&pointers_set, __ATOMIC_ACQUIRE) < r->plan->n_threads - 1) {
    sys_sched_yield();
  }
  enter_thread((void*)main_thread);
  __builtin_unreachable();
}
