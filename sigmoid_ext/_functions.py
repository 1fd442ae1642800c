"""The public functions: numpy.ufunc objects built in C, one per row of the table in
``csrc/ufuncs.c``.

They live in the cffi extension's shared object, whose second init function
``PyInit__ufuncs`` is imported here under the name ``sigmoid_ext._ufuncs`` (CPython
loads several modules from one library through an explicit ExtensionFileLoader).  NumPy
does all the argument handling: type resolution, casting, broadcasting, ``out=``,
overlap, ``where=``, the ``__array_ufunc__`` protocol of pandas, xarray, masked arrays
and Dask.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys

import numpy as np

from . import _sigmoid_ext_cffi
from ._docs import DOCS


def _load_ufunc_module():
    name = f"{__package__}._ufuncs"
    loader = importlib.machinery.ExtensionFileLoader(name, _sigmoid_ext_cffi.__file__)
    spec = importlib.util.spec_from_file_location(name, _sigmoid_ext_cffi.__file__,
                                                  loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module


_ufuncs = _load_ufunc_module()
_table: dict[str, np.ufunc] = _ufuncs.build(DOCS)

sigmoid: np.ufunc = _table["sigmoid"]
sigmoid_grad: np.ufunc = _table["sigmoid_grad"]
sigmoid_backward: np.ufunc = _table["sigmoid_backward"]
log_sigmoid: np.ufunc = _table["log_sigmoid"]
softplus: np.ufunc = _table["softplus"]
logit: np.ufunc = _table["logit"]
logit_grad: np.ufunc = _table["logit_grad"]
silu: np.ufunc = _table["silu"]
silu_grad: np.ufunc = _table["silu_grad"]
log_sigmoid_grad: np.ufunc = _table["log_sigmoid_grad"]
sigmoid_and_grad: np.ufunc = _table["sigmoid_and_grad"]

# Aliases are the same objects, under the names SciPy and the frameworks use.
expit = sigmoid
log_expit = log_sigmoid
softplus_grad = sigmoid        # d/dx log(1 + e^x) = sigma(x), exactly the sigmoid


def _register_bfloat16() -> None:
    """A bfloat16 loop (float64 kernel, one rounding) for ml_dtypes' type, when
    ml_dtypes is installed: without it NumPy would cast bfloat16 to float32 and return
    float32."""
    try:
        import ml_dtypes
    except ImportError:
        return
    typenum = np.dtype(ml_dtypes.bfloat16).num
    for uf in _table.values():
        _ufuncs.register_bfloat16(uf, typenum)
