"""Behaviour every function of the family shares, parametrized over one table: accuracy
against mpmath and the pure-Python reference over the whole domain (tails and
subnormals included), NaN and infinities, every float type, and the float32 exhaustive
checker on a subset.  Function-specific cases live in tests/test_<function>.py."""

import math

import numpy as np
import pytest
from bounds import F32_FAMILY, f32_bound, f32_not_cr_rate

import sigmoid_ext
from sigmoid_ext import reference
from sigmoid_ext.bench import exhaustive
from sigmoid_ext.bench.ulp import MP_REFERENCES, mp_ulp_error, ulp_error

# name: (domain is [0, 1], max ulp against mpmath: float64 contract).  float32 results
# are evaluated in float64 and rounded once more, so they are held to 0.5 + 2^-20.
FAMILY = {
    "log_sigmoid": (False, 1.0),
    "softplus": (False, 1.0),
    "logit": (True, 2.0),
    "logit_grad": (True, 1.0),
    "silu": (False, 1.0),
    "silu_grad": (False, 1.0),
    "log_sigmoid_grad": (False, 1.0),
}
NAMES = list(FAMILY)
DTYPES = [np.float32, np.float64]
# float32 kernels evaluate in plain double (~2^-39 relative) and round once: the
# documented bound is 0.5 + 2^-15 ulp (0.500011 measured, exhaustive stride 17);
# log_sigmoid_grad is native float32 on the AVX-512 path (tests/bounds.py).


def bound(name, dtype, isa=None):
    if dtype == np.float32:
        return f32_bound(isa, name, portable=F32_FAMILY)
    return FAMILY[name][1]


def points(domain_points, name, dtype, **kw):
    return domain_points(dtype, unit=FAMILY[name][0], **kw)


def ref_values(name, x):
    f = getattr(reference, name)
    return np.array([f(float(v)) for v in np.asarray(x, dtype=np.float64)])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_within_bound_of_mpmath(isa, name, dtype, domain_points):
    x = points(domain_points, name, dtype, n_core=600, n_tail=400, seed=11)
    y = getattr(sigmoid_ext, name)(x)
    assert y.dtype == dtype
    err = mp_ulp_error(y, [MP_REFERENCES[name](float(v)) for v in x], dtype)
    assert err.max() <= bound(name, dtype, isa), (x[np.argmax(err)], err.max())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
def test_against_reference(isa, name, dtype, domain_points):
    x = points(domain_points, name, dtype)
    if name == "silu_grad":      # the double formula cancels next to the zero of silu'
        x = x[np.abs(x.astype(np.float64) + 1.2784645427610738) > 0.05]
    y = getattr(sigmoid_ext, name)(x)
    # float32: the reference's few float64 ulps are far below a float32 ulp.  float64:
    # its composition of libm calls errs by a few ulps, plus the kernel's 0.5.
    bound32 = max(0.501, f32_bound(isa, name) + 1e-6)
    assert ulp_error(y, ref_values(name, x), dtype).max() <= (bound32 if dtype == np.float32
                                                              else 8)


SPECIAL_X = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 1e30, -1e30,
             3e38, -3e38, 1e-45, -1e-45]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
@pytest.mark.parametrize("name", NAMES)
def test_specials_without_warnings(isa, name, dtype):
    """NaN gives NaN, the infinities and domain ends give the limits (the reference's
    values), and no floating-point warning is raised on any path."""
    with np.errstate(all="ignore"):
        x = np.array(SPECIAL_X, dtype=dtype)
    with np.errstate(all="raise"):
        y = getattr(sigmoid_ext, name)(x)
    assert y.dtype == dtype
    want = ref_values(name, x)
    for xi, yi, wi in zip(x, y.astype(np.float64), want):
        if math.isnan(wi):
            assert math.isnan(yi), (xi, yi)
        elif math.isinf(wi) or wi == 0:
            assert yi == wi and math.copysign(1, yi) == math.copysign(1, wi), (xi, yi, wi)


@pytest.mark.parametrize("name", NAMES)
def test_float16_every_input_correctly_rounded(name):
    x = np.arange(2**16, dtype=np.uint16).view(np.float16)
    x = x[np.isfinite(x)]
    y = getattr(sigmoid_ext, name)(x)
    assert y.dtype == np.float16
    assert ulp_error(y, ref_values(name, x), np.float16).max() <= 0.5001


@pytest.mark.parametrize("name", NAMES + ["sigmoid", "sigmoid_grad"])
def test_bfloat16_every_input_rounded_once_and_monotone(name):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = np.dtype(ml_dtypes.bfloat16)
    x = np.arange(2**16, dtype=np.uint16).view(bf16)
    y = getattr(sigmoid_ext, name)(x)
    assert y.dtype == bf16
    with np.errstate(invalid="ignore"):         # signalling-NaN patterns
        xd = x.astype(np.float64)
    ok = ~np.isnan(xd)
    assert np.isnan(y.astype(np.float64)[~ok]).all()
    err = ulp_error(y[ok].astype(np.float64), ref_values(name, xd[ok]), bf16)
    assert err.max() <= 0.5001, xd[ok][np.argmax(err)]
    direction = exhaustive.FUNCTIONS[name].direction
    if direction:
        order = np.argsort(xd[ok], kind="stable")
        yd = y[ok].astype(np.float64)[order]
        yd = yd[~np.isnan(yd)] * direction
        assert (yd[1:] >= yd[:-1]).all()


@pytest.mark.parametrize("name", NAMES)
def test_longdouble_fallback_agrees(name, domain_points):
    x = points(domain_points, name, np.float64, n_core=500, n_tail=300, seed=4)
    if name == "silu_grad":      # the NumPy formula cancels next to the zero of silu'
        x = x[np.abs(x + 1.2784645427610738) > 0.05]
    f = getattr(sigmoid_ext, name)
    yl = f(x.astype(np.longdouble))
    assert yl.dtype == np.longdouble
    with np.errstate(over="ignore"):            # logit_grad beyond the float64 range
        yl64 = yl.astype(np.float64)
    assert ulp_error(yl64, f(x), np.float64).max() <= 2


@pytest.mark.parametrize("name", NAMES)
def test_exhaustive_checker_on_a_float32_subset(name):
    """Every 4099th float32 bit pattern (about a million inputs) on every ISA path:
    error, near-correct rounding, monotonicity, specials (the full run is `python -m
    sigmoid_ext.bench.exhaustive --function NAME`)."""
    totals = exhaustive.run(stride=4099, progress=False, function=name)
    for isa, t in totals.items():
        assert t["count"] > 1_000_000, isa
        assert t["max_ulp"] <= bound(name, np.float32, isa), (isa, t)
        assert t["nonmonotone"] == 0, (isa, t)
        assert t["special_ok"], (isa, t)
        assert t["not_cr"] <= t["count"] * f32_not_cr_rate(isa, name), (isa, t)


def test_bfloat16_out_dtype_and_signature_as_numpy():
    """bfloat16 has its own loop; out=, dtype= and signature= behave as for np.exp with
    ml_dtypes' loops (NumPy finds no loop for dtype=bfloat16 with a float64 input)."""
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf16 = np.dtype(ml_dtypes.bfloat16)
    x = np.linspace(-6, 6, 2001)
    out = np.empty(x.shape, bf16)
    assert sigmoid_ext.sigmoid(x, out=out) is out            # d->d, then NumPy's cast
    np.testing.assert_array_equal(out, sigmoid_ext.sigmoid(x).astype(bf16))
    for f in (np.exp, sigmoid_ext.sigmoid):
        with pytest.raises(TypeError):
            f(x, dtype=bf16)
    y = sigmoid_ext.sigmoid(x, signature=(bf16, bf16))       # the input cast first
    assert y.dtype == bf16
    np.testing.assert_array_equal(y, sigmoid_ext.sigmoid(x.astype(bf16)))
