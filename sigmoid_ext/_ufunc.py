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
_CHAR_ARRAY = ffi.typeof("char[]")       # from_buffer's default type, looked up once
_sx_contig = lib.sx_contig
_empty_like = np.empty_like
_np_array = np.array
# Below this many elements the fast path computes in place on a copy of the input.
_SMALL_IN_PLACE = 256


class _Spec(NamedTuple):
    name: str
    func_id: int
    nin: int
    fallback: Callable[..., Any]   # NumPy formula for dtypes without a kernel (a tuple
    #                                of arrays when nout > 1)
    nout: int = 1
    argnames: tuple = ("x",)       # names used in error messages


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
    if type(threads) is int and 1 <= threads <= 1024:      # the common case, cheaply
        return threads
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


def _is_bfloat16(dt: np.dtype) -> bool:
    """ml_dtypes' bfloat16 (a user dtype of kind 'V'), recognised without importing
    ml_dtypes: an array of it can only exist when ml_dtypes is installed."""
    return dt.kind == "V" and dt.name == "bfloat16" and dt.itemsize == 2


def _is_float(dt: np.dtype) -> bool:
    return dt.kind == "f" or _is_bfloat16(dt)


def _check_input_dtype(dt: np.dtype, fname: str, argname: str) -> None:
    if dt.kind not in "fiub" and not _is_bfloat16(dt):
        raise TypeError(f"{fname}: unsupported dtype {dt} for argument '{argname}'; "
                        "expected a real floating, integer or bool array")


def _float_dtype(dt: np.dtype) -> np.dtype:
    """Result dtype for input dtype dt: floats keep their type, the rest become float64."""
    return dt.newbyteorder("=") if _is_float(dt) else _F64


def _requested_dtype(dtype: Any, fname: str) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{fname}: dtype={dtype!r} is not a valid dtype") from exc
    if not _is_float(dt):
        raise TypeError(f"{fname}: dtype={dt} is not supported; the result must be a "
                        "floating type (float16, bfloat16, float32, float64 or longdouble)")
    return dt.newbyteorder("=")


def _kernel_dtype(dt: np.dtype) -> np.dtype | None:
    """dtype the C kernel computes in: float32/float64 as is; float16 and bfloat16 go
    through float64 (exact widening, one final rounding); None means the NumPy fallback."""
    if dt == _F32:
        return _F32
    if dt == _F64 or dt == _F16 or _is_bfloat16(dt):
        return _F64
    return None


def _to_bfloat16(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Round float64 to bfloat16 once, to nearest even.  ml_dtypes converts float64 via
    float32, which rounds twice (1 + 2^-8 + 2^-30 would give 1); rounding to float32 with
    round-to-odd first makes the second rounding exact (24 >= 8 + 2 bits)."""
    a = np.asarray(a, dtype=_F64)
    with np.errstate(all="ignore"):
        f = a.astype(_F32)
        back = f.astype(_F64)
    bits = f.view(np.uint32)
    # Inexact results with an even last bit move one float32 step towards a (an odd
    # neighbour).  NaN, inf and exact results are left alone.
    fix = (back != a) & ((bits & 1) == 0) & np.isfinite(f)
    toward = np.where(np.abs(back) > np.abs(a), np.uint32(0xFFFFFFFF), np.uint32(1))
    bits = np.where(fix, bits + toward, bits).astype(np.uint32)
    return bits.view(_F32).astype(dt)


def _cast(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """a.astype(dt) with one correct rounding, also for bfloat16."""
    if _is_bfloat16(dt) and a.dtype != dt:
        with np.errstate(all="ignore"):
            return _to_bfloat16(a.astype(_F64, copy=False), dt)
    with np.errstate(all="ignore"):
        return a.astype(dt, copy=False)


# ----------------------------------------------------------------------------- calling C

def _pointer(a: np.ndarray) -> Any:
    return ffi.cast("void *", a.__array_interface__["data"][0])


def _call_kernel(spec: _Spec, code: int, arrays: list, nthreads: int) -> None:
    """arrays: inputs then outputs, all of the kernel dtype and of the same shape."""
    out0 = arrays[-1]
    ptrs = [_NULL, _NULL, _NULL]
    if all(a.flags.c_contiguous for a in arrays):
        for i, a in enumerate(arrays):
            ptrs[i] = _from_buffer(a, require_writable=i >= spec.nin)
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


def _check_outs(spec: _Spec, out: Any, shape: tuple, result_dt: np.dtype) -> list:
    """out= as a list with one entry (an array or None) per output.  One output: an
    array or a 1-tuple.  Several: a tuple with one entry per output, as NumPy ufuncs
    with several outputs take it (None entries are allocated)."""
    fname, nout = spec.name, spec.nout
    if nout == 1:
        return [None if out is None else _check_out(out, shape, result_dt, fname)]
    if out is None:
        return [None] * nout
    if not isinstance(out, tuple) or len(out) != nout:
        got = (f"a tuple of {len(out)}" if isinstance(out, tuple)
               else f"{type(out).__name__}")
        raise TypeError(f"{fname}: out must be a tuple of {nout} arrays (or None), one per "
                        f"output, got {got}")
    outs = [None if o is None else _check_out(o, shape, result_dt, fname) for o in out]
    given = [o for o in outs if o is not None]
    for i, a in enumerate(given):
        for b in given[i + 1:]:
            if np.may_share_memory(a, b):
                raise ValueError(f"{fname}: the {nout} outputs must not share memory")
    return outs


def _result(outs: list, values: list) -> Any:
    res = [v[()] if o is None and v.ndim == 0 else v for o, v in zip(outs, values)]
    return res[0] if len(res) == 1 else tuple(res)


def apply(spec: _Spec, inputs: tuple, out: Any, dtype: Any, threads: Any) -> Any:
    """Evaluate spec on inputs with NumPy ufunc semantics (see the module docstring).
    Returns an array (or NumPy scalar), or a tuple of them when spec.nout > 1."""
    fname = spec.name
    if _dask.has_dask_input(inputs):        # lazy Dask result, chunks evaluated by apply
        return _dask.apply_lazy(apply, spec, inputs, out, dtype, threads)
    nthreads = _num_threads if threads is None else _check_threads(threads)
    argnames = spec.argnames
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
    outs = _check_outs(spec, out, shape, result_dt)

    # Inputs are cast to the result dtype first (NumPy: dtype= sets the loop type), then
    # widened exactly to the kernel dtype.
    kdt = _kernel_dtype(result_dt)
    compute_dt = kdt if kdt is not None else result_dt
    # (A float64 input with dtype=float16/bfloat16 must be rounded too, although the
    # kernel computes in float64.)
    if result_dt != compute_dt or any(a.dtype != compute_dt for a in arrays):
        with np.errstate(all="ignore"):             # e.g. 1e300 cast to float32 -> inf
            arrays = [(a if a.dtype == result_dt else _cast(a, result_dt))
                      .astype(compute_dt, copy=False) for a in arrays]

    if kdt is None:
        with np.errstate(all="ignore"):
            results = spec.fallback(*arrays)
        results = [results] if spec.nout == 1 else list(results)
        values = []
        for r, o in zip(results, outs):
            r = np.broadcast_to(np.asarray(r, dtype=result_dt), shape)
            if o is None:
                values.append(r.copy())
            else:
                np.copyto(o, r, casting="same_kind")
                values.append(o)
        return _result(outs, values)

    direct = [o is not None and o.dtype == compute_dt and o.dtype.isnative for o in outs]
    targets = [o if d else np.empty(shape, dtype=compute_dt) for o, d in zip(outs, direct)]
    written = [o for o, d in zip(outs, direct) if d]
    if written:
        # NumPy's guarantee: the result is as if inputs were copied before writing.  An
        # input that *is* an output (same memory, same layout) is safe for an elementwise
        # loop.
        arrays = [a.copy() if any(np.may_share_memory(a, o) and not _same_view(a, o)
                                  for o in written) else a for a in arrays]
    arrays = [np.broadcast_to(a, shape) if a.shape != shape else a for a in arrays]
    _call_kernel(spec, _C_DTYPE_CODE[compute_dt], [*arrays, *targets], nthreads)

    values = []
    for t, o, d in zip(targets, outs, direct):
        if d:
            values.append(o)
            continue
        if compute_dt != result_dt:                 # float16/bfloat16: one rounding
            t = _cast(t, result_dt)
        if o is None:
            values.append(t)
        else:
            with np.errstate(all="ignore"):         # same_kind was checked up front
                np.copyto(o, _cast(t, o.dtype), casting="unsafe")
            values.append(o)
    return _result(outs, values)


def make_unary_fast(spec: _Spec, documented: Callable[..., Any]) -> Callable[..., Any]:
    """The hot path for ``f(x)`` and ``f(x, out=...)`` on C-contiguous float32/float64
    arrays, for one input and one or two outputs: identity dtype checks, one allocation
    per output, ``ffi.from_buffer`` per array and one C call (which also rejects partial
    overlap of an output with x).  Everything else goes through ``apply``.  The
    two-output form (sigmoid_and_grad) also takes ``grad_out=``."""
    # Every check below is on the per-call clock: a few hundred ns of Python around a C
    # call of the same order.  Module globals bound as closure cells measured no faster
    # (and as defaults a caller could override them), so they stay globals.
    func_id, single = spec.func_id, spec.nout == 1

    def call(x, /, out=None, *, dtype=None, threads=None):
        if type(x) is not _ndarray or dtype is not None:
            if type(x) is float and out is None and dtype is None:
                # A Python float: a fresh 0-d float64 array, computed in place.
                if threads is not None:
                    _check_threads(threads)
                y = _np_array(x)
                ybuf = _from_buffer(y)
                _sx_contig(func_id, _F64_CODE, 1, 1, ybuf, ybuf, _NULL)
                return y[()]
            return apply(spec, (x,), out, dtype, threads)
        # if/elif with an early return: fewer bytecodes than a sentinel code (-1)
        # tested afterwards, which showed in the per-call time.
        dt = x.dtype
        if dt is _F32:
            code = _F32_CODE
        elif dt is _F64:
            code = _F64_CODE
        else:
            return apply(spec, (x,), out, dtype, threads)
        # threads= inline: a call to _check_threads costs as much as the check.
        nthreads = (_num_threads if threads is None else threads
                    if type(threads) is int and 0 < threads <= 1024 else _check_threads(threads))
        if out is None:
            if x.size <= _SMALL_IN_PLACE:
                # Small arrays: a C-ordered copy computed in place costs one allocation
                # and one from_buffer fewer than a separate output.
                y = x.copy()
                ybuf = _from_buffer(y)
                _sx_contig(func_id, code, y.size, 1, ybuf, ybuf, _NULL)
                return y if y.ndim else y[()]
            # from_buffer accepts only C-contiguous arrays (ValueError otherwise):
            # cheaper than reading x.flags first.
            try:
                xbuf = _from_buffer(x)
            except ValueError:
                return apply(spec, (x,), out, dtype, threads)
            y = _empty_like(x)
            _sx_contig(func_id, code, x.size, nthreads, xbuf, _from_buffer(y), _NULL)
            return y if y.ndim else y[()]
        if type(out) is _ndarray and out.dtype is dt and out.shape == x.shape:
            # require_writable (positional, with a ready ctype: keywords or a cdecl
            # string cost more) rejects a read-only out for less than
            # out.flags.writeable; any ValueError (read-only, not C-contiguous) leaves
            # the errors and the copies to apply.
            try:
                xbuf = _from_buffer(x)
                outbuf = _from_buffer(_CHAR_ARRAY, out, True)
            except ValueError:
                pass
            else:
                if _sx_contig(func_id, code, x.size, nthreads, xbuf, outbuf, _NULL) == 0:
                    return out
                # partial overlap: the general path copies the input first
        return apply(spec, (x,), out, dtype, threads)

    def call2(x, /, out=None, *, grad_out=None, dtype=None, threads=None):
        # sigmoid_and_grad's keyword form out=y_out, grad_out=g_out becomes the tuple
        # form here rather than in a wrapper around this closure (a second Python call
        # with keywords cost ~100 ns).
        if grad_out is not None or (type(out) is not tuple and out is not None
                                    and isinstance(out, _ndarray)):
            if isinstance(out, tuple):
                raise TypeError(f"{spec.name}: give out=(y_out, g_out) or out=y_out with "
                                "grad_out=g_out, not both")
            out = (out, grad_out)
        if type(x) is not _ndarray or dtype is not None:
            return apply(spec, (x,), out, dtype, threads)
        dt = x.dtype
        if dt is _F32:
            code = _F32_CODE
        elif dt is _F64:
            code = _F64_CODE
        else:
            return apply(spec, (x,), out, dtype, threads)
        nthreads = (_num_threads if threads is None else threads
                    if type(threads) is int and 0 < threads <= 1024 else _check_threads(threads))
        if out is None:
            try:
                xbuf = _from_buffer(x)
            except ValueError:                      # not C-contiguous
                return apply(spec, (x,), out, dtype, threads)
            y, g = _empty_like(x), _empty_like(x)
            _sx_contig(func_id, code, x.size, nthreads, xbuf, _from_buffer(y), _from_buffer(g))
            return (y, g) if y.ndim else (y[()], g[()])
        if type(out) is tuple and len(out) == 2:
            y, g = out
            if (type(y) is _ndarray and type(g) is _ndarray and y.dtype is dt
                    and g.dtype is dt and y.shape == x.shape == g.shape):
                try:
                    xbuf = _from_buffer(x)
                    ybuf = _from_buffer(_CHAR_ARRAY, y, True)
                    gbuf = _from_buffer(_CHAR_ARRAY, g, True)
                except ValueError:
                    pass
                else:
                    # The outputs must not overlap each other (the C side only checks
                    # outputs against the input): comparing the cdata addresses of two
                    # contiguous runs is cheaper than np.may_share_memory.
                    nb = len(ybuf)
                    if ((ybuf >= gbuf + nb or gbuf >= ybuf + nb)
                            and _sx_contig(func_id, code, x.size, nthreads, xbuf, ybuf,
                                           gbuf) == 0):
                        return out
        # partial overlap or anything unusual: the general path sorts it out
        return apply(spec, (x,), out, dtype, threads)

    # The public function *is* one of these closures (one Python call less on the hot
    # path); it takes the documented function's name, docstring, annotations and
    # signature.
    return functools.update_wrapper(call if single else call2, documented)


def make_binary_fast(spec: _Spec, documented: Callable[..., Any]) -> Callable[..., Any]:
    """The hot path for two-input functions (``sigmoid_backward``): both operands
    C-contiguous float32 or both float64, of the same shape, no broadcasting; ``out=``
    optional.  One allocation at most, ``ffi.from_buffer`` per array and one C call
    (which rejects partial overlap of out with either input).  Everything else, Dask
    included, goes through ``apply``."""
    func_id = spec.func_id

    def call(a, b, /, out=None, *, dtype=None, threads=None):
        if type(a) is not _ndarray or type(b) is not _ndarray or dtype is not None:
            return apply(spec, (a, b), out, dtype, threads)
        dt = a.dtype
        if dt is _F32:
            code = _F32_CODE
        elif dt is _F64:
            code = _F64_CODE
        else:
            return apply(spec, (a, b), out, dtype, threads)
        if b.dtype is not dt or a.shape != b.shape:
            return apply(spec, (a, b), out, dtype, threads)
        nthreads = (_num_threads if threads is None else threads
                    if type(threads) is int and 0 < threads <= 1024 else _check_threads(threads))
        if out is None:
            try:                            # ValueError: not C-contiguous
                abuf, bbuf = _from_buffer(a), _from_buffer(b)
            except ValueError:
                return apply(spec, (a, b), out, dtype, threads)
            y = _empty_like(a)
            _sx_contig(func_id, code, a.size, nthreads, abuf, bbuf, _from_buffer(y))
            return y if y.ndim else y[()]
        if type(out) is _ndarray and out.dtype is dt and out.shape == a.shape:
            try:                            # as in make_unary_fast
                abuf, bbuf = _from_buffer(a), _from_buffer(b)
                outbuf = _from_buffer(_CHAR_ARRAY, out, True)
            except ValueError:
                pass
            else:
                if _sx_contig(func_id, code, a.size, nthreads, abuf, bbuf, outbuf) == 0:
                    return out
        return apply(spec, (a, b), out, dtype, threads)

    return functools.update_wrapper(call, documented)
