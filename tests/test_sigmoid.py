"""sigmoid / expit: values against the pure-Python reference and mpmath, per ISA path."""

import math

import numpy as np
import pytest
from bounds import f32_bound

import sigmoid_ext
from sigmoid_ext import reference
from sigmoid_ext.bench.ulp import mp_sigmoid, mp_ulp_error, ulp_error

DTYPES = [np.float32, np.float64]


def test_expit_is_sigmoid():
    assert sigmoid_ext.expit is sigmoid_ext.sigmoid


def test_reference_matches_mpmath():
    """The oracle itself: a few double ulps at worst over the whole domain."""
    xs = np.concatenate([np.linspace(-745, 40, 3001), np.linspace(-1, 1, 1001)])
    ref = np.array([reference.sigmoid(float(x)) for x in xs])
    err = mp_ulp_error(ref, [mp_sigmoid(float(x)) for x in xs], np.float64)
    assert err.max() <= 4


@pytest.mark.parametrize("dtype", DTYPES)
def test_against_reference(isa, dtype, domain_points):
    x = domain_points(dtype)
    y = sigmoid_ext.sigmoid(x)
    assert y.dtype == dtype
    ref = np.array([reference.sigmoid(float(v)) for v in x])
    # float32: the float64 reference is far more accurate than the float32 ulp.
    # float64: reference (<= 4 ulp) + kernel (< 1 ulp).
    bound = f32_bound(isa, "sigmoid") + 1e-6 if dtype == np.float32 else 5
    assert ulp_error(y, ref, dtype).max() <= bound


@pytest.mark.parametrize("dtype", DTYPES)
def test_within_one_ulp_of_mpmath(isa, dtype, domain_points):
    x = domain_points(dtype, n_core=1500, n_tail=800, seed=1)
    y = sigmoid_ext.sigmoid(x)
    err = mp_ulp_error(y, [mp_sigmoid(float(v)) for v in x], dtype)
    assert err.max() <= 1.0, x[np.argmax(err)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values(isa, dtype):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=dtype)
    y = sigmoid_ext.sigmoid(x)
    assert y[0] == 0.5 and y[1] == 0.5
    assert y[2] == 1.0 and y[3] == 0.0
    assert np.isnan(y[4])


@pytest.mark.parametrize("dtype,one_above,zero_below,subnormal_at", [
    (np.float32, 17.3287, -103.9721, -100.0),
    (np.float64, 37.4299, -745.1332, -740.0),
])
def test_saturation_and_subnormal_tail(isa, dtype, one_above, zero_below, subnormal_at):
    """1 and 0 exactly only where the true value rounds there; correct subnormals
    between the overflow of e^-x and the final underflow (no early flush to 0)."""
    fi = np.finfo(dtype)
    s = sigmoid_ext.sigmoid
    assert s(np.array([one_above + 0.01], dtype))[0] == 1.0
    assert s(np.array([one_above - 0.01], dtype))[0] < 1.0
    assert s(np.array([zero_below - 0.01], dtype))[0] == 0.0
    assert s(np.array([zero_below + 0.01], dtype))[0] > 0.0
    y = s(np.array([subnormal_at], dtype))[0]
    assert 0 < y < fi.tiny
    ref = float(mp_sigmoid(float(dtype(subnormal_at))))
    assert abs(float(y) - ref) <= float(fi.smallest_subnormal)  # within one subnormal ulp


@pytest.mark.parametrize("dtype", DTYPES)
def test_symmetry_and_monotonicity(isa, dtype):
    x = np.sort(np.random.default_rng(2).uniform(-60, 60, 20000)).astype(dtype)
    y = sigmoid_ext.sigmoid(x)
    assert np.all(np.diff(y) >= 0)
    assert np.all((y >= 0) & (y <= 1))
    core = np.abs(x) < 15
    total = y[core].astype(np.float64) + sigmoid_ext.sigmoid(-x[core]).astype(np.float64)
    assert np.max(np.abs(total - 1.0)) <= 2 * np.finfo(dtype).eps


def test_monotone_between_adjacent_floats_near_saturation(isa):
    """Adjacent float32 values in the regions where rounding changes binade."""
    for centre in (0.0, 17.0, -87.3, -103.9, 5.0, -5.0):
        start = np.array([abs(centre)], np.float32).view(np.int32)[0]
        bits = np.maximum(start + np.arange(-4096, 4096), 0).astype(np.uint32)
        mags = bits.view(np.float32)
        xs = np.unique(np.concatenate([mags, -mags]) if centre == 0 else np.sign(centre) * mags)
        y = sigmoid_ext.sigmoid(xs)
        assert np.all(np.diff(y) >= 0)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
def test_other_float_types(dtype):
    x = np.linspace(-12, 12, 241).astype(dtype)
    y = sigmoid_ext.sigmoid(x)
    assert y.dtype == dtype
    ref = np.array([reference.sigmoid(float(v)) for v in x])
    if dtype == np.float16:
        # Correctly rounded: equal to the float64 reference rounded once.
        assert np.array_equal(y, ref.astype(np.float16))
    else:
        assert np.allclose(y.astype(np.float64), ref, rtol=1e-15, atol=0)


def test_float16_exhaustive_correct_rounding():
    """Every finite float16: the result is sigma rounded once to float16."""
    x = np.arange(2**16, dtype=np.uint16).view(np.float16)
    x = x[np.isfinite(x)]
    y = sigmoid_ext.sigmoid(x)
    ref = np.array([math.nan if math.isnan(v) else float(mp_sigmoid(float(v)))
                    for v in x.astype(np.float64)])
    err = ulp_error(y, ref, np.float16)
    assert err.max() <= 0.5


def test_python_float_matches_math():
    for v in (-700.0, -30.0, -1.5, 0.25, 3.0, 36.0):
        assert sigmoid_ext.sigmoid(v) == pytest.approx(reference.sigmoid(v), rel=2e-16)
