"""The version lives in one place (sigmoid_ext/_version.py, read by pyproject.toml's
dynamic version); the installed distribution's metadata must agree with it."""

import importlib.metadata
import re

import sigmoid_ext
from sigmoid_ext import _version


def test_version_matches_installed_metadata():
    assert sigmoid_ext.__version__ == importlib.metadata.version("sigmoid_ext")


def test_version_is_the_single_source():
    assert sigmoid_ext.__version__ is _version.__version__
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?",
                        sigmoid_ext.__version__)
    assert sigmoid_ext.config()["version"] == sigmoid_ext.__version__
