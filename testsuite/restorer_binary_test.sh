#!/usr/bin/env bash
# The restorer copies itself to another address and runs there (core/restorer/
# relocate.c). That only works if its binary needs no relocation at all: check it, for
# whichever arch this build is for.
set -uo pipefail
restorer="$(dirname "$0")/../core/tools/dmtcp_restorer"
relocs=$(readelf -rW "$restorer")
if echo "$relocs" | grep -q "Relocation section"; then
  echo "FAIL: $restorer has relocations:"
  echo "$relocs"
  exit 1
fi
if readelf -lW "$restorer" | grep -q INTERP; then
  echo "FAIL: $restorer asks for a dynamic loader"
  exit 1
fi
echo "PASS: $(file -bL "$restorer" | cut -d, -f1-2): no relocations, no interpreter"
