"""NumPy ufunc semantics shared by every public function (one argument layer for all)."""

import threading

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext import reference

# Every public function of one input and one output (the family of issue 5 included).
UNARY = [getattr(sigmoid_ext, name) for name in (
    "sigmoid", "sigmoid_grad", "log_sigmoid", "softplus", "logit", "logit_grad", "silu",
    "silu_grad", "log_sigmoid_grad")]


def expected(f, x):
    x = np.asarray(x)
    ref = getattr(reference, f.__name__)
    return np.vectorize(lambda v: ref(float(v)), otypes=[np.float64])(x)


@pytest.mark.parametrize("f", UNARY)
def test_scalars_give_numpy_scalars(f):
    for v, dt in [(0.5, np.float64), (3, np.float64), (True, np.float64),
                  (np.float32(0.5), np.float32), (np.float16(1), np.float16)]:
        r = f(v)
        assert isinstance(r, np.generic) and r.dtype == dt
    assert isinstance(f(np.array(1.0)), np.float64)


@pytest.mark.parametrize("f", UNARY)
@pytest.mark.parametrize("dtype,result", [
    (np.float16, np.float16), (np.float32, np.float32), (np.float64, np.float64),
    (np.longdouble, np.longdouble), (np.bool_, np.float64), (np.int8, np.float64),
    (np.uint64, np.float64), (np.int64, np.float64)])
def test_dtype_rules(f, dtype, result):
    x = np.array([0, 1, 2, 3]).astype(dtype)
    r = f(x)
    assert r.dtype == result
    np.testing.assert_allclose(r.astype(np.float64), expected(f, x.astype(np.float64)),
                               rtol=1e-3 if dtype == np.float16 else 1e-7)


@pytest.mark.parametrize("f", UNARY)
@pytest.mark.parametrize("bad", [np.array([1 + 2j]), np.array(["a"]), np.array([object()]),
                                 np.array(["2020-01-01"], dtype="M8[D]"),
                                 np.array([1], dtype="m8[s]")])
def test_unsupported_dtypes_raise_type_error(f, bad):
    with pytest.raises(TypeError, match=str(bad.dtype).replace("[", r"\[").replace("]", r"\]")):
        f(bad)


@pytest.mark.parametrize("f", UNARY)
def test_shapes_and_strides(f):
    base = np.random.default_rng(5).uniform(-30, 30, (6, 7, 8))
    views = [base, base[::2, ::-1, 1::3], base.T, np.asfortranarray(base), base[:, 3],
             base[..., ::-1], np.empty((0, 3)), base[0, 0, :0], np.array(2.5),
             base.astype(">f8"), base.astype(np.float32)[:, ::-3]]
    for v in views:
        r = f(v)
        assert r.shape == v.shape
        # The reference has a few float64 ulps of error of its own (gradient: up to ~6).
        np.testing.assert_allclose(r, expected(f, v), rtol=1e-6 if v.dtype == np.float32
                                   else 2e-15)


@pytest.mark.parametrize("f", UNARY)
def test_unaligned_input_and_output(f):
    buf = np.zeros(8 * 101 + 3, np.uint8)
    x = np.frombuffer(buf[3:3 + 8 * 100], np.float64).copy()
    x[:] = np.linspace(-20, 20, 100)
    xu = buf[1:1 + 800].view(np.float64) if False else np.ndarray(
        (100,), np.float64, buffer=buf, offset=1)
    xu[:] = x
    assert not xu.flags.aligned
    outbuf = np.zeros(8 * 101, np.uint8)
    out = np.ndarray((100,), np.float64, buffer=outbuf, offset=5)
    r = f(xu, out=out)
    assert r is out
    np.testing.assert_array_equal(out, f(x))


@pytest.mark.parametrize("f", UNARY)
def test_out_argument(f):
    x = np.linspace(-10, 10, 50)
    out = np.empty(50)
    assert f(x, out=out) is out
    np.testing.assert_array_equal(out, f(x))
    out32 = np.empty(50, np.float32)            # float64 -> float32: same_kind, allowed
    f(x, out=out32)
    np.testing.assert_array_equal(out32, f(x).astype(np.float32))
    strided = np.empty(100)[::2]
    f(x, out=strided)
    np.testing.assert_array_equal(strided, f(x))
    assert f(x, out=(out,)) is out


@pytest.mark.parametrize("f", UNARY)
def test_in_place_and_overlap(f):
    x = np.linspace(-10, 10, 1000)
    want = f(x)
    y = x.copy()
    assert f(y, out=y) is y
    np.testing.assert_array_equal(y, want)
    # Partial overlap, both directions: as if the input had been copied first.
    for shift in (1, -1, 7, -300):
        buf = np.zeros(2000)
        a = buf[1000:2000]
        a[:] = x
        o = buf[1000 + shift:2000 + shift] if shift < 0 else np.zeros(0)
        if shift > 0:
            buf2 = np.zeros(2000)
            buf2[:1000] = x
            a, o = buf2[:1000], buf2[shift:1000 + shift]
        f(a if shift > 0 else a, out=o)
        np.testing.assert_array_equal(o, want)
    # Reversed view of itself.
    z = x.copy()
    f(z, out=z[::-1])
    np.testing.assert_array_equal(z, want[::-1])


@pytest.mark.parametrize("f", UNARY)
def test_bad_out_raises_and_leaves_everything_untouched(f):
    x = np.linspace(-1, 1, 10)
    x_before = x.copy()
    cases = [
        (np.empty(9), ValueError, "shape"),
        (np.empty((10, 1)), ValueError, "shape"),
        (np.empty(10, np.int64), TypeError, "same_kind"),
        (np.empty(10, np.bool_), TypeError, "same_kind"),
        ([0.0] * 10, TypeError, "numpy.ndarray"),
    ]
    ro = np.zeros(10)
    ro.flags.writeable = False
    cases.append((ro, ValueError, "read-only"))
    for out, exc, msg in cases:
        snapshot = np.array(out, copy=True) if isinstance(out, np.ndarray) else None
        with pytest.raises(exc, match=msg):
            f(x, out=out)
        if snapshot is not None:
            np.testing.assert_array_equal(out, snapshot)
    np.testing.assert_array_equal(x, x_before)


@pytest.mark.parametrize("f", UNARY)
def test_dtype_keyword(f):
    x = np.linspace(-3, 3, 7)
    assert f(x, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(f(x, dtype=np.float32), f(x.astype(np.float32)))
    assert f(x.astype(np.float32), dtype="float64").dtype == np.float64
    assert f(x, dtype=np.float16).dtype == np.float16
    # The input is rounded to float16 first, although float16 computes in float64.
    np.testing.assert_array_equal(f(x + 1e-4, dtype=np.float16),
                                  f((x + 1e-4).astype(np.float16)))
    for bad in (np.int32, "complex128", "not-a-dtype"):
        with pytest.raises(TypeError, match="dtype"):
            f(x, dtype=bad)


def test_inputs_never_modified():
    x = np.linspace(-5, 5, 100)
    keep = x.copy()
    for f in UNARY:
        f(x)
        f(x[::3])
        f(x, dtype=np.float32)
    sigmoid_ext.sigmoid_backward(x, x[::-1])
    np.testing.assert_array_equal(x, keep)


def test_backward_broadcast_errors_and_out():
    g = np.ones((3, 4))
    with pytest.raises(ValueError, match="broadcast"):
        sigmoid_ext.sigmoid_backward(g, np.ones(5))
    out = np.empty((3, 4))
    assert sigmoid_ext.sigmoid_backward(g, np.full(4, 0.5), out=out) is out
    np.testing.assert_array_equal(out, 0.25)
    y = np.full((3, 4), 0.5)
    sigmoid_ext.sigmoid_backward(g, y, out=y)      # in place on the second operand
    np.testing.assert_array_equal(y, 0.25)


def test_broken_input_objects():
    class Broken:
        def __array__(self, *a, **k):
            raise RuntimeError("boom")

    with pytest.raises(TypeError, match="'x'.*boom"):
        sigmoid_ext.sigmoid(Broken())
    with pytest.raises((TypeError, ValueError)):
        sigmoid_ext.sigmoid([[1.0, 2.0], [3.0]])


def test_no_floating_point_warnings():
    x = np.array([-1e308, -800, -100, 0, 100, 800, 1e308, np.inf, -np.inf, np.nan])
    x32 = np.array([-3e38, -800, -100, 0, 100, 800, 3e38, np.inf, -np.inf, np.nan], np.float32)
    xld = x.astype(np.longdouble)
    with np.errstate(all="raise"):
        for f in UNARY:
            f(x)
            f(x32)
            f(xld)
            f(x, dtype=np.float32)          # the library's own cast overflows quietly
            f(x, dtype=np.float16)
        sigmoid_ext.sigmoid_backward(x, x)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_keyword_gives_identical_results(threads):
    x = np.random.default_rng(6).uniform(-50, 50, 300_001).astype(np.float32)
    serial = sigmoid_ext.sigmoid(x, threads=1)
    np.testing.assert_array_equal(sigmoid_ext.sigmoid(x, threads=threads), serial)
    np.testing.assert_array_equal(sigmoid_ext.sigmoid(x[::3], threads=threads), serial[::3])
    with pytest.raises(ValueError):
        sigmoid_ext.sigmoid(x, threads=0)
    with pytest.raises(TypeError):
        sigmoid_ext.sigmoid(x, threads=1.5)


def test_set_num_threads():
    before = sigmoid_ext.get_num_threads()
    try:
        sigmoid_ext.set_num_threads(1)
        assert sigmoid_ext.get_num_threads() == 1
        with pytest.raises(ValueError):
            sigmoid_ext.set_num_threads(0)
    finally:
        sigmoid_ext.set_num_threads(before)


def test_concurrent_python_threads():
    rng = np.random.default_rng(7)
    inputs = [rng.uniform(-40, 40, 200_000) for _ in range(8)]
    wants = [sigmoid_ext.sigmoid(a, threads=1) for a in inputs]
    errors = []

    def work(i):
        for _ in range(5):
            if not np.array_equal(sigmoid_ext.sigmoid(inputs[i]), wants[i]):
                errors.append(i)

    ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
