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
    with pytest.raises(TypeError, match=f"ufunc '{f.__name__}' not supported"):
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
    """The same exception type as np.exp for the same bad out=, and nothing written."""
    x = np.linspace(-1, 1, 10)
    x_before = x.copy()
    ro = np.zeros(10)
    ro.flags.writeable = False
    for out in (np.empty(9), np.empty((10, 2)), np.empty(10, np.int64),
                np.empty(10, np.bool_), [0.0] * 10, ro):
        with pytest.raises(Exception) as numpy_error:
            np.exp(x, out=out)
        snapshot = np.array(out, copy=True)
        with pytest.raises(numpy_error.type):
            f(x, out=out)
        np.testing.assert_array_equal(np.asarray(out), snapshot)
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
    for bad in (np.int32, "complex128"):
        with pytest.raises(TypeError):
            f(x, dtype=bad)
    with pytest.raises(TypeError):
        f(x, dtype="not-a-dtype")


# ----------------------------------------------------------------- the ufunc protocol

FLOATS = (np.float16, np.float32, np.float64, np.longdouble)


@pytest.mark.parametrize("f", [*UNARY, sigmoid_ext.sigmoid_backward,
                               sigmoid_ext.sigmoid_and_grad])
def test_every_function_is_a_ufunc(f):
    assert isinstance(f, np.ufunc)
    for code in "efdg":
        assert any(t.startswith(code * f.nin + "->") for t in f.types), (f, code)
    assert f.nin == (2 if f is sigmoid_ext.sigmoid_backward else 1)
    assert f.nout == (2 if f is sigmoid_ext.sigmoid_and_grad else 1)
    assert f.__doc__.startswith(f.__name__ + "(")
    for section in ("Parameters", "Returns", "Examples"):
        assert section in f.__doc__


def test_aliases_are_the_same_objects():
    assert sigmoid_ext.expit is sigmoid_ext.sigmoid
    assert sigmoid_ext.log_expit is sigmoid_ext.log_sigmoid
    assert sigmoid_ext.softplus_grad is sigmoid_ext.sigmoid


def test_ufuncs_pickle_by_name():
    import pickle

    for f in UNARY:
        assert pickle.loads(pickle.dumps(f)) is f


@pytest.mark.parametrize("f", UNARY)
def test_where_as_numpy(f):
    x = np.linspace(-5, 5, 12).reshape(3, 4)
    mask = np.array([True, False, True, False])          # broadcast over rows
    out = np.full((3, 4), 7.0)
    got = f(x, out=out, where=mask)
    assert got is out
    np.testing.assert_array_equal(out[:, mask], f(x[:, mask]))
    np.testing.assert_array_equal(out[:, ~mask], 7.0)     # masked out: untouched
    # float32 with a strided mask, and the result equal to the contiguous one
    x32 = np.random.default_rng(1).uniform(-90, 20, 1000).astype(np.float32)
    m = np.random.default_rng(2).random(1000) < 0.5
    o = np.zeros_like(x32)
    f(x32, out=o, where=m)
    np.testing.assert_array_equal(o[m], f(x32)[m])
    np.testing.assert_array_equal(o[~m], 0)


@pytest.mark.parametrize("f", UNARY)
def test_out_broadcasts_as_numpy(f):
    out = np.empty(3)
    assert f(1.0, out=out) is out
    np.testing.assert_array_equal(out, f(1.0))
    out2 = np.empty((2, 3))
    f(np.array([0.0, 1.0, 2.0]), out=out2)
    np.testing.assert_array_equal(out2, np.broadcast_to(f(np.array([0.0, 1.0, 2.0])), (2, 3)))
    out3 = np.empty((1, 7))
    f(np.linspace(0, 1, 7), out=out3)
    np.testing.assert_array_equal(out3[0], f(np.linspace(0, 1, 7)))
    assert f(np.linspace(0, 1, 7), out=(None,)).shape == (7,)


@pytest.mark.parametrize("f", UNARY)
def test_order_and_layout_as_numpy(f):
    x = np.asfortranarray(np.linspace(-3, 3, 12).reshape(3, 4))
    for order in ("K", "A", "C", "F"):
        got, like = f(x, order=order), np.exp(x, order=order)
        assert got.flags.c_contiguous == like.flags.c_contiguous, order
        assert got.flags.f_contiguous == like.flags.f_contiguous, order
        np.testing.assert_array_equal(got, f(np.ascontiguousarray(x)))


@pytest.mark.parametrize("f", UNARY)
def test_casting_and_signature_as_numpy(f):
    x64 = np.linspace(-3, 3, 7)
    out32 = np.empty(7, np.float32)
    for casting in ("no", "equiv", "safe"):
        with pytest.raises(TypeError):
            np.exp(x64, out=out32, casting=casting)
        with pytest.raises(TypeError):
            f(x64, out=out32, casting=casting)
    f(x64, out=out32, casting="same_kind")
    np.testing.assert_array_equal(out32, f(x64).astype(np.float32))
    out_int = np.empty(7, np.int64)
    with np.errstate(invalid="ignore"):     # logit's NaN cast to int: NumPy's own warning
        f(x64, out=out_int, casting="unsafe")              # allowed, as for np.exp
        np.testing.assert_array_equal(out_int, f(x64).astype(np.int64))
    r = f(x64, signature="f->f")
    assert r.dtype == np.float32
    np.testing.assert_array_equal(r, f(x64.astype(np.float32)))
    assert f(x64, signature=(None, "f")).dtype == np.float32
    with pytest.raises(TypeError):
        f(x64, signature="f->f", casting="no")


@pytest.mark.parametrize("f", UNARY)
@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_subclasses_kept_and_dropped_as_numpy(f):
    m = np.matrix([[0.0, 1.0]])
    assert type(f(m)) is type(np.exp(m))
    assert type(f(m, subok=False)) is np.ndarray


def test_ufunc_methods():
    x = np.array([0.0, 1.0, 2.0])
    np.testing.assert_array_equal(sigmoid_ext.sigmoid_backward.outer(x, x),
                                  sigmoid_ext.sigmoid_backward(x[:, None], x[None, :]))
    a = np.zeros(3)
    sigmoid_ext.sigmoid.at(a, [0, 2])
    np.testing.assert_array_equal(a, [0.5, 0, 0.5])
    with pytest.raises((TypeError, ValueError)):
        sigmoid_ext.sigmoid.reduce(x)


def test_binary_mixed_dtypes_follow_numpy_promotion():
    g32, y64 = np.ones(4, np.float32), np.full(4, 0.5)
    assert sigmoid_ext.sigmoid_backward(g32, y64).dtype == np.float64
    assert sigmoid_ext.sigmoid_backward(g32, 0.5).dtype == np.float32   # weak scalar
    assert sigmoid_ext.sigmoid_backward(np.ones(2, np.float16), np.float32(0.5)).dtype \
        == np.float32


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

    with pytest.raises(RuntimeError, match="boom"):      # NumPy passes __array__'s error on
        sigmoid_ext.sigmoid(Broken())
    with pytest.raises((TypeError, ValueError)):
        sigmoid_ext.sigmoid([[1.0, 2.0], [3.0]])


def test_no_floating_point_warnings():
    x = np.array([-1e308, -800, -100, 0, 100, 800, 1e308, np.inf, -np.inf, np.nan])
    x32 = np.array([-3e38, -800, -100, 0, 100, 800, 3e38, np.inf, -np.inf, np.nan], np.float32)
    xld = x.astype(np.longdouble)
    with np.errstate(all="ignore"):
        x16 = x.astype(np.float16)
    with np.errstate(all="raise"):
        for f in UNARY:
            f(x)
            f(x32)
            f(xld)
            f(x16)
        sigmoid_ext.sigmoid_backward(x, x)


def test_thread_counts_give_identical_results(monkeypatch):
    monkeypatch.setattr(sigmoid_ext._threads, "available_cpus", lambda *a: 64)
    x = np.random.default_rng(6).uniform(-50, 50, 300_001).astype(np.float32)
    with sigmoid_ext.num_threads(1):
        serial = sigmoid_ext.sigmoid(x)
    for n in (2, 3, 7):
        with sigmoid_ext.num_threads(n):
            np.testing.assert_array_equal(sigmoid_ext.sigmoid(x), serial)
            np.testing.assert_array_equal(sigmoid_ext.sigmoid(x[::3]), serial[::3])


def test_concurrent_python_threads():
    rng = np.random.default_rng(7)
    inputs = [rng.uniform(-40, 40, 200_000) for _ in range(8)]
    with sigmoid_ext.num_threads(1):
        wants = [sigmoid_ext.sigmoid(a) for a in inputs]
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


# ----------------------------------------------------------------- issue 14 regressions

def test_float16_result_into_float64_out_is_rounded_first():
    """NumPy's rule: the e->e loop's float16 result is cast to the float64 out."""
    x16 = np.array([1.0, -3.0, 0.1], np.float16)
    out = np.empty(3)
    sigmoid_ext.sigmoid(x16, out=out)
    np.testing.assert_array_equal(out, sigmoid_ext.sigmoid(x16).astype(np.float64))
    assert out[0] == 0.73095703125                   # not 0.7310585786300049
    y, g = np.empty(3), np.empty(3)
    sigmoid_ext.sigmoid_and_grad(x16, out=(y, g))
    np.testing.assert_array_equal(g, sigmoid_ext.sigmoid_grad(x16).astype(np.float64))
    b = np.empty(3)
    sigmoid_ext.sigmoid_backward(x16, x16, out=b)
    np.testing.assert_array_equal(b, sigmoid_ext.sigmoid_backward(x16, x16).astype(np.float64))


def test_up_to_64_dimensions():
    x = np.full((1,) * 33 + (2,), 0.5)
    y = np.zeros((2,) + (1,) * 63)
    assert sigmoid_ext.sigmoid(x).shape == x.shape
    assert sigmoid_ext.sigmoid_backward(y, 0.5).shape == y.shape
    np.testing.assert_array_equal(sigmoid_ext.sigmoid(x).ravel(),
                                  sigmoid_ext.sigmoid(x.ravel()))


def test_call_from_del_during_interpreter_teardown():
    import subprocess
    import sys
    import tempfile

    code = """
import numpy as np, sigmoid_ext as sx
class Late:
    def __del__(self):
        print("late", float(sx.sigmoid(np.float64(0.0))), flush=True)
keep = Late()
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, cwd=tempfile.gettempdir())   # the installed package
    assert r.returncode == 0, r.stderr
    assert "late 0.5" in r.stdout and "Error" not in r.stderr, (r.stdout, r.stderr)


def test_set_isa_rejects_embedded_nul():
    with pytest.raises(ValueError):
        sigmoid_ext.set_isa("avx2\x00junk")


def test_longdouble_into_narrower_out_warns_only_where_numpy_does():
    """Issue 14, item 13: a longdouble input with a float32 out= raised an overflow
    warning from the library's own input cast.  The g loop computes in long double and
    NumPy casts the result: bounded results never warn; a result that really overflows
    float32 (softplus of 1e4000) is reported as NumPy reports np.exp's."""
    x = np.array([1e4000, -1e4000, 1e300, 5.0], dtype=np.longdouble)
    with np.errstate(all="raise"):
        for f in (sigmoid_ext.sigmoid, sigmoid_ext.sigmoid_grad, sigmoid_ext.silu_grad,
                  sigmoid_ext.log_sigmoid_grad, sigmoid_ext.logit):
            out = np.empty(4, np.float32)
            f(x, out=out)
            np.testing.assert_array_equal(out, f(x).astype(np.float32))
        for f in (np.exp, sigmoid_ext.softplus):
            with pytest.raises(FloatingPointError, match="overflow"):
                f(x, out=np.empty(4, np.float32))
