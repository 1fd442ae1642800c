"""softplus: exact x for large x, exact e^x in the far negative tail; its gradient."""

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext.bench.ulp import mp_softplus, mp_ulp_error

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype,exact_above", [(np.float32, 17.0), (np.float64, 37.0)])
def test_exactly_x_for_large_x(isa, dtype, exact_above):
    x = np.geomspace(exact_above, np.finfo(dtype).max / 2, 2000).astype(dtype)
    x = np.concatenate([x, [np.inf]]).astype(dtype)
    np.testing.assert_array_equal(sigmoid_ext.softplus(x), x)


@pytest.mark.parametrize("dtype", DTYPES)
def test_far_negative_tail_is_e_to_the_x(isa, dtype):
    """log1p(e^x) = e^x(1 - e^x/2 + ...): the correctly rounded e^x, subnormals included,
    and +0.0 (never NaN) past the underflow, -inf included."""
    lo = -745.0 if dtype == np.float64 else -103.0
    x = np.linspace(lo, -40.0, 3001).astype(dtype)
    y = sigmoid_ext.softplus(x)
    err = mp_ulp_error(y, [mp_softplus(float(v)) for v in x], dtype)
    assert err.max() <= 1
    z = sigmoid_ext.softplus(np.array([-800, -1e30, -np.inf], dtype))
    assert (z == 0).all() and not np.signbit(z).any()


@pytest.mark.parametrize("dtype", DTYPES)
def test_mirror_of_log_sigmoid(isa, dtype, domain_points):
    x = domain_points(dtype)
    np.testing.assert_array_equal(sigmoid_ext.softplus(x), -sigmoid_ext.log_sigmoid(-x))


def test_grad_is_sigmoid():
    assert sigmoid_ext.softplus_grad is sigmoid_ext.sigmoid


def test_against_torch_when_installed():
    torch = pytest.importorskip("torch")
    x = np.linspace(-30, 30, 1001)
    want = torch.nn.functional.softplus(torch.from_numpy(x), threshold=1e9).numpy()
    np.testing.assert_allclose(sigmoid_ext.softplus(x), want, rtol=1e-13)
