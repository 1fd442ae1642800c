"""sigmoid-bench: time sigmoid_ext against the peers installed on this machine."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import sigmoid_ext


def _median_ns(fn, n_items: int, min_time: float = 0.05, repeats: int = 7) -> float:
    """Median over `repeats` rounds of the time per item, each round long enough to time."""
    fn()
    loops = 1
    while True:
        t = time.perf_counter()
        for _ in range(loops):
            fn()
        if time.perf_counter() - t >= min_time / repeats or loops >= 1 << 20:
            break
        loops *= 2
    rounds = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(loops):
            fn()
        rounds.append((time.perf_counter() - t) / loops)
    return float(np.median(rounds)) / n_items * 1e9


def _peers(x: np.ndarray, out: np.ndarray) -> dict:
    peers = {
        "sigmoid_ext": lambda: sigmoid_ext.sigmoid(x, out=out),
        "numpy naive": lambda: 1 / (1 + np.exp(-x)),
    }
    try:
        from scipy.special import expit

        peers["scipy expit"] = lambda: expit(x, out=out)
    except ImportError:
        pass
    return peers


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(prog="sigmoid-bench", description=__doc__)
    p.add_argument("--sizes", default="1000,100000,1000000",
                   help="comma-separated array sizes (default: %(default)s)")
    p.add_argument("--dtype", default="float32,float64", help="float32, float64 or both")
    args = p.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    sigmoid_ext.show_config()
    print(f"\n{'dtype':8} {'n':>9}  {'peer':14} {'ns/elem':>9} {'sigmoid_ext speedup':>20}")
    with np.errstate(all="ignore"):
        for dt in args.dtype.split(","):
            for n in sizes:
                x = np.random.default_rng(0).uniform(-10, 10, n).astype(dt)
                out = np.empty_like(x)
                times = {k: _median_ns(f, n) for k, f in _peers(x, out).items()}
                for name, t in times.items():
                    print(f"{dt:8} {n:>9}  {name:14} {t:9.3f} "
                          f"{t / times['sigmoid_ext']:19.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
