"""logit and logit_grad: the inverse of the sigmoid on [0, 1]."""

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext.bench.ulp import mp_logit, mp_ulp_error

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
def test_ends_and_outside_the_domain(isa, dtype):
    p = np.array([0.0, -0.0, 1.0, 0.5, -1e-30, -1.0, 1.0000001, 2.0, np.inf, -np.inf,
                  np.nan], dtype)
    with np.errstate(all="raise"):
        y = sigmoid_ext.logit(p)
        g = sigmoid_ext.logit_grad(p)
    assert y[0] == -np.inf and y[1] == -np.inf and y[2] == np.inf
    assert y[3] == 0 and not np.signbit(y[3])
    assert np.isnan(y[4:]).all()
    assert (g[:3] == np.inf).all() and g[3] == 4
    assert np.isnan(g[4:]).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_accurate_near_one_half(isa, dtype):
    """log(p/(1-p)) loses the digits of p - 1/2; the log1p form keeps them, down to the
    last ulp around 1/2."""
    eps = np.finfo(dtype).eps
    p = (0.5 + eps * np.arange(-200, 201)).astype(dtype)
    p = np.concatenate([p, (0.5 + np.geomspace(1e-12, 0.2, 300) * [[1], [-1]]).ravel()])
    p = p.astype(dtype)
    y = sigmoid_ext.logit(p)
    err = mp_ulp_error(y, [mp_logit(float(v)) for v in p], dtype)
    assert err.max() <= 2
    assert (np.sign(y) == np.sign(p.astype(np.float64) - 0.5)).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_inverse_of_sigmoid_and_antisymmetric(isa, dtype):
    x = np.linspace(-15, 15, 3001).astype(dtype)
    back = sigmoid_ext.logit(sigmoid_ext.sigmoid(x))
    # sigma rounds to within 1/2 ulp; logit's condition number there is 1/(1-p) for
    # p > 1/2, so compare with a bound that grows with it.
    tol = 4 * np.finfo(dtype).eps * (1 + np.exp(np.abs(x.astype(np.float64))))
    assert (np.abs(back - x) <= tol * np.maximum(1, np.abs(x))).all()
    p = np.linspace(0.5, 1, 1001).astype(dtype)        # 1 - p is exact here
    np.testing.assert_array_equal(sigmoid_ext.logit(1 - p), -sigmoid_ext.logit(p))


@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_symmetric_and_overflows_to_inf(isa, dtype):
    p = np.linspace(0.5, 1, 1001).astype(dtype)
    np.testing.assert_array_equal(sigmoid_ext.logit_grad(1 - p), sigmoid_ext.logit_grad(p))
    tiny = np.array([np.finfo(dtype).smallest_subnormal, np.finfo(dtype).tiny / 4], dtype)
    assert (sigmoid_ext.logit_grad(tiny) == np.inf).all()


def test_against_scipy_when_installed():
    special = pytest.importorskip("scipy.special")
    p = np.linspace(0.001, 0.999, 999)
    np.testing.assert_allclose(sigmoid_ext.logit(p), special.logit(p), rtol=1e-12, atol=1e-15)
