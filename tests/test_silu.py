"""silu (swish) and silu_grad, including the zero of silu_grad."""

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext.bench.ulp import mp_silu_grad, mp_ulp_error

DTYPES = [np.float32, np.float64]
X0 = -1.2784645427610738          # the zero of silu'


@pytest.mark.parametrize("dtype", DTYPES)
def test_limits_without_inf_times_zero(isa, dtype):
    x = np.array([np.inf, -np.inf, 0.0, -0.0, 1e30, -1e30, 100.0], dtype)
    with np.errstate(all="raise"):
        y = sigmoid_ext.silu(x)
        g = sigmoid_ext.silu_grad(x)
    assert y[0] == np.inf and y[1] == 0 and np.signbit(y[1])
    assert y[2] == 0 and not np.signbit(y[2]) and np.signbit(y[3])
    assert y[4] == x[4] and y[5] == 0 and y[6] == x[6]
    assert g[0] == 1 and g[1] == 0 and g[2] == 0.5 and g[3] == 0.5 and g[4] == 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_relative_accuracy_up_to_its_zero(isa, dtype):
    """1 + x sigma(-x) cancels next to x0; the Taylor branch keeps relative accuracy on
    every float of the neighbourhood, both sides of the switch at |x - x0| = 1/16."""
    start = np.array([X0], dtype)
    steps = np.arange(-300, 301)
    near = (start.view(f"i{np.dtype(dtype).itemsize}")[0] + steps).astype(
        f"i{np.dtype(dtype).itemsize}").view(dtype)
    wider = (X0 + np.linspace(-0.2, 0.2, 801)).astype(dtype)
    x = np.concatenate([near, wider])
    g = sigmoid_ext.silu_grad(x)
    err = mp_ulp_error(g, [mp_silu_grad(float(v)) for v in x], dtype)
    assert err.max() <= 1, x[np.argmax(err)]      # relative: the sign is right too


@pytest.mark.parametrize("dtype", DTYPES)
def test_grad_matches_finite_differences(dtype):
    x = np.linspace(-8, 8, 161)
    h = 1e-6
    fd = (sigmoid_ext.silu(x + h) - sigmoid_ext.silu(x - h)) / (2 * h)
    np.testing.assert_allclose(sigmoid_ext.silu_grad(x), fd, atol=1e-8)


def test_against_torch_when_installed():
    torch = pytest.importorskip("torch")
    x = np.linspace(-30, 30, 1001)
    want = torch.nn.functional.silu(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(sigmoid_ext.silu(x), want, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sign_of_a_zero_result_is_the_sign_of_x(isa, dtype):
    # Issue 14, item 4: silu(-5e-324) = -2.47e-324 exactly, which rounds to -0.0; the
    # baseline path (Dekker products, no FMA) returned +0.0.
    tiny = float(np.finfo(dtype).smallest_subnormal)
    x = np.array([-tiny, -2 * tiny, -3 * tiny, tiny, 2 * tiny, -0.0, 0.0], dtype)
    for xs in (x, np.resize(x, 37)):                     # scalar tails and vector bodies
        y = sigmoid_ext.silu(xs)
        assert (np.signbit(y) == np.signbit(xs)).all(), y
        assert (np.abs(y) <= np.abs(xs)).all()
    assert sigmoid_ext.silu(dtype(-tiny)) == 0 and np.signbit(sigmoid_ext.silu(dtype(-tiny)))
