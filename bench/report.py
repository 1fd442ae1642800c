"""Output of sigmoid-bench: Markdown tables (readable in a terminal, pasteable into the
README), JSON, and the optional plot."""

from __future__ import annotations

import json
import platform
from typing import Any

import numpy as np

import sigmoid_ext

from .speed import COPYTO


def _fmt_n(n: int) -> str:
    e = int(round(np.log10(n))) if n > 0 else 0
    return f"10^{e}" if n == 10 ** e and e >= 2 else str(n)


def _fmt_ns(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def _md_table(header: list, rows: list, align_left: int = 1) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":---" if i < align_left else "---:" for i in range(len(header)))
             + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def environment(threads: int, peers: list) -> dict:
    """What a reader needs to interpret the figures."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cfg = sigmoid_ext.config()
    return {"cpu": cpu, "python": platform.python_version(), "numpy": np.__version__,
            "sigmoid_ext": cfg["version"], "isa": cfg["selected_isa"], "threads": threads,
            "peers": {p.name: p.version for p in peers},
            "single_threaded_peers": [p.name for p in peers if not p.threaded]}


def speed_tables(rows: list, max_spread: float) -> str:
    """One table per (function, dtype): rows are sizes; each peer's cell is ns/element
    with sigmoid_ext's speedup over it in brackets."""
    out = []
    keys = list(dict.fromkeys((r.function, r.dtype) for r in rows))
    withheld = [r for r in rows if not r.stable]
    for fn, dt in keys:
        sub = [r for r in rows if r.function == fn and r.dtype == dt]
        names = list(dict.fromkeys(r.peer for r in sub))
        others = [p for p in names if p not in (COPYTO, "sigmoid_ext")]
        header = ["n", COPYTO, "sigmoid_ext", "sx GB/s", "sx % copyto"] + \
                 [f"{p} (sx speedup)" for p in others]
        table = []
        for n in dict.fromkeys(r.n for r in sub):
            by = {r.peer: r for r in sub if r.n == n}

            def cell(name: str, speedup: bool = False, by: dict = by) -> str:
                r = by.get(name)
                if r is None:
                    return "n/a"
                if r.ns_per_element is None:
                    return "withheld*"
                s = _fmt_ns(r.ns_per_element)
                if speedup:
                    s += f" ({r.sx_speedup:.2f}x)" if r.sx_speedup else " (?)"
                return s

            sx = by.get("sigmoid_ext")
            gbs = f"{sx.gb_per_s:.3g}" if sx and sx.gb_per_s else "-"
            pct = f"{sx.pct_of_copyto:.0f}%" if sx and sx.pct_of_copyto else "-"
            table.append([_fmt_n(n), cell(COPYTO), cell("sigmoid_ext"), gbs, pct]
                         + [cell(p, True) for p in others])
        out.append(f"**{fn}, {dt}** - ns per element (median); (Nx) = sigmoid_ext speedup "
                   "over that peer, (?) = not computed because sigmoid_ext's figure was "
                   "withheld\n\n"
                   + _md_table(header, table))
    if withheld:
        lst = ", ".join(f"{r.function}/{r.dtype}/n={r.n}/{r.peer} ({100 * r.spread:.0f}%)"
                        for r in withheld)
        out.append(f"\\* withheld: {len(withheld)} measurement(s) whose spread "
                   f"(p75-p25)/median stayed above {100 * max_spread:.0f}% after a retry "
                   f"(the machine was too noisy to give a trustworthy figure): {lst}")
    return "\n\n".join(out)


def _fmt_ulp(v: float) -> str:
    if not np.isfinite(v):
        return "inf"
    return f"{v:.3f}" if v < 10 else f"{v:.3g}"


def accuracy_table(rows: list) -> str:
    """Rows function x dtype x region; each peer's cell is "max / mean" ULP, followed by
    the count of results flushed to 0 where the correctly rounded value is not 0."""
    peers = list(dict.fromkeys(r.peer for r in rows))
    header = ["function", "dtype", "region", "points"] + peers
    table = []
    for fn, dt, region in dict.fromkeys((r.function, r.dtype, r.region) for r in rows):
        by = {r.peer: r for r in rows
              if (r.function, r.dtype, r.region) == (fn, dt, region)}
        cells = []
        for p in peers:
            r = by.get(p)
            if r is None:
                cells.append("n/a")
                continue
            c = f"{_fmt_ulp(r.max_ulp)} / {_fmt_ulp(r.mean_ulp)}"
            if r.zeros:
                c += f" ({r.zeros} zeros)"
            cells.append(c)
        n = next(iter(by.values())).points
        table.append([fn, dt, region, str(n)] + cells)
    return _md_table(header, table, align_left=3)


def write_json(path: str, payload: dict) -> None:
    with open(path, "w") as f:
        json.dump(payload, f, indent=1, allow_nan=False, default=_json_default)
        f.write("\n")


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def plot(path: str, rows: list, title: str) -> str | None:
    """Time per element against n, log-log, one panel per (function, dtype).  Returns an
    error message instead of raising when matplotlib is missing, so that the tables of
    a long run are not lost to an optional extra."""
    try:
        import matplotlib
        matplotlib.use("Agg")           # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return ("--plot needs matplotlib, which is not installed: "
                "pip install 'sigmoid_ext[plot]' (tables and JSON were still written)")
    fns = list(dict.fromkeys(r.function for r in rows))
    dts = list(dict.fromkeys(r.dtype for r in rows))
    fig, axes = plt.subplots(len(fns), len(dts), figsize=(5 * len(dts), 3.6 * len(fns)),
                             squeeze=False, sharex=True)
    # One colour per implementation across all panels (a peer missing from a panel,
    # e.g. SciPy for backward, must not shift the others' colours).
    names = list(dict.fromkeys(r.peer for r in rows))
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: palette[i % len(palette)] for i, name in enumerate(names)}
    colour[COPYTO] = "gray"
    for i, fn in enumerate(fns):
        for j, dt in enumerate(dts):
            ax = axes[i][j]
            sub = [r for r in rows if r.function == fn and r.dtype == dt and r.stable]
            for name in names:
                pts = sorted((r.n, r.ns_per_element) for r in sub if r.peer == name)
                if not pts:
                    continue
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3,
                        lw=2.5 if name == "sigmoid_ext" else 1.2, color=colour[name],
                        linestyle="--" if name == COPYTO else "-", label=name)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(f"{fn}, {dt}", fontsize=10)
            ax.grid(True, which="both", alpha=0.3)
            if i == len(fns) - 1:
                ax.set_xlabel("n (elements)")
            if j == 0:
                ax.set_ylabel("ns per element (median)")
    handles, labels = {}, {}
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
            labels[lab] = lab
    axes[0][-1].legend(list(handles.values()), list(labels), fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
