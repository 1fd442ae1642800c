"""Property tests: any layout gives bit-for-bit the result of the same call on clean,
contiguous, native-byte-order copies.

Hypothesis draws shapes (0-d to 4-D, empty included), per-dimension steps and reversals,
Fortran order, zero-stride broadcasts (``np.broadcast_to`` and read-only ``as_strided``),
byte offsets on a uint8 buffer (misaligned data), dtypes (floats, longdouble, ints,
bool, big-endian), ``out=`` layouts and dtypes (strided, misaligned, big-endian, any
same_kind target) and aliasing (``out=x`` in place, partial overlap forwards and
backwards on one buffer, reversed).  The library runs one kernel on both sides, so the
results must be identical, NaN payloads and signed zeros included.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import sigmoid_ext

FUZZ = settings(max_examples=200, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

IN_DTYPES = ["f2", "f4", "f8", ">f4", ">f8", "g", "i1", "u1", "i2", "i4", "i8", "u8", "?"]
FLOAT_OUT_DTYPES = ["f2", "f4", "f8", ">f4", ">f8", "g", "c16"]
SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-310, -1e-310, 1e-45, -1e-45, 1e-8,
            16.6, -16.6, 36.7, 88.7, -87.3, -103.97, -745.13, 709.8, 1e300, -1e300, 65504.0]


# ----------------------------------------------------------------------------- helpers

def native(dt: np.dtype) -> np.dtype:
    return dt.newbyteorder("=")


def clean(a: np.ndarray) -> np.ndarray:
    """A fresh C-contiguous native copy (np.ascontiguousarray would make 0-d 1-d)."""
    a = np.asarray(a)
    return np.array(a, dtype=native(a.dtype), order="C", copy=True)


def assert_identical(got, want) -> None:
    """Same dtype, shape and bits, NaN sign/payload aside (longdouble: value, NaN-ness
    and sign, its padding bytes being undefined)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    g, w = clean(got), clean(want)
    if g.dtype.kind == "f" and g.dtype.itemsize in (2, 4, 8):
        ui = np.dtype(f"u{g.dtype.itemsize}")
        # Bit-for-bit, NaNs included (a NaN input comes back as itself).
        bad = g.view(ui) != w.view(ui)
        assert not bad.any(), f"{int(bad.sum())} differing items: {g[bad][:5]} vs {w[bad][:5]}"
    elif g.dtype.kind == "c":
        assert_identical(g.real, w.real)
        assert_identical(g.imag, w.imag)
    else:
        assert np.array_equal(g, w, equal_nan=True)
        assert np.array_equal(np.signbit(g), np.signbit(w))


def values(rng: np.random.Generator, dt: np.dtype, shape: tuple) -> np.ndarray:
    """Random native values of dtype dt: specials and a spread of magnitudes."""
    size = int(np.prod(shape))
    if dt.kind == "b":
        return rng.integers(0, 2, size).astype(bool).reshape(shape)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(info.min, info.max, size, dtype=native(dt), endpoint=True
                            ).reshape(shape)
    pool = np.concatenate([SPECIALS, rng.normal(0, 5, 32), rng.normal(0, 60, 32),
                           rng.uniform(-800, 800, 16)])
    with np.errstate(all="ignore"):
        return rng.choice(pool, size).astype(native(dt)).reshape(shape)


@st.composite
def layouts(draw, ndim: int, allow_broadcast: bool = True) -> dict:
    return {
        "steps": draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)),
        "flips": draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim)),
        "offset": draw(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 8])),
        "fortran": draw(st.booleans()),
        "bcast": (draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
                  if allow_broadcast and draw(st.integers(0, 3)) == 0 else [False] * ndim),
        "bcast_kind": draw(st.sampled_from(["broadcast_to", "as_strided"])),
    }


def materialize(vals: np.ndarray, dt: np.dtype, lay: dict) -> np.ndarray:
    """An array equal to vals (cast to dt) laid out as lay says: on a uint8 buffer at a
    byte offset, every dimension stepped and maybe reversed; broadcast dimensions get
    stride 0 (read-only views)."""
    shape = vals.shape
    if any(lay["bcast"]):
        small_shape = tuple(1 if b else s for s, b in zip(shape, lay["bcast"]))
        sub = vals[tuple(slice(0, 1) if b else slice(None) for b in lay["bcast"])]
        if sub.shape != small_shape:             # broadcasting a length-1 axis to 0
            sub = np.zeros(small_shape, vals.dtype)
        small = materialize(sub, dt, dict(lay, bcast=[False] * len(shape)))
        assert small.shape == small_shape
        if lay["bcast_kind"] == "broadcast_to":
            return np.broadcast_to(small, shape)
        strides = tuple(0 if b else s for s, b in zip(small.strides, lay["bcast"]))
        return np.lib.stride_tricks.as_strided(small, shape, strides, writeable=False)
    big_shape = tuple(s * k for s, k in zip(shape, lay["steps"]))
    nbytes = int(np.prod(big_shape)) * dt.itemsize
    buf = np.zeros(nbytes + lay["offset"] + 16, np.uint8)
    big = np.ndarray(big_shape, dt, buffer=buf, offset=lay["offset"],
                     order="F" if lay["fortran"] else "C")
    view = big[tuple(slice(None, None, -k if f else k)
                     for k, f in zip(lay["steps"], lay["flips"])) + (Ellipsis,)]
    assert view.shape == shape
    view[...] = vals
    return view


def threads_ctx(threads):
    """num_threads(threads) around a call, or the global setting for None."""
    return contextlib.nullcontext() if threads is None else sigmoid_ext.num_threads(threads)


def snapshot(arrays):
    return [np.array(a, copy=True) for a in arrays]


def check_unchanged(arrays, before):
    for a, b in zip(arrays, before):
        assert_identical(a, b)


def draw_out_or_overlap(draw, case, shape, result_dt):
    """The options shared by every function's cases: an out= array of any dtype the
    result may be cast to (same_kind) and any layout, or the geometry of an overlap."""
    if case["mode"] == "out":
        choices = [d for d in FLOAT_OUT_DTYPES
                   if np.can_cast(result_dt, np.dtype(d), casting="same_kind")]
        odt = np.dtype(draw(st.sampled_from(choices)))
        case["out"] = materialize(np.full(shape, 7, odt), odt,
                                  draw(layouts(len(shape), allow_broadcast=False)))
    elif case["mode"] == "overlap":
        case["shift"] = draw(st.integers(-40, 40))
        # Long 1-D runs too, so that the overlap crosses SIMD vectors and driver blocks.
        case["length"] = draw(st.one_of(st.none(), st.integers(0, 700)))
        case["step"] = draw(st.integers(1, 2))
        case["reverse_out"] = draw(st.booleans())
        case["offset"] = draw(st.sampled_from([0, 1, 4]))


# ----------------------------------------------------------------------------- unary

@st.composite
def unary_cases(draw):
    shape = draw(array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6))
    dt = np.dtype(draw(st.sampled_from(IN_DTYPES)))
    seed = draw(st.integers(0, 2**32 - 1))
    x = materialize(values(np.random.default_rng(seed), dt, shape), dt,
                    draw(layouts(len(shape))))
    mode = draw(st.sampled_from(["none", "out", "out", "inplace", "overlap"]))
    case = {"x": x, "mode": mode, "threads": draw(st.sampled_from([None, 1, 2]))}
    result_dt = native(dt) if dt.kind == "f" else np.dtype("f8")
    draw_out_or_overlap(draw, case, shape, result_dt)
    if mode == "overlap":
        case["fdt"] = np.dtype(draw(st.sampled_from(["f2", "f4", "f8", ">f8", "g"])))
    return case


def overlapping(vals: np.ndarray, case: dict):
    """x and out on one buffer, out shifted by `shift` items (either direction),
    maybe traversed backwards."""
    dt, step, shift = case["fdt"], case["step"], case["shift"]
    if case["length"] is not None:
        vals = np.linspace(-40, 40, case["length"]).astype(vals.dtype)
    n = vals.size
    length = n * step + abs(shift) * step + 2
    buf = np.zeros(length * dt.itemsize + case["offset"], np.uint8)
    flat = np.ndarray((length,), dt, buffer=buf, offset=case["offset"])
    flat[:] = 3.0
    xs = max(0, -shift) * step
    os_ = max(0, shift) * step
    x = flat[xs:xs + n * step:step].reshape(vals.shape)
    out = flat[os_:os_ + n * step:step]
    if case["reverse_out"]:
        out = out[::-1]
    out = out.reshape(vals.shape)
    x[...] = vals
    return x, out


UNARY = [sigmoid_ext.sigmoid, sigmoid_ext.sigmoid_grad]


def _run_unary(f, case):
    x, mode, threads = case["x"], case["mode"], case["threads"]
    if mode == "inplace" or mode == "overlap":
        if mode == "inplace":
            if x.dtype.kind != "f" or not x.flags.writeable:
                x = x.astype(native(x.dtype) if x.dtype.kind == "f" else "f8")
            out = x
        else:
            with np.errstate(all="ignore"):
                x, out = overlapping(np.asarray(x).astype(case["fdt"]), case)
        want = f(clean(x))
        with threads_ctx(threads):
            got = f(x, out=out)
        assert got is out
        with np.errstate(all="ignore"):
            assert_identical(out, np.asarray(want).astype(out.dtype))
        return
    before = snapshot([x])
    want = f(clean(x))
    if mode == "none":
        with threads_ctx(threads):
            got = f(x)
        assert_identical(got, want)
        assert type(got) is type(want)       # 0-d in gives a NumPy scalar out
    else:
        out = case["out"]
        with threads_ctx(threads):
            got = f(x, out=out)
        assert got is out
        with np.errstate(all="ignore"):
            assert_identical(out, np.asarray(want).astype(out.dtype))
    check_unchanged([x], before)


@FUZZ
@given(unary_cases())
def test_fuzz_sigmoid(case):
    _run_unary(sigmoid_ext.sigmoid, case)


@FUZZ
@given(unary_cases())
def test_fuzz_sigmoid_grad(case):
    _run_unary(sigmoid_ext.sigmoid_grad, case)


FAMILY = ["log_sigmoid", "softplus", "logit", "logit_grad", "silu", "silu_grad",
          "log_sigmoid_grad"]


@FUZZ
@given(unary_cases(), st.sampled_from(FAMILY))
def test_fuzz_family(case, name):
    _run_unary(getattr(sigmoid_ext, name), case)


# ----------------------------------------------------------------------------- backward

@st.composite
def backward_cases(draw):
    shape = draw(array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    operands = []
    for _ in range(2):
        # Each operand: a suffix of the result shape with some dimensions set to 1.
        nd = draw(st.integers(0, len(shape)))
        sub = tuple(1 if draw(st.integers(0, 3)) == 0 else s
                    for s in shape[len(shape) - nd:])
        dt = np.dtype(draw(st.sampled_from(IN_DTYPES)))
        vals = values(rng, dt, sub)
        if dt.kind == "f" and draw(st.booleans()):      # saved outputs live in [0, 1]
            vals = rng.uniform(0, 1, sub).astype(native(dt))
        operands.append(materialize(vals, dt, draw(layouts(len(sub)))))
    g, y = operands
    result_dt = np.result_type(g.dtype, y.dtype)
    result_dt = native(result_dt) if result_dt.kind == "f" else np.dtype("f8")
    mode = draw(st.sampled_from(["none", "out", "inplace_g", "inplace_y", "overlap"]))
    case = {"g": g, "y": y, "mode": mode, "shape": np.broadcast_shapes(g.shape, y.shape),
            "threads": draw(st.sampled_from([None, 1, 2])), "result_dt": result_dt}
    draw_out_or_overlap(draw, case, case["shape"], result_dt)
    if mode == "overlap":
        case["fdt"] = result_dt
        case["which"] = draw(st.sampled_from(["g", "y"]))
    return case


@FUZZ
@given(backward_cases())
def test_fuzz_sigmoid_backward(case):
    f = sigmoid_ext.sigmoid_backward
    g, y, mode, shape, threads = case["g"], case["y"], case["mode"], case["shape"], \
        case["threads"]
    if mode in ("inplace_g", "inplace_y"):
        # The aliased operand is a writable, full-shape array of the result dtype.
        full = np.broadcast_to(g if mode == "inplace_g" else y, shape)
        with np.errstate(all="ignore"):
            alias = np.array(full, dtype=case["result_dt"])
        if mode == "inplace_g":
            g = alias
        else:
            y = alias
        want = f(clean(g), clean(y))
        with threads_ctx(threads):
            got = f(g, y, out=alias)
        assert got is alias
        assert_identical(alias, np.asarray(want).astype(alias.dtype))
        return
    if mode == "overlap":
        which = case["which"]
        full = np.broadcast_to(g if which == "g" else y, shape)
        with np.errstate(all="ignore"):
            a, out = overlapping(np.asarray(full).astype(case["fdt"]), case)
        other = np.asarray(0.3, case["fdt"])    # a 0-d partner broadcasts to any length
        if which == "g":
            g = a
            y = other if case["length"] is not None else y
        else:
            y = a
            g = other if case["length"] is not None else g
        want = f(clean(g), clean(y))
        with threads_ctx(threads):
            got = f(g, y, out=out)
        assert got is out
        assert_identical(out, np.asarray(want).astype(out.dtype))
        return
    before = snapshot([g, y])
    want = f(clean(g), clean(y))
    if mode == "none":
        with threads_ctx(threads):
            got = f(g, y)
        assert_identical(got, want)
        assert type(got) is type(want)
    else:
        out = case["out"]
        # NumPy's own output cast (float64 -> float16 of a huge g*y*(1-y)) may warn
        with threads_ctx(threads), np.errstate(over="ignore"):
            got = f(g, y, out=out)
        assert got is out
        with np.errstate(all="ignore"):
            assert_identical(out, np.asarray(want).astype(out.dtype))
    check_unchanged([g, y], before)


# ----------------------------------------------------------------------------- sanity

def test_fuzz_helpers_detect_differences():
    """The comparison is bitwise: a flipped sign of zero or a dtype change fails."""
    a = np.array([0.0, 1.0], np.float32)
    with pytest.raises(AssertionError):
        assert_identical(a, np.array([-0.0, 1.0], np.float32))
    with pytest.raises(AssertionError):
        assert_identical(a.astype(np.float16), a)
    lay = {"steps": [2, 3], "flips": [True, False], "offset": 3, "fortran": True,
           "bcast": [False, False], "bcast_kind": "broadcast_to"}
    v = np.arange(6.0).reshape(2, 3)
    m = materialize(v, np.dtype(">f8"), lay)
    assert not m.flags.aligned and not m.flags.c_contiguous
    assert np.array_equal(m, v)


@pytest.mark.parametrize("f", [sigmoid_ext.sigmoid, sigmoid_ext.sigmoid_grad]
                         + [getattr(sigmoid_ext, n) for n in FAMILY])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_nan_sign_is_position_independent(isa, f, dt):
    """A NaN input comes back as itself, wherever it sits (SIMD body or scalar tail)."""
    bits = set()
    for n in (1, 7, 17, 33):
        for pos in range(n):
            x = np.zeros(n, dt)
            x[pos] = np.nan
            bits.add(f(x)[pos:pos + 1].view(f"u{np.dtype(dt).itemsize}")[0])
    assert len(bits) == 1, [hex(b) for b in bits]


# ----------------------------------------------------------------------------- threads

THRESHOLD = int(sigmoid_ext.config()["parallel_threshold"])


@st.composite
def threaded_cases(draw):
    return {
        "n": draw(st.sampled_from([THRESHOLD - 1, THRESHOLD, THRESHOLD + 1])
                  | st.integers(THRESHOLD, 4 * THRESHOLD)),
        "step": draw(st.sampled_from([1, 1, -1, 2, -3])),
        "offset": draw(st.sampled_from([0, 0, 1, 4])),
        "dt": np.dtype(draw(st.sampled_from(["f4", "f8", ">f8", "f2", "i2"]))),
        "threads": draw(st.integers(2, 16)),
        "mode": draw(st.sampled_from(["none", "inplace", "overlap"])),
        "shift": draw(st.integers(-3000, 3000)),
        "name": draw(st.sampled_from(["sigmoid", "sigmoid_grad", "silu", "logit",
                                      "sigmoid_backward"])),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


@settings(FUZZ, max_examples=40)
@given(threaded_cases())
def test_fuzz_threaded_matches_serial(case):
    """Long runs split across up to 16 threads (the CPU cap lifted), contiguous, strided,
    reversed, misaligned, in place or overlapping their output: the serial result of a
    clean copy, bit for bit."""
    f = getattr(sigmoid_ext, case["name"])
    dt, n, step = case["dt"], case["n"], case["step"]
    vals = values(np.random.default_rng(case["seed"]), dt, (n,))
    span = n * abs(step) + abs(case["shift"]) * abs(step) + 2
    buf = np.zeros(span * dt.itemsize + case["offset"], np.uint8)
    flat = np.ndarray((span,), dt, buffer=buf, offset=case["offset"])
    start = max(0, -case["shift"]) * abs(step)
    x = flat[start:start + n * abs(step):abs(step)][::1 if step > 0 else -1]
    x[...] = vals
    args = [x] * f.nin if f.nin == 1 else [x, x[::-1]]
    with sigmoid_ext.num_threads(1):
        want = f(*[clean(a) for a in args])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sigmoid_ext._threads, "available_cpus", lambda *a: 64)
        with sigmoid_ext.num_threads(case["threads"]):
            if case["mode"] == "none":
                got = f(*args)
            elif case["mode"] == "inplace" and x.dtype.kind == "f":
                got = f(*args, out=x)
                assert got is x
            else:
                o = max(0, case["shift"]) * abs(step)
                out = flat[o:o + n * abs(step):abs(step)]
                if out.dtype.kind != "f":
                    out = np.empty(n)
                got = f(*args, out=out)
                assert got is out
    with np.errstate(all="ignore"):
        assert_identical(got, np.asarray(want).astype(got.dtype))
