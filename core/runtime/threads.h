// threads.h - finding, freezing and thawing the application's threads.
//
// The checkpoint thread finds threads in /proc/self/task, so no thread has to be
// registered when it starts, and sends each the checkpoint signal. The handler
// records what the kernel holds for the thread (thread pointer, alternate stack, rseq
// and robust-list registrations, the clear-tid address, its name), saves a resume
// point with arch_context_save() and waits. The interrupted registers, FPU and vector
// state included, stay in the kernel's signal frame on the thread's own stack, which
// the image saves like any memory; returning from the handler restores them, in the
// same process or in a restored one.
#ifndef CORE_RUNTIME_THREADS_H
#define CORE_RUNTIME_THREADS_H

#include <signal.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/runtime/signals.h"

namespace rt {

enum ThreadState : int {
  kThreadUnused = 0,
  kThreadSignaled,  // asked to stop, handler not yet run
  kThreadSuspended, // waiting in the handler
  kThreadRestored,  // started again by the restorer, waiting to be resumed
  kThreadResumed,   // released; the slot is reused at the next checkpoint
  kThreadCancelled, // the checkpoint was abandoned before its handler ran
};

struct ThreadSlot {
  int state;          // ThreadState, accessed atomically
  int tid;            // the kernel's id when checkpointed (and after a restart, the new one)
  int virtual_tid;    // the id the program knows the thread by
  int is_checkpoint_thread;
  void* thread_pointer;
  struct arch_jmpbuf context;
  // What the kernel keeps per thread, re-established after a restart.
  stack_t altstack;
  void* clear_tid;    // glibc's &pthread->tid (set_tid_address)
  void* robust_head;
  size_t robust_len;
  void* rseq_area;
  uint32_t rseq_len, rseq_sig;
  char comm[16];
  TakenSignals taken; // signals pending for this thread alone, with their siginfo
  uint64_t pending;   // and those left pending (raised again, bare, at restart)
  int restarted;      // set when the thread came back in a restored process
  // The blocking system call the thread was in when signalled, to rewind it.
  long blocked_nr, blocked_arg0;
  uintptr_t blocked_pc;
  int blocked_valid;
};

// Installs the checkpoint signal handler. Called once at startup.
void InstallCheckpointHandler();

// Stops every thread but the caller. Returns 0, or -1 if some thread did not stop
// in time (then every thread runs again).
int SuspendThreads();

// How many times SuspendThreads() has begun: a wrapper whose blocking call failed with
// EINTR tells a checkpoint (retry) from the program's own signal (return) by it.
unsigned long SuspendGeneration();

// Whether a system call blocked at checkpoint time names kernel objects by ids that
// change across a restart (System V IPC): it is then not rewound but fails with EINTR,
// and its wrapper calls again with the ids of the moment. (plugins/sysv_ipc.cc)
bool SyscallNamesRenumberedObjects(long nr);
// Releases threads stopped by SuspendThreads() or started by the restorer.
void ResumeThreads();

// Finds glibc's tid field in the calling thread's descriptor (not the main thread).
void LearnTidOffset();
// Where glibc keeps thread `th`'s id (the id the program knows, after a restart too),
// or nullptr while LearnTidOffset() has not found it.
int* ThreadIdWord(unsigned long th);

// The checkpoint thread's own slot, filled by SaveCallingThread().
ThreadSlot* CheckpointThreadSlot();
void SaveCallingThread(ThreadSlot* slot);
void RestoreCallingThread(ThreadSlot* slot);

// Finds the threads that are not the program's (an emulator's helpers, which block
// every signal): all threads but the caller and those is_ours() claims. At startup
// only the main thread is the program's; after a restart, the restored ones.
void NoteForeignThreads(bool (*is_ours)(int tid));

// In a forked child, where only the forking thread exists: none of the parent's
// threads that were still leaving our handler came along.
void ForgetOtherThreads();
bool IsRestoredThread(int tid);

// After a restart: tells the pid table each restored thread's old and new id.
void RegisterRestoredThreadIds();

// After a restart: wait until every other thread is back in its handler.
void WaitForRestoredThreads(int expected);

// The slots of the last SuspendThreads(), for the image writer; only those in state
// kThreadSuspended (slot 0, the checkpoint thread, included) are threads to save.
int ThreadCount();
ThreadSlot* ThreadAt(int i);

// True in the checkpoint signal handler for a signal the runtime did not send.
void ForwardSignalToApplication(int sig, siginfo_t* info, void* ucontext);

}  // namespace rt

#endif  // CORE_RUNTIME_THREADS_H
