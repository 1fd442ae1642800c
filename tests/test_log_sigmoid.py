"""log_sigmoid / log_expit and log_sigmoid_grad: the edges the naive formula breaks."""

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext.bench.ulp import mp_log_sigmoid, mp_ulp_error

DTYPES = [np.float32, np.float64]


def test_aliases():
    assert sigmoid_ext.log_expit is sigmoid_ext.log_sigmoid


@pytest.mark.parametrize("dtype,exact_below", [(np.float32, -17.0), (np.float64, -37.0)])
def test_exactly_x_in_the_negative_tail(isa, dtype, exact_below):
    """log sigma(x) = x - log1p(e^x) rounds to x once e^x < ulp(x)/2: the kernel returns
    x itself there (also at -inf and at the bottom of the range), and not before the
    true value does."""
    x = -np.geomspace(-exact_below, np.finfo(dtype).max / 2, 2000).astype(dtype)
    x = np.concatenate([x, [-np.inf]]).astype(dtype)
    np.testing.assert_array_equal(sigmoid_ext.log_sigmoid(x), x)
    near = np.array([exact_below + 4], dtype)
    assert sigmoid_ext.log_sigmoid(near)[0] != near[0]


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_x_gives_negative_zero_not_nan(isa, dtype):
    x = np.array([800, 1e30, np.finfo(dtype).max, np.inf], dtype)
    y = sigmoid_ext.log_sigmoid(x)
    assert (y == 0).all() and np.signbit(y).all()
    # Before that: the correctly rounded -e^-x, subnormals included.
    big = np.array([30.0, 100.0, 740.0 if dtype == np.float64 else 100.0], dtype)
    y = sigmoid_ext.log_sigmoid(big)
    err = mp_ulp_error(y, [mp_log_sigmoid(float(v)) for v in big], dtype)
    assert (y < 0).all() and err.max() <= 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_accurate_near_zero(isa, dtype):
    x = np.concatenate([np.geomspace(1e-30, 1, 300), -np.geomspace(1e-30, 1, 300)]).astype(dtype)
    y = sigmoid_ext.log_sigmoid(x)
    err = mp_ulp_error(y, [mp_log_sigmoid(float(v)) for v in x], dtype)
    assert err.max() <= 1
    assert sigmoid_ext.log_sigmoid(dtype(0)) == dtype(-np.log(2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_is_sigmoid_of_minus_x_bit_for_bit(isa, dtype, domain_points):
    x = domain_points(dtype)
    np.testing.assert_array_equal(sigmoid_ext.log_sigmoid_grad(x), sigmoid_ext.sigmoid(-x))


def test_against_scipy_when_installed():
    special = pytest.importorskip("scipy.special")
    if not hasattr(special, "log_expit"):
        pytest.skip("scipy too old for log_expit")
    x = np.linspace(-50, 50, 1001)
    np.testing.assert_allclose(sigmoid_ext.log_expit(x), special.log_expit(x), rtol=1e-14)
