#!/usr/bin/env bash
# The example plugins (examples/plugins/) built and run from an installed tree, as a
# user outside the repository would: ci/install PREFIX --arch ARCH, then
# examples/plugins/test.sh PREFIX with that arch's compiler. aarch64's programs link
# against ci/sysroot's tree and run under QEMU through binfmt_misc, as the Bazel
# builds do (toolchains/sysroot.bzl: keep in step).
#   testsuite/installed_examples_test.sh [ARCH...]     (default: x86_64)
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/dmtcp-examples.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
for arch in "${@:-x86_64}"; do
  case "$arch" in
    x86_64) cc=gcc; ldflags="";;
    aarch64)
      cc=aarch64-linux-gnu-gcc
      lib=${SYSROOT_ROOT:-/opt/dmtcp-sysroot}/arm64/usr/lib/aarch64-linux-gnu
      ldflags="-L$lib -Wl,-rpath-link,$lib -Wl,--disable-new-dtags -Wl,-rpath,$lib -Wl,--dynamic-linker=$lib/ld-linux-aarch64.so.1";;
    *) echo "installed_examples_test: no compiler settings for $arch" >&2; exit 99;;
  esac
  echo "--- $arch: ci/install $work/$arch --arch $arch; examples/plugins/test.sh with $cc"
  if ! ci/install "$work/$arch" --arch "$arch" > "$work/install-$arch.txt" 2>&1; then
    echo "FAIL: $arch: ci/install: $(cat "$work/install-$arch.txt")"
    status=1
    continue
  fi
  CC=$cc LDFLAGS=$ldflags TMPDIR=$work examples/plugins/test.sh "$work/$arch" || status=1
done
exit $status
