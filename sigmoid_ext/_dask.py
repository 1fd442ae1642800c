"""Dask support for every public function, in one place.

``_ufunc.apply`` hands a call over to :func:`apply_lazy` when one of its inputs is a
``dask.array.Array``.  The call is checked eagerly (dtypes, ``dtype=``, ``threads=``,
broadcastable shapes) on tiny stand-ins, and the result is a lazy Dask array whose
blocks are computed by ``apply`` itself, so each chunk runs through the same C kernels
and the same dtype rules as an in-memory call.  Nothing here is imported unless Dask
has already been imported by the caller, so NumPy-only users pay nothing.
"""

from __future__ import annotations

import sys
from typing import Any, Callable


def dask_array_type() -> type | None:
    """``dask.array.Array`` if Dask's array module is already loaded, else None.

    A Dask array cannot exist before ``dask.array`` is imported, so looking in
    ``sys.modules`` is enough and never imports Dask itself."""
    mod = sys.modules.get("dask.array")
    return getattr(mod, "Array", None) if mod is not None else None


def has_dask_input(inputs: tuple) -> bool:
    """True when any input is a Dask array (cheap; False whenever Dask is not loaded)."""
    array_type = dask_array_type()
    return array_type is not None and any(isinstance(v, array_type) for v in inputs)


def _stand_in(value: Any, array_type: type) -> Any:
    """A 0-d array of the same dtype for an input that has a dtype, so that the eager
    check sees the dtype without touching the data.  Anything else goes as is: Python
    scalars keep their own ("weak", NEP 50) dtype rule, and lists or bad input are
    converted or reported by apply itself."""
    import numpy as np

    if isinstance(value, array_type) or isinstance(getattr(value, "dtype", None), np.dtype):
        return np.empty((), dtype=value.dtype)
    return value        # scalars, lists, ...: small or checked by apply itself


def _block_function(apply: Callable[..., Any], spec: Any, dtype: Any,
                    threads: Any) -> Callable[..., Any]:
    """The per-chunk function: ``apply`` on NumPy blocks, results always ndarrays."""
    import numpy as np

    def block(*blocks: Any) -> Any:
        result = apply(spec, blocks, None, dtype, threads)
        if isinstance(result, tuple):
            return tuple(np.asarray(r) for r in result)
        return np.asarray(result)

    block.__name__ = spec.name
    return block


def apply_lazy(apply: Callable[..., Any], spec: Any, inputs: tuple, out: Any,
               dtype: Any, threads: Any) -> Any:
    """``apply`` for calls with at least one Dask array among ``inputs``."""
    import dask.array as da
    import numpy as np
    from dask.array.core import unify_chunks

    if out is not None:
        raise TypeError(f"{spec.name}: out= is not supported for Dask arrays (the result "
                        "is lazy); use the returned array, e.g. with dask.array.store")
    # Eager validation and the result dtype(s): the same function on 0-d stand-ins.
    meta = apply(spec, tuple(_stand_in(v, da.Array) for v in inputs), None, dtype, threads)
    results = meta if isinstance(meta, tuple) else (meta,)
    result_dtypes = [np.asarray(r).dtype for r in results]
    shapes = [np.shape(v) for v in inputs]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError as exc:
        raise ValueError(f"{spec.name}: operands could not be broadcast together with "
                         f"shapes {' '.join(map(str, shapes))}") from exc
    # Every block is evaluated with the result dtype fixed, so that a block of a Python
    # scalar (turned into a 0-d array by Dask) cannot change the dtype rule.
    block = _block_function(apply, spec, result_dtypes[0], threads)
    # Inputs of different chunkings are aligned (broadcast dimensions kept) by Dask's
    # own chunk unification; a lone Dask input keeps its chunks exactly.
    arrays = [da.asarray(v) for v in inputs]
    ndim = max(a.ndim for a in arrays)
    indexed: list = []
    for a in arrays:
        indexed += [a, tuple(range(ndim - a.ndim, ndim))]
    _, arrays = unify_chunks(*indexed)
    signature = ",".join(["()"] * len(arrays)) + "->" + ",".join(["()"] * len(results))
    lazy = da.apply_gufunc(block, signature, *arrays,
                           output_dtypes=result_dtypes if len(results) > 1
                           else result_dtypes[0],
                           vectorize=False)
    return tuple(lazy) if isinstance(lazy, (tuple, list)) else lazy
