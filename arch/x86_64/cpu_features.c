/* x86 (x86_64, i386, mic): the ISA extensions among /proc/cpuinfo's flags. The other
 * flags (hypervisor, constant_tsc, ...) describe the machine, not the instructions a
 * program may run, and differ between hosts that run the same code. */
#include "arch/arch.h"
#include "arch/cpu_features_util.h"

static const char* const kIsaFlags[] = {
    "mmx", "sse", "sse2", "pni", "ssse3", "sse4_1", "sse4_2", "sse4a", "popcnt", "abm",
    "cx16", "movbe", "aes", "pclmulqdq", "avx", "avx2", "fma", "fma4", "f16c", "bmi1",
    "bmi2", "adx", "rdrand", "rdseed", "sha_ni", "erms", "fsrm", "clflushopt", "clwb",
    "xsave", "xsaveopt", "xsavec", "rdpid", "rdtscp", "vaes", "vpclmulqdq", "gfni",
    "avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl", "avx512ifma",
    "avx512vbmi", "avx512_vbmi2", "avx512_vnni", "avx512_bitalg", "avx512_vpopcntdq",
    "avx512_bf16", "avx512_fp16", "avx_vnni", "amx_tile", "amx_bf16", "amx_int8",
    "movdiri", "movdir64b", "serialize", "waitpkg", "lzcnt",
};

static int is_isa_flag(const char* name, size_t n) {
  for (size_t i = 0; i < sizeof kIsaFlags / sizeof kIsaFlags[0]; i++) {
    const char* f = kIsaFlags[i];
    size_t k = 0;
    while (k < n && f[k] == name[k]) k++;
    if (k == n && f[k] == '\0') return 1;
  }
  return 0;
}

size_t arch_cpu_features(char* out, size_t size) {
  static char info[16384]; /* the first processor's lines are enough */
  size_t len = 0;
  if (size == 0) return 0;
  out[0] = '\0';
  size_t n = cpu_read_file("/proc/cpuinfo", info, sizeof info - 1);
  info[n] = '\0';
  const char* line = info;
  while (*line && !(line[0] == 'f' && line[1] == 'l' && line[2] == 'a' && line[3] == 'g' &&
                    line[4] == 's' && (line[5] == '\t' || line[5] == ' '))) {
    while (*line && *line != '\n') line++;
    if (*line) line++;
  }
  while (*line && *line != ':' && *line != '\n') line++;
  if (*line != ':') return 0;
  for (const char* p = line + 1; *p && *p != '\n';) {
    while (*p == ' ') p++;
    const char* word = p;
    while (*p && *p != ' ' && *p != '\n') p++;
    if (p > word && is_isa_flag(word, (size_t)(p - word))) cpu_add_name(out, size, &len, word, (size_t)(p - word));
  }
  return len;
}
