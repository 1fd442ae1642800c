"""Every ```python block of README.md runs as shown and prints what it says it prints.

A block's expected output is written in the block itself, as a trailing comment
``# prints: TEXT`` on the line that prints it; the lines printed must include those
texts, in order (whitespace runs compared as one space).  Each block runs in a fresh
interpreter from a temporary directory (so the installed package is imported, never the
source folder).  Blocks after the Quick start continue its session, so `np` and `sx`
are imported first.  A block is skipped only when an optional package it imports
(torch, dask, ...) is not installed.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PRELUDE = "import numpy as np\nimport sigmoid_ext as sx\n"
OPTIONAL = {"torch", "dask", "distributed", "scipy", "matplotlib", "sklearn", "ml_dtypes"}


def python_blocks(text: str) -> list:
    """(line number, source) of each ```python block."""
    blocks = []
    for m in re.finditer(r"^```python\n(.*?)^```", text, flags=re.S | re.M):
        blocks.append((text.count("\n", 0, m.start()) + 1, m.group(1)))
    return blocks


def expected_prints(source: str) -> list:
    return [m.group(1).strip() for m in re.finditer(r"#\s*prints:\s*(.+)$", source, re.M)]


def imported_modules(source: str) -> set:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _norm(s: str) -> str:
    return " ".join(s.split())


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_readme_has_python_blocks_with_expected_output():
    assert len(BLOCKS) >= 4
    assert sum(bool(expected_prints(src)) for _, src in BLOCKS) >= 2


@pytest.mark.parametrize("line, source", BLOCKS, ids=[f"line{ln}" for ln, _ in BLOCKS])
def test_readme_block_runs_and_prints_what_it_says(line, source, tmp_path):
    missing = sorted(m for m in imported_modules(source) & OPTIONAL
                     if importlib.util.find_spec(m) is None)
    if missing:
        pytest.skip(f"README block at line {line} needs {', '.join(missing)}")
    proc = subprocess.run([sys.executable, "-c", PRELUDE + source], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"README block at line {line} failed:\n{proc.stderr}"
    assert not re.search(r"\w+Warning:", proc.stderr), proc.stderr
    printed = [_norm(ln) for ln in proc.stdout.splitlines()]
    pos = 0
    for want in expected_prints(source):
        hits = [i for i in range(pos, len(printed)) if printed[i] == _norm(want)]
        assert hits, (f"README block at line {line}: expected a printed line {want!r} "
                      f"(in order); it printed:\n{proc.stdout}")
        pos = hits[0] + 1


def test_expectations_are_checked():
    """The checker itself: a wrong expectation is caught."""
    src = 'print("a  b")  # prints: a b\nprint(1)  # prints: 2\n'
    assert expected_prints(src) == ["a b", "2"]
    assert imported_modules("import torch.nn as nn\nfrom dask import array") == {"torch",
                                                                                 "dask"}
