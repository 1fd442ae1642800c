"""pyproject.toml: the metadata a build reads (SPDX licence, the bench extra)."""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")        # Python >= 3.11

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_expression_with_its_file():
    data = _pyproject()
    project = data["project"]
    # A TOML table here is deprecated by setuptools (a warning on every build).
    assert project["license"] == "MIT"
    for name in project["license-files"]:
        assert (ROOT / name).is_file(), name
    setuptools_req = [r for r in data["build-system"]["requires"]
                      if r.startswith("setuptools")]
    assert setuptools_req == ["setuptools>=77"]     # first release with SPDX support


def test_bench_extra_has_what_sigmoid_bench_uses():
    extras = _pyproject()["project"]["optional-dependencies"]
    bench = " ".join(extras["bench"])
    for needed in ("mpmath", "rich", "sigmoid_ext[peers]"):
        assert needed in bench
    assert extras["peers"] == ["scipy", "numexpr"]
    assert "bench" in extras["all"][0]
