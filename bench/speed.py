"""The speed run: every (function, dtype, size) on every installed peer plus np.copyto,
on the same arrays and thread count, back to back so that they share machine conditions."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import numpy as np

from .peers import Peer, copyto_thunk, make_operands
from .timing import measure_stable

COPYTO = "np.copyto"


@dataclass
class Row:
    function: str
    dtype: str
    n: int
    peer: str
    ns_per_element: float | None   # None when withheld (spread too wide)
    raw_ns_per_element: float         # the median as measured, kept for diagnosis
    spread: float
    stable: bool
    loops: int
    repeats: int
    gb_per_s: float | None = None
    pct_of_copyto: float | None = None
    sx_speedup: float | None = None  # peer time / sigmoid_ext time

    def as_dict(self) -> dict:
        return asdict(self)


class Progress:
    """Progress on stderr, shown only once the run has lasted a couple of seconds (short
    runs stay quiet); one rewritten line on a terminal, a line every few seconds in a log."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, enabled: bool = True,
                 after_s: float = 2.0) -> None:
        self.total, self.done, self.stream, self.enabled = total, 0, stream, enabled
        self.start = time.perf_counter()
        self.after_s = after_s
        self.last_print = 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.printed = False

    def step(self, label: str) -> None:
        self.done += 1
        now = time.perf_counter() - self.start
        if not self.enabled or now < self.after_s:
            return
        if not self.tty and now - self.last_print < 5.0 and self.done < self.total:
            return
        self.last_print = now
        msg = f"[{self.done:>4}/{self.total}] {now:5.1f}s  {label}"
        if self.tty:
            self.stream.write("\r" + msg.ljust(78)[:78])
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()
        self.printed = True

    def close(self) -> None:
        if self.enabled and self.printed and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def count_measurements(peers: list, functions: list, dtypes: list, sizes: list) -> int:
    total = 0
    for fn in functions:
        o = make_operands(fn, 1, np.float64)
        k = sum(p.make(fn, o) is not None for p in peers) + 1
        total += k * len(dtypes) * len(sizes)
    return total


def run_speed(peers: list, functions: list, dtypes: list, sizes: list, threads: int, *,
              min_time: float, repeats: int, max_spread: float,
              progress: Progress | None = None) -> list:
    """Measure and return the rows; nothing is printed except progress."""
    for p in peers:
        p.set_threads(threads)
    rows: list = []
    with np.errstate(all="ignore"):     # naive forms overflow exp in the tails by design
        for fn in functions:
            for dt in dtypes:
                for n in sizes:
                    rows.extend(_one_point(peers, fn, np.dtype(dt), n, min_time=min_time,
                                           repeats=repeats, max_spread=max_spread,
                                           progress=progress))
    return rows


def _one_point(peers: list[Peer], fn: str, dt: np.dtype, n: int, *, min_time: float,
               repeats: int, max_spread: float, progress: Progress | None) -> list:
    o = make_operands(fn, n, dt)
    bytes_moved = o.n_streams * n * dt.itemsize
    thunks: list[tuple[str, Any]] = [(COPYTO, copyto_thunk(o))]
    thunks += [(p.name, t) for p in peers if (t := p.make(fn, o)) is not None]
    rows = []
    # Every peer's rounds interleaved, so a drift of the machine's speed hits all alike.
    timings = measure_stable([thunk for _, thunk in thunks], n, min_time=min_time,
                             repeats=repeats, max_spread=max_spread)
    for (name, _), t in zip(thunks, timings):
        stable = t.spread <= max_spread
        rows.append(Row(fn, dt.name, n, name, t.ns_per_element if stable else None,
                        t.ns_per_element, t.spread, stable, t.loops, t.repeats))
        if progress is not None:
            progress.step(f"{fn} {dt.name} n={n:.0e} {name}")
    # Derived figures, only between stable measurements: a ratio with a withheld figure
    # would smuggle the misleading number back in.
    by = {r.peer: r for r in rows}
    copy, sx = by[COPYTO], by.get("sigmoid_ext")
    copy_gbs = (2 * n * dt.itemsize / (copy.ns_per_element * n)
                if copy.ns_per_element else None)
    for r in rows:
        if r.ns_per_element is None:
            continue
        ref_bytes = 2 * n * dt.itemsize if r.peer == COPYTO else bytes_moved
        r.gb_per_s = ref_bytes / (r.ns_per_element * n)        # bytes/ns == GB/s
        if copy_gbs:
            r.pct_of_copyto = 100.0 * r.gb_per_s / copy_gbs
        if sx is not None and sx.ns_per_element and r.peer != COPYTO:
            r.sx_speedup = r.ns_per_element / sx.ns_per_element
    return rows
