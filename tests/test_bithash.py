"""The refactoring check `python -m sigmoid_ext.bench.bithash`: deterministic, and it
sees a change of output (the paths' float32 kernels round differently)."""

import re

import pytest

import sigmoid_ext
from sigmoid_ext.bench.bithash import output_hash


def test_hash_is_deterministic_and_restores_the_path():
    isa = sigmoid_ext.get_isa()
    first = output_hash([isa])
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert output_hash([isa]) == first
    assert sigmoid_ext.get_isa() == isa


def test_hash_sees_different_outputs():
    isas = sigmoid_ext.available_isas()
    if len(isas) < 2:
        pytest.skip("one ISA path only")
    # baseline and the best path differ in some float32 results (tests/bounds.py).
    assert output_hash([isas[0]]) != output_hash([isas[-1]])
