"""Exhaustive float32 accuracy check of sigmoid: every 2^32 input, every ISA path.

    python -m sigmoid_ext.bench.exhaustive            # all 2^32 inputs (minutes on 2 cores)
    python -m sigmoid_ext.bench.exhaustive --stride 97   # the subset CI runs

Reference: sigma evaluated in float64 with the stable formula (exp of -|x| only).  Its
error is a few float64 ulps, i.e. below 2^-48 relative = 2^-24 float32 ulp, so a
float32 result whose measured error is farther than AMBIGUOUS from 0.5 ulp is classified
correctly; the (rare) results inside that window are decided with mpmath at 50 digits.
Also checks monotonicity along the sampled inputs in increasing order, NaN -> NaN, and
sigma(±inf) = 1/0.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time

import numpy as np

from .ulp import ulp_error

CHUNK = 1 << 22
AMBIGUOUS = 1e-6          # window around 0.5 ulp resolved with mpmath (reference error ~6e-8)


def _reference(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):             # signalling-NaN patterns raise 'invalid'
        xd = x.astype(np.float64)
        e = np.exp(-np.abs(xd))
        return np.where(xd >= 0, 1.0, e) / (1.0 + e)


def _resolve_with_mpmath(x: np.ndarray, y: np.ndarray) -> int:
    """Count of the given results that are NOT the correctly rounded sigma (exact check)."""
    import mpmath

    from .ulp import mp_sigmoid, mp_ulp_error

    mpmath.mp.dps = 50
    if x.size == 0:
        return 0
    err = mp_ulp_error(y, [mp_sigmoid(float(v)) for v in x], np.float32)
    return int(np.count_nonzero(err > 0.5))


def _check_range(task: tuple) -> dict:
    """Worker: inputs with bit patterns start, start+stride, ... (< stop), all paths."""
    start, stop, stride, isas = task
    import sigmoid_ext

    bits = np.arange(start, stop, stride, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    finite = np.isfinite(x)
    ref = _reference(x)
    out = {}
    for isa in isas:
        sigmoid_ext.set_isa(isa)
        y = sigmoid_ext.sigmoid(x)
        err = ulp_error(y[finite], ref[finite], np.float32)
        sure_bad = err > 0.5 + AMBIGUOUS
        unsure = np.abs(err - 0.5) <= AMBIGUOUS
        xf, yf = x[finite], y[finite]
        bad = int(np.count_nonzero(sure_bad)) + _resolve_with_mpmath(xf[unsure], yf[unsure])
        # Sign bit clear: bits increase with x; set: bits increase as x decreases.
        d = np.diff(y[finite])
        positive = (bits[finite][1:] < 0x80000000)
        nonmono = int(np.count_nonzero(np.where(positive, d < 0, d > 0)))
        special_ok = bool(np.all(np.isnan(y[np.isnan(x)]))
                          and np.all(y[x == np.inf] == 1) and np.all(y[x == -np.inf] == 0))
        imax = int(np.argmax(err)) if err.size else 0
        out[isa] = {
            "count": int(x.size), "max_ulp": float(err.max()) if err.size else 0.0,
            "worst_x": float(xf[imax]) if err.size else 0.0,
            "sum_ulp": float(err.sum()), "not_cr": bad, "nonmonotone": nonmono,
            "special_ok": special_ok,
        }
    return out


def run(stride: int = 1, isas: list | None = None, processes: int = 2,
        progress: bool = True) -> dict:
    """Check sigmoid on float32 inputs with bit patterns 0, stride, 2*stride, ... < 2^32."""
    import sigmoid_ext

    isas = isas or sigmoid_ext.available_isas()
    span = CHUNK * stride
    tasks = [(s, min(s + span, 1 << 32), stride, isas) for s in range(0, 1 << 32, span)]
    totals = {i: {"count": 0, "max_ulp": 0.0, "worst_x": 0.0, "sum_ulp": 0.0, "not_cr": 0,
                  "nonmonotone": 0, "special_ok": True} for i in isas}
    t0 = time.perf_counter()
    ctx = mp.get_context("spawn")
    with ctx.Pool(processes) as pool:
        for k, res in enumerate(pool.imap_unordered(_check_range, tasks), 1):
            for isa, r in res.items():
                tot = totals[isa]
                if r["max_ulp"] > tot["max_ulp"]:
                    tot["max_ulp"], tot["worst_x"] = r["max_ulp"], r["worst_x"]
                for key in ("count", "sum_ulp", "not_cr", "nonmonotone"):
                    tot[key] += r[key]
                tot["special_ok"] &= r["special_ok"]
            if progress and sys.stderr.isatty():
                print(f"\r{k}/{len(tasks)} chunks, {time.perf_counter() - t0:.0f} s",
                      end="", file=sys.stderr)
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    for tot in totals.values():
        tot["mean_ulp"] = tot["sum_ulp"] / max(tot["count"], 1)
    return totals


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(prog="sigmoid-exhaustive", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stride", type=int, default=1,
                   help="check every STRIDE-th bit pattern (1 = all 2^32)")
    p.add_argument("--isa", action="append", help="path to check (default: all available)")
    p.add_argument("--processes", type=int, default=2)
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    totals = run(args.stride, args.isa, args.processes)
    print(f"float32 sigmoid, every {args.stride}-th of the 2^32 inputs, "
          f"{time.perf_counter() - t0:.0f} s")
    print(f"{'path':10} {'inputs':>11} {'max ulp':>9} {'at x':>14} {'mean ulp':>9} "
          f"{'not CR':>7} {'non-monotone':>12} {'specials':>8}")
    ok = True
    for isa, t in totals.items():
        print(f"{isa:10} {t['count']:>11} {t['max_ulp']:9.6f} {t['worst_x']:14.7g} "
              f"{t['mean_ulp']:9.4f} {t['not_cr']:>7} {t['nonmonotone']:>12} "
              f"{'ok' if t['special_ok'] else 'WRONG':>8}")
        ok &= t["max_ulp"] <= 1.0 and t["nonmonotone"] == 0 and t["special_ok"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
