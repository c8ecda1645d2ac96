#!/bin/sh
# Writes libdmtcp.so's version script to stdout: the functions the given sources define
# with EXPORT (wrappers.h), and nothing else. Run by the :exports genrule.
set -eu
names=$(grep -h '^EXPORT' "$@" |
  sed -E 's/^EXPORT[^(]*[ *&]\(?([A-Za-z_][A-Za-z0-9_]*)\)?\(.*/\1/' | sort -u)
[ -n "$names" ] || { echo "gen_exports.sh: no EXPORT lines in $*" >&2; exit 1; }
echo "/* libdmtcp.so exports only its wrappers and the public API. Made from the EXPORT"
echo "   lines of core/runtime's sources by gen_exports.sh. */"
echo "{"
echo "  global:"
for n in $names; do echo "    $n;"; done
echo "  local:"
echo "    *;"
echo "};"
