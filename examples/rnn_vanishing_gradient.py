#!/usr/bin/env python3
"""An Elman recurrent network with sigmoid hidden units, trained by backpropagation
through time (BPTT) in NumPy with sigmoid_ext, and the vanishing gradient made visible.

Task: a sequence of random bits goes in, one per step; after the last step the network
must say what the bit ``--lag`` steps before the end was.

    h_t = act(x_t Wx + h_{t-1} Wh + b),   z = h_T wo + bo,
    loss = binary cross-entropy from the logit z (stable form log(1 + e^z) - t z)

The script
  1. checks the BPTT gradients against central finite differences (float64);
  2. trains the network with sigmoid hidden units (sigmoid_ext.sigmoid forward,
     sigmoid_ext.sigmoid_backward for the gradient) and, for comparison, with tanh;
  3. measures ||dL/dh_(T-s)||, the gradient reaching the hidden state s steps back in
     time, for both networks at initialisation and after training, relative to s = 0,
     prints it and plots it (PNG, needs matplotlib).  The sigmoid's derivative is at
     most 1/4, so its curve falls off by about 4x per step; tanh's (at most 1) barely
     shrinks the gradient at initialisation.

    python examples/rnn_vanishing_gradient.py     # plot into the temporary folder
    python examples/rnn_vanishing_gradient.py --steps 100 --plot g.png     # or --no-plot
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable

import numpy as np

import sigmoid_ext as sx


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray]   # (dL/dh, h) -> dL/da


SIGMOID = Activation("sigmoid", sx.sigmoid, sx.sigmoid_backward)
TANH = Activation("tanh", np.tanh, lambda g, h: g * (1.0 - h * h))
ACTIVATIONS = {a.name: a for a in (SIGMOID, TANH)}

PARAM_NAMES = ("Wx", "Wh", "b", "wo", "bo")


def init_params(n_in: int, hidden: int, seed: int) -> list:
    """Glorot-uniform input and output weights, an orthogonal recurrent matrix (the
    usual choice: it neither grows nor shrinks a vector by itself), zero biases."""
    rng = np.random.default_rng(seed)
    lim = np.sqrt(6.0 / (n_in + hidden))
    q, r = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    wh = q * np.sign(np.diag(r))
    return [rng.uniform(-lim, lim, (n_in, hidden)), wh, np.zeros(hidden),
            rng.uniform(-np.sqrt(6.0 / (hidden + 1)), np.sqrt(6.0 / (hidden + 1)),
                        (hidden, 1)), np.zeros(1)]


def make_batch(rng: np.random.Generator, batch: int, length: int, lag: int) -> tuple:
    """Bits x of shape (batch, length, 1) and targets t = x at step length-1-lag."""
    x = rng.integers(0, 2, (batch, length, 1)).astype(np.float64)
    return x, x[:, length - 1 - lag, 0].copy()


def forward(params: list, x: np.ndarray, act: Activation) -> tuple:
    """Hidden states [h_0 = 0, h_1, ..., h_T] and the logits z (batch,)."""
    wx, wh, b, wo, bo = params
    hs = [np.zeros((x.shape[0], wh.shape[0]))]
    for t in range(x.shape[1]):
        hs.append(act.forward(x[:, t] @ wx + hs[-1] @ wh + b))
    return hs, (hs[-1] @ wo + bo)[:, 0]


def loss_of(z: np.ndarray, t: np.ndarray) -> float:
    """Mean binary cross-entropy from logits: log(1 + e^z) - t z, without overflow."""
    return float(np.mean(np.logaddexp(0.0, z) - t * z))


def bptt(params: list, x: np.ndarray, t: np.ndarray, act: Activation) -> tuple:
    """Loss, gradients (same order as params) and ||dL/dh_(T-s)|| for s = 0..T-1."""
    wx, wh, b, wo, bo = params
    hs, z = forward(params, x, act)
    dz = (sx.sigmoid(z) - t)[:, None] / len(t)
    grads = [np.zeros_like(p) for p in params]
    grads[3] = hs[-1].T @ dz
    grads[4] = dz.sum(axis=0)
    dh = dz @ wo.T                                  # dL/dh_T
    norms = []
    for step in range(x.shape[1], 0, -1):           # h_step = act(a_step)
        norms.append(float(np.linalg.norm(dh)))
        da = act.backward(dh, hs[step])
        grads[0] += x[:, step - 1].T @ da
        grads[1] += hs[step - 1].T @ da
        grads[2] += da.sum(axis=0)
        dh = da @ wh.T                              # dL/dh_(step-1)
    return loss_of(z, t), grads, np.array(norms)


def gradient_check(act: str = "sigmoid", seed: int = 0, eps: float = 1e-6) -> dict:
    """Relative error ||g_bptt - g_fd|| / (||g_bptt|| + ||g_fd||) for each parameter,
    against central finite differences in float64, on a small random problem."""
    rng = np.random.default_rng(seed)
    a = ACTIVATIONS[act]
    params = [p + 0.5 * rng.standard_normal(p.shape) for p in init_params(1, 5, seed)]
    x, t = make_batch(rng, 4, 7, 2)
    _, grads, _ = bptt(params, x, t, a)
    errors = {}
    for name, p, g in zip(PARAM_NAMES, params, grads):
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + eps
            up = loss_of(forward(params, x, a)[1], t)
            p[i] = keep - eps
            down = loss_of(forward(params, x, a)[1], t)
            p[i] = keep
            fd[i] = (up - down) / (2 * eps)
        errors[name] = float(np.linalg.norm(g - fd) /
                             max(np.linalg.norm(g) + np.linalg.norm(fd), 1e-300))
    return errors


def train(act: Activation, *, hidden: int, length: int, lag: int, steps: int, batch: int,
          lr: float, seed: int) -> tuple:
    """Adam on fresh random batches; returns (params, final accuracy on 1000 new
    sequences, loss history)."""
    params = init_params(1, hidden, seed)
    rng = np.random.default_rng(seed + 1)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, history = 0.9, 0.999, []
    for k in range(1, steps + 1):
        x, t = make_batch(rng, batch, length, lag)
        loss, grads, _ = bptt(params, x, t, act)
        history.append(loss)
        for p, g, mi, vi in zip(params, grads, m, v):
            mi += (1 - b1) * (g - mi)
            vi += (1 - b2) * (g * g - vi)
            p -= lr * (mi / (1 - b1 ** k)) / (np.sqrt(vi / (1 - b2 ** k)) + 1e-8)
    x, t = make_batch(np.random.default_rng(seed + 2), 1000, length, lag)
    accuracy = float(np.mean((forward(params, x, act)[1] > 0) == (t > 0.5)))
    return params, accuracy, history


def gradient_norms(params: list, act: Activation, *, length: int, lag: int,
                   seed: int) -> np.ndarray:
    """||dL/dh_(T-s)|| for s = 0..length-1, over a batch of 256 fresh sequences."""
    x, t = make_batch(np.random.default_rng(seed + 3), 256, length, lag)
    return bptt(params, x, t, act)[2]


def plot(path: str, curves: dict, lag: int) -> str | None:
    """curves: {(activation, "initial" | "trained"): norms}; plotted relative to s = 0."""
    # Returns a message instead of writing when matplotlib is missing.
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot (pip install 'sigmoid_ext[examples]')"
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    colours = {"sigmoid": "tab:red", "tanh": "tab:blue"}
    for (name, when), norms in curves.items():
        ax.semilogy(np.arange(len(norms)), norms / norms[0], marker="o", ms=3,
                    ls="-" if when == "initial" else "--", color=colours[name],
                    label=f"{name}, {when}")
    ax.set_xlabel("steps back in time s")
    ax.set_ylabel(r"$\|\partial L / \partial h_{T-s}\| \;/\; "
                  r"\|\partial L / \partial h_T\|$")
    ax.set_title(f"Elman RNN, remember-a-bit task (lag {lag}): the gradient\n"
                 "reaching the hidden state s steps back", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


# Not the working directory: running the example must not leave files behind.
DEFAULT_PLOT = os.path.join(tempfile.gettempdir(), "rnn_gradient_norms.png")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--hidden", type=int, default=16, help="hidden units")
    p.add_argument("--length", type=int, default=30, help="sequence length T")
    p.add_argument("--lag", type=int, default=2, help="remember the bit this many steps "
                   "before the last one")
    p.add_argument("--steps", type=int, default=400, help="training steps (batches)")
    p.add_argument("--batch", type=int, default=32, help="sequences per training step")
    p.add_argument("--lr", type=float, default=0.02, help="learning rate (Adam)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the weights and of the random bit sequences")
    p.add_argument("--plot", default=DEFAULT_PLOT, metavar="FILE.png",
                   help="where to write the plot of the gradient norms (needs matplotlib)")
    p.add_argument("--no-plot", action="store_true", help="write no plot")
    return p


def run(argv: list | None = None) -> dict:
    """Everything main() does; returns the figures it prints."""
    args = _parser().parse_args(argv)
    if not 0 <= args.lag < args.length:
        raise SystemExit("--lag must be >= 0 and smaller than --length")
    for name in ("hidden", "steps", "batch"):
        if getattr(args, name) < 1:
            raise SystemExit(f"--{name} must be >= 1")
    out: dict = {"gradient_check": {a: gradient_check(a, args.seed) for a in ACTIVATIONS},
                 "accuracy": {}, "norms": {}, "plot": None}
    shape = dict(length=args.length, lag=args.lag, seed=args.seed)
    for act in (SIGMOID, TANH):
        initial = init_params(1, args.hidden, args.seed)
        out["norms"][act.name, "initial"] = gradient_norms(initial, act, **shape)
        params, acc, _ = train(act, hidden=args.hidden, length=args.length, lag=args.lag,
                               steps=args.steps, batch=args.batch, lr=args.lr,
                               seed=args.seed)
        out["accuracy"][act.name] = acc
        out["norms"][act.name, "trained"] = gradient_norms(params, act, **shape)
    if not args.no_plot:
        msg = plot(args.plot, out["norms"], args.lag)
        out["plot"] = msg if msg else args.plot
    return out


def main(argv: list | None = None) -> int:
    r = run(argv)
    for act, errs in r["gradient_check"].items():
        worst = max(errs.values())
        print(f"gradient check ({act}, float64, central differences): largest relative "
              f"error {worst:.1e} ({'ok' if worst < 1e-5 else 'FAILED'})")
    for act, acc in r["accuracy"].items():
        print(f"trained with {act:>7} hidden units: accuracy {100 * acc:.1f} % on 1000 "
              "new sequences")
    length = len(r["norms"]["sigmoid", "initial"])
    steps = [s for s in (1, 2, 5, 10, 20, 29) if s < length]
    print("||dL/dh_(T-s)|| / ||dL/dh_T||   s = " + "  ".join(f"{s:>7}" for s in steps))
    for (act, when), norms in r["norms"].items():
        print(f"{act + ', ' + when:>32}:  " +
              "  ".join(f"{norms[s] / norms[0]:7.1e}" for s in steps))
    if r["plot"]:
        print(r["plot"] if not r["plot"].endswith(".png")
              else f"plot written to {os.path.abspath(r['plot'])}")
    return 0 if max(max(e.values()) for e in r["gradient_check"].values()) < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
