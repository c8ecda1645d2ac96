// arch_names.h - printable names for the arch ids stored in images.
#ifndef CORE_IMAGE_ARCH_NAMES_H
#define CORE_IMAGE_ARCH_NAMES_H

#include <stdint.h>

namespace img {

inline const char* ArchName(uint32_t id) {
  switch (id) {
    case 1: return "x86_64";
    case 2: return "i386";
    case 3: return "armv7";
    case 4: return "aarch64";
    case 5: return "mic";
    default: return "an unknown arch";
  }
}

}  // namespace img

#endif  // CORE_IMAGE_ARCH_NAMES_H
