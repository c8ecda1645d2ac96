// zmm GO_FILE: the AVX-512 state across a checkpoint. A worker thread loads distinct
// values into zmm0-zmm31 and k0-k7, then spins in assembly that touches neither until
// a flag is set, and stores them back for comparison. The checkpoint signal lands
// while it spins: the registers live only in the kernel's signal frame (the XSAVE
// area) during the checkpoint and must come back from there after a restart.
// Prints "ready" while spinning, then "zmm ok" or the first difference; exits 0 if ok.
#include <pthread.h>
#include <string.h>

#include "probe_util.h"

static uint64_t in_zmm[32][8] __attribute__((aligned(64)));
static uint64_t out_zmm[32][8] __attribute__((aligned(64)));
static uint64_t in_k[8], out_k[8];
static volatile int spinning, release;

__attribute__((target("avx512f,avx512bw"))) static void* worker(void* arg) {
  __asm__ volatile(
#define LOADZ(n) "vmovdqu64 " #n "*64(%[zin]), %%zmm" #n "\n"
      LOADZ(0) LOADZ(1) LOADZ(2) LOADZ(3) LOADZ(4) LOADZ(5) LOADZ(6) LOADZ(7)
      LOADZ(8) LOADZ(9) LOADZ(10) LOADZ(11) LOADZ(12) LOADZ(13) LOADZ(14) LOADZ(15)
      LOADZ(16) LOADZ(17) LOADZ(18) LOADZ(19) LOADZ(20) LOADZ(21) LOADZ(22) LOADZ(23)
      LOADZ(24) LOADZ(25) LOADZ(26) LOADZ(27) LOADZ(28) LOADZ(29) LOADZ(30) LOADZ(31)
#define LOADK(n) "kmovq " #n "*8(%[kin]), %%k" #n "\n"
      LOADK(0) LOADK(1) LOADK(2) LOADK(3) LOADK(4) LOADK(5) LOADK(6) LOADK(7)
      "movl $1, %[spin]\n"
      "1: pause\n"
      "cmpl $0, %[rel]\n"
      "je 1b\n"
#define STOREZ(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%[zout])\n"
      STOREZ(0) STOREZ(1) STOREZ(2) STOREZ(3) STOREZ(4) STOREZ(5) STOREZ(6) STOREZ(7)
      STOREZ(8) STOREZ(9) STOREZ(10) STOREZ(11) STOREZ(12) STOREZ(13) STOREZ(14) STOREZ(15)
      STOREZ(16) STOREZ(17) STOREZ(18) STOREZ(19) STOREZ(20) STOREZ(21) STOREZ(22) STOREZ(23)
      STOREZ(24) STOREZ(25) STOREZ(26) STOREZ(27) STOREZ(28) STOREZ(29) STOREZ(30) STOREZ(31)
#define STOREK(n) "kmovq %%k" #n ", " #n "*8(%[kout])\n"
      STOREK(0) STOREK(1) STOREK(2) STOREK(3) STOREK(4) STOREK(5) STOREK(6) STOREK(7)
      : [spin] "=m"(spinning)
      : [zin] "r"(in_zmm), [kin] "r"(in_k), [zout] "r"(out_zmm), [kout] "r"(out_k),
        [rel] "m"(release)
      : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
        "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16", "xmm17",
        "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm24", "xmm25", "xmm26",
        "xmm27", "xmm28", "xmm29", "xmm30", "xmm31", "k1", "k2", "k3", "k4", "k5", "k6", "k7");
  return NULL;
}

int main(int argc, char** argv) {
  const char* go = argc > 1 ? argv[1] : "go";
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw")) {
    SAY("no AVX-512 on this CPU");
    return 77;
  }
  uint64_t seed = 0x2545F4914F6CDD1DULL;
  for (int r = 0; r < 32; r++) {
    for (int w = 0; w < 8; w++) in_zmm[r][w] = pattern_next(&seed);
  }
  for (int k = 0; k < 8; k++) in_k[k] = pattern_next(&seed);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  while (!spinning) usleep(1000);
  SAY("ready");
  wait_for_file(go);
  release = 1;
  pthread_join(t, NULL);
  for (int r = 0; r < 32; r++) {
    if (memcmp(in_zmm[r], out_zmm[r], 64) != 0) {
      SAY("zmm%d differs", r);
      return 1;
    }
  }
  for (int k = 0; k < 8; k++) {
    if (in_k[k] != out_k[k]) {
      SAY("k%d differs: %llx != %llx", k, (unsigned long long)out_k[k], (unsigned long long)in_k[k]);
      return 1;
    }
  }
  SAY("zmm ok: zmm0-31 and k0-7 as loaded");
  return 0;
}
