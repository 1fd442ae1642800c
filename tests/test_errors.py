"""Every public ufunc x every kind of bad argument: NumPy's own argument handling, so the
same exception type as a float-only NumPy ufunc of the same arity raises for the same
bad call (np.cbrt for one input, np.logaddexp for two, np.modf for two outputs), the
ufunc's name where NumPy puts it, and nothing written anywhere.

Also the thread-count setters (set_num_threads / num_threads): their validation and
capping, and that the removed ``threads=`` keyword is refused."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sigmoid_ext as sx

UFUNCS = {uf.__name__: uf for uf in (
    sx.sigmoid, sx.sigmoid_grad, sx.sigmoid_backward, sx.log_sigmoid, sx.softplus,
    sx.logit, sx.logit_grad, sx.silu, sx.silu_grad, sx.log_sigmoid_grad,
    sx.sigmoid_and_grad)}
SINGLE_OUT = [name for name, uf in UFUNCS.items() if uf.nout == 1]


def reference(uf: np.ufunc) -> np.ufunc:
    """A NumPy ufunc with float-only loops and the same numbers of inputs/outputs."""
    return {(1, 1): np.cbrt, (2, 1): np.logaddexp, (1, 2): np.modf}[uf.nin, uf.nout]


class BrokenArray:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("broken __array__")


def good_inputs(nin):
    return [np.linspace(-2, 2, 6), np.linspace(0.1, 0.9, 6)][:nin]


def fresh_outs(nout):
    return tuple(np.full(6, 7.0) for _ in range(nout))


def raised(f, *args, **kw) -> BaseException:
    try:
        f(*args, **kw)
    except Exception as exc:            # noqa: BLE001 - the exception is the result
        return exc
    raise AssertionError(f"{getattr(f, '__name__', f)} did not raise")


def assert_like_reference(uf, args, kw, ref_args=None, ref_kw=None):
    """uf(*args, **kw) raises the exception type (TypeError/ValueError/...) that the
    reference ufunc raises for the same call; where NumPy names the reference ufunc in
    its message, ours is named there.  Returns our exception."""
    ref = reference(uf)
    ours = raised(uf, *args, **kw)
    theirs = raised(ref, *(args if ref_args is None else ref_args),
                    **(kw if ref_kw is None else ref_kw))
    base = next(t for t in (ValueError, TypeError, RuntimeError) if isinstance(theirs, t))
    assert isinstance(ours, base), (repr(ours), repr(theirs))
    if ref.__name__ in str(theirs):
        assert uf.__name__ in str(ours), (str(ours), str(theirs))
    return ours


BAD_INPUTS = [
    np.array([1 + 2j]),
    np.array(["a"]),
    np.array([b"a"]),
    np.array([object()]),
    np.array(["2020-01-01"], dtype="M8[D]"),
    np.array([1], dtype="m8[s]"),
    np.zeros(2, dtype=[("a", "f8")]),
    "abc",
    None,
    {"a": 1},
    BrokenArray(),
    [[1.0], [1.0, 2.0]],                     # ragged
]


@pytest.mark.parametrize("name", UFUNCS)
@pytest.mark.parametrize("bad", BAD_INPUTS, ids=[f"in{i}" for i in range(len(BAD_INPUTS))])
def test_bad_input(name, bad):
    uf = UFUNCS[name]
    for pos in range(uf.nin):
        inputs = good_inputs(uf.nin)
        before = [a.copy() for a in inputs]
        inputs[pos] = bad
        outs = fresh_outs(uf.nout)
        exc = assert_like_reference(uf, inputs, {"out": outs},
                                    ref_kw={"out": fresh_outs(uf.nout)})
        if isinstance(bad, np.ndarray) and bad.dtype.kind in "cUSOMmV":
            # a dtype without a loop: NumPy's UFuncTypeError names our ufunc
            assert f"ufunc '{name}'" in str(exc)
        for o in outs:
            assert (o == 7.0).all()
        for a, b in zip(inputs, before):
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                np.testing.assert_array_equal(a, b)


def _read_only():
    a = np.full(6, 7.0)
    a.flags.writeable = False
    return a


BAD_OUTS = [
    lambda: np.full(5, 7.0),                             # wrong length
    lambda: np.full((6, 1), 7.0),                        # would need (6, 6)
    lambda: np.full((), 7.0),
    lambda: np.full(6, 7, np.int64),                     # float64 -> int64: casting
    lambda: np.zeros(6, np.bool_),
    lambda: np.zeros(6, "M8[s]"),
    _read_only,
    lambda: np.broadcast_to(np.full(1, 7.0), (6,)),      # read-only broadcast view
    lambda: [0.0] * 6,                                   # not an array
    lambda: 3.0,
    lambda: (np.full(6, 7.0), np.full(6, 7.0)),          # two outputs for one
]


@pytest.mark.parametrize("name", SINGLE_OUT)
@pytest.mark.parametrize("make_out", BAD_OUTS, ids=[f"out{i}" for i in range(len(BAD_OUTS))])
def test_bad_out(name, make_out):
    uf = UFUNCS[name]
    inputs = good_inputs(uf.nin)
    before = [a.copy() for a in inputs]
    out = make_out()
    outs = out if isinstance(out, tuple) else (out,)
    out_before = [np.array(o, copy=True) for o in outs if isinstance(o, np.ndarray)]
    assert_like_reference(uf, inputs, {"out": out}, ref_kw={"out": make_out()})
    for o, b in zip([o for o in outs if isinstance(o, np.ndarray)], out_before):
        np.testing.assert_array_equal(o, b)
    for a, b in zip(inputs, before):
        np.testing.assert_array_equal(a, b)


CASTING = [
    # input dtype, out dtype, casting, allowed
    (np.float64, np.float32, "safe", False),       # narrowing output
    (np.float64, np.float16, "equiv", False),
    (np.float32, np.float64, "no", False),         # float32 loop, float64 out: a cast
    (np.float64, np.int16, "same_kind", False),    # float -> int
    (np.float64, np.bool_, "same_kind", False),
    (np.float64, np.int16, "unsafe", True),
    (np.float64, np.float32, "same_kind", True),
    (np.float16, np.float32, "safe", True),
    (np.int32, np.float64, "no", True),            # 'i->d' loop: no cast at all
    (np.int32, np.float32, "same_kind", True),
]


@pytest.mark.parametrize("name", SINGLE_OUT)
@pytest.mark.parametrize("in_dt,out_dt,casting,allowed", CASTING)
def test_casting(name, in_dt, out_dt, casting, allowed):
    """casting= is NumPy's: a refused output cast is a TypeError (UFuncTypeError) naming
    the ufunc, with nothing written; an allowed one writes the cast result."""
    uf = UFUNCS[name]
    inputs = [a.astype(in_dt) if np.dtype(in_dt).kind == "f" else (a * 3).astype(in_dt)
              for a in good_inputs(uf.nin)]
    out = np.full(6, 7, out_dt)
    before = out.copy()
    if not allowed:
        with pytest.raises(TypeError, match=re.escape(name)):
            uf(*inputs, out=out, casting=casting)
        np.testing.assert_array_equal(out, before)
        if np.dtype(in_dt).kind == "f" and uf.nin == 1:     # np.cbrt: the same verdict
            with pytest.raises(TypeError):
                np.cbrt(*inputs, out=np.empty(6, out_dt), casting=casting)
        return
    with np.errstate(invalid="ignore"):
        got = uf(*inputs, out=out, casting=casting)
        want = uf(*inputs).astype(out_dt, casting="unsafe")
    assert got is out
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize("dtype", [np.int32, "complex128", np.bool_, "M8[s]", object,
                                   "not-a-dtype", 3.5])
@pytest.mark.parametrize("name", UFUNCS)
def test_bad_dtype(name, dtype):
    uf = UFUNCS[name]
    inputs = good_inputs(uf.nin)
    outs = fresh_outs(uf.nout)
    exc = assert_like_reference(uf, inputs, {"out": outs, "dtype": dtype},
                                ref_kw={"out": fresh_outs(uf.nout), "dtype": dtype})
    assert isinstance(exc, TypeError)
    for o in outs:
        assert (o == 7.0).all()


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (3, 2)), ((5, 1, 2), (4, 3))])
def test_backward_broadcast_mismatch(shapes):
    g, y = np.ones(shapes[0]), np.full(shapes[1], 0.5)
    out = np.full(shapes[0], 7.0)
    exc = assert_like_reference(sx.sigmoid_backward, [g, y], {"out": out},
                                ref_kw={"out": np.full(shapes[0], 7.0)})
    assert isinstance(exc, ValueError)
    want = str(raised(np.logaddexp, g, y))              # NumPy's wording, shapes included
    assert str(raised(sx.sigmoid_backward, g, y)) == want
    assert (g == 1).all() and (y == 0.5).all() and (out == 7.0).all()


@pytest.mark.parametrize("name", UFUNCS)
def test_wrong_number_of_arguments_and_unknown_keywords(name):
    uf = UFUNCS[name]
    extra = [np.empty(6) for _ in range(uf.nout + 1)]
    for call in (lambda: uf(*good_inputs(uf.nin), *extra),
                 lambda: uf(),
                 lambda: uf(*good_inputs(uf.nin), bogus=1),
                 lambda: uf(*good_inputs(uf.nin), threads=2),        # removed keyword
                 lambda: uf(*good_inputs(uf.nin), grad_out=np.empty(6))):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("name", UFUNCS)
def test_errors_do_not_poison_later_calls(name):
    uf = UFUNCS[name]
    inputs = good_inputs(uf.nin)
    want = uf(*inputs)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            uf(*([BrokenArray()] + inputs[1:]))
        with pytest.raises(ValueError):
            uf(*inputs, out=tuple(np.empty(2) for _ in range(uf.nout)))
        with pytest.raises(TypeError):
            uf(*inputs, dtype=np.int32)
    got = uf(*inputs)
    for g, w in zip(got if uf.nout > 1 else (got,), want if uf.nout > 1 else (want,)):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("name", UFUNCS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.bool_])
def test_errstate_raise_never_raises_from_the_loops(name, dtype):
    """The loops leave no floating-point flags: overflow, underflow, invalid (logit
    outside [0, 1]) and division by zero (logit(0)) stay silent under all='raise'."""
    uf = UFUNCS[name]
    if np.dtype(dtype).kind == "f":
        with np.errstate(all="ignore"):
            x = np.array([0.0, -0.0, 1.0, 2.0, -1.0, 1e-300, -1e4, 1e4, 745.2, -745.2,
                          np.inf, -np.inf, np.nan, 1e38, -1e38]).astype(dtype)
    else:
        x = np.array([0, 1, 1, 0]).astype(dtype)
    args = [x] * uf.nin
    with np.errstate(all="ignore"):
        want = uf(*args)
    want = want if uf.nout > 1 else (want,)
    outs = tuple(np.full_like(w, 7) for w in want)
    with np.errstate(all="raise"):
        got = uf(*args)
        uf(*args, out=outs)                                 # the out= path too
        big = uf(*[np.resize(a, 70_000) for a in args])      # long enough to thread
    got = got if uf.nout > 1 else (got,)
    big = big if uf.nout > 1 else (big,)
    for g, o, b, w in zip(got, outs, big, want):
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(o, w)
        np.testing.assert_array_equal(b[:w.size], w)


# ------------------------------------------------------------------ thread-count setters

BAD_COUNTS = [
    (0, ValueError), (-1, ValueError), (-3, ValueError), (np.int64(0), ValueError),
    (1.5, TypeError), (2.0, TypeError), ("2", TypeError), (True, TypeError),
    (False, TypeError), ([2], TypeError), (None, TypeError),
]


@pytest.mark.parametrize("n,exc", BAD_COUNTS, ids=[repr(n) for n, _ in BAD_COUNTS])
def test_set_num_threads_rejects_bad_counts(n, exc):
    before = sx.get_num_threads()
    with pytest.raises(exc, match="number of threads"):
        sx.set_num_threads(n)
    assert sx.get_num_threads() == before


@pytest.mark.parametrize("n,exc", BAD_COUNTS, ids=[repr(n) for n, _ in BAD_COUNTS])
def test_num_threads_rejects_bad_counts(n, exc):
    before = sx.get_num_threads()
    with pytest.raises(exc, match="number of threads"):
        with sx.num_threads(n):
            raise AssertionError("the block must not run")   # pragma: no cover
    assert sx.get_num_threads() == before


def test_counts_are_capped_at_the_available_cpus(monkeypatch):
    cpus = sx._threads.available_cpus()
    before = sx.get_num_threads()
    try:
        sx.set_num_threads(cpus + 5)
        assert sx.get_num_threads() == cpus
        sx.set_num_threads(10**12)                          # more than a C int: capped
        assert sx.get_num_threads() == cpus
        sx.set_num_threads(np.int64(1))                     # any integer type
        assert sx.get_num_threads() == 1
        with sx.num_threads(cpus + 100) as n:
            assert n == cpus == sx.get_num_threads()
        monkeypatch.setattr(sx._threads, "available_cpus", lambda *a: 64)
        sx.set_num_threads(7)
        assert sx.get_num_threads() == 7
        with sx.num_threads(1000) as n:
            assert n == 64 == sx.get_num_threads()
        assert sx.get_num_threads() == 7
    finally:
        monkeypatch.undo()
        sx.set_num_threads(before)
    assert sx.get_num_threads() == before
