"""Concurrency and the thread-count setting: many Python threads at once, each with its
own num_threads(); the setting is per Python thread, nests, and is what the pool uses;
threadpoolctl; fork after the pool ran; interpreter shutdown with calls in flight.
Hangs are turned into failures by timeouts.  Thread counts above this machine's CPUs
need the cap lifted (monkeypatched available_cpus)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import numpy as np
import pytest

import sigmoid_ext as sx

THRESHOLD = int(sx.config()["parallel_threshold"])
LIFT_CAP = "import sigmoid_ext._threads as _t; _t.available_cpus = lambda *a: 64\n"


@pytest.fixture
def many_cpus(monkeypatch):
    """Let thread counts go up to 64 whatever this machine has."""
    monkeypatch.setattr(sx._threads, "available_cpus", lambda *a: 64)


@pytest.fixture(autouse=True)
def restore_global_count():
    before = sx.get_num_threads()
    yield
    sx.set_num_threads(before)


def serial(f, *args, **kw):
    with sx.num_threads(1):
        return f(*args, **kw)


def test_sixteen_threads_mixed_calls_match_serial(many_cpus):
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
        jobs.append((sx.sigmoid, (x,), serial(sx.sigmoid, x)))
        jobs.append((sx.sigmoid_grad, (x,), serial(sx.sigmoid_grad, x)))
        jobs.append((sx.sigmoid_backward, (x, y), serial(sx.sigmoid_backward, x, y)))
        jobs.append((sx.sigmoid, (x[::-2],), serial(sx.sigmoid, x[::-2])))
        jobs.append((sx.log_sigmoid, (x[1:],), serial(sx.log_sigmoid, x[1:])))  # misaligned
    errors = []
    counts = [0] * 16
    stop = time.monotonic() + 3.0

    def worker(k):
        r = np.random.default_rng(k)
        try:
            while time.monotonic() < stop:
                f, args, want = jobs[r.integers(len(jobs))]
                out = np.empty_like(want)
                threads = int(r.integers(1, 9))
                with sx.num_threads(threads):
                    if sx.get_num_threads() != threads:
                        errors.append(f"num_threads({threads}) gave {sx.get_num_threads()}")
                        return
                    if r.integers(2):
                        f(*args, out=out)
                    else:
                        out = f(*args)
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

    import sigmoid_ext._threads as _t
    _t.available_cpus = lambda *a: 64          # four threads even on a 2-CPU machine

    x = np.random.default_rng(0).uniform(-30, 30, 1 << 20).astype(np.float32)
    with sx.num_threads(1):
        want = sx.sigmoid(x)
        want_b = sx.sigmoid_backward(x, want)
    sx.set_num_threads(4)
    assert np.array_equal(sx.sigmoid(x), want)      # the pool now exists
    busy = threading.Event()
    stop = threading.Event()

    def hammer():                 # fork also happens while another thread uses the pool
        while not stop.is_set():
            sx.sigmoid(x)
            busy.set()
    t = threading.Thread(target=hammer, daemon=True)
    if len(sys.argv) > 1:
        t.start()
        busy.wait(30)

    for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
        pid = os.fork()
        if pid == 0:
            ok = sx.get_num_threads() == 4
            ok &= all(np.array_equal(sx.sigmoid(x), want) for _ in range(3))
            ok &= np.array_equal(sx.sigmoid_backward(x, want), want_b)
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
        import sigmoid_ext._threads as _t
        _t.available_cpus = lambda *a: 64

        x = np.ones(1 << 21, np.float64)
        started = threading.Barrier(5)

        def loop(k):
            started.wait()
            f = (sx.sigmoid, sx.sigmoid_grad)[k % 2]
            with sx.num_threads(2 + k):
                while True:
                    f(x)
                    sx.sigmoid_backward(x, x[::-1])

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


# ------------------------------------------------------------------ the setting itself

def test_num_threads_nests_and_restores(many_cpus):
    sx.set_num_threads(3)
    assert sx.get_num_threads() == 3
    with sx.num_threads(5) as n5:
        assert n5 == 5 == sx.get_num_threads()
        with sx.num_threads(1) as n1:
            assert n1 == 1 == sx.get_num_threads()
            with sx.num_threads(2):
                assert sx.get_num_threads() == 2
            assert sx.get_num_threads() == 1
        assert sx.get_num_threads() == 5
        sx.set_num_threads(7)                    # the global moves; the block keeps 5
        assert sx.get_num_threads() == 5
    assert sx.get_num_threads() == 7             # outside: the (new) global value
    with pytest.raises(KeyError):                # an exception in the block restores too
        with sx.num_threads(4):
            raise KeyError
    assert sx.get_num_threads() == 7


def test_num_threads_is_per_python_thread(many_cpus):
    """A value set with num_threads() in one thread is not seen in another; the value
    from set_num_threads() is seen by every thread without a block of its own."""
    sx.set_num_threads(3)
    inside = threading.Event()
    checked = threading.Event()
    seen = {}

    def other():
        seen["start"] = sx.get_num_threads()
        with sx.num_threads(6):
            seen["own"] = sx.get_num_threads()
            inside.set()
            checked.wait(30)
            seen["own_after_main_set"] = sx.get_num_threads()
        seen["end"] = sx.get_num_threads()

    with sx.num_threads(2):
        t = threading.Thread(target=other)
        t.start()
        assert inside.wait(30)
        assert sx.get_num_threads() == 2          # the other thread's 6 is not seen here
        sx.set_num_threads(4)                     # global: not seen inside either block
        assert sx.get_num_threads() == 2
        checked.set()
        t.join(30)
    assert seen == {"start": 3, "own": 6, "own_after_main_set": 6, "end": 4}
    assert sx.get_num_threads() == 4

    # A thread started later sees the global value, not this thread's block.
    got = []
    with sx.num_threads(1):
        t = threading.Thread(target=lambda: got.append(sx.get_num_threads()))
        t.start()
        t.join(30)
    assert got == [4]


def test_threadpoolctl_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    if not hasattr(threadpoolctl, "register"):
        pytest.skip("threadpoolctl < 3.5 has no custom controllers")
    sx.set_num_threads(2)
    entries = [i for i in threadpoolctl.threadpool_info()
               if i["internal_api"] == "sigmoid_ext"]
    assert len(entries) == 1, threadpoolctl.threadpool_info()
    assert entries[0]["num_threads"] == 2
    assert entries[0]["version"] == sx.__version__
    with threadpoolctl.threadpool_limits(1):
        assert sx.get_num_threads() == 1
        x = np.linspace(-9, 9, 3 * THRESHOLD)
        np.testing.assert_array_equal(sx.sigmoid(x), serial(sx.sigmoid, x))
    assert sx.get_num_threads() == 2
    with threadpoolctl.threadpool_limits(limits={"sigmoid_ext": 1}):
        assert sx.get_num_threads() == 1
    assert sx.get_num_threads() == 2


POOL_SCRIPT = LIFT_CAP + """
import os, threading
import numpy as np
import sigmoid_ext as sx

def tasks():
    return len(os.listdir("/proc/self/task"))

x = np.linspace(-9, 9, 1 << 20)
base = tasks()
grown = []
def step(label):
    grown.append((label, tasks() - base))

sx.set_num_threads(4)
with sx.num_threads(1):
    sx.sigmoid(x); sx.sigmoid_backward(x, x)
step("num_threads(1)")
import threadpoolctl
with threadpoolctl.threadpool_limits(1):
    sx.sigmoid(x)
step("threadpool_limits(1)")
sx.sigmoid(x[:1000])                      # under the threshold: no pool
step("short")
def other():
    sx.sigmoid(x)
    grown.append(("other thread, global 4", tasks() - base - 1))   # minus itself
t = threading.Thread(target=other)
with sx.num_threads(1):                   # not seen by the other thread: global 4
    t.start(); t.join()
import time
deadline = time.monotonic() + 10          # the joined OS thread may linger a moment
while tasks() - base > grown[-1][1] and time.monotonic() < deadline:
    time.sleep(0.005)
with sx.num_threads(6):
    sx.sigmoid(x[::2])                    # strided: threaded too
step("num_threads(6)")
print(grown)
"""


def test_the_pool_uses_the_setting():
    """The count is what the call really uses: the persistent pool grows to count - 1
    helper threads, and not at all for one thread or a short array."""
    pytest.importorskip("threadpoolctl")
    proc = run_child(POOL_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert eval(proc.stdout) == [("num_threads(1)", 0), ("threadpool_limits(1)", 0),
                                 ("short", 0), ("other thread, global 4", 3),
                                 ("num_threads(6)", 5)], proc.stdout


@pytest.mark.parametrize("name", ["sigmoid", "log_sigmoid_grad", "sigmoid_backward",
                                  "sigmoid_and_grad"])
@pytest.mark.parametrize("dt", [np.float32, np.float64, np.float16, np.int16])
def test_many_threads_match_serial(many_cpus, name, dt):
    """Every chunking (many threads, chunks smaller than the SIMD tail, strided and
    misaligned runs, 2-D) gives the serial result bit for bit."""
    uf = getattr(sx, name)
    rng = np.random.default_rng(3)
    n = 3 * THRESHOLD + 4097
    buf = np.zeros(2 * n * 8 + 16, np.uint8)
    with np.errstate(all="ignore"):
        src = rng.uniform(-50, 50, n).astype(dt)
    mis = np.ndarray((n,), dt, buffer=buf, offset=1)
    mis[...] = src
    cases = [src, src[::-3], src[::-1], mis, src[:THRESHOLD * 2].reshape(256, -1)[:, ::2]]
    for x in cases:
        args = [x] * uf.nin if name != "sigmoid_backward" else [x, x[::-1]]
        want = serial(uf, *args)
        for k in (2, 3, 8, 64):
            with sx.num_threads(k):
                got = uf(*args)
            for g, w in zip(got if uf.nout > 1 else (got,), want if uf.nout > 1 else (want,)):
                assert g.dtype == w.dtype
                np.testing.assert_array_equal(g, w, err_msg=f"{k} threads {x.strides}")
