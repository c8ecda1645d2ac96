// Whether this process runs under QEMU user mode rather than on a kernel of its own arch.
#ifndef CORE_COMMON_EMULATION_H
#define CORE_COMMON_EMULATION_H

namespace dmtcp {

// ARM builds: the kernel's own arch (/proc/sys/kernel/arch, which QEMU does not
// emulate) is not ARM. x86 builds: QEMU keeps the guest's descriptor tables in the
// guest's own memory (arch_emulator_tables() names mapped pages).
bool ThisProcessIsEmulated();

}  // namespace dmtcp

#endif  // CORE_COMMON_EMULATION_H
