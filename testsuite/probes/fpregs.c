// fpregs GO_FILE: the floating-point/SIMD registers of whichever CPU this is built for
// (x86 xmm0-7, aarch64 v0-v31, armv7 d0-d31) hold distinct values across a checkpoint
// and a restart. A worker loads them, spins in assembly that touches none of them
// until a flag is set, and stores them back. The signal that stops the worker for the
// checkpoint saves them in the kernel's signal frame; only that frame brings them back.
// Prints "ready" while spinning, then "fpregs ok: N registers"; exits 0 if all match.
#include <pthread.h>
#include <string.h>

#include "probe_util.h"

#if defined(__aarch64__)
#define NREGS 32
#define REG_BYTES 16
#elif defined(__arm__)
#define NREGS 32
#define REG_BYTES 8
#else
#define NREGS 8
#define REG_BYTES 16
#endif

static unsigned char in[NREGS][REG_BYTES] __attribute__((aligned(16)));
static unsigned char out[NREGS][REG_BYTES] __attribute__((aligned(16)));
static volatile int spinning, release;

#if defined(__i386__) || defined(__x86_64__)
__attribute__((target("sse2")))
#endif
static void* worker(void* arg) {
#if defined(__aarch64__)
  __asm__ volatile(
      "ld1 {v0.16b-v3.16b}, [%[i]], #64\n ld1 {v4.16b-v7.16b}, [%[i]], #64\n"
      "ld1 {v8.16b-v11.16b}, [%[i]], #64\n ld1 {v12.16b-v15.16b}, [%[i]], #64\n"
      "ld1 {v16.16b-v19.16b}, [%[i]], #64\n ld1 {v20.16b-v23.16b}, [%[i]], #64\n"
      "ld1 {v24.16b-v27.16b}, [%[i]], #64\n ld1 {v28.16b-v31.16b}, [%[i]], #64\n"
      "mov w9, #1\n str w9, %[spin]\n"
      "1: ldr w9, %[rel]\n cbz w9, 1b\n"
      "st1 {v0.16b-v3.16b}, [%[o]], #64\n st1 {v4.16b-v7.16b}, [%[o]], #64\n"
      "st1 {v8.16b-v11.16b}, [%[o]], #64\n st1 {v12.16b-v15.16b}, [%[o]], #64\n"
      "st1 {v16.16b-v19.16b}, [%[o]], #64\n st1 {v20.16b-v23.16b}, [%[o]], #64\n"
      "st1 {v24.16b-v27.16b}, [%[o]], #64\n st1 {v28.16b-v31.16b}, [%[o]], #64\n"
      : [spin] "=m"(spinning)
      : [i] "r"(in), [o] "r"(out), [rel] "m"(release)
      : "memory", "x9", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11",
        "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24",
        "v25", "v26", "v27", "v28", "v29", "v30", "v31");
#elif defined(__arm__)
  __asm__ volatile(
      ".fpu neon\n"
      "vldmia %[i], {d0-d15}\n add r3, %[i], #128\n vldmia r3, {d16-d31}\n"
      "mov r3, #1\n str r3, %[spin]\n"
      "1: ldr r3, %[rel]\n cmp r3, #0\n beq 1b\n"
      "vstmia %[o], {d0-d15}\n add r3, %[o], #128\n vstmia r3, {d16-d31}\n"
      : [spin] "=m"(spinning)
      : [i] "r"(in), [o] "r"(out), [rel] "m"(release)
      : "memory", "r3", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11",
        "d12", "d13", "d14", "d15", "d16", "d17", "d18", "d19", "d20", "d21", "d22", "d23", "d24",
        "d25", "d26", "d27", "d28", "d29", "d30", "d31");
#else
  __asm__ volatile(
      "movdqu 0(%[i]), %%xmm0\n movdqu 16(%[i]), %%xmm1\n movdqu 32(%[i]), %%xmm2\n"
      "movdqu 48(%[i]), %%xmm3\n movdqu 64(%[i]), %%xmm4\n movdqu 80(%[i]), %%xmm5\n"
      "movdqu 96(%[i]), %%xmm6\n movdqu 112(%[i]), %%xmm7\n"
      "movl $1, %[spin]\n"
      "1: pause\n cmpl $0, %[rel]\n je 1b\n"
      "movdqu %%xmm0, 0(%[o])\n movdqu %%xmm1, 16(%[o])\n movdqu %%xmm2, 32(%[o])\n"
      "movdqu %%xmm3, 48(%[o])\n movdqu %%xmm4, 64(%[o])\n movdqu %%xmm5, 80(%[o])\n"
      "movdqu %%xmm6, 96(%[o])\n movdqu %%xmm7, 112(%[o])\n"
      : [spin] "=m"(spinning)
      : [i] "r"(in), [o] "r"(out), [rel] "m"(release)
      : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
#endif
  return NULL;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  uint64_t seed = 0x9E3779B97F4A7C15ULL;
  for (int r = 0; r < NREGS; r++) {
    for (int b = 0; b < REG_BYTES; b += 8) {
      uint64_t v = pattern_next(&seed);
      memcpy(&in[r][b], &v, 8);
    }
  }
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  while (!spinning) usleep(1000);
  SAY("ready");
  wait_for_file(go);
  release = 1;
  pthread_join(t, NULL);
  for (int r = 0; r < NREGS; r++) {
    if (memcmp(in[r], out[r], REG_BYTES) != 0) {
      SAY("fpregs FAILED: register %d differs", r);
      return 1;
    }
  }
  SAY("fpregs ok: %d registers of %d bytes", NREGS, REG_BYTES);
  return 0;
}
