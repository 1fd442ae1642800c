"""The Examples sections of the ufunc docstrings run and print what they show.

The ufuncs are built in C, so ``pytest --doctest-modules`` does not see their texts
(``sigmoid_ext/_docs.py`` holds them as plain strings); each ufunc's ``__doc__`` is run
here with :mod:`doctest`, NumPy imported as ``np`` and the package as ``sx``.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import sigmoid_ext as sx

UFUNCS = {}
for _name in sx.__all__:
    _obj = getattr(sx, _name)
    if isinstance(_obj, np.ufunc):
        UFUNCS.setdefault(_obj.__name__, _obj)   # aliases are the same objects


def test_every_ufunc_has_examples():
    assert len(UFUNCS) >= 11
    for name, uf in UFUNCS.items():
        assert ">>> " in uf.__doc__, f"{name}: no Examples in its docstring"


@pytest.mark.parametrize("name", sorted(UFUNCS))
def test_ufunc_docstring_examples(name):
    uf = UFUNCS[name]
    test = doctest.DocTestParser().get_doctest(
        uf.__doc__, {"np": np, "sx": sx}, f"sigmoid_ext.{name}", None, 0)
    assert test.examples, f"{name}: no examples"
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list = []
    with sx.num_threads(1):
        runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)



@pytest.mark.parametrize("module", ["sigmoid_ext._threads", "sigmoid_ext._config",
                                    "sigmoid_ext.reference", "sigmoid_ext.torch"])
def test_module_docstring_examples(module):
    """The Examples of the Python-level API (threads, configuration, the reference
    oracle, the PyTorch bridge) run as written, on the installed package."""
    import importlib

    if module == "sigmoid_ext.torch":
        pytest.importorskip("torch")
    mod = importlib.import_module(module)
    tests = [t for t in doctest.DocTestFinder().find(mod) if t.examples]
    assert tests, f"{module}: no examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list = []
    for t in tests:
        runner.run(t, out=failures.append)
    assert runner.failures == 0, "".join(failures)
