// arch_names.h - facts about every arch id an image may carry, for the tools (which
// may handle images and programs of an arch other than their own build's).
#ifndef CORE_IMAGE_ARCH_NAMES_H
#define CORE_IMAGE_ARCH_NAMES_H

#include <stdint.h>

namespace img {

struct ArchFacts {
  uint32_t id;           // enum arch_id (arch/arch.h)
  const char* name;
  const char* triple;    // Debian multiarch directory, what ld.so's $LIB names
  unsigned elf_machine;  // e_machine of its programs
  int bits;
};

inline constexpr ArchFacts kArches[] = {
    {1, "x86_64", "x86_64-linux-gnu", 62, 64},
    {2, "i386", "i386-linux-gnu", 3, 32},
    {3, "armv7", "arm-linux-gnueabihf", 40, 32},
    {4, "aarch64", "aarch64-linux-gnu", 183, 64},
    {5, "mic", "x86_64-linux-gnu", 62, 64},
};

inline const ArchFacts* FindArch(uint32_t id) {
  for (const ArchFacts& a : kArches) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

inline const char* ArchName(uint32_t id) {
  const ArchFacts* a = FindArch(id);
  return a ? a->name : "an unknown arch";
}

// The arch of a program from its ELF header; `own` decides between x86_64 and mic.
inline uint32_t ArchOfElf(unsigned machine, int bits, uint32_t own) {
  const ArchFacts* mine = FindArch(own);
  if (mine && mine->elf_machine == machine && mine->bits == bits) return own;
  for (const ArchFacts& a : kArches) {
    if (a.elf_machine == machine && a.bits == bits) return a.id;
  }
  return 0;
}

}  // namespace img

#endif  // CORE_IMAGE_ARCH_NAMES_H
