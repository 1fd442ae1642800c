#!/usr/bin/env python3
"""A small dense network in plain NumPy, with sigmoid_ext for every activation and
gradient, trained on scikit-learn's breast-cancer data (569 tumours, 30 features).

    input (30) -> dense (10 hidden, sigmoid) -> dense (1 output, logit)
    loss: binary cross-entropy from the logit, -[t*log s(z) + (1-t)*log s(-z)],
          stable through log_sigmoid; optimiser: Adam; batch 32; 10 epochs.

The same training runs twice with the same seeds and the same arithmetic, once with
sigmoid_ext and once with the textbook NumPy formulas (1/(1+exp(-x)), g*y*(1-y),
log(1/(1+exp(-z)))), and the script prints the held-out accuracy and the time per
epoch of each.

    pip install "sigmoid_ext[examples]"
    python examples/dense_network.py                  # the full run
    python examples/dense_network.py --epochs 2       # shorter
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

import sigmoid_ext as sx

# ------------------------------------------------------------------------ activations

@dataclass(frozen=True)
class Ops:
    """The three sigmoid-family operations the network needs."""

    name: str
    sigmoid: Callable[[np.ndarray], np.ndarray]
    sigmoid_backward: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (g, y) -> g*y*(1-y)
    log_sigmoid: Callable[[np.ndarray], np.ndarray]


SIGMOID_EXT = Ops("sigmoid_ext", sx.sigmoid, sx.sigmoid_backward, sx.log_sigmoid)


def _naive_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


NAIVE = Ops("naive NumPy", _naive_sigmoid,
            lambda g, y: g * y * (1.0 - y),
            lambda z: np.log(_naive_sigmoid(z)))


# ---------------------------------------------------------------------------- network

@dataclass
class Adam:
    """Adam (Kingma & Ba) over a list of parameter arrays, updated in place."""

    params: list
    lr: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: list = field(default_factory=list)
    v: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]

    def step(self, grads: list) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def init_params(n_in: int, n_hidden: int, seed: int, dtype: np.dtype) -> list:
    """Glorot-uniform weights, zero biases."""
    rng = np.random.default_rng(seed)
    lim1 = np.sqrt(6.0 / (n_in + n_hidden))
    lim2 = np.sqrt(6.0 / (n_hidden + 1))
    return [rng.uniform(-lim1, lim1, (n_in, n_hidden)).astype(dtype),
            np.zeros(n_hidden, dtype),
            rng.uniform(-lim2, lim2, (n_hidden, 1)).astype(dtype),
            np.zeros(1, dtype)]


def forward(params: list, x: np.ndarray, ops: Ops) -> tuple:
    """(hidden activations, output logits)."""
    w1, b1, w2, b2 = params
    h = ops.sigmoid(x @ w1 + b1)
    z = (h @ w2 + b2)[:, 0]
    return h, z


def bce_from_logits(z: np.ndarray, t: np.ndarray, ops: Ops) -> float:
    """Mean binary cross-entropy for targets t in {0, 1} from logits z."""
    return float(-np.mean(t * ops.log_sigmoid(z) + (1.0 - t) * ops.log_sigmoid(-z)))


def loss_and_grads(params: list, x: np.ndarray, t: np.ndarray, ops: Ops) -> tuple:
    """Loss and its gradients with respect to every parameter (backpropagation)."""
    w1, b1, w2, b2 = params
    h, z = forward(params, x, ops)
    loss = bce_from_logits(z, t, ops)
    dz = (ops.sigmoid(z) - t)[:, None] / len(t)        # d loss / d logit
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    da1 = ops.sigmoid_backward(dz @ w2.T, h)            # through the hidden sigmoid
    dw1 = x.T @ da1
    db1 = da1.sum(axis=0)
    return loss, [dw1, db1, dw2, db2]


# ------------------------------------------------------------------------------- data

def load_data(seed: int, test_fraction: float, dtype: np.dtype) -> tuple:
    """Breast-cancer data, split into train/test, standardised with training statistics."""
    try:
        from sklearn.datasets import load_breast_cancer
    except ImportError:
        raise SystemExit("this example needs scikit-learn: pip install "
                         "'sigmoid_ext[examples]'") from None
    data = load_breast_cancer()
    x, t = data.data, data.target.astype(np.float64)
    idx = np.random.default_rng(seed).permutation(len(t))
    n_test = int(round(test_fraction * len(t)))
    test, train = idx[:n_test], idx[n_test:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std
    return (x[train].astype(dtype), t[train].astype(dtype),
            x[test].astype(dtype), t[test].astype(dtype))


# --------------------------------------------------------------------------- training

@dataclass
class Result:
    ops: str
    losses: list            # mean training loss per epoch
    epoch_seconds: list
    test_accuracy: float
    test_loss: float


def train(ops: Ops, data: tuple, *, hidden: int, epochs: int, batch: int, lr: float,
          seed: int) -> Result:
    x_tr, t_tr, x_te, t_te = data
    params = init_params(x_tr.shape[1], hidden, seed, x_tr.dtype)
    opt = Adam(params, lr=lr)
    order_rng = np.random.default_rng(seed + 1)
    losses, seconds = [], []
    for _ in range(epochs):
        order = order_rng.permutation(len(t_tr))
        start = time.perf_counter()
        total = 0.0
        for i in range(0, len(order), batch):
            b = order[i:i + batch]
            loss, grads = loss_and_grads(params, x_tr[b], t_tr[b], ops)
            opt.step(grads)
            total += loss * len(b)
        seconds.append(time.perf_counter() - start)
        losses.append(total / len(order))
    _, z = forward(params, x_te, ops)
    accuracy = float(np.mean((z > 0) == (t_te > 0.5)))
    return Result(ops.name, losses, seconds, accuracy, bce_from_logits(z, t_te, ops))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Defaults in brackets.")
    p.add_argument("--epochs", type=int, default=10, help="passes over the training set [10]")
    p.add_argument("--batch", type=int, default=32, help="examples per Adam step [32]")
    p.add_argument("--hidden", type=int, default=10, help="sigmoid units in the hidden "
                   "layer [10]")
    p.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate [0.01]")
    p.add_argument("--seed", type=int, default=0, help="seed of the train/test split and "
                   "of the initial weights [0]")
    p.add_argument("--test-fraction", type=float, default=0.2,
                   help="share of the tumours held out for testing [0.2]")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float64",
                   help="floating-point type of the data and weights [float64]")
    p.add_argument("--only-sigmoid-ext", action="store_true",
                   help="skip the naive NumPy run (no comparison)")
    return p


def run(argv: list | None = None) -> dict:
    """Train as main() does and return {ops name: Result}."""
    args = _parser().parse_args(argv)
    for name in ("epochs", "batch", "hidden"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name} must be >= 1")
    if not 0 < args.test_fraction < 1:
        raise SystemExit("--test-fraction must be between 0 and 1")
    data = load_data(args.seed, args.test_fraction, np.dtype(args.dtype))
    kw = dict(hidden=args.hidden, epochs=args.epochs, batch=args.batch, lr=args.lr,
              seed=args.seed)
    runs = [SIGMOID_EXT] if args.only_sigmoid_ext else [SIGMOID_EXT, NAIVE]
    with np.errstate(over="ignore", divide="ignore"):    # the naive forms may overflow
        return {ops.name: train(ops, data, **kw) for ops in runs}


def main(argv: list | None = None) -> int:
    results = run(argv)
    first = next(iter(results.values()))
    print(f"breast-cancer data, 30 -> 10 sigmoid -> 1, Adam, batch 32, "
          f"{len(first.losses)} epochs")
    for r in results.values():
        per_epoch = 1e3 * float(np.median(r.epoch_seconds))
        print(f"{r.ops:>12}: test accuracy {100 * r.test_accuracy:.1f} %, test loss "
              f"{r.test_loss:.4f}, final train loss {r.losses[-1]:.4f}, "
              f"{per_epoch:.2f} ms per epoch (median)")
    if len(results) == 2:
        a, b = results.values()
        diff = max(abs(x - y) / abs(y) for x, y in zip(a.losses, b.losses))
        speed = np.median(b.epoch_seconds) / np.median(a.epoch_seconds)
        print(f"largest relative difference between the two runs' epoch losses: "
              f"{diff:.1e}; sigmoid_ext epochs {speed:.2f}x the speed of naive NumPy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
