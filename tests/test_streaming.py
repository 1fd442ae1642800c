"""Streaming (non-temporal) stores: the drivers switch to the kernels' streaming twins for
outputs of at least sx_stream_threshold() bytes.  Only the store instruction differs, so
every result must be the same bits as with plain stores.  The threshold is forced to 0
here (a test hook of the C API) so that small arrays take the streaming path: every
head length before the 64-byte boundary, odd tails, in place, both outputs of
sigmoid_and_grad, two inputs of sigmoid_backward, on every ISA path."""

from __future__ import annotations

import contextlib

import numpy as np
import pytest

import sigmoid_ext
from sigmoid_ext._sigmoid_ext_cffi import lib

NEVER = 1 << 62
DTYPES = (np.float32, np.float64)
UNARY = ("sigmoid", "sigmoid_grad", "log_sigmoid_grad")
# A template kernel without a streaming twin: forcing the threshold must leave it alone.
PLAIN_ONLY = ("log_sigmoid", "silu")


@contextlib.contextmanager
def stream_threshold(nbytes: int):
    previous = lib.sx_set_stream_threshold(nbytes)
    try:
        yield
    finally:
        lib.sx_set_stream_threshold(previous)


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64).copy()


def _inputs(n: int, dtype, seed: int = 0) -> np.ndarray:
    """Core values and the lanes the scalar fallback redoes (tails, NaN, inf, -0)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-30, 30, n)
    low = -110.0 if dtype == np.float32 else -750.0
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, low, -low, low / 1.05, 100.0])
    k = min(n, len(specials))
    if n:
        x[rng.choice(n, k, replace=False)] = specials[:k]
        tail = rng.random(n) < 0.05
        x[tail] = rng.uniform(low, low / 1.2, tail.sum())
    return x.astype(dtype)


def _aligned_view(n: int, dtype, offset: int) -> np.ndarray:
    """n items starting `offset` items past a 64-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    buf = np.empty(n + offset + 64 // itemsize + 1, dtype)
    skip = (-buf.ctypes.data % 64) // itemsize
    return buf[skip + offset: skip + offset + n]


# Lengths around the vector widths (8 and 16 lanes) and 64-byte lines, and offsets that
# give every head length up to the next line.
LENGTHS = (1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 200, 1001)
OFFSETS = tuple(range(16))


def _run_unary(fn, x, dtype, offset, inplace):
    y = _aligned_view(len(x), dtype, offset)
    if inplace:
        y[...] = x
        fn(y, out=y)
    else:
        fn(x, out=y)
    return _bits(y)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY + PLAIN_ONLY)
@pytest.mark.parametrize("inplace", [False, True], ids=["out", "inplace"])
def test_unary_streaming_is_bit_identical(isa, dtype, name, inplace):
    fn = getattr(sigmoid_ext, name)
    for n in LENGTHS:
        x = _inputs(n, dtype, seed=n)
        for offset in OFFSETS[: 64 // np.dtype(dtype).itemsize]:
            # input at a different offset from the output, as well as the same one
            for x_offset in {offset, (offset + 3) % 16}:
                xv = _aligned_view(n, dtype, x_offset)
                xv[...] = x
                with stream_threshold(NEVER):
                    want = _run_unary(fn, xv, dtype, offset, inplace)
                with stream_threshold(0):
                    got = _run_unary(fn, xv, dtype, offset, inplace)
                np.testing.assert_array_equal(got, want, err_msg=f"{name} n={n} off={offset}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("inplace", ["none", "y", "g"])
def test_sigmoid_and_grad_streaming_is_bit_identical(isa, dtype, inplace):
    per_line = 64 // np.dtype(dtype).itemsize
    for n in LENGTHS:
        x = _inputs(n, dtype, seed=n + 1)
        # both outputs at the same offset in their lines (both stream), and at different
        # ones (the kernel keeps plain stores)
        for oy, og in [(o, o) for o in range(per_line)] + [(0, 1), (3, 0), (5, 2)]:
            results = []
            for threshold in (NEVER, 0):
                y, g = _aligned_view(n, dtype, oy), _aligned_view(n, dtype, og)
                if inplace == "y":
                    y[...] = x
                    src = y
                elif inplace == "g":
                    g[...] = x
                    src = g
                else:
                    src = x
                with stream_threshold(threshold):
                    sigmoid_ext.sigmoid_and_grad(src, out=(y, g))
                results.append((_bits(y), _bits(g)))
            np.testing.assert_array_equal(results[1][0], results[0][0])
            np.testing.assert_array_equal(results[1][1], results[0][1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("inplace", ["none", "g", "y"])
def test_sigmoid_backward_streaming_is_bit_identical(isa, dtype, inplace):
    per_line = 64 // np.dtype(dtype).itemsize
    for n in LENGTHS:
        rng = np.random.default_rng(n)
        g0 = _inputs(n, dtype, seed=n + 2)
        if n:
            g0[rng.random(n) < 0.05] = np.finfo(dtype).max     # overflowing products
        s0 = sigmoid_ext.sigmoid(_inputs(n, dtype, seed=n + 3))
        for offset in range(per_line):
            results = []
            for threshold in (NEVER, 0):
                out = _aligned_view(n, dtype, offset)
                g, s = g0, s0
                if inplace == "g":
                    out[...] = g0
                    g = out
                elif inplace == "y":
                    out[...] = s0
                    s = out
                with stream_threshold(threshold):
                    sigmoid_ext.sigmoid_backward(g, s, out=out)
                results.append(_bits(out))
            np.testing.assert_array_equal(results[1], results[0], err_msg=f"n={n} off={offset}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_streaming_misaligned_outputs_are_bit_identical(isa, dtype):
    """Outputs not aligned to their element size take the buffered path (no streaming);
    the answer is still the same bits."""
    n = 1001
    x = _inputs(n, dtype)
    raw = np.empty(n * x.itemsize + 1, np.uint8)
    y = raw[1:].view(dtype)
    results = []
    for threshold in (NEVER, 0):
        with stream_threshold(threshold):
            sigmoid_ext.sigmoid(x, out=y)
        results.append(_bits(y))
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY + ("sigmoid_and_grad", "sigmoid_backward"))
def test_streaming_across_threads_is_bit_identical(isa, dtype, name):
    """Calls split across the pool: every chunk streams its own range and fences before
    the pool counts it done; odd length and an offset output so chunks start mid-line."""
    n = 300_007
    x = _inputs(n, dtype, seed=7)
    fn = getattr(sigmoid_ext, name)
    nout = 2 if name == "sigmoid_and_grad" else 1
    results = []
    for threshold in (NEVER, 0):
        outs = tuple(_aligned_view(n, dtype, 3) for _ in range(nout))
        args = (x, sigmoid_ext.sigmoid(x)) if name == "sigmoid_backward" else (x,)
        with stream_threshold(threshold), sigmoid_ext.num_threads(2):
            fn(*args, out=outs if nout > 1 else outs[0])
        results.append([_bits(o) for o in outs])
    for got, want in zip(results[1], results[0]):
        np.testing.assert_array_equal(got, want)


def test_default_threshold_is_a_cache_size_and_restorable():
    default = lib.sx_stream_threshold()
    assert default >= 1 << 20                     # at least a megabyte: a cache, not 0
    assert lib.sx_set_stream_threshold(123) == default
    assert lib.sx_stream_threshold() == 123
    assert lib.sx_set_stream_threshold(-1) == 123
    assert lib.sx_stream_threshold() == default


def test_large_call_at_default_threshold_matches_plain_stores():
    """An output past the default threshold streams on the default setting."""
    n = lib.sx_stream_threshold() // 4 + 4097
    x = np.random.default_rng(1).uniform(-10, 10, n).astype(np.float32)
    y = sigmoid_ext.sigmoid(x)
    with stream_threshold(NEVER):
        z = sigmoid_ext.sigmoid(x)
    np.testing.assert_array_equal(_bits(y), _bits(z))
