"""The runnable examples in examples/: each is run small and its results checked, once
as a script in a subprocess (from outside the source tree) and once imported, so that
the figures it prints can be checked exactly."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module        # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _run_script(name: str, args: list, cwd: Path) -> str:
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


# ----------------------------------------------------------------------- dense network

def test_dense_network_script(tmp_path):
    pytest.importorskip("sklearn")
    out = _run_script("dense_network", [], tmp_path)
    accuracies = [float(a) for a in re.findall(r"test accuracy ([\d.]+) %", out)]
    assert len(accuracies) == 2 and min(accuracies) > 90.0, out
    assert re.search(r"[\d.]+ ms per epoch", out), out
    diff = float(re.search(r"epoch losses: ([\d.e+-]+)", out).group(1))
    assert diff < 1e-9, out


def test_dense_network_sigmoid_ext_and_naive_runs_agree():
    pytest.importorskip("sklearn")
    dense = _load("dense_network")
    results = dense.run(["--epochs", "10"])
    sx_run, naive = results["sigmoid_ext"], results["naive NumPy"]
    assert sx_run.test_accuracy > 0.9
    assert len(sx_run.losses) == 10 and len(sx_run.epoch_seconds) == 10
    # same seeds and arithmetic: the losses agree to float64 rounding
    np.testing.assert_allclose(sx_run.losses, naive.losses, rtol=1e-10)
    assert sx_run.test_accuracy == naive.test_accuracy
    # and it learned: the loss fell well below log 2 (a coin flip)
    assert sx_run.losses[-1] < 0.3 < np.log(2) and sx_run.losses[0] > sx_run.losses[-1]
    # float32 trains too, and close to the float64 run
    r32 = dense.run(["--epochs", "10", "--dtype", "float32", "--only-sigmoid-ext"])
    assert list(r32) == ["sigmoid_ext"]
    np.testing.assert_allclose(r32["sigmoid_ext"].losses, sx_run.losses, rtol=1e-3)


def test_dense_network_gradients_match_finite_differences():
    dense = _load("dense_network")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((7, 4))
    t = (rng.random(7) < 0.5).astype(np.float64)
    params = dense.init_params(4, 3, seed=1, dtype=np.float64)
    params = [p + 0.3 * rng.standard_normal(p.shape) for p in params]
    _, grads = dense.loss_and_grads(params, x, t, dense.SIGMOID_EXT)
    eps = 1e-6
    for p, g in zip(params, grads):
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            keep = p[i]
            p[i] = keep + eps
            up = dense.loss_and_grads(params, x, t, dense.SIGMOID_EXT)[0]
            p[i] = keep - eps
            down = dense.loss_and_grads(params, x, t, dense.SIGMOID_EXT)[0]
            p[i] = keep
            fd[i] = (up - down) / (2 * eps)
        assert np.linalg.norm(g - fd) <= 1e-6 * (np.linalg.norm(g) + np.linalg.norm(fd))


def test_dense_network_rejects_bad_options():
    dense = _load("dense_network")
    with pytest.raises(SystemExit, match="--epochs must be >= 1"):
        dense.run(["--epochs", "0"])


# ------------------------------------------------------------------ recurrent network

SMALL_RNN = ["--steps", "150", "--length", "25", "--hidden", "12"]


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_rnn_gradient_check(act):
    rnn = _load("rnn_vanishing_gradient")
    errors = rnn.gradient_check(act, seed=3)
    assert set(errors) == set(rnn.PARAM_NAMES)
    assert max(errors.values()) < 1e-5, errors


def test_rnn_gradient_check_can_fail():
    """A wrong backward (here: the sigmoid's derivative taken as y instead of y(1-y))
    must be caught by the check."""
    rnn = _load("rnn_vanishing_gradient")
    rnn.ACTIVATIONS["sigmoid"] = rnn.Activation("sigmoid", rnn.sx.sigmoid,
                                                lambda g, h: g * h)
    assert max(rnn.gradient_check("sigmoid").values()) > 1e-3


def test_rnn_trains_and_sigmoid_gradient_vanishes(tmp_path):
    rnn = _load("rnn_vanishing_gradient")
    png = tmp_path / "norms.png"
    r = rnn.run(SMALL_RNN + ["--plot", str(png)])
    assert r["accuracy"]["sigmoid"] > 0.9
    sig = r["norms"]["sigmoid", "initial"]
    tanh = r["norms"]["tanh", "initial"]
    assert len(sig) == 25 and np.all(np.isfinite(sig)) and np.all(sig > 0)
    assert sig[20] < 1e-6 * sig[1]                 # vanished
    assert np.all(np.diff(sig[1:]) < 0)            # and monotonically
    assert tanh[20] > 1e3 * sig[20]                # tanh keeps far more of it
    if importlib.util.find_spec("matplotlib") is not None:
        assert r["plot"] == str(png)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert "matplotlib is not installed" in r["plot"] and not png.exists()


def test_rnn_without_matplotlib_skips_the_plot(tmp_path, monkeypatch):
    rnn = _load("rnn_vanishing_gradient")
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import fails
    png = tmp_path / "x.png"
    msg = rnn.plot(str(png), {("sigmoid", "initial"): np.ones(3)}, 1)
    assert "matplotlib is not installed" in msg and not png.exists()


def test_rnn_script(tmp_path):
    out = _run_script("rnn_vanishing_gradient",
                      ["--steps", "60", "--length", "22", "--no-plot"], tmp_path)
    assert out.count("(ok)") == 2, out
    assert "sigmoid, initial" in out and "tanh, trained" in out
    assert not list(tmp_path.iterdir())            # --no-plot wrote nothing


def test_rnn_default_plot_goes_to_the_temporary_folder_and_says_where(tmp_path):
    """Run with no options, the example leaves the working directory alone: the plot
    goes into the temporary folder (TMPDIR), and the script prints its full path."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run([sys.executable, str(EXAMPLES / "rnn_vanishing_gradient.py"),
                           "--steps", "5", "--length", "6"], cwd=work, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TMPDIR": str(tmpdir)})
    assert proc.returncode == 0, proc.stderr
    assert not list(work.iterdir())
    if importlib.util.find_spec("matplotlib") is not None:
        png = tmpdir / "rnn_gradient_norms.png"
        assert png.exists() and f"plot written to {png}" in proc.stdout


@pytest.mark.parametrize("name", ["dense_network", "rnn_vanishing_gradient"])
def test_every_option_has_a_description(name):
    parser = _load(name)._parser()
    for action in parser._actions:
        assert action.help, f"{name}: {action.option_strings} has no help text"
