"""Shared fixtures: run kernel tests once per instruction-set path this CPU supports."""

import mpmath
import pytest

import sigmoid_ext

mpmath.mp.dps = 50


@pytest.fixture(params=sigmoid_ext.available_isas())
def isa(request):
    """Select each supported ISA path in turn; restore the previous one afterwards."""
    previous = sigmoid_ext.get_isa()
    sigmoid_ext.set_isa(request.param)
    yield request.param
    sigmoid_ext.set_isa(previous)


@pytest.fixture
def domain_points():
    """Factory: domain_points(dtype) -> array of test inputs."""
    return _domain_points


def _domain_points(dtype, n_core=4000, n_tail=2000, seed=0):
    """Points covering the whole domain: core |x| <= 20, both tails, the subnormal-output
    range, the saturation points and special values."""
    import numpy as np

    fi = np.finfo(dtype)
    low = -104.0 if dtype == np.float32 else -746.0
    high = 18.0 if dtype == np.float32 else 38.0
    rng = np.random.default_rng(seed)
    parts = [
        rng.uniform(-20, 20, n_core),
        rng.uniform(low, -20, n_tail),
        rng.uniform(20, high + 5, n_tail // 4),
        rng.uniform(low, low + 20, n_tail // 2),          # subnormal outputs
        np.geomspace(fi.tiny, 1, 200), -np.geomspace(fi.tiny, 1, 200),
        [0.0, -0.0, 1.0, -1.0, 17.3287, 37.4299, -87.3365, -103.9721, -708.3964, -745.1332],
    ]
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]).astype(dtype)
