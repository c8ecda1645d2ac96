"""Where each foreign arch finds its libraries: the trees ci/sysroot unpacks.

Foreign arches link against, and their programs run with, Debian's libraries for that
arch unpacked by ci/sysroot (never apt-installed: a Multi-Arch: same package would have
to match the host's version). The RPATH (DT_RPATH, which also serves libraries loaded
later) and the ELF interpreter point into it, so the programs run natively or under
QEMU's binfmt_misc handler without -L. Keep in step with ci/sysroot.
"""

# bazel cpu: (Debian arch, multiarch dir, ld.so)
SYSROOTS = {
    "i386": ("i386", "i386-linux-gnu", "ld-linux.so.2"),
    "armv7": ("armhf", "arm-linux-gnueabihf", "ld-linux-armhf.so.3"),
    "aarch64": ("arm64", "aarch64-linux-gnu", "ld-linux-aarch64.so.1"),
}

SYSROOT_ROOT = "/opt/dmtcp-sysroot"

def sysroot_linkopts(cpu):
    if cpu not in SYSROOTS:
        return []
    debian_arch, multiarch, ldso = SYSROOTS[cpu]
    lib = "%s/%s/usr/lib/%s" % (SYSROOT_ROOT, debian_arch, multiarch)
    return [
        "-L" + lib,
        "-Wl,-rpath-link," + lib,
        "-Wl,--disable-new-dtags",
        "-Wl,-rpath," + lib,
        "-Wl,--dynamic-linker=%s/%s" % (lib, ldso),
    ]
