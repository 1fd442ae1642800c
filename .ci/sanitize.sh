#!/usr/bin/env bash
# Build the extension with AddressSanitizer + UndefinedBehaviorSanitizer
# (SIGMOID_EXT_SANITIZE=1) in a temporary copy of the tree and a fresh venv, then run
# the whole test suite under the sanitizers.  Any ASan or UBSan report fails the run:
# the build uses -fno-sanitize-recover=undefined and the runtime halt_on_error=1.
#
#   bash .ci/sanitize.sh [extra pytest args]
#
# Needs gcc with libasan/libubsan.  Python itself is not instrumented, so libasan is
# LD_PRELOADed (it must come first); leak detection is off because CPython does not free
# everything at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
CC=${CC:-gcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

echo "== sanitizer build in $work"
# The tracked and untracked-but-not-ignored files: no stale build products come along.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$work"
mkdir -p "$work/src" && (cd "$work" && find . -mindepth 1 -maxdepth 1 ! -name src \
  -exec mv {} src/ \;)
"$PY" -m venv --system-site-packages "$work/venv"
SIGMOID_EXT_SANITIZE=1 "$work/venv/bin/pip" install -q -e "$work/src[test]"
so=$(ls "$work"/src/sigmoid_ext/_sigmoid_ext_cffi*.so)
# The extension must really be instrumented, or a clean run would prove nothing.
nm -D "$so" | grep -c __asan_report >/dev/null || { echo "not built with ASan: $so"; exit 1; }
nm -D "$so" | grep -c __ubsan_handle >/dev/null || { echo "not built with UBSan: $so"; exit 1; }

asan=$("$CC" -print-file-name=libasan.so)
ubsan=$("$CC" -print-file-name=libubsan.so)
log="$work/san"
export LD_PRELOAD="$asan${ubsan:+:$ubsan}"
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=99:log_path=$log.asan:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=98:log_path=$log.ubsan"
echo "== pytest under ASan+UBSan (LD_PRELOAD=$LD_PRELOAD)"
rc=0
(cd "$work/src" && "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$@") || rc=$?
unset LD_PRELOAD
# Reports from child processes (the suite starts some) land in the log files too.
if ls "$log".* >/dev/null 2>&1; then
  echo "== sanitizer reports:"
  cat "$log".*
  [ "$rc" -ne 0 ] || rc=1
fi
if [ "$rc" -ne 0 ]; then
  echo "SANITIZE FAILED (rc=$rc)"
  exit "$rc"
fi
echo "SANITIZE OK: 0 ASan/UBSan findings"
