"""One SHA-256 over the outputs of sigmoid, sigmoid_grad, log_sigmoid_grad,
sigmoid_and_grad and sigmoid_backward, both dtypes, every ISA path: fixed inputs
covering the tails, NaN, +-inf, +-0, in-place calls and every tail length below 40.

A refactor of the kernels that must not change results keeps this hash:

    python -m sigmoid_ext.bench.bithash        # before and after; compare the lines

Cross-path bit identity (issue 15): every function, both dtypes, every path, on inputs
that C can regenerate bit for bit (tests/aarch64/driver.c does, for other machines):

    python -m sigmoid_ext.bench.bithash --identity          # which pairs differ, how often
    python -m sigmoid_ext.bench.bithash --hashes            # one hash per function, dtype, path
    python -m sigmoid_ext.bench.bithash --identity --stride 97   # denser float32 sample

float32 inputs: every `stride`-th of the 2^32 bit patterns, plus every `stride`-th
pattern of [0, 1] (logit's domain) and of [-120, 120].  float64 inputs: uniform
sweeps of the core, the tails and both subnormal-result ranges, log-uniform magnitudes
(random bit patterns of a range of exponents, both signs), p in [0, 1] near both ends,
and raw random bit patterns (NaN payloads, infinities).  sigmoid_backward takes
g uniform in [-4, 4] and y from the same inputs plus y uniform in [0, 1].  The random
numbers are splitmix64 of a counter, so the C driver reproduces them exactly.
"""

from __future__ import annotations

import hashlib

import numpy as np

import sigmoid_ext as sx


def _inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.uniform(-120, 120, 200_001), rng.uniform(-2, 2, 100_000),
                        rng.uniform(-800, 800, 50_000),
                        [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-300, -1e-45]])
    return x, rng.uniform(-0.5, 1.5, x.size)


def output_hash(isas: list[str] | None = None) -> str:
    """Hex digest over the outputs on the given paths (default: every available one)."""
    h = hashlib.sha256()
    base, ys = _inputs()
    previous = sx.get_isa()
    try:
        for isa in isas or sx.available_isas():
            sx.set_isa(isa)
            for dt in (np.float32, np.float64):
                x, y = base.astype(dt), ys.astype(dt)
                for f in (sx.sigmoid, sx.sigmoid_grad, sx.log_sigmoid_grad):
                    h.update(f(x).tobytes())
                    xi = x.copy()
                    f(xi, out=xi)
                    h.update(xi.tobytes())
                s, g = sx.sigmoid_and_grad(x)
                h.update(s.tobytes())
                h.update(g.tobytes())
                h.update(sx.sigmoid_backward(x, y).tobytes())
                for n in range(1, 40):
                    h.update(sx.sigmoid(x[:n]).tobytes())
                    h.update(sx.sigmoid_and_grad(x[-n:])[1].tobytes())
                    h.update(sx.sigmoid_backward(x[:n], y[:n]).tobytes())
    finally:
        sx.set_isa(previous)
    return h.hexdigest()


# ---- cross-path identity (issue 15) -------------------------------------------------

FUNCTIONS = ("sigmoid", "sigmoid_grad", "sigmoid_backward", "log_sigmoid", "softplus",
             "logit", "logit_grad", "silu", "silu_grad", "log_sigmoid_grad",
             "sigmoid_and_grad")
DTYPES = ("float32", "float64")
DEFAULT_STRIDE = 4099          # float32 bit patterns: 1.05 million per sample
F64_POINTS = 1 << 16           # per float64 region

_M64 = (1 << 64) - 1


def splitmix64(counter: np.ndarray) -> np.ndarray:
    """splitmix64 of each uint64 counter value (the C driver has the same function)."""
    with np.errstate(over="ignore"):
        z = counter.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _stream(region: int, n: int) -> np.ndarray:
    return splitmix64(np.arange(n, dtype=np.uint64) + np.uint64(region << 40))


def _uniform(region: int, n: int, a: float, b: float) -> np.ndarray:
    """a + (b - a) u, u = top 53 bits / 2^53: two IEEE operations, as in C."""
    u = (_stream(region, n) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return u * (b - a) + a


def _bit_range(region: int, n: int, lo: float, hi: float, signed: bool) -> np.ndarray:
    """Uniform over the bit patterns of [lo, hi] (0 <= lo < hi): log-uniform magnitudes."""
    blo = int(np.float64(lo).view(np.uint64))
    bhi = int(np.float64(hi).view(np.uint64))
    r = _stream(region, n)
    bits = np.uint64(blo) + r % np.uint64(bhi - blo + 1)
    if signed:
        bits |= (r >> np.uint64(63)) << np.uint64(63)
    return bits.view(np.float64)


# float64 regions: (kind, a, b); region numbers are their index + 1.
F64_REGIONS = (
    ("uniform", -20.0, 20.0),
    ("uniform", -800.0, 800.0),
    ("uniform", -745.2, -700.0),        # sigmoid, silu: subnormal results
    ("uniform", 700.0, 745.2),          # log_sigmoid_grad, softplus(-x): subnormal results
    ("uniform", -2.0, 2.0),             # silu_grad's zero, logit's half
    ("bits", 1e-320, 1e3),              # log-uniform magnitudes, both signs
    ("uniform", 0.0, 1.0),              # logit's domain
    ("bits_pos", 1e-320, 0.5),          # p near 0
    ("one_minus", 1e-17, 0.5),          # p near 1
    ("raw", 0.0, 0.0),                  # any bit pattern
)


def f32_inputs(stride: int = DEFAULT_STRIDE) -> np.ndarray:
    """float32 inputs: every stride-th bit pattern, of all 2^32, of [0, 1], of [-120, 120]."""
    one = int(np.float32(1).view(np.uint32))
    big = int(np.float32(120).view(np.uint32))
    parts = [np.arange(0, 1 << 32, stride, dtype=np.uint64).astype(np.uint32),
             np.arange(0, one + 1, stride, dtype=np.uint32),
             np.arange(0, big + 1, stride, dtype=np.uint32),
             np.arange(0, big + 1, stride, dtype=np.uint32) | np.uint32(1 << 31)]
    return np.concatenate(parts).view(np.float32)


def f64_inputs(points: int = F64_POINTS) -> np.ndarray:
    out = []
    for k, (kind, a, b) in enumerate(F64_REGIONS):
        region = k + 1
        if kind == "uniform":
            out.append(_uniform(region, points, a, b))
        elif kind == "bits":
            out.append(_bit_range(region, points, a, b, True))
        elif kind == "bits_pos":
            out.append(_bit_range(region, points, a, b, False))
        elif kind == "one_minus":
            out.append(1.0 - _bit_range(region, points, a, b, False))
        else:
            out.append(_stream(region, points).view(np.float64))
    return np.concatenate(out)


# Appended to both dtypes' inputs (NaN with the sign bit set: -nan).
SPECIALS = (np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0**-149,
            -(2.0**-149), 2.0**-1074, 1e-300, -1e-300)


def inputs(dtype: str, stride: int = DEFAULT_STRIDE, points: int = F64_POINTS):
    """(x, g, y): x for the unary functions, (g, y) for sigmoid_backward."""
    x = f32_inputs(stride) if dtype == "float32" else f64_inputs(points)
    x = np.concatenate([x, np.array(SPECIALS, dtype=dtype)])
    n = x.size
    g = _uniform(100, n, -4.0, 4.0).astype(dtype)
    y = np.concatenate([x, _uniform(101, n, 0.0, 1.0).astype(dtype)])
    return x, np.concatenate([g, g]), y


def outputs(name: str, dtype: str, stride: int = DEFAULT_STRIDE,
            points: int = F64_POINTS, data=None) -> np.ndarray:
    """The outputs of `name` on the active path as unsigned integers (bits)."""
    x, g, y = data if data is not None else inputs(dtype, stride, points)
    return _call(name, x, g, y).view(np.uint32 if dtype == "float32" else np.uint64)


def _call(name: str, x: np.ndarray, g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One array of results of `name`: (g, y) for the backward pass, x for the rest;
    the pair's two outputs one after the other."""
    f = getattr(sx, name)
    if name == "sigmoid_backward":
        return f(g, y)
    if name == "sigmoid_and_grad":
        return np.concatenate(f(x))
    return f(x)


def bits_hash(bits: np.ndarray) -> str:
    """Order-dependent 64-bit hash: sum of splitmix64(bits_i + i * golden) mod 2^64."""
    with np.errstate(over="ignore"):
        i = np.arange(bits.size, dtype=np.uint64)
        z = splitmix64(bits.astype(np.uint64) + i * np.uint64(0x9E3779B97F4A7C15))
        return f"{int(z.sum(dtype=np.uint64)) & _M64:016x}"


def path_outputs(isas=None, functions=FUNCTIONS, dtypes=DTYPES,
                 stride: int = DEFAULT_STRIDE, points: int = F64_POINTS) -> dict:
    """{(isa, function, dtype): output bits} for every available path (default)."""
    res = {}
    previous = sx.get_isa()
    data = {dt: inputs(dt, stride, points) for dt in dtypes}
    try:
        for isa in isas or sx.available_isas():
            sx.set_isa(isa)
            for name in functions:
                for dt in dtypes:
                    res[isa, name, dt] = outputs(name, dt, data=data[dt])
    finally:
        sx.set_isa(previous)
    return res


def differences(res: dict) -> list:
    """[(function, dtype, isa_a, isa_b, n_differ, n)] for every pair of paths."""
    isas = sorted({k[0] for k in res}, key=lambda s: list(sx.compiled_isas()).index(s))
    rows = []
    for name in FUNCTIONS:
        for dt in DTYPES:
            for i, a in enumerate(isas):
                for b in isas[i + 1:]:
                    if (a, name, dt) in res and (b, name, dt) in res:
                        ra, rb = res[a, name, dt], res[b, name, dt]
                        rows.append((name, dt, a, b, int(np.count_nonzero(ra != rb)), ra.size))
    return rows


def all_f32_differences(isas=None, functions=FUNCTIONS, chunk: int = 1 << 24,
                        progress=None) -> dict:
    """{(function, isa_a, isa_b): n_differ} over all 2^32 float32 inputs (sigmoid_backward:
    y = every float32, g uniform in [-4, 4]).  A few minutes per function on 2 cores."""
    isas = list(isas or sx.available_isas())
    pairs = [(a, b) for i, a in enumerate(isas) for b in isas[i + 1:]]
    counts = {(f, a, b): 0 for f in functions for a, b in pairs}
    g = _uniform(100, chunk, -4.0, 4.0).astype(np.float32)
    previous = sx.get_isa()
    try:
        for start in range(0, 1 << 32, chunk):
            x = np.arange(start, start + chunk, dtype=np.uint64).astype(np.uint32).view(np.float32)
            for f in functions:
                res = {}
                for isa in isas:
                    sx.set_isa(isa)
                    res[isa] = _call(f, x, g, x).view(np.uint32)
                for a, b in pairs:
                    counts[f, a, b] += int(np.count_nonzero(res[a] != res[b]))
            if progress:
                progress(start + chunk)
    finally:
        sx.set_isa(previous)
    return counts


def _identity_main(stride: int, points: int, show_hashes: bool) -> None:
    res = path_outputs(stride=stride, points=points)
    if show_hashes:
        for (isa, name, dt), bits in res.items():
            print(f"{name:<18} {dt:<8} {isa:<9} {bits_hash(bits)}")
        return
    print(f"float32: every {stride}-th bit pattern (+ [0, 1], [-120, 120]); "
          f"float64: {len(F64_REGIONS)} regions x {points} points")
    print(f"{'function':<18} {'dtype':<8} {'paths':<18} {'differ':>9} {'of':>9} {'%':>9}")
    for name, dt, a, b, nd, n in differences(res):
        pct = f"{100.0 * nd / n:.4f}" if nd else "0"
        print(f"{name:<18} {dt:<8} {a + ' ' + b:<18} {nd:>9} {n:>9} {pct:>9}")


def main(argv=None) -> None:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m sigmoid_ext.bench.bithash",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--identity", action="store_true",
                    help="table of the (function, dtype, path pair)s that differ")
    ap.add_argument("--hashes", action="store_true",
                    help="one 64-bit hash per (function, dtype, path)")
    ap.add_argument("--stride", type=int, default=DEFAULT_STRIDE,
                    help="float32: every stride-th bit pattern (default %(default)s)")
    ap.add_argument("--points", type=int, default=F64_POINTS,
                    help="float64: points per region (default %(default)s)")
    ap.add_argument("--all-f32", action="store_true",
                    help="compare the paths on all 2^32 float32 inputs (minutes)")
    ap.add_argument("--isa", default=None,
                    help="--all-f32: only these paths, comma-separated")
    ap.add_argument("--function", default=None,
                    help="--all-f32: only these functions, comma-separated")
    a = ap.parse_args(argv)
    if a.all_f32:
        import time
        t0 = time.time()
        funcs = tuple(a.function.split(",")) if a.function else FUNCTIONS
        isas = a.isa.split(",") if a.isa else None
        counts = all_f32_differences(isas, funcs)
        print(f"float32, all 2^32 inputs, {time.time() - t0:.0f} s")
        for (f, x, y), nd in counts.items():
            print(f"{f:<18} float32  {x + ' ' + y:<18} {nd:>10} differ")
    elif a.identity or a.hashes:
        _identity_main(a.stride, a.points, a.hashes)
    else:
        print(output_hash())


if __name__ == "__main__":
    main()
