"""The workers' spin: SIGMOID_EXT_SPIN_US fixes it (the adaptive default otherwise), and
bench/spin_cost.py, which measures what it costs other multithreaded work, runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

SCRIPT = """
    import time
    import numpy as np
    import sigmoid_ext
    from sigmoid_ext._sigmoid_ext_cffi import lib
    sigmoid_ext.set_num_threads(2)
    x = np.random.default_rng(0).uniform(-10, 10, 300_001).astype(np.float32)
    want = sigmoid_ext.sigmoid(x)
    ok = True
    for gap in (0, 0.003, 0, 0.003, 0):     # back-to-back calls and calls after a pause
        for _ in range(5):
            ok &= bool((sigmoid_ext.sigmoid(x) == want).all())
            ok &= lib.sx_parallel_selftest(2, 100) == 100
        time.sleep(gap)
    print(ok)
"""


@pytest.mark.parametrize("spin", [None, "0", "20", "1000000", "junk", "-5"])
def test_spin_setting_keeps_results(spin):
    env = {k: v for k, v in os.environ.items() if k != "SIGMOID_EXT_SPIN_US"}
    if spin is not None:
        env["SIGMOID_EXT_SPIN_US"] = spin
    # cwd outside the source tree, so the installed package is the one imported
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(SCRIPT)], env=env,
                         capture_output=True, text=True, timeout=120,
                         cwd=tempfile.gettempdir())
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True"


def test_spin_cost_script_runs():
    try:
        import dask  # noqa: F401
        workloads = 4
    except ImportError:                       # the dask workload is skipped, with a note
        workloads = 3
    res = subprocess.run(
        [sys.executable, "-m", "sigmoid_ext.bench.spin_cost", "--rounds", "1", "--iters",
         "2", "--n", "2e5", "--n-small", "1e4", "--m", "32", "--spin-us", "0"],
        capture_output=True, text=True, timeout=300, cwd=tempfile.gettempdir())
    assert res.returncode == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    # header + each workload x 3 settings (1 thread, adaptive, spin 0 us)
    assert len(rows) == 1 + workloads * 3
    assert any("adaptive (default)" in r and "| 1.00 |" in r for r in rows)


def test_spin_cost_child_reports_json():
    res = subprocess.run(
        [sys.executable, "-m", "sigmoid_ext.bench.spin_cost", "--child", "burst",
         "--n-small", "1000", "--iters", "3"],
        capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir())
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert {"total", "sigmoid", "other", "cpu", "threads"} <= set(out)
