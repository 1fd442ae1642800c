"""The timer behind sigmoid-bench: median time per element over repeated rounds, with the
interquartile spread so that a noisy measurement can be recognised and withheld."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass
class Timing:
    """One measurement: seconds per call summarised over `repeats` rounds."""

    n: int
    median_s: float
    p25_s: float
    p75_s: float
    loops: int
    repeats: int

    @property
    def ns_per_element(self) -> float:
        return self.median_s / self.n * 1e9

    @property
    def spread(self) -> float:
        """(p75 - p25) / median: 0 for a quiet machine; large when rounds disagree."""
        return (self.p75_s - self.p25_s) / self.median_s if self.median_s > 0 else float("inf")


def _calibrate(fn: Callable[[], object], target_s: float) -> int:
    """Calls per round so that a round lasts at least `target_s`: perf_counter's
    resolution and the loop overhead are then negligible even for n = 1."""
    loops = 1
    while True:
        t = time.perf_counter()
        for _ in range(loops):
            fn()
        dt = time.perf_counter() - t
        if dt >= target_s or loops >= 1 << 22:
            return loops
        # Jump close to the target rather than doubling, to keep calibration short;
        # the factor 1.3 leaves margin for the first rounds being slightly faster.
        loops = max(loops * 2, int(loops * target_s / max(dt, 1e-9) * 1.3))


def measure(fn: Callable[[], object], n: int, *, min_time: float = 0.1,
            repeats: int = 7) -> Timing:
    """Time `fn` (which processes `n` elements) over `repeats` rounds of equal length.

    The first call is a warm-up outside the timing: it touches the output pages and any
    lazily initialised state (thread pools, import-time caches), which a steady-state
    benchmark must not charge to the function.
    """
    fn()
    loops = _calibrate(fn, min_time / repeats)
    rounds = np.empty(repeats)
    for i in range(repeats):
        t = time.perf_counter()
        for _ in range(loops):
            fn()
        rounds[i] = (time.perf_counter() - t) / loops
    p25, med, p75 = np.percentile(rounds, [25, 50, 75])
    return Timing(n, float(med), float(p25), float(p75), loops, repeats)


def measure_stable(fn: Callable[[], object], n: int, *, min_time: float, repeats: int,
                   max_spread: float, retries: int = 1) -> Timing:
    """`measure`, repeated with twice the rounds while the spread exceeds `max_spread`
    (a neighbour process often causes a transient burst); the last attempt is returned
    and the caller decides whether to withhold it."""
    t = measure(fn, n, min_time=min_time, repeats=repeats)
    for _ in range(retries):
        if t.spread <= max_spread:
            break
        repeats *= 2
        min_time *= 2
        t = measure(fn, n, min_time=min_time, repeats=repeats)
    return t
