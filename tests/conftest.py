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


def _domain_points(dtype, n_core=4000, n_tail=2000, seed=0, unit=False):
    """Points covering the whole domain: core |x| <= 20, both tails, the subnormal-output
    range, the saturation points and special values.  unit=True: the domain [0, 1] of
    logit instead (both ends on a log scale down to the subnormals, and p near 1/2)."""
    import numpy as np

    if unit:
        return _unit_points(dtype, n_core, n_tail, seed)
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


def _unit_points(dtype, n_core, n_tail, seed):
    import numpy as np

    fi = np.finfo(dtype)
    rng = np.random.default_rng(seed)
    eps = float(fi.eps)
    parts = [
        rng.uniform(0, 1, n_core),
        np.exp(rng.uniform(np.log(float(fi.smallest_subnormal)), np.log(0.5), n_tail)),
        1 - np.exp(rng.uniform(np.log(eps / 2), np.log(0.5), n_tail)),
        0.5 + rng.uniform(-1e-3, 1e-3, n_tail // 2),
        0.5 + eps * np.arange(-40, 41),                     # the last few ulps around 1/2
        [0.0, 1.0, 0.5, 0.25, 0.75, float(fi.smallest_subnormal), float(fi.tiny)],
    ]
    return np.concatenate([np.asarray(p, dtype=np.float64) for p in parts]).astype(dtype)
