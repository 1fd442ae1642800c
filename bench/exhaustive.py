"""Exhaustive float32 accuracy check of a function: every 2^32 input, every ISA path.

    python -m sigmoid_ext.bench.exhaustive            # sigmoid, all 2^32 inputs (minutes)
    python -m sigmoid_ext.bench.exhaustive --stride 97   # the subset CI runs
    python -m sigmoid_ext.bench.exhaustive --function logit   # any one-output function

Reference: the function evaluated in float64 with a stable formula (FUNCTIONS below).
Its error is a few float64 ulps, i.e. below 2^-48 relative = 2^-24 float32 ulp, so a
float32 result whose measured error is farther than AMBIGUOUS from 0.5 ulp is classified
correctly; the (rare) results inside that window, and every input where the float64
formula itself cancels (next to the zero of silu_grad), are decided with mpmath at 50
digits.  Also checks monotonicity along the sampled inputs in increasing order (for the
monotone functions), NaN -> NaN, and the values at the infinities and domain ends.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from typing import Callable, NamedTuple

import numpy as np

from .ulp import ulp_error

CHUNK = 1 << 22
AMBIGUOUS = 1e-6          # window around 0.5 ulp resolved with mpmath (reference error ~6e-8)


def _sig(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def _log_sig(x: np.ndarray) -> np.ndarray:
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _logit(p: np.ndarray) -> np.ndarray:
    t = np.where(p > 0.5, 1 - p, p)
    r = np.where(t >= 0.25, np.log1p((2 * t - 1) / (1 - t)), np.log(t) - np.log1p(-t))
    return np.where((p >= 0) & (p <= 1), np.where(p > 0.5, -r, r), np.nan)


def _logit_grad(p: np.ndarray) -> np.ndarray:
    t = np.where(p > 0.5, 1 - p, p)
    return np.where((p >= 0) & (p <= 1), 1 / (t * (1 - t)), np.nan)


_X0_SILU_GRAD = -1.2784645427610738     # the zero of silu' (float64 formula cancels there)


class Spec(NamedTuple):
    reference: Callable         # float64 formula, few ulp
    direction: int              # +1 increasing, -1 decreasing, 0 not monotone
    specials: dict              # input -> exact expected output
    unsure: Callable | None = None   # inputs where the float64 formula is not good enough


FUNCTIONS = {
    "sigmoid": Spec(_sig, 1, {np.inf: 1.0, -np.inf: 0.0, 0.0: 0.5}),
    "sigmoid_grad": Spec(lambda x: _sig(x) * _sig(-x), 0, {np.inf: 0.0, -np.inf: 0.0,
                                                           0.0: 0.25}),
    "log_sigmoid": Spec(_log_sig, 1, {np.inf: 0.0, -np.inf: -np.inf}),
    "softplus": Spec(lambda x: -_log_sig(-x), 1, {np.inf: np.inf, -np.inf: 0.0}),
    "logit": Spec(_logit, 1, {0.0: -np.inf, 1.0: np.inf, 0.5: 0.0, 2.0: np.nan,
                              -1.0: np.nan, np.inf: np.nan}),
    "logit_grad": Spec(_logit_grad, 0, {0.0: np.inf, 1.0: np.inf, 0.5: 4.0,
                                        -1.0: np.nan}),
    "silu": Spec(lambda x: np.where(np.isinf(x), np.maximum(x, 0), x * _sig(x)), 0,
                 {np.inf: np.inf, -np.inf: 0.0, 0.0: 0.0}),
    "silu_grad": Spec(lambda x: _sig(x) * (1 + x * _sig(-x)), 0,
                      {np.inf: 1.0, -np.inf: 0.0, 0.0: 0.5},
                      lambda x: np.abs(x - _X0_SILU_GRAD) < 2.0**-8),
    "log_sigmoid_grad": Spec(lambda x: _sig(-x), -1, {np.inf: 0.0, -np.inf: 1.0}),
}


def _resolve_with_mpmath(function: str, x: np.ndarray, y: np.ndarray) -> tuple:
    """(count of the given results that are NOT correctly rounded, their max ulp error),
    exact check."""
    import mpmath

    from .ulp import MP_REFERENCES, mp_ulp_error

    mpmath.mp.dps = 50
    if x.size == 0:
        return 0, 0.0
    err = mp_ulp_error(y, [MP_REFERENCES[function](float(v)) for v in x], np.float32)
    return int(np.count_nonzero(err > 0.5)), float(err.max())


def _check_range(task: tuple) -> dict:
    """Worker: inputs with bit patterns start, start+stride, ... (< stop), all paths."""
    start, stop, stride, isas, function = task
    import sigmoid_ext

    spec = FUNCTIONS[function]
    f = getattr(sigmoid_ext, function)
    bits = np.arange(start, stop, stride, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    finite = np.isfinite(x)
    with np.errstate(all="ignore"):             # signalling-NaN patterns raise 'invalid'
        ref = spec.reference(x.astype(np.float64))
        hard = (spec.unsure(x) & finite if spec.unsure is not None
                else np.zeros_like(finite))
    easy = finite & ~hard
    out = {}
    for isa in isas:
        sigmoid_ext.set_isa(isa)
        y = f(x)
        err = ulp_error(y[easy], ref[easy], np.float32)
        sure_bad = err > 0.5 + AMBIGUOUS
        unsure = np.abs(err - 0.5) <= AMBIGUOUS
        xf, yf = x[easy], y[easy]
        bad = int(np.count_nonzero(sure_bad))
        bad += _resolve_with_mpmath(function, xf[unsure], yf[unsure])[0]
        hard_bad, hard_max = _resolve_with_mpmath(function, x[hard], y[hard])
        bad += hard_bad
        if hard_max > (err.max() if err.size else 0.0):
            err = np.append(err, hard_max)
            xf = np.append(xf, x[hard][0])      # approximate location: the hard region
        # Sign bit clear: bits increase with x; set: bits increase as x decreases.
        nonmono = 0
        if spec.direction:
            with np.errstate(invalid="ignore"):     # logit: NaN outside [0, 1]
                d = np.diff(y[finite]) * spec.direction
            positive = (bits[finite][1:] < 0x80000000)
            nonmono = int(np.count_nonzero(np.where(positive, d < 0, d > 0)))
        special_ok = bool(np.all(np.isnan(y[np.isnan(x)])))
        for xs, want in spec.specials.items():
            got = y[x == np.float32(xs)]
            special_ok &= bool(np.all(np.isnan(got)) if np.isnan(want)
                               else np.all(got == want))
        imax = int(np.argmax(err)) if err.size else 0
        out[isa] = {
            "count": int(x.size), "max_ulp": float(err.max()) if err.size else 0.0,
            "worst_x": float(xf[imax]) if err.size else 0.0,
            "sum_ulp": float(err.sum()), "not_cr": bad, "nonmonotone": nonmono,
            "special_ok": special_ok,
        }
    return out


def run(stride: int = 1, isas: list | None = None, processes: int = 2,
        progress: bool = True, function: str = "sigmoid") -> dict:
    """Check `function` on float32 inputs with bit patterns 0, stride, 2*stride, ...
    < 2^32."""
    import sigmoid_ext

    if function not in FUNCTIONS:
        raise ValueError(f"unknown function {function!r}; choose from {', '.join(FUNCTIONS)}")
    isas = isas or sigmoid_ext.available_isas()
    span = CHUNK * stride
    tasks = [(s, min(s + span, 1 << 32), stride, isas, function)
             for s in range(0, 1 << 32, span)]
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
    p.add_argument("--function", default="sigmoid", choices=list(FUNCTIONS),
                   help="function to check (default sigmoid)")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    totals = run(args.stride, args.isa, args.processes, function=args.function)
    print(f"float32 {args.function}, every {args.stride}-th of the 2^32 inputs, "
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
