"""The speed run: every (function, dtype, size) on every installed peer plus np.copyto,
on the same arrays and thread count, back to back so that they share machine conditions."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from typing import Any, TextIO

import numpy as np

import sigmoid_ext
from sigmoid_ext._sigmoid_ext_cffi import lib

from .peers import Peer, copyto_thunk, make_operands
from .timing import measure_stable

COPYTO = "np.copyto"
NO_STREAM = 1 << 62     # a stream threshold no array reaches: plain stores throughout


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


def _fmt_s(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    """Progress on stderr, shown only once the run has lasted a couple of seconds (short
    runs stay quiet).  On a terminal: a bar with elapsed time and an estimate of the time
    left (rich's when rich is installed, else one rewritten line); in a log or a pipe, a
    plain line every few seconds."""

    def __init__(self, total: int, stream: TextIO = sys.stderr, enabled: bool = True,
                 after_s: float = 2.0, every_s: float = 5.0) -> None:
        self.total, self.done, self.stream, self.enabled = total, 0, stream, enabled
        self.start = time.perf_counter()
        self.after_s, self.every_s = after_s, every_s
        self.last_print = 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.printed = False
        self._rich: Any = None
        self._task: Any = None

    def _eta(self, elapsed: float) -> str:
        if not self.done or self.done >= self.total:
            return "0:00"
        return _fmt_s(elapsed / self.done * (self.total - self.done))

    def _start_rich(self) -> bool:
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
            )
            from rich.progress import Progress as RichProgress
        except ImportError:
            return False
        self._rich = RichProgress(
            # Elapsed time from the run's start, not from when the bar first showed.
            # ETA from the mean time per measurement so far (sizes are taken in turn).
            BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[elapsed]}"),
            TextColumn("ETA {task.fields[eta]}"), TextColumn("{task.description}"),
            console=Console(file=self.stream), transient=True)
        self._rich.start()
        self._task = self._rich.add_task("", total=self.total, completed=self.done,
                                         elapsed="0:00", eta="?")
        return True

    def step(self, label: str) -> None:
        self.done += 1
        now = time.perf_counter() - self.start
        if not self.enabled or now < self.after_s:
            return
        if self.tty and (self._rich is not None or (not self.printed and self._start_rich())):
            self.printed = True
            self._rich.update(self._task, completed=self.done, description=label,
                              elapsed=_fmt_s(now), eta=self._eta(now))
            return
        if not self.tty and now - self.last_print < self.every_s and self.done < self.total:
            return
        self.last_print = now
        pct = 100 * self.done / max(self.total, 1)
        msg = (f"[{self.done:>4}/{self.total}] {pct:3.0f}%  {_fmt_s(now)} elapsed, "
               f"ETA {self._eta(now)}  {label}")
        if self.tty:
            width = 24
            fill = int(width * self.done / max(self.total, 1))
            self.stream.write("\r" + f"[{'#' * fill}{'.' * (width - fill)}] {msg}"[:100]
                              .ljust(100))
        else:
            self.stream.write(msg + "\n")
        self.stream.flush()
        self.printed = True

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None
        elif self.enabled and self.printed and self.tty:
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
              progress: Progress | None = None, sink: list | None = None) -> list:
    """Measure and return the rows; nothing is printed except progress.

    Rows are appended to `sink` (when given) as each point completes, so that a caller
    interrupted by Ctrl-C still holds what was measured.  sigmoid_ext's process-wide
    thread count is set per peer during the run and restored afterwards."""
    rows: list = sink if sink is not None else []
    for p in peers:
        p.set_threads(threads)
    saved = sigmoid_ext.get_num_threads()
    try:
        with np.errstate(all="ignore"):  # naive forms overflow exp in the tails by design
            for fn in functions:
                for dt in dtypes:
                    for n in sizes:
                        rows.extend(_one_point(peers, fn, np.dtype(dt), n, threads,
                                               min_time=min_time, repeats=repeats,
                                               max_spread=max_spread, progress=progress))
    finally:
        sigmoid_ext.set_num_threads(saved)
        lib.sx_set_stream_threshold(-1)
    return rows


def _thread_setter(n: int, stream: bool = True) -> Any:
    """Before a peer's round: sigmoid_ext's thread count, and its streaming stores on
    (the default threshold) or off."""
    def setup() -> None:
        sigmoid_ext.set_num_threads(n)
        lib.sx_set_stream_threshold(-1 if stream else NO_STREAM)
    return setup


def _one_point(peers: list[Peer], fn: str, dt: np.dtype, n: int, threads: int, *,
               min_time: float, repeats: int, max_spread: float,
               progress: Progress | None) -> list:
    o = make_operands(fn, n, dt)
    bytes_moved = o.n_streams * n * dt.itemsize
    thunks: list[tuple[str, Any]] = [(COPYTO, copyto_thunk(o))]
    setups: list = [None]
    for p in peers:
        t = p.make(fn, o)
        if t is not None:
            thunks.append((p.name, t))
            setups.append(_thread_setter(p.sx_threads or threads, p.sx_stream))
    rows = []
    # Every peer's rounds interleaved, so a drift of the machine's speed hits all alike.
    timings = measure_stable([thunk for _, thunk in thunks], n, min_time=min_time,
                             repeats=repeats, max_spread=max_spread, setups=setups)
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
