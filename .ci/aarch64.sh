#!/usr/bin/env bash
# Cross-machine bit identity (issue 15): build tests/aarch64/driver.c with the library's
# C sources for x86-64 (natively) and for aarch64 (cross-compiled, run under user-mode
# QEMU), hash every function's outputs on both dtypes (the inputs of
# `python -m sigmoid_ext.bench.bithash --hashes`), and fail unless the aarch64 path
# (NEON + FMA) gives the same bits as every x86 FMA path (avx2, avx512) this CPU runs.
#
#   bash .ci/aarch64.sh [stride [points]]      # default 4099 65536, about 15 s
#
# Needs gcc, aarch64-linux-gnu-gcc and qemu-aarch64
# (Debian/Ubuntu: apt-get install -y gcc-aarch64-linux-gnu qemu-user).
# The x86 baseline (SSE2, no FMA) is printed for reference; it is the documented
# exception (docs/accuracy.md) and is not compared.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
CC_A64=${CC_A64:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-aarch64}
SYSROOT=${SYSROOT:-/usr/aarch64-linux-gnu}
# the library's flags (sigmoid_ext/_build_ffi.py); -ffp-contract=off matters most
CFLAGS="-std=gnu11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -Wall -Werror"
SRC="tests/aarch64/driver.c csrc/dispatch.c csrc/drivers.c csrc/parallel.c
     csrc/isa/isa_baseline.c csrc/isa/isa_x86_64_v3.c csrc/isa/isa_x86_64_v4.c"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2086
"$CC" $CFLAGS -Icsrc $SRC -o "$work/hash_x86" -lm -lpthread
# shellcheck disable=SC2086
"$CC_A64" $CFLAGS -Icsrc $SRC -o "$work/hash_a64" -lm -lpthread
"$work/hash_x86" "$@" > "$work/x86.txt"
"$QEMU" -L "$SYSROOT" "$work/hash_a64" "$@" > "$work/a64.txt"

fma_paths=$(awk '$3 != "baseline" {print $3}' "$work/x86.txt" | sort -u)
if [ -z "$fma_paths" ]; then
  echo "this CPU runs no x86 FMA path (avx2, avx512): nothing to compare" >&2
  exit 0
fi
status=0
printf '%-18s %-8s %-18s %s\n' function dtype aarch64 "x86 paths (= same bits)"
while read -r f d _ h; do
  line=""
  for p in $fma_paths baseline; do
    x=$(awk -v f="$f" -v d="$d" -v p="$p" '$1 == f && $2 == d && $3 == p {print $4}' "$work/x86.txt")
    if [ "$x" = "$h" ]; then line="$line $p="; else line="$line $p:$x"; fi
    if [ "$p" != baseline ] && [ "$x" != "$h" ]; then status=1; fi
  done
  printf '%-18s %-8s %-18s%s\n' "$f" "$d" "$h" "$line"
done < "$work/a64.txt"
if [ $status -ne 0 ]; then
  echo "FAIL: aarch64 differs from an x86 FMA path (entries marked path:hash)" >&2
else
  echo "ok: aarch64 (NEON) and x86 $(echo $fma_paths | tr '\n' ' ')give the same bits for every function and dtype"
fi
exit $status
