"""Every public function x every kind of bad argument: a TypeError/ValueError whose
message names the argument or the problem, and nothing written anywhere."""

from __future__ import annotations

import re

import numpy as np
import pytest

import sigmoid_ext as sx

FUNCS = {
    "sigmoid": (sx.sigmoid, 1, ("x",)),
    "sigmoid_grad": (sx.sigmoid_grad, 1, ("x",)),
    "sigmoid_backward": (sx.sigmoid_backward, 2, ("grad_output", "output")),
    **{name: (getattr(sx, name), 1, ("p",) if name.startswith("logit") else ("x",))
       for name in ("log_sigmoid", "softplus", "logit", "logit_grad", "silu", "silu_grad",
                    "log_sigmoid_grad")},
}


class BrokenArray:
    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("broken __array__")


class Ragged:
    pass


def good_inputs(nin):
    return [np.linspace(-2, 2, 6), np.linspace(0.1, 0.9, 6)][:nin]


# (bad value for one input, exception type, message pattern; "{arg}" = argument name)
BAD_INPUTS = [
    (np.array([1 + 2j]), TypeError, r"complex128.*'{arg}'"),
    (np.array(["a"]), TypeError, r"<U1.*'{arg}'"),
    (np.array([b"a"]), TypeError, r"S1.*'{arg}'"),
    (np.array([object()]), TypeError, r"object.*'{arg}'"),
    (np.array(["2020-01-01"], dtype="M8[D]"), TypeError, r"datetime64.*'{arg}'"),
    (np.array([1], dtype="m8[s]"), TypeError, r"timedelta64.*'{arg}'"),
    (np.zeros(2, dtype=[("a", "f8")]), TypeError, r"'{arg}'"),
    ("abc", TypeError, r"'{arg}'"),
    (None, TypeError, r"'{arg}'"),
    ({"a": 1}, TypeError, r"'{arg}'"),
    (BrokenArray(), TypeError, r"'{arg}'.*could not be converted.*broken __array__"),
    ([[1.0], [1.0, 2.0]], TypeError, r"'{arg}'.*could not be converted"),
]


def call(name, inputs, **kw):
    f = FUNCS[name][0]
    return f(*inputs, **kw)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("bad,exc,pattern", BAD_INPUTS,
                         ids=[f"in{i}" for i in range(len(BAD_INPUTS))])
def test_bad_input(name, bad, exc, pattern):
    _, nin, argnames = FUNCS[name]
    for pos in range(nin):
        inputs = good_inputs(nin)
        before = [a.copy() for a in inputs]
        inputs[pos] = bad
        out = np.full(6, 7.0)
        with pytest.raises(exc, match=pattern.format(arg=argnames[pos])) as info:
            call(name, inputs, out=out)
        assert name in str(info.value)
        assert (out == 7.0).all()
        for a, b in zip(inputs, before):
            if isinstance(a, np.ndarray) and a.dtype.kind == "f":
                np.testing.assert_array_equal(a, b)


def _read_only():
    a = np.zeros(6)
    a.flags.writeable = False
    return a


BAD_OUTS = [
    (lambda: np.full(5, 7.0), ValueError, r"out has shape \(5,\).*\(6,\)"),
    (lambda: np.full((6, 1), 7.0), ValueError, r"out has shape"),
    (lambda: np.full((), 7.0), ValueError, r"out has shape"),
    (lambda: np.zeros(6, np.int64), TypeError, r"int64.*same_kind"),
    (lambda: np.zeros(6, np.bool_), TypeError, r"bool.*same_kind"),
    (lambda: np.zeros(6, "M8[s]"), TypeError, r"same_kind"),
    (_read_only, ValueError, r"out is read-only"),
    (lambda: np.broadcast_to(np.zeros(1), (6,)), ValueError, r"read-only"),
    (lambda: [0.0] * 6, TypeError, r"out must be a numpy.ndarray"),
    (lambda: 3.0, TypeError, r"out must be a numpy.ndarray"),
    (lambda: (np.full(6, 7.0), np.full(6, 7.0)), TypeError, r"out must be one array"),
]


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("make_out,exc,pattern", BAD_OUTS,
                         ids=[f"out{i}" for i in range(len(BAD_OUTS))])
def test_bad_out(name, make_out, exc, pattern):
    inputs = good_inputs(FUNCS[name][1])
    before = [a.copy() for a in inputs]
    out = make_out()
    out_before = np.array(out, copy=True) if isinstance(out, np.ndarray) else None
    with pytest.raises(exc, match=pattern):
        call(name, inputs, out=out)
    if out_before is not None:
        assert np.array_equal(out, out_before)
    for a, b in zip(inputs, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("threads,exc,pattern", [
    (0, ValueError, r"threads must be >= 1, got 0"),
    (-3, ValueError, r"threads must be >= 1"),
    (np.int64(0), ValueError, r"threads must be >= 1"),
    (1.5, TypeError, r"threads must be a positive integer, not float"),
    ("2", TypeError, r"threads must be a positive integer, not str"),
    (True, TypeError, r"threads must be a positive integer, not bool"),
    ([2], TypeError, r"threads must be a positive integer"),
])
@pytest.mark.parametrize("name", FUNCS)
def test_bad_threads(name, threads, exc, pattern):
    inputs = good_inputs(FUNCS[name][1])
    out = np.full(6, 7.0)
    with pytest.raises(exc, match=pattern):
        call(name, inputs, out=out, threads=threads)
    assert (out == 7.0).all()
    # The contiguous fast path must validate threads= too, and so must the Python-float
    # and large-array branches of it.
    with pytest.raises(exc, match=pattern):
        call(name, inputs, threads=threads)
    with pytest.raises(exc, match=pattern):
        call(name, [0.5] * len(inputs), threads=threads)
    with pytest.raises(exc, match=pattern):
        call(name, [np.resize(a, 1000) for a in inputs], threads=threads)


@pytest.mark.parametrize("dtype,pattern", [
    (np.int32, r"dtype=int32 is not supported"),
    ("complex128", r"dtype=complex128 is not supported"),
    (np.bool_, r"dtype=bool is not supported"),
    ("M8[s]", r"dtype=datetime64\[s\] is not supported"),
    (object, r"dtype=object is not supported"),
    ("not-a-dtype", r"dtype='not-a-dtype' is not a valid dtype"),
    (3.5, r"dtype=3.5 is not a valid dtype"),
])
@pytest.mark.parametrize("name", FUNCS)
def test_bad_dtype(name, dtype, pattern):
    inputs = good_inputs(FUNCS[name][1])
    out = np.full(6, 7.0)
    with pytest.raises(TypeError, match=pattern) as info:
        call(name, inputs, out=out, dtype=dtype)
    assert name in str(info.value)
    assert (out == 7.0).all()


@pytest.mark.parametrize("shapes", [((3,), (4,)), ((2, 3), (3, 2)), ((5, 1, 2), (4, 3))])
def test_backward_broadcast_mismatch(shapes):
    g, y = np.ones(shapes[0]), np.full(shapes[1], 0.5)
    out = np.full(np.broadcast_shapes(shapes[0][-1:], shapes[0][-1:]), 7.0)
    with pytest.raises(ValueError, match=re.escape(
            f"sigmoid_backward: operands could not be broadcast together with shapes "
            f"{shapes[0]} {shapes[1]}")):
        sx.sigmoid_backward(g, y, out=out)
    assert (g == 1).all() and (y == 0.5).all() and (out == 7.0).all()


@pytest.mark.parametrize("name", FUNCS)
def test_wrong_number_of_arguments(name):
    f, nin, _ = FUNCS[name]
    with pytest.raises(TypeError):
        f(*good_inputs(nin), np.empty(6), np.empty(6))
    with pytest.raises(TypeError):
        f()
    with pytest.raises(TypeError):
        f(*good_inputs(nin), bogus=1)


@pytest.mark.parametrize("name", FUNCS)
def test_errors_do_not_poison_later_calls(name):
    inputs = good_inputs(FUNCS[name][1])
    want = call(name, inputs)
    for _ in range(3):
        with pytest.raises(TypeError):
            call(name, [BrokenArray()] + inputs[1:])
        with pytest.raises(ValueError):
            call(name, inputs, out=np.empty(2))
    np.testing.assert_array_equal(call(name, inputs), want)
