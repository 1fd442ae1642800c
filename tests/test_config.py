"""Instruction-set dispatch and the configuration report."""

import os
import subprocess
import sys

import numpy as np
import pytest

import sigmoid_ext


def test_show_config(capsys):
    sigmoid_ext.show_config()
    text = capsys.readouterr().out
    assert sigmoid_ext.__version__ in text
    for name in sigmoid_ext.compiled_isas():
        assert name in text
    assert f"selected: {sigmoid_ext.get_isa()}" in text
    # the bit-identity guarantee (issue 15) and the tests that back it
    assert "same bits" in text and "tests/test_reproducibility.py" in text


def test_auto_selects_best_available():
    assert sigmoid_ext.available_isas()[0] == "baseline"
    previous = sigmoid_ext.get_isa()
    sigmoid_ext.set_isa("auto")
    assert sigmoid_ext.get_isa() == sigmoid_ext.available_isas()[-1]
    sigmoid_ext.set_isa(previous)


def test_set_isa_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown"):
        sigmoid_ext.set_isa("sse9")
    with pytest.raises(TypeError):
        sigmoid_ext.set_isa(3)


def test_paths_agree():
    """Each path is within its documented bound of the true value (float64 <= 0.65 ulp,
    float32 <= 0.625: tests/bounds.py), so any two paths agree to within one ulp."""
    x = np.random.default_rng(8).uniform(-120, 60, 100_000)
    previous = sigmoid_ext.get_isa()
    results = {}
    try:
        for name in sigmoid_ext.available_isas():
            sigmoid_ext.set_isa(name)
            results[name] = (sigmoid_ext.sigmoid(x), sigmoid_ext.sigmoid(x.astype(np.float32)))
    finally:
        sigmoid_ext.set_isa(previous)
    from sigmoid_ext.bench.ulp import ulp_error

    best = results[sigmoid_ext.available_isas()[-1]]
    for r in results.values():
        assert ulp_error(r[0], best[0], np.float64).max() <= 1
        assert ulp_error(r[1], best[1], np.float32).max() <= 1


@pytest.mark.parametrize("value,ok", [("baseline", True), ("bogus", False)])
def test_environment_variable_forces_path(value, ok, tmp_path):
    env = dict(os.environ, SIGMOID_EXT_ISA=value)
    code = "import warnings, sigmoid_ext; print(sigmoid_ext.get_isa())"
    # cwd away from the source tree, so the installed package is imported
    r = subprocess.run([sys.executable, "-W", "always", "-c", code], env=env,
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    if ok:
        assert r.stdout.strip() == value
    else:
        assert "SIGMOID_EXT_ISA ignored" in r.stderr
        assert r.stdout.strip() == sigmoid_ext.available_isas()[-1]


ENV_SCRIPT = """
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import sigmoid_ext
    import sigmoid_ext as again           # a second import: no second warning
print(sigmoid_ext.get_num_threads(), sigmoid_ext._threads.available_cpus())
for w in caught:
    print("W", w.category.__name__, w.filename, str(w.message))
"""


def run_env(value, tmp_path):
    env = dict(os.environ, SIGMOID_EXT_NUM_THREADS=value)
    # cwd away from the source tree, so the installed package is imported
    r = subprocess.run([sys.executable, "-c", ENV_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    got, cpus = map(int, lines[0].split())
    warns = [line.split(" ", 3)[1:] for line in lines[1:]]
    return got, cpus, warns


@pytest.mark.parametrize("value", ["1", "2", "3", " 2 ", "64", "99999999999"])
def test_num_threads_environment_variable(value, tmp_path):
    got, cpus, warns = run_env(value, tmp_path)
    assert got == min(int(value), cpus)               # honoured, capped at the CPUs
    assert warns == []


@pytest.mark.parametrize("value", ["abc", "0", "-3", "2.5"])
def test_invalid_num_threads_environment_variable(value, tmp_path):
    got, cpus, warns = run_env(value, tmp_path)
    assert got == cpus                                # falls back to the CPU count
    assert len(warns) == 1, warns                     # once
    category, _, message = warns[0]
    assert category == "RuntimeWarning"
    assert "SIGMOID_EXT_NUM_THREADS" in message and repr(value) in message


def test_invalid_num_threads_warning_points_at_the_users_import(tmp_path):
    _, _, warns = run_env("abc", tmp_path)
    assert len(warns) == 1
    filename = warns[0][1]
    assert filename == "<string>", filename           # the -c script, not sigmoid_ext
