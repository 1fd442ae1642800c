"""Dense scans near each family function's hard points, on every ISA path (issue 14,
item 6: documented bounds below measured maxima).  Not a test module: run

    python tests/scan_hard_points.py [--scale S] [--only NAME]

and compare with tests/bounds.py / docs/accuracy.md.  float64 points are checked
against mpmath (50 digits).  float32 points are checked against the float64 kernel of
the same function (within 1 float64 ulp = 2^-29 float32 ulp), and the largest results
are re-checked with mpmath, so the reported maxima are mpmath's.
"""

from __future__ import annotations

import argparse
import time

import mpmath
import numpy as np

import sigmoid_ext as sx
from sigmoid_ext.bench.ulp import MP_REFERENCES, mp_ulp_error, ulp_error

mpmath.mp.dps = 50
X0 = -1.2784645427610737                     # silu_grad's zero: the kernel's X0_HI


def _around(x, k):
    """Every float of x's dtype within k ulps of x."""
    x = np.asarray(x)
    bits = x.view(np.int64 if x.dtype == np.float64 else np.int32)
    step = np.arange(-k, k + 1, dtype=bits.dtype)
    # negative numbers: bit patterns run the other way, which only reorders the set
    return (bits + step).view(x.dtype)


def f64_points(name, scale, rng):
    n = int(20000 * scale)
    if name == "silu_grad":
        return np.concatenate([
            _around(np.float64(X0), int(15000 * scale)),
            X0 + rng.uniform(-1 / 16, 1 / 16, n),
            X0 + 1 / 16 + rng.uniform(-1e-3, 1e-3, n // 2),
            X0 - 1 / 16 + rng.uniform(-1e-3, 1e-3, n // 2),
            rng.uniform(-20, 20, n)])
    if name == "logit":
        return np.concatenate([
            _around(np.float64(0.5), int(3000 * scale)),
            rng.uniform(0.25, 0.75, n),
            2 - np.sqrt(2) + rng.uniform(-2e-4, 2e-4, 2 * n),     # the log's v = 1/sqrt2
            np.sqrt(2) - 1 + rng.uniform(-2e-4, 2e-4, 2 * n),     # reduction switch
            0.5 + rng.choice([-1, 1], n) * np.exp(rng.uniform(np.log(1e-16), np.log(0.5), n)),
            rng.uniform(0, 1, n)])
    if name == "silu":                                    # subnormal tail of the results
        return rng.uniform(-750, -700, 2 * n)
    if name == "log_sigmoid":
        return rng.uniform(700, 746, 2 * n)
    raise ValueError(name)


def f32_points(name, scale, rng):
    if name == "silu_grad":
        # every float within 1/2 of the zero (~8.4M): the direct form's error grows as
        # 1/|x - X0| down to the Taylor switch at 1/32
        lo, hi = np.float32(X0 - 0.5), np.float32(X0 + 0.5)
        a, b = sorted([lo.view(np.int32), hi.view(np.int32)])
        every = np.arange(a, b + 1, dtype=np.int32).view(np.float32)
        return np.concatenate([every, rng.uniform(-110, 20, int(2e6 * scale)).astype(np.float32)])
    raise ValueError(name)


def scan(name, dtype, x, isas):
    f = getattr(sx, name)
    t0 = time.time()
    rows = []
    if dtype == np.float64:
        refs = [MP_REFERENCES[name](float(v)) for v in x]
        for isa in isas:
            sx.set_isa(isa)
            err = mp_ulp_error(f(x), refs, dtype)
            i = int(np.argmax(err))
            rows.append((isa, err[i], float(x[i])))
    else:
        sx.set_isa("baseline")
        ref = f(x.astype(np.float64))
        for isa in isas:
            sx.set_isa(isa)
            y = f(x)
            err = ulp_error(y, ref, dtype)
            top = np.argsort(err)[-50:]
            exact = mp_ulp_error(y[top], [MP_REFERENCES[name](float(v)) for v in x[top]], dtype)
            j = int(np.argmax(exact))
            rows.append((isa, exact[j], float(x[top[j]])))
    for isa, e, at in rows:
        print(f"{name:<12} {np.dtype(dtype).name:<8} {isa:<9} {x.size:>9} {e:10.6f}  at {at!r}"
              f"   ({time.time() - t0:.0f} s)")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", type=float, default=1.0, help="multiply the point counts")
    p.add_argument("--only", help="one function")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    rng = np.random.default_rng(a.seed)
    isas = sx.available_isas()
    print(f"{'function':<12} {'dtype':<8} {'path':<9} {'points':>9} {'max ulp':>10}  at x")
    for name in ("silu_grad", "logit", "silu", "log_sigmoid"):
        if a.only in (None, name):
            scan(name, np.float64, f64_points(name, a.scale, rng), isas)
    if a.only in (None, "silu_grad"):
        scan("silu_grad", np.float32, f32_points("silu_grad", a.scale, rng), isas)


if __name__ == "__main__":
    main()
