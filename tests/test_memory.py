"""Memory safety at the edges of mapped memory, and arrays of more than 2^31 items.

Guard pages: arrays are placed so that their last byte is the last byte before a
PROT_NONE page (or their first byte the first after one), and every public function is
called on them, as input, as out= and, for sigmoid_backward, as each operand, for every
n in 0..200, contiguous, strided and reversed, float32 and float64, on every ISA path.
A kernel that reads or writes one item too far gets SIGSEGV; the checks run in a child
interpreter so that this is a test failure with a message, not a dead pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap

import numpy as np
import pytest
from support import mem_available

import sigmoid_ext

GUARD_SCRIPT = textwrap.dedent(r"""
    import ctypes, mmap, sys
    import numpy as np
    import sigmoid_ext as sx

    sx.set_isa(sys.argv[1])
    NMAX = int(sys.argv[2])
    PAGE = mmap.PAGESIZE
    DATA = 2 * PAGE                            # [guard][2 data pages][guard]
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]

    class Region:
        def __init__(self):
            self.m = mmap.mmap(-1, DATA + 2 * PAGE)
            self.addr = ctypes.addressof(ctypes.c_char.from_buffer(self.m))
            for start in (0, PAGE + DATA):
                if libc.mprotect(self.addr + start, PAGE, 0) != 0:
                    raise OSError(ctypes.get_errno(), "mprotect failed")

        def at_end(self, dt, n, step):
            # n items, `step` apart, the last item's last byte just before the guard.
            isz = np.dtype(dt).itemsize
            span = ((n - 1) * step + 1) * isz if n else 0
            return np.ndarray((n,), dt, buffer=self.m, offset=PAGE + DATA - span,
                              strides=(step * isz,))

        def at_start(self, dt, n, step):
            isz = np.dtype(dt).itemsize
            return np.ndarray((n,), dt, buffer=self.m, offset=PAGE, strides=(step * isz,))

    regions = [Region(), Region(), Region()]
    rng = np.random.default_rng(0)
    checked = 0

    def same(got, want, what):
        global checked
        checked += 1
        if not np.array_equal(got, want, equal_nan=True):
            sys.exit(f"wrong result: {what}")

    for dt in (np.float32, np.float64):
        for n in range(NMAX + 1):
            src = rng.uniform(-30, 30, n).astype(dt)
            # Inputs the AVX-512 float32 kernels hand to their scalar fallback, in
            # varying lanes: the far tails and NaN.
            src[::7] = rng.choice([-100.0, -85.0, 81.0, 300.0, np.nan], len(src[::7]))
            ysrc = rng.uniform(0, 1, n).astype(dt)
            for place in ("at_end", "at_start"):
                for step in (1, 2, 3):
                    for rev in (False, True):
                        def edge(r, data):
                            a = getattr(regions[r], place)(dt, n, step)
                            a = a[::-1] if rev else a
                            a[...] = data
                            return a
                        what = f"{dt.__name__} n={n} {place} step={step} rev={rev}"
                        for f in (sx.sigmoid, sx.sigmoid_grad, sx.log_sigmoid_grad):
                            want = f(src)
                            same(f(edge(0, src)), want, f"{f.__name__}(x) {what}")
                            o = edge(1, 0)
                            f(src, out=o)
                            same(o, want, f"{f.__name__}(out=) {what}")
                            x = edge(0, src)
                            o = edge(1, 0)
                            f(x, out=o)
                            same(o, want, f"{f.__name__}(x, out=) {what}")
                            x = edge(0, src)
                            f(x, out=x)
                            same(x, want, f"{f.__name__}(x, out=x) {what}")
                        want = sx.sigmoid_and_grad(src)
                        o1, o2 = edge(1, 0), edge(2, 0)
                        sx.sigmoid_and_grad(edge(0, src), out=(o1, o2))
                        same((o1, o2), want, f"sigmoid_and_grad(all edge) {what}")
                        x, o2 = edge(0, src), edge(2, 0)
                        sx.sigmoid_and_grad(x, out=(x, o2))
                        same((x, o2), want, f"sigmoid_and_grad(out=(x, .)) {what}")
                        b = sx.sigmoid_backward
                        want = b(src, ysrc)
                        same(b(edge(0, src), ysrc), want, f"backward(g edge) {what}")
                        same(b(src, edge(1, ysrc)), want, f"backward(y edge) {what}")
                        g, y, o = edge(0, src), edge(1, ysrc), edge(2, 0)
                        b(g, y, out=o)
                        same(o, want, f"backward(all edge) {what}")
                        same(b(dt(0.5), edge(1, ysrc)), b(dt(0.5), ysrc),
                             f"backward(scalar g, y edge) {what}")
                        g = edge(0, src)
                        b(g, ysrc, out=g)
                        same(g, want, f"backward(out=g) {what}")
    print("OK", checked)
""")


def run_child(args, timeout=240, env=None):
    # cwd outside the source tree: `python -c` puts cwd first on sys.path, and the
    # uncompiled source package there would shadow the installed one.
    return subprocess.run([sys.executable, "-c", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=tempfile.gettempdir())


def test_guard_pages(isa):
    proc = run_child([GUARD_SCRIPT, isa, "200"])
    assert proc.returncode == 0 and proc.stdout.startswith("OK"), (
        f"child exited with {proc.returncode} (negative: killed by that signal, -11 = "
        f"SIGSEGV: an access past the array)\nstdout: {proc.stdout[-2000:]}\n"
        f"stderr: {proc.stderr[-4000:]}")
    assert int(proc.stdout.split()[1]) > 10000       # the checks really ran


def test_guard_page_harness_catches_overruns():
    """The harness must see an access one item past the end as a crash."""
    script = GUARD_SCRIPT.split("regions = [")[0] + textwrap.dedent("""
        a = Region().at_end(np.float64, 4, 1)
        a[...] = 1.0
        bad = np.ndarray((5,), np.float64, buffer=a.base, offset=a.__array_interface__[
            "data"][0] - ctypes.addressof(ctypes.c_char.from_buffer(a.base)))
        sx.sigmoid(bad)
        print("OK")
    """)
    # Under .ci/sanitize.sh: let the signal kill the child instead of an ASan report.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":handle_segv=0")
    proc = run_child([script, sigmoid_ext.get_isa(), "0"], timeout=60, env=env)
    assert proc.returncode != 0 and "OK" not in proc.stdout   # -11, or 1 under ASan



@pytest.mark.slow
def test_more_than_2_pow_31_items_in_place(request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("memory-hungry: run with -m slow")
    if mem_available() < 20 * 2**30:
        pytest.skip("needs 20 GiB of free memory")
    n = 2**31 + 4099
    x = np.zeros(n, np.float32)
    probe = np.linspace(-20, 20, 4096).astype(np.float32)
    x[-4096:] = probe
    x[2**31 - 3:2**31 + 3] = -5.0
    with sigmoid_ext.num_threads(os.cpu_count() or 2):
        sigmoid_ext.sigmoid(x, out=x)
    np.testing.assert_array_equal(x[-4096:], sigmoid_ext.sigmoid(probe))
    assert (x[2**31 - 3:2**31 + 3] == sigmoid_ext.sigmoid(np.float32(-5.0))).all()
    assert x[0] == 0.5 and x[2**30] == 0.5 and x[2**31 - 4] == 0.5
    assert x[n // 2] == 0.5 and x[2**31 + 2] != 0.5 and x[2**31 - 4] == 0.5
