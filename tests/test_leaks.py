"""Repeated calls, successful and failing, keep the resident set flat."""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest

import sigmoid_ext as sx

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE


def workload(rounds: int) -> None:
    x32 = np.linspace(-5, 5, 16, dtype=np.float32)
    x64 = np.linspace(-5, 5, 7)
    o64 = np.empty(7)
    big = np.linspace(-5, 5, 300_000)
    obig = np.empty_like(big)
    bad_out = np.empty(3)
    for i in range(rounds):
        sx.sigmoid(x32)
        sx.sigmoid_grad(x64, out=o64)
        sx.sigmoid_backward(x64, 0.25)
        sx.sigmoid(x64[::-2], dtype=np.float32)
        sx.sigmoid(1.5)
        try:
            sx.sigmoid(x64, out=bad_out)          # raises: wrong out shape
        except ValueError:
            pass
        try:
            sx.sigmoid_backward(x64, x32)        # raises: cannot broadcast
        except ValueError:
            pass
        try:
            sx.sigmoid_grad(x64, dtype=np.int32)  # raises: no such loop
        except TypeError:
            pass
        try:
            sx.set_num_threads(0)                 # raises: bad count
        except ValueError:
            pass
        with sx.num_threads(1):
            sx.sigmoid_and_grad(x64, out=(o64, None))
        if i % 500 == 0:
            with sx.num_threads(2):
                sx.sigmoid(big)
                sx.sigmoid_backward(big, big[::-1], out=obig)
                sx.sigmoid_and_grad(big[::2])


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc")
def test_rss_stays_flat():
    workload(20_000)                              # warm up: caches, pool threads, arenas
    gc.collect()
    before = rss()
    workload(25_000)                              # 200k small calls + 50 large ones
    gc.collect()
    grown = rss() - before
    # A leak of even 16 bytes per call would be ~3 MB here; allow 8 MB for allocator
    # noise (arenas, the 2.4 MB large-call temporaries).
    assert grown < 8 * 2**20, f"RSS grew by {grown / 2**20:.1f} MiB"


def test_rss_probe_detects_a_leak():
    """The measurement can fail: keeping 32 MiB alive shows up."""
    before = rss()
    keep = [np.ones(2**20) for _ in range(4)]
    assert rss() - before > 16 * 2**20
    del keep
