"""sigmoid-bench: time sigmoid_ext against the peers installed on this machine (default),
or measure their accuracy (`sigmoid-bench accuracy`).

Every peer runs on the same arrays, at the same thread count, in the same run, next to
an np.copyto of the same size that gives the memory-bandwidth yardstick.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from . import accuracy, report, ulp
from .peers import (
    DEFAULT_FUNCTIONS,
    FUNCTIONS,
    PEER_ALIASES,
    PEER_PACKAGES,
    SPEED_FUNCTIONS,
    installed_peers,
    missing_peers,
    resolve_peer_names,
)
from .speed import Progress, count_measurements, run_speed

EXIT_INTERRUPTED = 130      # the shell's code for a run ended by SIGINT

DEFAULT_SIZES = [10 ** k for k in range(8)]              # 1 .. 1e7; 1e8 only on request
QUICK_SIZES = [1, 1000, 100_000, 1_000_000]
DTYPES = ("float32", "float64")


def _csv(choices: tuple | None = None):
    """argparse type: comma-separated list, checked against `choices`."""
    def parse(text: str) -> list:
        items = [s.strip() for s in text.split(",") if s.strip()]
        if choices is not None:
            if items == ["all"]:
                return list(choices)
            bad = [s for s in items if s not in choices]
            if bad:
                raise argparse.ArgumentTypeError(
                    f"unknown {', '.join(bad)}; choose from {', '.join(choices)} or all")
        if not items:
            raise argparse.ArgumentTypeError("empty list")
        return items
    return parse


def _sizes(text: str) -> list:
    try:
        sizes = [int(float(s)) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"sizes must be numbers like 1000 or 1e6: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be >= 1")
    return sizes


def _positive_int(text: str) -> int:
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return v


def _common(p: argparse.ArgumentParser, functions: tuple = FUNCTIONS) -> None:
    p.add_argument("--dtype", type=_csv(DTYPES), default=list(DTYPES),
                   help="float32, float64 or both, comma-separated (default: both)")
    p.add_argument("--function", type=_csv(functions), default=list(DEFAULT_FUNCTIONS),
                   help=f"{', '.join(functions)}; comma-separated, or all (default: "
                        f"{','.join(DEFAULT_FUNCTIONS)})")
    p.add_argument("--peers", type=_csv(), default=None,
                   help="only these peers, comma-separated: "
                        f"{', '.join(n for n in PEER_PACKAGES if n != 'sigmoid_ext')} "
                        f"(short names: {', '.join(PEER_ALIASES)}); sigmoid_ext is always "
                        "included")
    p.add_argument("--json", metavar="FILE",
                   help="also write the results as JSON ('-': to standard output, the "
                        "tables then go to standard error)")
    p.add_argument("--markdown", action="store_true",
                   help="Markdown tables even on a terminal (they are Markdown anyway "
                        "when the output is a file or a pipe)")
    p.add_argument("--no-progress", action="store_true", help="no progress on stderr")


def _speed_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sigmoid-bench", description=__doc__,
        epilog="Subcommand: 'sigmoid-bench accuracy --help' for the ULP report.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p, SPEED_FUNCTIONS)
    p.add_argument("--sizes", type=_sizes, default=None,
                   help="comma-separated sizes, e.g. 1e3,1e6 (default 1..1e7 by decades; "
                        "--large adds 1e8)")
    p.add_argument("--large", action="store_true",
                   help="add n = 1e8 (about 2.4 GB of float64 arrays, minutes)")
    p.add_argument("--threads", type=_positive_int, default=1,
                   help="threads for sigmoid_ext, torch and numexpr (default 1; NumPy and "
                        "SciPy are single-threaded whatever this says)")
    p.add_argument("--quick", action="store_true",
                   help=f"sizes {','.join(map(str, QUICK_SIZES))} and shorter timing "
                        "(10-15 s on 2 cores, against about 70 s for the default run)")
    p.add_argument("--plot", metavar="FILE.png", help="plot ns/element against n (matplotlib)")
    p.add_argument("--max-spread", type=float, default=0.15,
                   help="withhold a figure whose (p75-p25)/median exceeds this after one "
                        "retry (default %(default)s)")
    p.add_argument("--repeats", type=_positive_int, default=None,
                   help="timed rounds per measurement (default 7; 5 with --quick)")
    p.add_argument("--min-time", type=float, default=None,
                   help="seconds of timed rounds per measurement (default 0.1; 0.03 quick)")
    return p


def _accuracy_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sigmoid-bench accuracy",
        description="Max and mean ULP error per function, dtype and region of the domain, "
                    "for sigmoid_ext and each installed peer, on the same points. "
                    "Reference: " + accuracy.REFERENCE + ".")
    _common(p)
    p.add_argument("--points", type=_positive_int, default=3000,
                   help="points per region (default %(default)s; the whole default report "
                        "takes well under a minute)")
    p.add_argument("--seed", type=int, default=0)
    return p


def _header(env: dict) -> str:
    peers = ", ".join(f"{k} {v}" for k, v in env["peers"].items())
    return (f"sigmoid_ext {env['sigmoid_ext']} ({env['isa']}), numpy {env['numpy']}, "
            f"Python {env['python']}, CPU: {env['cpu']}\npeers: {peers}")


def _check_peers(parser: argparse.ArgumentParser, names: list | None) -> None:
    """Unknown peer names are a usage error (exit 2); known peers whose package is
    missing are named on one line of stderr and the run goes on without them."""
    if not names:
        return
    _, unknown = resolve_peer_names(names)
    if unknown:
        choices = [n for n in PEER_PACKAGES if n != "sigmoid_ext"] + list(PEER_ALIASES)
        parser.error(f"unknown peer(s): {', '.join(unknown)}; choose from "
                     f"{', '.join(choices)}")
    missing = missing_peers(names)
    if missing:
        pkgs = sorted({pkg for _, pkg in missing})
        print(f"sigmoid-bench: not installed, skipped: "
              f"{', '.join(f'{name} (needs {pkg})' for name, pkg in missing)}; "
              f"pip install {' '.join(pkgs)}", file=sys.stderr)


def _out_stream(json_path: str | None) -> TextIO:
    """Where the human-readable report goes: stderr when the JSON takes stdout."""
    return sys.stderr if json_path == "-" else sys.stdout


def _json_done(path: str) -> None:
    if path != "-":
        print(f"JSON written to {path}")


def _run_speed(argv: list) -> int:
    parser = _speed_parser()
    args = parser.parse_args(argv)
    _check_peers(parser, args.peers)
    if args.plot and (msg := report.plot_unavailable()):
        parser.exit(2, f"sigmoid-bench: {msg}\n")
    sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    if args.large and 10 ** 8 not in sizes:
        sizes = sizes + [10 ** 8]
    min_time = args.min_time if args.min_time is not None else (0.03 if args.quick else 0.1)
    repeats = args.repeats or (5 if args.quick else 7)
    peers = installed_peers(args.peers, args.threads)
    env = report.environment(args.threads, peers)
    out = _out_stream(args.json)
    print(_header(env), file=out)
    print(f"threads: {args.threads} (single-threaded libraries: "
          f"{', '.join(env['single_threaded_peers']) or 'none'}); inputs uniform in "
          f"[-10, 10]; median of {repeats} rounds taken in turn across the peers; "
          f"figures with spread (p75-p25)/median > {100 * args.max_spread:.0f}% are "
          "withheld\n", file=out)
    out.flush()
    total = count_measurements(peers, args.function, args.dtype, sizes)
    progress = Progress(total, enabled=not args.no_progress)
    t0 = time.perf_counter()
    rows: list = []
    interrupted = False
    try:
        run_speed(peers, args.function, args.dtype, sizes, args.threads,
                  min_time=min_time, repeats=repeats, max_spread=args.max_spread,
                  progress=progress, sink=rows)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    elapsed = time.perf_counter() - t0
    if rows:
        report.render(report.speed_report(rows, args.max_spread), out,
                      markdown=True if args.markdown else None)
    if interrupted:
        print(f"interrupted after {elapsed:.0f} s: {len(rows)} of {total} measurements "
              "shown", file=out)
    else:
        print(f"({len(rows)} measurements in {elapsed:.0f} s)", file=out)
    if args.json:
        report.write_json(args.json, {
            "kind": "speed", "environment": env, "interrupted": interrupted,
            "settings": {"sizes": sizes, "dtypes": args.dtype, "functions": args.function,
                         "threads": args.threads, "repeats": repeats, "min_time_s": min_time,
                         "max_spread": args.max_spread},
            "results": [r.as_dict() for r in rows]})
        _json_done(args.json)
    if interrupted:
        return EXIT_INTERRUPTED
    if args.plot:
        err = report.plot(args.plot, rows, _header(env) + f", threads {args.threads}")
        if err:
            print(err, file=sys.stderr)
            return 2
        print(f"plot written to {args.plot}", file=out)
    return 0


def _run_accuracy(argv: list) -> int:
    parser = _accuracy_parser()
    args = parser.parse_args(argv)
    _check_peers(parser, args.peers)
    if ulp.mpmath is None:
        parser.exit(2, "sigmoid-bench accuracy needs mpmath, which is not installed: "
                       "pip install mpmath (or pip install 'sigmoid_ext[bench]')\n")
    peers = installed_peers(args.peers)
    env = report.environment(1, peers)
    out = _out_stream(args.json)
    print(_header(env), file=out)
    print(f"reference: {accuracy.REFERENCE}", file=out)
    print(f"{args.points} points per region, the same points for every implementation; "
          "cells: max / mean ULP error, (k zeros) = k results 0 where the correctly "
          "rounded value is not\n", file=out)
    out.flush()
    total = accuracy.count_accuracy(peers, args.function, args.dtype)
    progress = Progress(total, enabled=not args.no_progress)
    t0 = time.perf_counter()
    rows: list = []
    interrupted = False
    try:
        accuracy.run_accuracy(peers, args.function, args.dtype, args.points,
                              seed=args.seed, progress=progress, sink=rows)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    print(accuracy_regions_note(args.dtype), file=out)
    if rows:
        report.render(report.accuracy_report(rows), out,
                      markdown=True if args.markdown else None)
    if interrupted:
        print(f"interrupted: {len(rows)} of {total} results shown", file=out)
    else:
        print(f"({time.perf_counter() - t0:.0f} s)", file=out)
    if args.json:
        report.write_json(args.json, {
            "kind": "accuracy", "environment": env, "reference": accuracy.REFERENCE,
            "interrupted": interrupted,
            "regions": {d: accuracy.REGIONS[d] for d in args.dtype},
            "points_per_region": args.points, "seed": args.seed,
            "results": [r.as_dict() for r in rows]})
        _json_done(args.json)
    return EXIT_INTERRUPTED if interrupted else 0


def accuracy_regions_note(dtypes: list) -> str:
    parts = []
    for d in dtypes:
        regs = "; ".join(f"{name} " + " U ".join(f"[{a:g}, {b:g}]" for a, b in iv)
                         for name, iv in accuracy.REGIONS[d].items())
        parts.append(f"{d}: {regs}")
    note = "regions of x: " + " | ".join(parts)
    return note + " (backward: y = sigmoid_ext.sigmoid(x), g standard normal)\n"


def main(argv: list | None = None) -> int:
    """Entry point of the `sigmoid-bench` console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["accuracy"]:
            return _run_accuracy(argv[1:])
        if argv[:1] == ["speed"]:       # explicit name for the default run
            argv = argv[1:]
        return _run_speed(argv)
    except KeyboardInterrupt:       # before the measurements began (imports, set-up)
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
