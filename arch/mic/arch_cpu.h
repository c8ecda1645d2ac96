/* mic port: the Xeon Phi's x86_64 with AVX-512 register state. The integer ABI is
 * x86_64's, so this port reuses its code; what differs is the image id (a mic image
 * needs an AVX-512 CPU to restart) and the compile flags that let programs use
 * zmm0-31 and k0-7, whose contents the kernel saves in the signal frame's XSAVE area. */
#ifndef ARCH_MIC_ARCH_CPU_H
#define ARCH_MIC_ARCH_CPU_H

#include "../x86_64/arch_cpu.h"

#undef ARCH_NAME
#undef ARCH_ID
#define ARCH_NAME "mic"
#define ARCH_ID ARCH_ID_MIC

#endif
