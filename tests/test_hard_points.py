"""The family's documented maxima (tests/bounds.py HARD_POINTS, docs/accuracy.md) are
the errors at the recorded hard points, on every ISA path, and within the stated bounds.
Before issue 14 (item 6) the documented figures were below these (silu_grad 0.58 for
0.756, logit 0.53 for 0.558, subnormal tails 0.75 for 0.78, float32 silu_grad 0.500011
for 0.500039)."""

import numpy as np
import pytest
from bounds import F32_FAMILY, HARD_POINTS

import sigmoid_ext
from sigmoid_ext.bench.ulp import MP_REFERENCES, mp_ulp_error


@pytest.mark.parametrize("key", list(HARD_POINTS), ids=lambda k: "-".join(k))
def test_recorded_maximum_is_attained_and_within_bound(isa, key):
    name, dtype, _ = key
    measured, x, bound = HARD_POINTS[key]
    dt = np.dtype(dtype)
    xs = np.array([x], dt)
    err = mp_ulp_error(getattr(sigmoid_ext, name)(xs), [MP_REFERENCES[name](float(xs[0]))], dt)
    assert err[0] <= bound
    # the figure is this input's error (paths may differ in the last digits)
    assert abs(err[0] - measured) < 0.01, err[0]
    assert measured <= bound


def test_float32_silu_grad_bound_is_above_the_family_bound():
    # the recorded float32 maximum does exceed the 0.5 + 2^-15 of the other functions
    measured, _, bound = HARD_POINTS[("silu_grad", "float32", "near zero")]
    assert F32_FAMILY < measured <= bound
