"""Sphinx configuration of the sigmoid_ext site.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` from the
repository root, with ``pip install -e ".[docs]"`` (the package must be importable:
the API pages are generated from its docstrings).
"""

from __future__ import annotations

import sys

import sigmoid_ext

project = "sigmoid_ext"
author = "sigmoid_ext developers"
copyright = "sigmoid_ext developers"
release = sigmoid_ext.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]


def _stub_torch() -> None:
    """sigmoid_ext.torch imports PyTorch at import time, and the site is built without
    it (the default wheel is a multi-GB CUDA build).  autodoc's mock objects cannot be
    the base of a class made with type() (sigmoid_ext.torch does that), so when torch is
    missing a few plain stand-ins are installed instead: enough to import the module
    and read its docstrings, nothing to run."""
    import importlib.util
    import types

    if importlib.util.find_spec("torch") is not None:
        return
    torch = types.ModuleType("torch")
    torch.__path__ = []
    nn = types.ModuleType("torch.nn")
    functional = types.ModuleType("torch.nn.functional")
    autograd = types.ModuleType("torch.autograd")
    torch.Tensor = type("Tensor", (), {})
    nn.Parameter = type("Parameter", (torch.Tensor,), {})
    autograd.Function = type("Function", (), {})
    torch.float32, torch.float64, torch.strided = "float32", "float64", "strided"
    torch.nn, nn.functional, torch.autograd = nn, functional, autograd
    sys.modules.update({"torch": torch, "torch.nn": nn, "torch.nn.functional": functional,
                        "torch.autograd": autograd})


_stub_torch()
autodoc_typehints = "none"          # numpydoc's Parameters sections carry the types
autosummary_generate = True

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3

intersphinx_mapping = {}            # no network at build time

html_theme = "pydata_sphinx_theme"
html_title = f"sigmoid_ext {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_context = {"default_mode": "light"}

# The ufunc docstrings write e^-|x| in plain text; in reStructuredText |x| would be a
# substitution reference, so it is defined as itself.
rst_prolog = r"""
.. |x| replace:: \|x\|
"""
