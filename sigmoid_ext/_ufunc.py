"""The one argument-handling layer shared by every public function.

Every function is a ``_Spec`` row: a C function id, its arity and a NumPy fallback for
dtypes without a C kernel (longdouble).  ``apply`` does, once for all functions:
array conversion, dtype rules, broadcasting, ``out=`` validation and casting, overlap
handling, choice of the contiguous or strided C driver, and scalar unwrapping.
"""

from __future__ import annotations

import functools
import os
import warnings
from typing import Any, Callable, NamedTuple

import numpy as np

from . import _dask
from ._sigmoid_ext_cffi import ffi, lib

_ndarray = np.ndarray
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_F16 = np.dtype(np.float16)
_LONGDOUBLE = np.dtype(np.longdouble)
_C_DTYPE_CODE = {_F32: lib.SX_F32, _F64: lib.SX_F64}
_F32_CODE, _F64_CODE = lib.SX_F32, lib.SX_F64
_NULL = ffi.NULL
_from_buffer = ffi.from_buffer
_sx_contig = lib.sx_contig
_empty_like = np.empty_like
_np_array = np.array
# Below this many elements the fast path computes in place on a copy of the input.
_SMALL_IN_PLACE = 256


class _Spec(NamedTuple):
    name: str
    func_id: int
    nin: int
    fallback: Callable[..., np.ndarray]   # NumPy formula for dtypes without a kernel


# ----------------------------------------------------------------------------- threads

def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _threads_from_env() -> int:
    raw = os.environ.get("SIGMOID_EXT_NUM_THREADS", "").strip()
    if not raw:
        return _default_threads()
    try:
        value = int(raw)
        if value < 1:
            raise ValueError
        return value
    except ValueError:
        warnings.warn(f"SIGMOID_EXT_NUM_THREADS={raw!r} is not a positive integer; "
                      f"using {_default_threads()} threads", RuntimeWarning, stacklevel=2)
        return _default_threads()


_num_threads = _threads_from_env()


def _check_threads(threads: Any) -> int:
    if isinstance(threads, (bool, np.bool_)) or not isinstance(threads, (int, np.integer)):
        raise TypeError(f"threads must be a positive integer, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    return min(int(threads), 1024)


def set_num_threads(n: int) -> None:
    """Set how many threads large calls are split across (default: the CPUs available)."""
    global _num_threads
    _num_threads = _check_threads(n)


def get_num_threads() -> int:
    """Number of threads a call uses when ``threads=`` is not given."""
    return _num_threads


# ----------------------------------------------------------------------------- dtypes

def _as_array(value: Any, fname: str, argname: str) -> np.ndarray:
    if type(value) is _ndarray:
        return value
    try:
        return np.asarray(value)
    except Exception as exc:  # a broken __array__ or buffer, ragged lists, ...
        raise TypeError(f"{fname}: argument '{argname}' could not be converted to an "
                        f"array: {exc}") from exc


def _check_input_dtype(dt: np.dtype, fname: str, argname: str) -> None:
    if dt.kind not in "fiub":
        raise TypeError(f"{fname}: unsupported dtype {dt} for argument '{argname}'; "
                        "expected a real floating, integer or bool array")


def _float_dtype(dt: np.dtype) -> np.dtype:
    """Result dtype for input dtype dt: floats keep their type, the rest become float64."""
    return dt.newbyteorder("=") if dt.kind == "f" else _F64


def _requested_dtype(dtype: Any, fname: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{fname}: dtype={dtype!r} is not a valid dtype") from exc
    if dt.kind != "f":
        raise TypeError(f"{fname}: dtype={dt} is not supported; the result must be a "
                        "floating type (float16, float32, float64 or longdouble)")
    return dt.newbyteorder("=")


def _kernel_dtype(dt: np.dtype) -> np.dtype | None:
    """dtype the C kernel computes in: float32/float64 as is; float16 goes through
    float64 (exact widening, one final rounding); None means the NumPy fallback."""
    if dt == _F32:
        return _F32
    if dt == _F64 or dt == _F16:
        return _F64
    return None


# ----------------------------------------------------------------------------- calling C

def _pointer(a: np.ndarray) -> Any:
    return ffi.cast("void *", a.__array_interface__["data"][0])


def _call_kernel(spec: _Spec, code: int, arrays: list, nthreads: int) -> None:
    """arrays: inputs then outputs, all of the kernel dtype and of the same shape."""
    out0 = arrays[-1]
    ptrs = [_NULL, _NULL, _NULL]
    if all(a.flags.c_contiguous for a in arrays):
        for i, a in enumerate(arrays):
            ptrs[i] = _from_buffer(a, require_writable=a is out0)
        rc = _sx_contig(spec.func_id, code, out0.size, nthreads, *ptrs)
    else:
        ndim = out0.ndim
        shape = ffi.new("int64_t[]", list(out0.shape) or [1])
        strides = ffi.new("int64_t[]", [s for a in arrays for s in a.strides] or [0] * 3)
        for i, a in enumerate(arrays):
            ptrs[i] = _pointer(a)
        rc = lib.sx_strided(spec.func_id, code, ndim, shape, strides, nthreads, *ptrs)
    if rc != 0:  # pragma: no cover - guarded by the checks above
        raise RuntimeError(f"{spec.name}: internal error {rc} in the C driver")


def _same_view(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
            and a.strides == b.strides and a.shape == b.shape and a.dtype == b.dtype)


def _check_out(out: Any, shape: tuple, result_dt: np.dtype, fname: str) -> np.ndarray:
    if isinstance(out, tuple):
        if len(out) != 1:
            raise TypeError(f"{fname}: out must be one array, got a tuple of {len(out)}")
        out = out[0]
    if not isinstance(out, _ndarray):
        raise TypeError(f"{fname}: out must be a numpy.ndarray, not {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"{fname}: out has shape {out.shape}, but the result has shape "
                         f"{shape}")
    if not out.flags.writeable:
        raise ValueError(f"{fname}: out is read-only")
    if not np.can_cast(result_dt, out.dtype, casting="same_kind"):
        raise TypeError(f"{fname}: cannot write a {result_dt} result into out of dtype "
                        f"{out.dtype} (casting rule 'same_kind')")
    return out


def apply(spec: _Spec, inputs: tuple, out: Any, dtype: Any, threads: Any) -> Any:
    """Evaluate spec on inputs with NumPy ufunc semantics (see the module docstring)."""
    fname = spec.name
    if _dask.has_dask_input(inputs):        # lazy Dask result, chunks evaluated by apply
        return _dask.apply_lazy(apply, spec, inputs, out, dtype, threads)
    nthreads = _num_threads if threads is None else _check_threads(threads)
    argnames = ("x",) if spec.nin == 1 else ("grad_output", "output")
    arrays = [_as_array(v, fname, n) for v, n in zip(inputs, argnames)]
    for a, n in zip(arrays, argnames):
        _check_input_dtype(a.dtype, fname, n)

    if dtype is not None:
        result_dt = _requested_dtype(dtype, fname)
    else:
        # Python scalars are "weak" (NEP 50): float32 array and 0.5 give float32.
        weak = [v if type(v) in (int, float, bool) else a for v, a in zip(inputs, arrays)]
        result_dt = _float_dtype(np.result_type(*weak))
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError as exc:
        shapes = " ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{fname}: operands could not be broadcast together with shapes "
                         f"{shapes}") from exc
    if out is not None:
        out = _check_out(out, shape, result_dt, fname)

    # Inputs are cast to the result dtype first (NumPy: dtype= sets the loop type), then
    # widened exactly to the kernel dtype.
    kdt = _kernel_dtype(result_dt)
    compute_dt = kdt if kdt is not None else result_dt
    if any(a.dtype != compute_dt for a in arrays):
        with np.errstate(all="ignore"):             # e.g. 1e300 cast to float32 -> inf
            arrays = [a.astype(result_dt, copy=False).astype(compute_dt, copy=False)
                      if a.dtype != compute_dt else a for a in arrays]

    if kdt is None:
        with np.errstate(all="ignore"):
            result = np.asarray(spec.fallback(*arrays), dtype=result_dt)
        result = np.broadcast_to(result, shape)
        if out is None:
            result = result.copy()
            return result[()] if result.ndim == 0 else result
        np.copyto(out, result, casting="same_kind")
        return out

    direct = out is not None and out.dtype == compute_dt and out.dtype.isnative
    target = out if direct else np.empty(shape, dtype=compute_dt)
    if direct:
        # NumPy's guarantee: the result is as if inputs were copied before writing.  An
        # input that *is* out (same memory, same layout) is safe for an elementwise loop.
        arrays = [a.copy() if np.may_share_memory(a, out) and not _same_view(a, out) else a
                  for a in arrays]
    arrays = [np.broadcast_to(a, shape) if a.shape != shape else a for a in arrays]
    _call_kernel(spec, _C_DTYPE_CODE[compute_dt], [*arrays, target], nthreads)

    if compute_dt != result_dt:                     # float16: one rounding from float64
        with np.errstate(all="ignore"):
            target = target.astype(result_dt)
    if out is None:
        return target[()] if target.ndim == 0 else target
    if not direct:
        with np.errstate(all="ignore"):
            np.copyto(out, target, casting="unsafe")  # same_kind was checked up front
    return out


def make_unary_fast(spec: _Spec, documented: Callable[..., Any]) -> Callable[..., Any]:
    """The hot path for ``f(x)`` and ``f(x, out=y)`` on C-contiguous float32/float64
    arrays: identity dtype checks, at most one allocation, two ``ffi.from_buffer`` and
    one C call (which also rejects partial overlap).  Everything else goes through
    ``apply``."""
    func_id = spec.func_id

    def call(x, /, out=None, *, dtype=None, threads=None):
        if dtype is None:
            if type(x) is float and out is None:
                # A Python float: a fresh 0-d float64 array, computed in place.
                if threads is not None:
                    _check_threads(threads)
                y = _np_array(x)
                ybuf = _from_buffer(y)
                _sx_contig(func_id, _F64_CODE, 1, 1, ybuf, ybuf, _NULL)
                return y[()]
            if type(x) is _ndarray:
                dt = x.dtype
                code = _F32_CODE if dt is _F32 else _F64_CODE if dt is _F64 else -1
                if code >= 0:
                    nthreads = _num_threads if threads is None else _check_threads(threads)
                    if out is None and x.size <= _SMALL_IN_PLACE:
                        # Small arrays: a C-ordered copy computed in place costs one
                        # allocation and one from_buffer fewer than a separate output.
                        y = x.copy()
                        ybuf = _from_buffer(y)
                        _sx_contig(func_id, code, y.size, 1, ybuf, ybuf, _NULL)
                        return y if y.ndim else y[()]
                    # from_buffer accepts only C-contiguous arrays (ValueError
                    # otherwise): cheaper than reading x.flags first.
                    try:
                        xbuf = _from_buffer(x)
                    except ValueError:
                        xbuf = None
                    if xbuf is not None:
                        if out is None:
                            y = _empty_like(x)
                            _sx_contig(func_id, code, x.size, nthreads, xbuf,
                                       _from_buffer(y), _NULL)
                            return y if y.ndim else y[()]
                        if (type(out) is _ndarray and out.dtype is dt
                                and out.shape == x.shape and out.flags.writeable):
                            # writeable checked here is cheaper than require_writable
                            try:
                                outbuf = _from_buffer(out)
                            except ValueError:      # not C-contiguous
                                outbuf = None
                            if outbuf is not None and _sx_contig(
                                    func_id, code, x.size, nthreads, xbuf, outbuf, _NULL) == 0:
                                return out
                            # partial overlap: the general path copies the input first
        return apply(spec, (x,), out, dtype, threads)

    # The public function *is* this closure (one Python call less on the hot path); it
    # takes the documented function's name, docstring, annotations and signature.
    return functools.update_wrapper(call, documented)
