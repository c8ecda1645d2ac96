// Proves a CPU port against libc: every function declared in arch/arch.h is checked
// here, on the real CPU or under QEMU user mode. Built once per arch by
// //arch/<cpu>:arch_test.
#include "arch/arch.h"

#include <asm/unistd.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "gtest/gtest.h"

namespace {

TEST(ArchPort, ReportsWhereItRuns) {
  struct utsname u;
  ASSERT_EQ(uname(&u), 0);
  // The kernel answers uname for the guest under QEMU (aarch64, armv7l) and for the
  // host otherwise; the pointer size tells a 32-bit binary on a 64-bit kernel.
  std::printf("arch port %s: uname -m = %s, pointer size %zu bytes\n", ARCH_NAME, u.machine,
              sizeof(void*));
  RecordProperty("uname_m", u.machine);
  RecordProperty("arch_port", ARCH_NAME);
}

// Some instruction-set features, as lower-case names: every CPU we port to has some
// (x86: sse2 and up; ARM: vfp or fp), and the answer fits the buffer given.
TEST(ArchPort, NamesTheCpuFeatures) {
  char features[2048];
  const size_t len = arch_cpu_features(features, sizeof features);
  EXPECT_GT(len, 0u);
  EXPECT_EQ(len, strlen(features));
  for (size_t i = 0; i < len; i++) {
    EXPECT_TRUE(islower(features[i]) || isdigit(features[i]) || features[i] == '_' ||
                features[i] == ' ')
        << features;
  }
  char small[8];
  EXPECT_LT(arch_cpu_features(small, sizeof small), sizeof small);
  std::printf("arch port: cpu features: %s\n", features);
}

TEST(ArchPort, RawSyscallMatchesLibc) {
  EXPECT_EQ(arch_syscall0(__NR_getpid), getpid());
  EXPECT_EQ(arch_syscall0(__NR_gettid), gettid());
  EXPECT_EQ(arch_syscall1(__NR_close, -1), -EBADF);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const char msg[] = "through a raw write";
  EXPECT_EQ(arch_syscall3(__NR_write, fds[1], (long)msg, sizeof msg), (long)sizeof msg);
  char buf[sizeof msg] = {};
  ASSERT_EQ(read(fds[0], buf, sizeof buf), (ssize_t)sizeof msg);
  EXPECT_STREQ(buf, msg);
  close(fds[0]);
  close(fds[1]);
}

TEST(ArchPort, ThreadPointerIsWhatLibcUses) {
  EXPECT_EQ(arch_get_thread_pointer(), __builtin_thread_pointer());
  void* in_thread = nullptr;
  void* libc_in_thread = nullptr;
  std::thread([&] {
    in_thread = arch_get_thread_pointer();
    libc_in_thread = __builtin_thread_pointer();
  }).join();
  EXPECT_EQ(in_thread, libc_in_thread);
  EXPECT_NE(in_thread, arch_get_thread_pointer());  // each thread has its own
}

thread_local int tls_marker = 1234;

TEST(ArchPort, SetThreadPointerMovesTls) {
  std::thread([] {
    void* mine = arch_get_thread_pointer();
    tls_marker = 42;
    // Point TLS at another thread's block for a moment, with no TLS access meanwhile.
    static void* other;
    std::thread([] { other = arch_get_thread_pointer(); }).join();
    ASSERT_EQ(arch_set_thread_pointer(other), 0);
    void* seen = arch_get_thread_pointer();
    ASSERT_EQ(arch_set_thread_pointer(mine), 0);
    EXPECT_EQ(seen, other);
    EXPECT_EQ(arch_get_thread_pointer(), mine);
    EXPECT_EQ(tls_marker, 42);
  }).join();
}

TEST(ArchPort, ContextSaveAndRestoreRoundTrip) {
  struct arch_jmpbuf buf;
  volatile int passes = 0;
  int rc = arch_context_save(&buf);
  passes = passes + 1;
  if (rc == 0) arch_context_restore(&buf, 7);
  EXPECT_EQ(rc, 7);
  EXPECT_EQ(passes, 2);

  passes = 0;
  rc = arch_context_save(&buf);
  passes = passes + 1;
  if (rc == 0) arch_context_restore(&buf, 0);
  EXPECT_EQ(rc, 1) << "restoring with 0 must resume with 1, like longjmp";
}

struct StackProbe {
  struct arch_jmpbuf back;
  uintptr_t local_address;
};

void RecordStackAndReturn(void* arg) {
  auto* probe = static_cast<StackProbe*>(arg);
  int local = 0;
  probe->local_address = reinterpret_cast<uintptr_t>(&local);
  arch_context_restore(&probe->back, 1);
}

TEST(ArchPort, CallOnStackRunsOnTheGivenStack) {
  const size_t size = 64 * 1024;
  char* stack = static_cast<char*>(
      mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(stack, MAP_FAILED);
  StackProbe probe{};
  if (arch_context_save(&probe.back) == 0) {
    arch_call_on_stack(stack + size, RecordStackAndReturn, &probe);
  }
  EXPECT_GE(probe.local_address, reinterpret_cast<uintptr_t>(stack));
  EXPECT_LT(probe.local_address, reinterpret_cast<uintptr_t>(stack + size));
  munmap(stack, size);
}

struct CloneProbe {
  std::atomic<long> child_tid{0};
  std::atomic<uintptr_t> local_address{0};
  int clear_tid = 0;  // the kernel zeroes it and wakes a futex when the child exits
};

void CloneChild(void* arg) {
  // Only raw syscalls here: the child shares the parent's TLS block.
  auto* probe = static_cast<CloneProbe*>(arg);
  int local = 0;
  probe->local_address.store(reinterpret_cast<uintptr_t>(&local));
  probe->child_tid.store(arch_syscall0(__NR_gettid));
  arch_syscall1(__NR_exit, 0);
}

// Starts CloneChild with clone3 or clone on a fresh stack and checks it ran there.
void CheckCloneStartsThread(bool use_clone3) {
  const size_t size = 64 * 1024;
  char* stack = static_cast<char*>(
      mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(stack, MAP_FAILED);
  CloneProbe probe;
  const unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                              CLONE_THREAD | CLONE_SYSVSEM | CLONE_CHILD_CLEARTID |
                              CLONE_PARENT_SETTID;
  long tid;
  if (use_clone3) {
    struct clone_args args;
    std::memset(&args, 0, sizeof args);
    args.flags = flags;
    args.child_tid = reinterpret_cast<uintptr_t>(&probe.clear_tid);
    args.parent_tid = reinterpret_cast<uintptr_t>(&probe.clear_tid);  // set before we wait
    args.stack = reinterpret_cast<uintptr_t>(stack);
    args.stack_size = size;
    tid = arch_clone3(&args, sizeof args, CloneChild, &probe);
    if (tid == -ENOSYS) {
      munmap(stack, size);
      GTEST_SKIP() << "SKIPPED LOUDLY: this kernel or emulator has no clone3 (QEMU 7.2 user "
                      "mode returns ENOSYS); arch_clone is the fallback and is tested below";
    }
  } else {
    tid = arch_clone(flags, stack + size, &probe.clear_tid, &probe.clear_tid, CloneChild,
                     &probe);
  }
  ASSERT_GT(tid, 0) << "clone: " << std::strerror(static_cast<int>(-tid));
  // Wait for the kernel's exit notification on clear_tid.
  while (__atomic_load_n(&probe.clear_tid, __ATOMIC_ACQUIRE) != 0) {
    arch_syscall4(__NR_futex, reinterpret_cast<long>(&probe.clear_tid), FUTEX_WAIT,
                  static_cast<long>(tid), 0);
  }
  EXPECT_EQ(probe.child_tid.load(), tid);
  EXPECT_NE(tid, gettid());
  EXPECT_GE(probe.local_address.load(), reinterpret_cast<uintptr_t>(stack));
  EXPECT_LT(probe.local_address.load(), reinterpret_cast<uintptr_t>(stack + size));
  munmap(stack, size);
}

TEST(ArchPort, Clone3StartsAThreadOnItsOwnStack) { CheckCloneStartsThread(true); }

TEST(ArchPort, CloneStartsAThreadOnItsOwnStack) { CheckCloneStartsThread(false); }

// --- rewinding a system call a handler interrupted ---------------------------------

struct BlockedCall {
  long nr = -1;
  long arg0 = 0;
  uintptr_t pc = 0;
};

BlockedCall observed;
std::atomic<int> rewound{-1};

void RewindingHandler(int, siginfo_t*, void* uc) {
  rewound = arch_rewind_interrupted_syscall(uc, observed.nr, observed.arg0, observed.pc);
}

// Reads /proc/self/task/<tid>/syscall: "nr arg0 ... arg5 sp pc" while blocked.
bool ReadBlockedCall(pid_t tid, BlockedCall* out) {
  char path[64], text[256] = {};
  std::snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return false;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return false;
  unsigned long args[6], sp, pc;
  long nr;
  if (std::sscanf(text, "%ld %lx %lx %lx %lx %lx %lx %lx %lx", &nr, &args[0], &args[1],
                  &args[2], &args[3], &args[4], &args[5], &sp, &pc) != 9) {
    return false;
  }
  out->nr = nr;
  out->arg0 = static_cast<long>(args[0]);
  out->pc = pc;
  return true;
}

TEST(ArchPort, RewindsAReadInterruptedByAHandler) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = RewindingHandler;
  sa.sa_flags = SA_SIGINFO;  // deliberately no SA_RESTART: the read would fail with EINTR
  ASSERT_EQ(sigaction(SIGUSR1, &sa, nullptr), 0);

  std::atomic<pid_t> reader_tid{0};
  ssize_t got = -2;
  int err = 0;
  char byte = 0;
  std::thread reader([&] {
    reader_tid = gettid();
    got = read(fds[0], &byte, 1);
    err = errno;
  });
  while (reader_tid == 0) usleep(1000);

  bool seen = false;
  for (int i = 0; i < 2000 && !seen; i++) {
    seen = ReadBlockedCall(reader_tid, &observed) && observed.nr == __NR_read &&
           observed.arg0 == fds[0];
    if (!seen) usleep(1000);
  }
  if (!seen) {
    char one = 'x';
    ASSERT_EQ(write(fds[1], &one, 1), 1);
    reader.join();
    GTEST_SKIP() << "SKIPPED LOUDLY: /proc/<tid>/syscall never showed this thread in read(); "
                    "under QEMU user mode it describes the emulator's host thread, so the "
                    "rewind cannot be checked here";
  }
  ASSERT_EQ(pthread_kill(reader.native_handle(), SIGUSR1), 0);
  while (rewound < 0) usleep(1000);
  usleep(20000);  // the reader is back in read(), not returned with EINTR
  char one = 'y';
  ASSERT_EQ(write(fds[1], &one, 1), 1);
  reader.join();
  EXPECT_EQ(rewound.load(), 1);
  EXPECT_EQ(got, 1) << "read failed: " << std::strerror(err);
  EXPECT_EQ(byte, 'y');
  signal(SIGUSR1, SIG_DFL);
  close(fds[0]);
  close(fds[1]);
}

}  // namespace
