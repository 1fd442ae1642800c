"""The accuracy report: max and mean ULP error of each implementation, per function,
dtype and region of the domain, all measured on the same points against mpmath.

Reference: mpmath at `DPS` significant digits, and the ULP distance is taken in exact
arithmetic (bench/ulp.py `mp_ulp_error`) -- a float64 reference would itself be off by up
to 0.5 float64 ulp, which matters for float64 results and near ties.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from . import ulp
from .peers import Operands

DPS = 50
REFERENCE = (f"mpmath {DPS} significant digits; ULP distance computed exactly "
             "(bench/ulp.py mp_ulp_error), subnormal spacing below the smallest normal")

# Regions of x (the input of sigmoid / grad; for backward, y = sigma(x) over them).
REGIONS: dict = {
    "float32": {
        "core": [(-20.0, 20.0)],
        "tails": [(-85.0, -20.0), (20.0, 40.0)],
        "subnormal": [(-103.9, -87.4)],
    },
    "float64": {
        "core": [(-20.0, 20.0)],
        "tails": [(-700.0, -20.0), (20.0, 40.0)],
        "subnormal": [(-745.0, -708.4)],
    },
}


# logit's input is p in [0, 1]: the middle, both ends (where logit is large), and
# subnormal p (float64/float32 smallest normal and below).
UNIT_REGIONS: dict = {
    "float32": {"core": [(0.0, 1.0)], "tails": [(1e-30, 1e-4), (1 - 1e-4, 1.0)],
                "subnormal": [(1.5e-45, 1.1e-38)]},
    "float64": {"core": [(0.0, 1.0)], "tails": [(1e-300, 1e-4), (1 - 1e-4, 1.0)],
                "subnormal": [(5e-324, 2.2e-308)]},
}
NO_ACCURACY = ("sigmoid_and_grad",)   # bit for bit sigmoid and grad: nothing new to measure


def regions(function: str) -> dict:
    return UNIT_REGIONS if function == "logit" else REGIONS


@dataclass
class AccRow:
    function: str
    dtype: str
    region: str
    peer: str
    max_ulp: float
    mean_ulp: float
    zeros: int     # results 0 where the correctly rounded value is not (flush to zero)
    points: int

    def as_dict(self) -> dict:
        d = asdict(self)
        # JSON has no inf; keep the information as a string.
        for k in ("max_ulp", "mean_ulp"):
            if not np.isfinite(d[k]):
                d[k] = "inf"
        return d


def region_points(dtype: str, region: str, n: int, seed: int = 0,
                  function: str = "sigmoid") -> np.ndarray:
    """`n` inputs split evenly over the region's intervals (so the short positive tail is
    not drowned by the long negative one), uniform within each, rounded to `dtype`."""
    rng = np.random.default_rng(seed)
    parts = regions(function)[dtype][region]
    counts = [n // len(parts) + (i < n % len(parts)) for i in range(len(parts))]
    x = np.concatenate([rng.uniform(a, b, c) for (a, b), c in zip(parts, counts)])
    return x.astype(dtype)


def _operands(function: str, x: np.ndarray, seed: int) -> Operands:
    if function == "backward":
        import sigmoid_ext

        g = np.random.default_rng(seed + 1).standard_normal(x.size).astype(x.dtype)
        return Operands(g=g, y=sigmoid_ext.sigmoid(x), out=np.empty_like(x),
                        tmp=np.empty_like(x))
    return Operands(x=x, out=np.empty_like(x), tmp=np.empty_like(x))


def _references(function: str, o: Operands) -> list:
    if function == "backward":
        return [ulp.mp_sigmoid_backward(float(g), float(y)) for g, y in zip(o.g, o.y)]
    mp_f = ulp.MP_REFERENCES["sigmoid_grad" if function == "grad" else function]
    return [mp_f(float(v)) for v in o.x]


def run_accuracy(peers: list, functions: list, dtypes: list, points: int,
                 seed: int = 0, progress: Any = None, sink: list | None = None) -> list:
    """Return AccRow for every function x dtype x region x peer that has the function;
    rows are appended to `sink` (when given) as they are computed, so that an
    interrupted caller keeps them."""
    if ulp.mpmath is None:
        raise RuntimeError("the accuracy report needs mpmath (pip install mpmath)")
    ulp.mpmath.mp.dps = DPS
    rows: list = sink if sink is not None else []
    with np.errstate(all="ignore"):
        for fn in functions:
            if fn in NO_ACCURACY:
                continue
            for dt in dtypes:
                for region in regions(fn)[dt]:
                    x = region_points(dt, region, points, seed, fn)
                    o = _operands(fn, x, seed)
                    refs = _references(fn, o)
                    # Exact values below half the smallest subnormal correctly round to
                    # 0; only a zero where the rounded value is not 0 counts as a flush.
                    half_tiny = ulp.mpmath.mpf(float(np.finfo(dt).smallest_subnormal)) / 2
                    nonzero = np.array([abs(r) > half_tiny for r in refs])
                    for p in peers:
                        thunk = p.make(fn, o)
                        if thunk is None:
                            continue
                        # Copy: in-place peers reuse o.out for the next peer.
                        y = np.array(np.asarray(thunk()), dtype=np.float64)
                        err = ulp.mp_ulp_error(y, refs, dt)
                        rows.append(AccRow(fn, dt, region, p.name, float(err.max()),
                                           float(err.mean()), int(np.sum(nonzero & (y == 0))),
                                           x.size))
                        if progress is not None:
                            progress.step(f"accuracy {fn} {dt} {region} {p.name}")
    return rows


def count_accuracy(peers: list, functions: list, dtypes: list) -> int:
    o = _operands("sigmoid", np.zeros(1), 0)
    ob = _operands("backward", np.zeros(1), 0)
    return sum(sum(p.make(fn, ob if fn == "backward" else o) is not None for p in peers)
               * sum(len(regions(fn)[d]) for d in dtypes) for fn in functions
               if fn not in NO_ACCURACY)


def find(rows: list, **key: Any) -> AccRow | None:
    """The row matching all given fields (for tests and callers), or None."""
    for r in rows:
        if all(getattr(r, k) == v for k, v in key.items()):
            return r
    return None
