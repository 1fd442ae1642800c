"""Concurrency: many Python threads at once, fork after the pool ran, and interpreter
shutdown with calls in flight.  Hangs are turned into failures by timeouts."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import numpy as np

import sigmoid_ext as sx

THRESHOLD = int(sx.config()["parallel_threshold"])


def test_sixteen_threads_mixed_calls_match_serial():
    rng = np.random.default_rng(1)
    sizes = [1, 17, 1000, THRESHOLD - 1, THRESHOLD, THRESHOLD + 4097, 3 * THRESHOLD]
    inputs = {}
    for n in sizes:
        for dt in (np.float32, np.float64):
            x = rng.uniform(-40, 40, n).astype(dt)
            y = rng.uniform(0, 1, n).astype(dt)
            x.flags.writeable = False            # shared, read-only
            y.flags.writeable = False
            inputs[n, dt] = (x, y)
    jobs = []
    for x, y in inputs.values():
        jobs.append((sx.sigmoid, (x,), sx.sigmoid(x, threads=1)))
        jobs.append((sx.sigmoid_grad, (x,), sx.sigmoid_grad(x, threads=1)))
        jobs.append((sx.sigmoid_backward, (x, y), sx.sigmoid_backward(x, y, threads=1)))
        jobs.append((sx.sigmoid, (x[::-2],), sx.sigmoid(x[::-2], threads=1)))
    errors = []
    counts = [0] * 16
    stop = time.monotonic() + 3.0

    def worker(k):
        r = np.random.default_rng(k)
        try:
            while time.monotonic() < stop:
                f, args, want = jobs[r.integers(len(jobs))]
                out = np.empty_like(want)
                threads = int(r.integers(1, 5))
                if r.integers(2):
                    f(*args, out=out, threads=threads)
                else:
                    out = f(*args, threads=threads)
                if not np.array_equal(out, want, equal_nan=True):
                    errors.append(f"{f.__name__} n={args[0].size} threads={threads}")
                    return
                counts[k] += 1
        except Exception as exc:                   # pragma: no cover - reported below
            errors.append(repr(exc))

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in ts), "a thread hung"
    assert not errors, errors
    assert all(c > 0 for c in counts), counts


def run_child(script, timeout=60):
    # cwd outside the source tree, so the installed package is the one imported
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=timeout,
                          cwd=tempfile.gettempdir())


FORK_SCRIPT = """
    import os, sys, threading, time
    import numpy as np
    import sigmoid_ext as sx

    x = np.random.default_rng(0).uniform(-30, 30, 1 << 20).astype(np.float32)
    want = sx.sigmoid(x, threads=1)
    assert np.array_equal(sx.sigmoid(x, threads=2), want)      # the pool now exists
    busy = threading.Event()
    stop = threading.Event()

    def hammer():                 # fork also happens while another thread uses the pool
        while not stop.is_set():
            sx.sigmoid(x, threads=2)
            busy.set()
    t = threading.Thread(target=hammer, daemon=True)
    if len(sys.argv) > 1:
        t.start()
        busy.wait(30)

    for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        pid = os.fork()
        if pid == 0:
            ok = all(np.array_equal(sx.sigmoid(x, threads=2), want) for _ in range(3))
            ok &= np.array_equal(sx.sigmoid_backward(x, want, threads=2),
                                 sx.sigmoid_backward(x, want, threads=1))
            os._exit(0 if ok else 3)
        deadline = time.monotonic() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                sys.exit(f"fork child {i} hung (deadlock after fork)")
            time.sleep(0.01)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            sys.exit(f"fork child {i} exited with {code} (3: wrong results)")
    stop.set()
    print("OK")
"""


def test_fork_after_pool_use():
    proc = run_child(FORK_SCRIPT.replace("len(sys.argv) > 1", "False"))
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


def test_fork_while_another_thread_uses_pool():
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(FORK_SCRIPT), "20"],
                          capture_output=True, text=True, timeout=120,
                          cwd=tempfile.gettempdir())
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stderr[-3000:]


def test_interpreter_exit_with_calls_in_flight():
    script = """
        import threading, time
        import numpy as np
        import sigmoid_ext as sx

        x = np.ones(1 << 21, np.float64)
        started = threading.Barrier(5)

        def loop(k):
            started.wait()
            f = (sx.sigmoid, sx.sigmoid_grad)[k % 2]
            while True:
                f(x, threads=2)
                sx.sigmoid_backward(x, x[::-1], threads=2)

        for k in range(4):
            threading.Thread(target=loop, args=(k,), daemon=True).start()
        started.wait()
        time.sleep(0.3)
        print("exiting")
    """
    t0 = time.monotonic()
    proc = run_child(script, timeout=60)
    assert proc.returncode == 0 and "exiting" in proc.stdout, proc.stderr[-3000:]
    assert time.monotonic() - t0 < 60
