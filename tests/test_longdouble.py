"""long double kernels (csrc/longdouble.c) through lib.sx_contig_ld, against mpmath.

Issue 14, item 5: longdouble used to go through NumPy formulas that cancel (silu_grad
gave 0.0 an exact 7.5e-21 from its zero, up to 34 ulp elsewhere) and turned -NaN into
+NaN.  The bounds asserted here are the measured maxima of docs/accuracy.md, rounded up
(tests/bounds.py: LD_BOUNDS).
"""

import numpy as np
import pytest
from bounds import LD_BOUNDS

from sigmoid_ext._sigmoid_ext_cffi import ffi, lib

mpmath = pytest.importorskip("mpmath")

LD = np.longdouble
FI = np.finfo(LD)
NMANT = int(FI.nmant)                      # 63 on x87 (64-bit significand)
MINEXP = int(FI.minexp)
pytestmark = pytest.mark.skipif(NMANT < 60, reason="long double is not wider than double")

X0 = "-1.2784645427610737951093587390229801554394774886197457654531781055"


def _ptr(a):
    return ffi.cast("long double *", a.ctypes.data) if a is not None else ffi.NULL


def call(name, *args, nout=1):
    args = [np.ascontiguousarray(a, dtype=LD) for a in args]
    outs = [np.empty_like(args[0]) for _ in range(nout)]
    a0 = args[0]
    a1 = args[1] if len(args) > 1 else None
    o1 = outs[1] if nout > 1 else None
    rc = lib.sx_contig_ld(getattr(lib, "SX_" + name.upper()), a0.size, _ptr(a0), _ptr(a1),
                          _ptr(outs[0]), _ptr(o1))
    assert rc == 0
    return outs if nout > 1 else outs[0]


def to_mp(v):
    """A long double as an exact mpf (at the working precision: callers use >= 60 digits)."""
    v = LD(v)
    if np.isnan(v):
        return mpmath.nan
    if np.isinf(v):
        return mpmath.inf if v > 0 else -mpmath.inf
    if v == 0:
        return mpmath.mpf(0)
    m, e = np.frexp(v)
    return mpmath.ldexp(mpmath.mpf(int(np.ldexp(m, NMANT + 1))), int(e) - NMANT - 1)


def _sig(x):
    return 1 / (1 + mpmath.exp(-x))


def _logit(p):
    if not 0 <= p <= 1:
        return mpmath.nan
    if p in (0, 1):
        return mpmath.inf if p == 1 else -mpmath.inf
    return mpmath.log(p / (1 - p))


def _logit_grad(p):
    if not 0 <= p <= 1:
        return mpmath.nan
    return mpmath.inf if p in (0, 1) else 1 / (p * (1 - p))


def _finite_or(f, neg, pos):
    return lambda x: f(x) if mpmath.isfinite(x) else (pos if x > 0 else neg)


REFS = {
    "sigmoid": _finite_or(_sig, mpmath.mpf(0), mpmath.mpf(1)),
    "sigmoid_grad": _finite_or(lambda x: mpmath.exp(-abs(x)) / (1 + mpmath.exp(-abs(x))) ** 2,
                               mpmath.mpf(0), mpmath.mpf(0)),
    "log_sigmoid": _finite_or(lambda x: -mpmath.log1p(mpmath.exp(-x)), -mpmath.inf,
                              mpmath.mpf(0)),
    "softplus": _finite_or(lambda x: mpmath.log1p(mpmath.exp(x)), mpmath.mpf(0), mpmath.inf),
    "logit": _logit,
    "logit_grad": _logit_grad,
    "silu": _finite_or(lambda x: x * _sig(x), mpmath.mpf(0), mpmath.inf),
    "silu_grad": _finite_or(lambda x: _sig(x) * (1 + x * _sig(-x)), mpmath.mpf(0),
                            mpmath.mpf(1)),
    "log_sigmoid_grad": _finite_or(lambda x: _sig(-x), mpmath.mpf(1), mpmath.mpf(0)),
}


def ulp_errors(y, refs):
    """|y - ref| in long double ulps of ref (subnormal spacing below the normal range)."""
    with mpmath.workdps(60):            # 64-bit significands: more than mpmath's default
        return _ulp_errors(y, refs)


def _ulp_errors(y, refs):
    out = np.empty(len(refs))
    big = to_mp(FI.max) * (1 + mpmath.ldexp(1, -NMANT - 1))
    for i, (yi, r) in enumerate(zip(y, refs)):
        if mpmath.isnan(r):
            out[i] = 0.0 if np.isnan(yi) else np.inf
        elif r == 0:
            out[i] = 0.0 if yi == 0 else np.inf
        elif mpmath.isinf(r) or abs(r) >= big:
            out[i] = 0.0 if np.isinf(yi) and (yi > 0) == (r > 0) else np.inf
        else:
            e = max(int(mpmath.floor(mpmath.log(abs(r), 2))), MINEXP)
            out[i] = float(abs(to_mp(yi) - r) / mpmath.ldexp(1, e - NMANT))
    return out


def points(region, n, seed=0):
    """Inputs of one region as long doubles (float64 draws plus long double offsets, so
    that the low bits are populated)."""
    rng = np.random.default_rng(seed)
    jitter = LD(1) + LD(rng.uniform(-1, 1, n)) * LD(2.0 ** -53)
    if region == "core":
        x = LD(rng.uniform(-20, 20, n)) * jitter
    elif region == "tails":
        x = LD(rng.choice([-1, 1], n) * rng.uniform(20, 11300, n)) * jitter
    elif region == "subnormal":          # sigmoid(x), silu, silu_grad: subnormal or near
        x = -LD(rng.uniform(11340, 11400, n)) * jitter
    elif region == "unit":               # logit's domain, both ends on log scales
        k = n // 3
        x = np.concatenate([LD(rng.uniform(0, 1, k)),
                            np.exp(-LD(rng.uniform(1, 11000, k))),
                            1 - np.exp(-LD(rng.uniform(1, 43, n - 2 * k)))]) * jitter
        x = np.clip(x, 0, 1)
    elif region == "half":               # p = 1/2 +- a few ulps .. 1e-3
        x = LD(0.5) + LD(rng.choice([-1, 1], n)) * np.exp(-LD(rng.uniform(1, 43, n)))
    elif region == "zero":               # around silu_grad's zero
        x0 = LD(X0)
        far = LD(rng.choice([-1, 1], n // 2)) * np.exp(-LD(rng.uniform(0, 46, n // 2)))
        d = np.concatenate([far,
                            np.arange(-(n - n // 2) // 2, (n - n // 2) // 2) * np.spacing(x0)])
        x = x0 + d
    else:
        raise ValueError(region)
    return np.asarray(x, dtype=LD)


UNARY = ["sigmoid", "sigmoid_grad", "log_sigmoid", "softplus", "silu", "silu_grad",
         "log_sigmoid_grad"]
CASES = ([(f, r) for f in UNARY for r in ("core", "tails")]
         + [(f, "subnormal") for f in ("sigmoid", "sigmoid_grad", "silu", "silu_grad",
                                       "log_sigmoid_grad", "softplus")]
         + [("silu_grad", "zero"), ("silu", "zero")]
         + [(f, r) for f in ("logit", "logit_grad") for r in ("unit", "half")])


def measure(name, region, n, seed=0):
    x = points(region, n, seed)
    if name == "log_sigmoid_grad" and region == "subnormal":
        x = -x
    with mpmath.workdps(60):
        refs = [REFS[name](to_mp(v)) for v in x]
    err = ulp_errors(call(name, x), refs)
    return err, x


@pytest.mark.parametrize("name,region", CASES)
def test_against_mpmath(name, region):
    err, x = measure(name, region, 600)
    assert err.max() <= LD_BOUNDS[name], (name, region, x[np.argmax(err)], err.max())


def test_silu_grad_zero_region_keeps_relative_accuracy():
    # the point: NumPy's formula gave 0.0 for an input 7.5e-21 from the zero
    x0 = LD(X0)
    x = x0 + np.array([-7.5e-21, 7.5e-21, -1e-19, 1e-19, -3e-3, 3e-3], dtype=LD)
    x = np.concatenate([x, x0 + np.arange(-300, 301) * np.spacing(x0)])
    with mpmath.workdps(60):
        refs = [REFS["silu_grad"](to_mp(v)) for v in x]
    y = call("silu_grad", x)
    assert (y[:6] != 0).all()
    assert ulp_errors(y, refs).max() <= LD_BOUNDS["silu_grad"]
    assert (np.sign(y) == np.sign(np.array([float(r) for r in refs]))).all()


@pytest.mark.parametrize("region", ["unit", "outside"])
def test_sigmoid_backward(region):
    g, y = _backward_points(region, 600)
    with mpmath.workdps(60):
        refs = [to_mp(a) * to_mp(b) * (1 - to_mp(b)) for a, b in zip(g, y)]
    err = ulp_errors(call("sigmoid_backward", g, y), refs)
    assert err.max() <= LD_BOUNDS["sigmoid_backward"], err.max()


def test_sigmoid_and_grad_is_the_two_functions():
    x = points("core", 300)
    s, g = call("sigmoid_and_grad", x, nout=2)
    np.testing.assert_array_equal(s, call("sigmoid", x))
    np.testing.assert_array_equal(g, call("sigmoid_grad", x))


ALL = UNARY + ["logit", "logit_grad"]


@pytest.mark.parametrize("name", ALL)
def test_nan_sign_and_payload_pass_through(name):
    nan = np.array([np.nan, -np.nan], dtype=LD)
    y = call(name, nan)
    assert np.isnan(y).all()
    assert not np.signbit(y[0]) and np.signbit(y[1])
    s, g = call("sigmoid_and_grad", nan, nout=2)
    assert np.signbit(s[1]) and np.signbit(g[1]) and not np.signbit(s[0])
    b = call("sigmoid_backward", np.array([-np.nan, 1, np.nan], dtype=LD),
             np.array([0.5, -np.nan, -np.nan], dtype=LD))
    assert np.isnan(b).all() and np.signbit(b[0]) and np.signbit(b[1]) and not np.signbit(b[2])


SPECIALS = {    # f(-inf), f(-0), f(+0), f(+inf); logit's at p = -inf, -0, 0, inf
    "sigmoid": (0.0, 0.5, 0.5, 1.0),
    "sigmoid_grad": (0.0, 0.25, 0.25, 0.0),
    "log_sigmoid": (-np.inf, -np.log(2), -np.log(2), -0.0),
    "softplus": (0.0, np.log(2), np.log(2), np.inf),
    "silu": (-0.0, -0.0, 0.0, np.inf),
    "silu_grad": (-0.0, 0.5, 0.5, 1.0),
    "log_sigmoid_grad": (1.0, 0.5, 0.5, 0.0),
    "logit": (np.nan, -np.inf, -np.inf, np.nan),
    "logit_grad": (np.nan, np.inf, np.inf, np.nan),
}


@pytest.mark.parametrize("name", ALL)
def test_infinities_and_zeros(name):
    x = np.array([-np.inf, -0.0, 0.0, np.inf], dtype=LD)
    y = call(name, x)
    exp = np.array(SPECIALS[name], dtype=np.float64)
    fin = np.isfinite(exp) & (exp != 0)
    np.testing.assert_allclose(np.asarray(y[fin], np.float64), exp[fin], rtol=1e-15)
    inf0 = ~np.isnan(exp) & ~fin
    assert (y[inf0] == exp[inf0]).all() and (np.signbit(y[inf0]) == np.signbit(exp[inf0])).all()
    assert np.isnan(y[np.isnan(exp)]).all()
    assert call("logit", np.array([1.0, 0.5], dtype=LD))[0] == np.inf
    assert call("logit", np.array([0.5], dtype=LD))[0] == 0


def test_no_fp_flags_left_set():
    # logit(0) divides by zero, overflow/underflow happen in the tails: none of it may
    # reach numpy's error state (nor clear flags the caller had).
    x = np.array([0.0, 1.0, -1e5, 1e5, -11390.0, 2.0, np.nan], dtype=LD)
    with np.errstate(all="raise"):
        for name in ALL:
            call(name, x)
        huge = LD("1e4000")
        call("sigmoid_backward", np.array([huge, 0.0, 1.0], dtype=LD),
             np.array([huge, np.inf, 1e-4000], dtype=LD))
        np.multiply(np.ones(3), 2.0)     # a later NumPy op sees no stale flag


def test_in_place_and_bad_arguments():
    x = points("core", 100)
    ref = call("silu", x)
    lib.sx_contig_ld(lib.SX_SILU, x.size, _ptr(x), ffi.NULL, _ptr(x), ffi.NULL)
    np.testing.assert_array_equal(x, ref)
    assert lib.sx_contig_ld(-1, 1, _ptr(x), ffi.NULL, _ptr(x), ffi.NULL) == -1
    assert lib.sx_contig_ld(lib.SX_NFUNCS, 1, _ptr(x), ffi.NULL, _ptr(x), ffi.NULL) == -1
    assert lib.sx_contig_ld(lib.SX_SILU, -1, _ptr(x), ffi.NULL, _ptr(x), ffi.NULL) == -1
    assert lib.sx_contig_ld(lib.SX_SIGMOID_BACKWARD, 1, _ptr(x), ffi.NULL, _ptr(x),
                            ffi.NULL) == -1
    assert lib.sx_contig_ld(lib.SX_SIGMOID_AND_GRAD, 1, _ptr(x), ffi.NULL, _ptr(x),
                            ffi.NULL) == -1
    assert lib.sx_contig_ld(lib.SX_SILU, 0, ffi.NULL, ffi.NULL, ffi.NULL, ffi.NULL) == 0


def _backward_points(region, n, seed=3):
    rng = np.random.default_rng(seed)
    if region == "unit":
        y = np.concatenate([LD(rng.uniform(0, 1, n // 2)),
                            1 - np.exp(-LD(rng.uniform(1, 40, n - n // 2)))])
    else:
        y = LD(rng.choice([-1, 1], n)) * np.exp(LD(rng.uniform(-40, 40, n)))
    g = LD(rng.standard_normal(n)) * np.exp(LD(rng.uniform(-20, 20, n)))
    return g, y


def main(argv):
    """Dense scan: python tests/test_longdouble.py [points per region] [seed]."""
    n = int(argv[1]) if len(argv) > 1 else 20000
    seed = int(argv[2]) if len(argv) > 2 else 1
    print(f"{'function':<18}{'region':<11}{'max ulp':>9}  at x")
    for name, region in CASES:
        err, x = measure(name, region, n, seed)
        i = int(np.argmax(err))
        print(f"{name:<18}{region:<11}{err[i]:9.4f}  {np.format_float_scientific(x[i])}")
    for region in ("unit", "outside"):
        g, y = _backward_points(region, n, seed)
        with mpmath.workdps(60):
            refs = [to_mp(a) * to_mp(b) * (1 - to_mp(b)) for a, b in zip(g, y)]
        err = ulp_errors(call("sigmoid_backward", g, y), refs)
        i = int(np.argmax(err))
        print(f"{'sigmoid_backward':<18}{region:<11}{err[i]:9.4f}  g={g[i]!r} y={y[i]!r}")


if __name__ == "__main__":
    import sys

    main(sys.argv)
