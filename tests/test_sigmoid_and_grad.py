"""sigmoid_and_grad: both results in one pass, bit for bit the two separate calls, with
NumPy's out= convention for two outputs."""

import numpy as np
import pytest

import sigmoid_ext as sx

DTYPES = [np.float32, np.float64]


def pair(x, **kw):
    return sx.sigmoid(x, **kw), sx.sigmoid_grad(x, **kw)


def assert_pair_equal(got, want):
    assert isinstance(got, tuple) and len(got) == 2
    for g, w in zip(got, want):
        assert type(g) is type(w)
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bit_for_bit_the_two_calls(isa, dtype, domain_points):
    x = domain_points(dtype)
    x = np.concatenate([x, np.array([np.nan, np.inf, -np.inf], dtype)])
    assert_pair_equal(sx.sigmoid_and_grad(x), pair(x))
    assert_pair_equal(sx.sigmoid_and_grad(x, threads=2), pair(x))


@pytest.mark.parametrize("x", [
    0.5, 3, True, np.float32(2), np.float16(1), np.array(-4.0),
    np.linspace(-9, 9, 24).reshape(2, 3, 4)[:, ::-1, 1::2],      # strided, reversed
    np.linspace(-9, 9, 24).astype(">f4"), np.arange(5, dtype=np.int8),
    np.linspace(-9, 9, 7).astype(np.longdouble), np.empty((0, 3)),
    np.linspace(-3, 3, 300_001),                                  # threaded
])
def test_same_semantics_as_the_two_calls(x):
    assert_pair_equal(sx.sigmoid_and_grad(x), pair(x))


def test_dtype_keyword():
    x = np.linspace(-3, 3, 7)
    assert_pair_equal(sx.sigmoid_and_grad(x, dtype=np.float32), pair(x, dtype=np.float32))


def test_out_tuple_direct_cast_and_none_entries():
    x = np.linspace(-10, 10, 50)
    y, g = np.empty(50), np.empty(50)
    res = sx.sigmoid_and_grad(x, out=(y, g))
    assert res[0] is y and res[1] is g
    assert_pair_equal((y, g), pair(x))
    y32 = np.empty(50, np.float32)                 # same_kind cast on one output
    res = sx.sigmoid_and_grad(x, out=(y32, None))
    assert res[0] is y32 and res[1].dtype == np.float64
    np.testing.assert_array_equal(y32, sx.sigmoid(x).astype(np.float32))
    np.testing.assert_array_equal(res[1], sx.sigmoid_grad(x))
    ys, gs = np.empty(100)[::2], np.empty(100)[1::2]      # strided outputs
    sx.sigmoid_and_grad(x, out=(ys, gs))
    assert_pair_equal((ys, gs), pair(x))


def test_in_place_and_overlap():
    x = np.linspace(-10, 10, 1000)
    want = pair(x)
    a = x.copy()
    g = np.empty_like(a)
    sx.sigmoid_and_grad(a, out=(a, g))             # y in place of x
    assert_pair_equal((a, g), want)
    b = x.copy()
    y = np.empty_like(b)
    sx.sigmoid_and_grad(b, out=(y, b))             # the gradient in place of x
    assert_pair_equal((y, b), want)
    buf = np.zeros(1100)
    buf[:1000] = x
    y = np.empty(1000)
    sx.sigmoid_and_grad(buf[:1000], out=(y, buf[7:1007]))   # partial overlap with x
    assert_pair_equal((y, buf[7:1007]), want)


def test_out_and_grad_out_keywords():
    """The keyword form: out=y_out, grad_out=g_out (either may be left out)."""
    x = np.linspace(-10, 10, 50)
    y, g = np.empty(50), np.empty(50)
    res = sx.sigmoid_and_grad(x, out=y, grad_out=g)
    assert res[0] is y and res[1] is g
    assert_pair_equal((y, g), pair(x))
    g2 = np.empty(50, np.float32)
    res = sx.sigmoid_and_grad(x, grad_out=g2)
    assert res[1] is g2 and res[0].dtype == np.float64
    np.testing.assert_array_equal(g2, sx.sigmoid_grad(x).astype(np.float32))
    y3 = np.empty(50)
    res = sx.sigmoid_and_grad(x, out=y3)
    assert res[0] is y3
    assert_pair_equal(res, pair(x))
    with pytest.raises(TypeError, match="sigmoid_and_grad: give out=.*not both"):
        sx.sigmoid_and_grad(x, out=(y, None), grad_out=g)
    with pytest.raises(ValueError, match="must not share memory"):
        sx.sigmoid_and_grad(x, out=y, grad_out=y)


@pytest.mark.parametrize("out,exc,pattern", [
    ((np.empty(5),), TypeError, r"out must be a tuple of 2 arrays.*got a tuple of 1"),
    ([np.empty(5), np.empty(5)], TypeError, r"out must be a tuple of 2"),
    ((np.empty(4), np.empty(5)), ValueError, r"out has shape \(4,\)"),
    ((np.empty(5), np.empty(5, np.int32)), TypeError, r"same_kind"),
    ((np.empty(5), [0.0] * 5), TypeError, r"numpy.ndarray"),
    ("same", ValueError, r"must not share memory"),
    ("halves", ValueError, r"must not share memory"),
])
def test_bad_out(out, exc, pattern):
    x = np.linspace(-1, 1, 5)
    keep = x.copy()
    if isinstance(out, str) and out == "same":
        o = np.full(5, 7.0)
        out = (o, o)
    elif isinstance(out, str):
        o = np.full(6, 7.0)
        out = (o[:5], o[1:])
    arrays = [out] if isinstance(out, np.ndarray) else out
    before = [np.array(o, copy=True) for o in arrays if isinstance(o, np.ndarray)]
    with pytest.raises(exc, match=pattern) as info:
        sx.sigmoid_and_grad(x, out=out)
    assert "sigmoid_and_grad" in str(info.value)
    after = [o for o in arrays if isinstance(o, np.ndarray)]
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(x, keep)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("which", [0, 1])
def test_read_only_output_on_the_fast_path(dtype, which):
    """Contiguous outputs of x's dtype take the fast path, where from_buffer checks
    writeability: a read-only one must still raise and leave both untouched."""
    x = np.linspace(-1, 1, 5, dtype=dtype)
    out = (np.full(5, 7, dtype), np.full(5, 7, dtype))
    out[which].flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        sx.sigmoid_and_grad(x, out=out, threads=1)
    assert all((o == 7).all() for o in out)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adjacent_outputs_in_one_buffer(dtype):
    """Outputs side by side in one buffer touch but do not overlap: fast path, no error."""
    x = np.linspace(-1, 1, 5, dtype=dtype)
    buf = np.full(10, 7, dtype)
    for y, g in ((buf[:5], buf[5:]), (buf[5:], buf[:5])):
        res = sx.sigmoid_and_grad(x, out=(y, g), threads=1)
        assert res[0] is y and res[1] is g
        assert_pair_equal((y, g), pair(x))


def test_bad_inputs_and_keywords():
    with pytest.raises(TypeError, match=r"sigmoid_and_grad.*complex128.*'x'"):
        sx.sigmoid_and_grad(np.array([1j]))
    with pytest.raises(ValueError, match="threads"):
        sx.sigmoid_and_grad(np.ones(3), threads=0)
    with pytest.raises(TypeError, match="dtype"):
        sx.sigmoid_and_grad(np.ones(3), dtype=np.int32)
