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


def measure_interleaved(fns: list, n: int, *, min_time: float = 0.1,
                        repeats: int = 7, setups: list | None = None) -> list:
    """Time each callable in `fns` (each processes `n` elements) over `repeats` rounds of
    equal length, taking the rounds in turn: round r of every callable before round r + 1
    of any.  On a shared machine whose speed drifts (a neighbour starts, the clock
    changes), every callable then sees the same conditions, so the ratios between them
    stay fair even when the absolute figures move.

    The first call of each is a warm-up outside the timing: it touches the output pages
    and any lazily initialised state (thread pools, import-time caches), which a
    steady-state benchmark must not charge to the function.

    `setups`, one per callable (None for none), runs untimed before each warm-up,
    calibration and round of its callable: the place for process-wide settings such as
    sigmoid_ext's thread count, which two callables may want at different values.
    """
    setups = setups or [None] * len(fns)

    def prepare(i: int) -> None:
        if setups[i] is not None:
            setups[i]()

    for i, fn in enumerate(fns):
        prepare(i)
        fn()
    loops = []
    for i, fn in enumerate(fns):
        prepare(i)
        loops.append(_calibrate(fn, min_time / repeats))
    rounds = np.empty((len(fns), repeats))
    for r in range(repeats):
        for i, (fn, k) in enumerate(zip(fns, loops)):
            prepare(i)
            t = time.perf_counter()
            for _ in range(k):
                fn()
            rounds[i, r] = (time.perf_counter() - t) / k
    timings = []
    for row, k in zip(rounds, loops):
        p25, med, p75 = np.percentile(row, [25, 50, 75])
        timings.append(Timing(n, float(med), float(p25), float(p75), k, repeats))
    return timings


def measure_stable(fns: list, n: int, *, min_time: float, repeats: int,
                   max_spread: float, retries: int = 1, setups: list | None = None) -> list:
    """`measure_interleaved`, then the callables whose spread exceeds `max_spread` again
    (together, interleaved) with twice the rounds: a neighbour process often causes a
    transient burst.  The last attempt of each is returned and the caller decides
    whether to withhold it."""
    setups = setups or [None] * len(fns)
    timings = measure_interleaved(fns, n, min_time=min_time, repeats=repeats, setups=setups)
    for _ in range(retries):
        noisy = [i for i, t in enumerate(timings) if t.spread > max_spread]
        if not noisy:
            break
        repeats *= 2
        min_time *= 2
        again = measure_interleaved([fns[i] for i in noisy], n, min_time=min_time,
                                    repeats=repeats, setups=[setups[i] for i in noisy])
        for i, t in zip(noisy, again):
            timings[i] = t
    return timings
