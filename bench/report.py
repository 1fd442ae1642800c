"""Output of sigmoid-bench: tables (aligned columns on a terminal, drawn by rich when it
is installed; padded Markdown for files, pipes and --markdown), JSON, and the optional
plot."""

from __future__ import annotations

import json
import platform
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np

import sigmoid_ext

from .speed import COPYTO


def _fmt_n(n: int) -> str:
    e = int(round(np.log10(n))) if n > 0 else 0
    return f"10^{e}" if n == 10 ** e and e >= 2 else str(n)


def _fmt_ns(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


@dataclass
class Table:
    """A table before rendering: `left` first columns are left-aligned, the rest
    right-aligned (numbers)."""

    title: str
    header: list
    rows: list
    left: int = 1


@dataclass
class Report:
    """Tables with the notes that go once above them (legend) and once below them."""

    tables: list
    legend: list = field(default_factory=list)
    footnotes: list = field(default_factory=list)


def _widths(t: Table) -> list:
    return [max(len(str(c)) for c in col) for col in zip(t.header, *t.rows)]


def _align(cells: list, widths: list, left: int) -> list:
    return [c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths))]


def markdown_table(t: Table) -> str:
    """GitHub Markdown, padded so that the columns line up in a plain-text view too."""
    w = [max(3, x) for x in _widths(t)]
    rule = [":" + "-" * (x - 1) if i < t.left else "-" * (x - 1) + ":"
            for i, x in enumerate(w)]
    lines = [_align(t.header, w, t.left), rule] + [_align(r, w, t.left) for r in t.rows]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def text_table(t: Table) -> str:
    """Aligned columns separated by two spaces, a rule under the header."""
    w = _widths(t)
    lines = [_align(t.header, w, t.left), ["-" * x for x in w]]
    lines += [_align(r, w, t.left) for r in t.rows]
    return "\n".join("  ".join(cells).rstrip() for cells in lines)


def render(report: Report, stream: TextIO | None = None, markdown: bool | None = None) -> None:
    """Write `report` to `stream` (stdout by default): Markdown when asked or when the
    stream is not a terminal, else aligned columns (rich's table when installed)."""
    stream = stream if stream is not None else sys.stdout
    if markdown is None:
        markdown = not (hasattr(stream, "isatty") and stream.isatty())
    use_rich = False
    if not markdown:
        try:
            from rich import box
            from rich.console import Console
            from rich.table import Table as RichTable
            use_rich = True
        except ImportError:
            pass
    for note in report.legend:
        print(note, file=stream)
    if report.legend:
        print(file=stream)
    for t in report.tables:
        if markdown:
            print(f"**{t.title}**\n\n{markdown_table(t)}\n", file=stream)
        elif use_rich:
            # Cells are never cut: a column is as wide as its widest cell (headers wrap
            # within it), and a table wider than the terminal is drawn at its own width.
            rt = RichTable(title=t.title, title_justify="left", box=box.SIMPLE_HEAD,
                           title_style="bold", pad_edge=False)
            cell_w = [max([len(r[i]) for r in t.rows] + [len(max(t.header[i].split(), key=len))])
                      for i in range(len(t.header))]
            for i, (h, w) in enumerate(zip(t.header, cell_w)):
                rt.add_column(h, justify="left" if i < t.left else "right", width=w,
                              no_wrap=False, overflow="fold")
            for r in t.rows:
                rt.add_row(*r)
            console = Console(file=stream, highlight=False)
            need = sum(cell_w) + 3 * len(cell_w) + 4
            if need > console.width:
                console = Console(file=stream, highlight=False, width=need)
            console.print(rt)
        else:
            print(f"{t.title}\n{text_table(t)}\n", file=stream)
    for note in report.footnotes:
        print(note, file=stream)
    if report.footnotes:
        print(file=stream)


def render_str(report: Report, markdown: bool = True) -> str:
    """`render` into a string (Markdown by default)."""
    import io

    buf = io.StringIO()
    render(report, buf, markdown=markdown)
    return buf.getvalue()


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


def speed_report(rows: list, max_spread: float) -> Report:
    """One table per (function, dtype): rows are sizes; each peer's cell is ns/element
    with sigmoid_ext's speedup over it in brackets.  The legend is stated once; the notes
    on "(?)" and on withheld figures only when the tables hold any."""
    tables = []
    unknown_speedup = False
    for fn, dt in dict.fromkeys((r.function, r.dtype) for r in rows):
        sub = [r for r in rows if r.function == fn and r.dtype == dt]
        names = list(dict.fromkeys(r.peer for r in sub))
        others = [p for p in names if p not in (COPYTO, "sigmoid_ext")]
        header = ["n", COPYTO, "sigmoid_ext", "sx GB/s", "sx % copyto"] + others
        table = []
        for n in dict.fromkeys(r.n for r in sub):
            by = {r.peer: r for r in sub if r.n == n}

            def cell(name: str, speedup: bool = False, by: dict = by) -> str:
                nonlocal unknown_speedup
                r = by.get(name)
                if r is None:
                    return "n/a"
                if r.ns_per_element is None:
                    return "withheld*"
                s = _fmt_ns(r.ns_per_element)
                if speedup:
                    if r.sx_speedup:
                        s += f" ({r.sx_speedup:.2f}x)"
                    else:
                        s += " (?)"
                        unknown_speedup = True
                return s

            sx = by.get("sigmoid_ext")
            gbs = f"{sx.gb_per_s:.3g}" if sx and sx.gb_per_s else "-"
            pct = f"{sx.pct_of_copyto:.0f}%" if sx and sx.pct_of_copyto else "-"
            table.append([_fmt_n(n), cell(COPYTO), cell("sigmoid_ext"), gbs, pct]
                         + [cell(p, True) for p in others])
        tables.append(Table(f"{fn}, {dt}", header, table))
    legend = ["cells: ns per element (median); (Nx) = sigmoid_ext's speedup over that peer "
              "(peer time / sigmoid_ext time)"]
    if unknown_speedup:
        legend.append("(?) = no speedup: sigmoid_ext's own figure was withheld")
    footnotes = []
    withheld = [r for r in rows if not r.stable]
    if withheld:
        footnotes.append(
            f"* withheld: {len(withheld)} measurement(s) whose spread (p75-p25)/median "
            f"stayed above {100 * max_spread:.0f}% after a retry (machine too noisy):")
        groups: dict = {}
        for r in withheld:
            groups.setdefault((r.function, r.dtype, r.n), []).append(
                f"{r.peer} {100 * r.spread:.0f}%")
        for (fn, dt, n), items in groups.items():
            footnotes.append(textwrap.fill(", ".join(items), 88,
                                           initial_indent=f"  {fn} {dt} n={_fmt_n(n)}: ",
                                           subsequent_indent="    ", break_on_hyphens=False))
    return Report(tables, legend, footnotes)


def speed_tables(rows: list, max_spread: float) -> str:
    """The speed report as Markdown text."""
    return render_str(speed_report(rows, max_spread)).rstrip("\n")


def _fmt_ulp(v: float) -> str:
    if not np.isfinite(v):
        return "inf"
    return f"{v:.3f}" if v < 10 else f"{v:.3g}"


def accuracy_report(rows: list) -> Report:
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
    return Report([Table("ULP error, max / mean", header, table, left=3)])


def accuracy_table(rows: list) -> str:
    """The accuracy report as Markdown text."""
    return render_str(accuracy_report(rows)).rstrip("\n")


def write_json(path: str, payload: dict) -> None:
    """Write `payload` to the file `path`, or to standard output when `path` is "-"."""
    if path == "-":
        json.dump(payload, sys.stdout, indent=1, allow_nan=False, default=_json_default)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return
    with open(path, "w") as f:
        json.dump(payload, f, indent=1, allow_nan=False, default=_json_default)
        f.write("\n")


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


PLOT_MISSING = ("--plot needs matplotlib, which is not installed: "
                "pip install 'sigmoid_ext[plot]'")


def plot_unavailable() -> str | None:
    """None when matplotlib can be imported, else the message to show (checked before a
    run starts, so that a long run is not made for nothing)."""
    import importlib.util

    return PLOT_MISSING if importlib.util.find_spec("matplotlib") is None else None


def _short_title(title: str, width: int) -> str:
    """The header lines of a run, wrapped to the figure's width."""
    return "\n".join(textwrap.fill(line, width) for line in title.splitlines())


def plot(path: str, rows: list, title: str) -> str | None:
    """Two panels per (function, dtype): time per element against n (log-log), and each
    implementation's time relative to sigmoid_ext (1 = level, 2 = sigmoid_ext twice as
    fast), where the large-n differences that a common ns axis squashes show.  Returns an
    error message instead of raising when matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")           # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        return PLOT_MISSING + " (tables and JSON were still written)"
    fns = list(dict.fromkeys(r.function for r in rows))
    dts = list(dict.fromkeys(r.dtype for r in rows))
    ncols = 2 * len(dts)
    fig, axes = plt.subplots(len(fns), ncols, figsize=(4.6 * ncols, 3.6 * len(fns) + 1.0),
                             squeeze=False, sharex=True)
    # One colour per implementation across all panels (a peer missing from a panel,
    # e.g. SciPy for backward, must not shift the others' colours).
    names = list(dict.fromkeys(r.peer for r in rows))
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colour = {name: palette[i % len(palette)] for i, name in enumerate(names)}
    colour[COPYTO] = "gray"

    def style(name: str) -> dict:
        return dict(marker="o", ms=3, lw=2.5 if name == "sigmoid_ext" else 1.2,
                    color=colour[name], linestyle="--" if name == COPYTO else "-",
                    label=name)

    for i, fn in enumerate(fns):
        for j, dt in enumerate(dts):
            ax, rel = axes[i][2 * j], axes[i][2 * j + 1]
            sub = [r for r in rows if r.function == fn and r.dtype == dt and r.stable]
            for name in names:
                pts = sorted((r.n, r.ns_per_element) for r in sub if r.peer == name)
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], **style(name))
                ratio = sorted((r.n, r.sx_speedup) for r in sub
                               if r.peer == name and r.sx_speedup)
                if ratio and name != COPYTO:
                    rel.plot([p[0] for p in ratio], [p[1] for p in ratio], **style(name))
            ax.set_yscale("log")
            ax.set_title(f"{fn}, {dt}: ns per element", fontsize=9)
            rel.set_yscale("log")
            rel.axhline(1.0, color="black", lw=0.8)
            rel.set_title(f"{fn}, {dt}: time / sigmoid_ext's (>1: sigmoid_ext faster)",
                          fontsize=9)
            times = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}x")
            rel.yaxis.set_major_formatter(times)
            rel.yaxis.set_minor_formatter(times)
            for a in (ax, rel):
                a.set_xscale("log")
                a.grid(True, which="both", alpha=0.3)
                if i == len(fns) - 1:
                    a.set_xlabel("n (elements)")
    handles: dict = {}
    for a in axes.flat:
        for h, lab in zip(*a.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), fontsize=8, loc="lower center",
               ncol=min(len(handles), 5), frameon=False)
    fig.suptitle(_short_title(title, int(14 * 4.6 * ncols)), fontsize=8)  # ~14 chars/inch
    fig.tight_layout(rect=(0, 0.07 if len(handles) > 5 else 0.04, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
