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
    with sx.num_threads(2):
        assert_pair_equal(sx.sigmoid_and_grad(x), pair(x))


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


def test_outputs_positionally_and_in_a_tuple_with_none():
    x = np.linspace(-10, 10, 50)
    y, g = np.empty(50), np.empty(50)
    res = sx.sigmoid_and_grad(x, y, g)
    assert res[0] is y and res[1] is g
    assert_pair_equal((y, g), pair(x))
    g2 = np.empty(50, np.float32)
    res = sx.sigmoid_and_grad(x, out=(None, g2))
    assert res[1] is g2 and res[0].dtype == np.float64
    np.testing.assert_array_equal(g2, sx.sigmoid_grad(x).astype(np.float32))
    y3 = np.empty(50)
    res = sx.sigmoid_and_grad(x, y3)                    # first output only
    assert res[0] is y3
    assert_pair_equal(res, pair(x))
    with pytest.raises(TypeError):                      # the old keyword is gone
        sx.sigmoid_and_grad(x, out=(y, None), grad_out=g)
    with pytest.raises(TypeError):                      # out given twice
        sx.sigmoid_and_grad(x, y, out=(y, g))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["same", "halves", "same_as_x", "x_shifted"])
def test_overlapping_outputs_as_if_inputs_copied(dtype, layout):
    """NumPy buffers as needed: outputs overlapping the input behave as if the input
    was copied first; where the two outputs share memory each item holds one of the
    two results."""
    x0 = np.linspace(-9, 9, 1000, dtype=dtype)
    y_want, g_want = pair(x0)
    if layout == "same":                          # which write wins is the loop's
        o = np.full(1000, 7, dtype)
        sx.sigmoid_and_grad(x0, out=(o, o))
        assert ((o == y_want) | (o == g_want)).all()
    elif layout == "halves":                      # outputs overlap each other, not x
        buf = np.full(1001, 7, dtype)
        sx.sigmoid_and_grad(x0, out=(buf[:1000], buf[1:]))
        assert buf[0] == y_want[0] and buf[1000] == g_want[999]
        mid = buf[1:1000]
        assert ((mid == y_want[1:]) | (mid == g_want[:-1])).all()
    elif layout == "same_as_x":
        x = x0.copy()
        sx.sigmoid_and_grad(x, out=(x, x))
        np.testing.assert_array_equal(x, g_want)
    else:                                         # y on x shifted, g on x reversed
        for shift in (1, -1, 17, -300):
            buf = np.full(1400, 3, dtype)
            xs = max(0, -shift)
            x = buf[xs:xs + 1000]
            x[...] = x0
            y = buf[max(0, shift):max(0, shift) + 1000]
            g = np.full(1000, 7, dtype)
            sx.sigmoid_and_grad(x, out=(y, g))
            np.testing.assert_array_equal(y, y_want)
            np.testing.assert_array_equal(g, g_want)
        x = x0.copy()
        y = np.empty_like(x)
        sx.sigmoid_and_grad(x, out=(y, x[::-1]))
        np.testing.assert_array_equal(y, y_want)
        np.testing.assert_array_equal(x[::-1], g_want)


def test_long_overlap_with_threads(monkeypatch):
    monkeypatch.setattr(sx._threads, "available_cpus", lambda *a: 64)
    x0 = np.linspace(-30, 30, 300_001)
    want = pair(x0)
    for k in (1, 3, 8):
        buf = np.zeros(300_001 + 4099)
        x = buf[:300_001]
        x[...] = x0
        g = np.empty_like(x0)
        with sx.num_threads(k):
            sx.sigmoid_and_grad(x, out=(buf[4099:], g))
        assert_pair_equal((buf[4099:], g), want)


def _read_only(n):
    a = np.full(n, 7.0)
    a.flags.writeable = False
    return a


BAD_OUTS = [
    lambda: (np.full(5, 7.0),),                          # one entry for two outputs
    lambda: (np.full(5, 7.0),) * 3,
    lambda: [np.full(5, 7.0), np.full(5, 7.0)],          # a list, not a tuple
    lambda: np.full(5, 7.0),                             # one array for two outputs
    lambda: (np.full(4, 7.0), np.full(5, 7.0)),          # wrong shape
    lambda: (np.full(5, 7.0), np.full(5, 7, np.int32)),  # float64 -> int32: casting
    lambda: (np.full(5, 7.0), [0.0] * 5),                # not an array
    lambda: (_read_only(5), np.full(5, 7.0)),
    lambda: (np.full(5, 7.0), np.broadcast_to(np.full(1, 7.0), (5,))),
]


@pytest.mark.parametrize("make_out", BAD_OUTS, ids=[f"out{i}" for i in range(len(BAD_OUTS))])
def test_bad_out(make_out):
    """The exception type np.modf (float-only, one input, two outputs) raises for the
    same out=; our ufunc named where NumPy names np.modf; nothing written."""
    x = np.linspace(-1, 1, 5)
    keep = x.copy()
    out = make_out()
    arrays = [out] if isinstance(out, np.ndarray) else list(out)
    before = [np.array(o, copy=True) for o in arrays if isinstance(o, np.ndarray)]
    with pytest.raises(Exception) as ref:                      # noqa: B017
        np.modf(x, out=make_out())
    base = next(t for t in (ValueError, TypeError) if isinstance(ref.value, t))
    with pytest.raises(base) as info:
        sx.sigmoid_and_grad(x, out=out)
    if "modf" in str(ref.value):
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
        sx.sigmoid_and_grad(x, out=out)
    assert all((o == 7).all() for o in out)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adjacent_outputs_in_one_buffer(dtype):
    """Outputs side by side in one buffer touch but do not overlap: fast path, no error."""
    x = np.linspace(-1, 1, 5, dtype=dtype)
    buf = np.full(10, 7, dtype)
    for y, g in ((buf[:5], buf[5:]), (buf[5:], buf[:5])):
        res = sx.sigmoid_and_grad(x, out=(y, g))
        assert res[0] is y and res[1] is g
        assert_pair_equal((y, g), pair(x))


def test_bad_inputs_and_keywords():
    with pytest.raises(TypeError, match=r"ufunc 'sigmoid_and_grad' not supported"):
        sx.sigmoid_and_grad(np.array([1j]))
    with pytest.raises(TypeError):
        sx.sigmoid_and_grad(np.ones(3), threads=1)          # removed keyword
    with pytest.raises(TypeError, match="sigmoid_and_grad"):
        sx.sigmoid_and_grad(np.ones(3), dtype=np.int32)
    assert sx.sigmoid_and_grad.nin == 1 and sx.sigmoid_and_grad.nout == 2
