"""sigmoid_grad: relative accuracy everywhere, including where y*(1-y) collapses to 0."""

import numpy as np
import pytest
from bounds import f32_bound

import sigmoid_ext
from sigmoid_ext import reference
from sigmoid_ext.bench.ulp import mp_sigmoid_grad, mp_ulp_error, ulp_error


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_within_two_ulp_of_mpmath(isa, dtype, domain_points):
    x = domain_points(dtype, n_core=1200, n_tail=800, seed=3)
    g = sigmoid_ext.sigmoid_grad(x)
    assert g.dtype == dtype
    err = mp_ulp_error(g, [mp_sigmoid_grad(float(v)) for v in x], dtype)
    assert err.max() <= 2.0, x[np.argmax(err)]


@pytest.mark.parametrize("dtype,x", [(np.float32, 20.0), (np.float64, 40.0),
                                     (np.float32, -20.0), (np.float64, -40.0)])
def test_no_cancellation_where_y_times_one_minus_y_fails(isa, dtype, x):
    g = sigmoid_ext.sigmoid_grad(np.array([x], dtype))[0]
    exact = mp_sigmoid_grad(float(x))
    assert g > 0
    assert mp_ulp_error(np.array([g]), [exact], dtype)[0] <= 2.0
    y = sigmoid_ext.sigmoid(np.array([abs(x)], dtype))[0]
    assert y * (1 - y) == 0  # the naive formula would have returned 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_against_reference_and_specials(isa, dtype, domain_points):
    x = domain_points(dtype)
    g = sigmoid_ext.sigmoid_grad(x)
    ref = np.array([reference.sigmoid_grad(float(v)) for v in x])
    bound = f32_bound(isa, "sigmoid_grad") + 1e-6 if dtype == np.float32 else 6
    assert ulp_error(g, ref, dtype).max() <= bound
    s = sigmoid_ext.sigmoid_grad(np.array([0, -0.0, np.inf, -np.inf, np.nan], dtype))
    assert s[0] == 0.25 and s[1] == 0.25 and s[2] == 0 and s[3] == 0 and np.isnan(s[4])
    assert np.array_equal(sigmoid_ext.sigmoid_grad(x), sigmoid_ext.sigmoid_grad(-x))
