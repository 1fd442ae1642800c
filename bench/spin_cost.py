"""What the pool's spin-wait costs a program that alternates a large sigmoid with other
multithreaded work.

After each job sigmoid_ext's workers poll for the next one (1 ms by default) before they
sleep: back-to-back calls then find them awake.  In a program that runs something else
on the same cores between calls, the spinning worker competes with that work instead.
The spin adapts (halved when it ran out without a job, doubled when a job came
during it, between 20 us and 1 ms).  This script times such programs, each in a fresh
process, under several settings:

  1 thread       SIGMOID_EXT_NUM_THREADS=1 (no workers at all)
  adaptive       the default: default thread count, adaptive spin
  spin N us      SIGMOID_EXT_SPIN_US=N: a fixed spin (1000 us was the default before)

Workloads (one iteration = one sigmoid(x, out=y) of --n float32 elements, then):
  matmul   a NumPy matmul of two --m x --m float64 matrices (BLAS on its own threads)
  dask     a dask.array graph on the threaded scheduler (--chunks chunks of x, two
           elementwise steps and a sum per chunk), --dask-workers threads
  sigmoid  nothing else: back-to-back sigmoid calls, where the spin is meant to pay
  burst    back-to-back sigmoid calls of --n-small elements (short jobs: a worker that
           is asleep when one starts barely helps it)

Rounds take the settings in turn, so a drift of the machine hits all alike; the table
gives the median wall time per iteration, its ratio to the default setting, and the
process's CPU time per iteration (all its threads: what a spinning worker takes from
the cores that other work could use).

    python -m sigmoid_ext.bench.spin_cost                 # about a minute on 2 cores
    python -m sigmoid_ext.bench.spin_cost --spin-us 1000,200,0 --rounds 9
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

import numpy as np

WORKLOADS = ("matmul", "dask", "sigmoid", "burst")


def _child(args: argparse.Namespace) -> None:
    import sigmoid_ext

    rng = np.random.default_rng(0)
    n = args.n_small if args.workload == "burst" else args.n
    x = rng.uniform(-10, 10, n).astype(np.float32)
    y = np.empty_like(x)
    if args.workload == "matmul":
        a, b = rng.random((args.m, args.m)), rng.random((args.m, args.m))
        c = np.empty_like(a)

        def other() -> None:
            np.matmul(a, b, out=c)
    elif args.workload == "dask":
        import dask
        import dask.array as da

        xd = da.from_array(x, chunks=max(1, args.n // args.chunks))
        graph = (da.exp(-xd) * 2 + 1).sum()

        def other() -> None:
            dask.compute(graph, scheduler="threads", num_workers=args.dask_workers)
    else:
        def other() -> None:
            pass

    for _ in range(3):                                  # warm-up: pools, pages, caches
        sigmoid_ext.sigmoid(x, out=y)
        other()
    t_sig = t_other = 0.0
    cpu = time.process_time()
    start = time.perf_counter()
    for _ in range(args.iters):
        t0 = time.perf_counter()
        sigmoid_ext.sigmoid(x, out=y)
        t1 = time.perf_counter()
        other()
        t2 = time.perf_counter()
        t_sig += t1 - t0
        t_other += t2 - t1
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(json.dumps({"total": total / args.iters, "sigmoid": t_sig / args.iters,
                      "cpu": cpu / args.iters,
                      "other": t_other / args.iters,
                      "threads": sigmoid_ext.get_num_threads()}))


def _settings(spins: list) -> list:
    out = [("1 thread", {"SIGMOID_EXT_NUM_THREADS": "1"}), ("adaptive (default)", {})]
    for us in spins:
        out.append((f"spin {us} us", {"SIGMOID_EXT_SPIN_US": str(us)}))
    return out


def _run_child(workload: str, env_extra: dict, args: argparse.Namespace) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SIGMOID_EXT_NUM_THREADS", "SIGMOID_EXT_SPIN_US")}
    env.update(env_extra)
    cmd = [sys.executable, "-m", "sigmoid_ext.bench.spin_cost", "--child", workload,
           "--n", str(args.n), "--n-small", str(args.n_small), "--m", str(args.m),
           "--iters", str(args.iters if workload != "burst" else args.iters * 50),
           "--chunks", str(args.chunks), "--dask-workers", str(args.dask_workers)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sigmoid_ext.bench.spin_cost",
                                description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workloads", default="matmul,dask,sigmoid,burst")
    p.add_argument("--spin-us", default="1000,0",
                   help="fixed spins to compare with the adaptive default, microseconds "
                        "(default %(default)s)")
    p.add_argument("--n", type=lambda s: int(float(s)), default=10_000_000)
    p.add_argument("--n-small", type=lambda s: int(float(s)), default=200_000,
                   help="elements per call of the burst workload (default %(default)s)")
    p.add_argument("--m", type=int, default=384, help="matmul size (default %(default)s)")
    p.add_argument("--chunks", type=int, default=8)
    p.add_argument("--dask-workers", type=int, default=2)
    p.add_argument("--iters", type=int, default=40)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--child", choices=WORKLOADS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        args.workload = args.child
        _child(args)
        return 0

    workloads = [w for w in args.workloads.split(",") if w]
    bad = [w for w in workloads if w not in WORKLOADS]
    if bad:
        p.error(f"unknown workload(s) {', '.join(bad)}; choose from {', '.join(WORKLOADS)}")
    if "dask" in workloads and importlib.util.find_spec("dask") is None:
        print("spin_cost: dask is not installed, the dask workload is skipped",
              file=sys.stderr)
        workloads.remove("dask")
    settings = _settings([int(s) for s in args.spin_us.split(",") if s])
    results: dict = {}
    for _ in range(args.rounds):
        for w in workloads:
            for label, env in settings:
                results.setdefault((w, label), []).append(_run_child(w, env, args))

    import sigmoid_ext
    print(f"sigmoid_ext {sigmoid_ext.__version__} ({sigmoid_ext.get_isa()}), "
          f"{os.cpu_count()} CPUs; sigmoid n={args.n:.0e} float32, matmul {args.m}^2 "
          f"float64, dask {args.chunks} chunks on {args.dask_workers} threads; "
          f"{args.iters} iterations per process ({args.iters * 50} of n={args.n_small:.0e} "
          f"for burst), median of {args.rounds} processes taken in turn")
    print()
    print("| workload | setting | ms / iteration | vs default | sigmoid ms | other ms | "
          "CPU ms / iteration |")
    print("|:---|:---|---:|---:|---:|---:|---:|")
    for w in workloads:
        med = {label: {k: float(np.median([r[k] for r in results[(w, label)]])) * 1e3
                       for k in ("total", "sigmoid", "other", "cpu")}
               for label, _ in settings}
        ref = med["adaptive (default)"]["total"]
        for label, _ in settings:
            m = med[label]
            print(f"| {w} | {label} | {m['total']:.3f} | {m['total'] / ref:.2f} | "
                  f"{m['sigmoid']:.3f} | {m['other']:.3f} | {m['cpu']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
