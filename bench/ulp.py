"""ULP measurement shared by the tests, the accuracy report and the exhaustive checker.

An error in ulps is |y - ref| / ulp(ref), with ulp(ref) the spacing of the target format
at ref's binade (the subnormal spacing below the smallest normal).  References come from
mpmath (any precision) or, for float32 targets, from float64 values whose own error is
bounded separately.
"""

from __future__ import annotations

import numpy as np

try:
    import mpmath
except ImportError:  # pragma: no cover - mpmath is a test/bench extra
    mpmath = None


def finfo(dtype):
    """np.finfo, also for ml_dtypes' bfloat16 (which NumPy's finfo does not know)."""
    try:
        return np.finfo(dtype)
    except ValueError:
        import ml_dtypes

        return ml_dtypes.finfo(dtype)


def ulp_of(ref: np.ndarray, dtype) -> np.ndarray:
    """Spacing of `dtype` at |ref| (ref given as float64 or wider)."""
    fi = finfo(dtype)
    ref = np.abs(np.asarray(ref, dtype=np.float64))
    _, e = np.frexp(ref)                                 # ref = m * 2^e, m in [0.5, 1)
    e = np.maximum(e - 1, fi.minexp)                     # exponent of the binade
    return np.ldexp(1.0, e - fi.nmant)


def ulp_error(y: np.ndarray, ref: np.ndarray, dtype) -> np.ndarray:
    """Error of y in ulps of `dtype`, against a float64 reference.

    NaN where both are NaN counts as 0, NaN against a number as inf.
    """
    y = np.asarray(y, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        err = np.abs(y - ref) / ulp_of(ref, dtype)
    both_nan = np.isnan(y) & np.isnan(ref)
    err = np.where(both_nan, 0.0, err)
    err = np.where(np.isnan(err), np.inf, err)
    same = (y == ref)                                    # also covers equal infinities
    # A finite reference beyond the largest value plus half an ulp rounds to inf.
    fi = finfo(dtype)
    edge = float(fi.max) * (1 + 2.0 ** -(int(fi.nmant) + 1))
    overflow = np.isinf(y) & (np.abs(ref) >= edge) & (np.sign(y) == np.sign(ref))
    return np.where(same | overflow, 0.0, err)


def mp_ulp_error(y: np.ndarray, refs: list, dtype) -> np.ndarray:
    """Error of y in ulps of `dtype` against mpmath reference values (exact arithmetic).
    A reference beyond the largest finite value counts as inf (overflow is correct)."""
    fi = finfo(dtype)
    big = mpmath.mpf(float(fi.max)) * (1 + mpmath.ldexp(1, -fi.nmant - 1))
    out = np.empty(len(refs))
    for i, (yi, r) in enumerate(zip(np.asarray(y, dtype=np.float64), refs)):
        if mpmath.isnan(r):
            out[i] = 0.0 if np.isnan(yi) else np.inf
            continue
        if r == 0:
            out[i] = 0.0 if yi == 0 else np.inf
            continue
        if mpmath.isinf(r) or abs(r) >= big:
            out[i] = 0.0 if np.isinf(yi) and (yi > 0) == (r > 0) else np.inf
            continue
        e = max(int(mpmath.floor(mpmath.log(abs(r), 2))), fi.minexp)
        u = mpmath.ldexp(1, e - fi.nmant)
        out[i] = float(abs(mpmath.mpf(float(yi)) - r) / u)
    return out


# High-precision definitions (set mpmath.mp.dps before use; 50 digits is plenty).
def mp_sigmoid(x: float):
    x = mpmath.mpf(x)
    return 1 / (1 + mpmath.exp(-x))


def mp_sigmoid_grad(x: float):
    e = mpmath.exp(-abs(mpmath.mpf(x)))
    return e / (1 + e) ** 2


def mp_sigmoid_backward(g: float, y: float):
    g, y = mpmath.mpf(g), mpmath.mpf(y)
    return g * y * (1 - y)


def _mp_logistic(x):
    return 1 / (1 + mpmath.exp(-x))


def mp_log_sigmoid(x: float):
    x = mpmath.mpf(x)
    return -mpmath.log1p(mpmath.exp(-x))


def mp_softplus(x: float):
    return mpmath.log1p(mpmath.exp(mpmath.mpf(x)))


def mp_logit(p: float):
    p = mpmath.mpf(p)
    if not 0 <= p <= 1:
        return mpmath.nan
    if p in (0, 1):
        return mpmath.inf if p == 1 else -mpmath.inf
    return mpmath.log(p / (1 - p))


def mp_logit_grad(p: float):
    p = mpmath.mpf(p)
    if not 0 <= p <= 1:
        return mpmath.nan
    return mpmath.inf if p in (0, 1) else 1 / (p * (1 - p))


def mp_silu(x: float):
    x = mpmath.mpf(x)
    return x * _mp_logistic(x) if mpmath.isfinite(x) else (x if x > 0 else mpmath.mpf(0))


def mp_silu_grad(x: float):
    x = mpmath.mpf(x)
    if not mpmath.isfinite(x):
        return mpmath.mpf(1 if x > 0 else 0)
    return _mp_logistic(x) * (1 + x * _mp_logistic(-x))


def mp_log_sigmoid_grad(x: float):
    return _mp_logistic(-mpmath.mpf(x))


# Function name -> high-precision definition, for every public function of one input
# and one output (tests, the accuracy report and the exhaustive checker share it).
MP_REFERENCES = {
    "sigmoid": mp_sigmoid,
    "sigmoid_grad": mp_sigmoid_grad,
    "log_sigmoid": mp_log_sigmoid,
    "softplus": mp_softplus,
    "logit": mp_logit,
    "logit_grad": mp_logit_grad,
    "silu": mp_silu,
    "silu_grad": mp_silu_grad,
    "log_sigmoid_grad": mp_log_sigmoid_grad,
}
