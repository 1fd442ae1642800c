"""Public functions.  Each is a table row (``_Spec``) plus a documented signature; the
argument handling is shared (``_ufunc.apply``)."""

from __future__ import annotations

from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._sigmoid_ext_cffi import lib
from ._ufunc import _Spec, make_binary_fast, make_unary_fast

ArrayOrScalar = Union[np.ndarray, np.floating]


# NumPy formulas for dtypes without a C kernel (longdouble).  Stable forms: exp only of
# -|x|, so nothing overflows; NaN propagates through the arithmetic and np.where.
def _sigmoid_np(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    one = np.ones_like(e)
    return np.where(x >= 0, one, e) / (one + e)


def _sigmoid_grad_np(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return e / ((1 + e) * (1 + e))


def _sigmoid_backward_np(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    return g * (y * (1 - y))


_SIGMOID = _Spec("sigmoid", lib.SX_SIGMOID, 1, _sigmoid_np)
_SIGMOID_GRAD = _Spec("sigmoid_grad", lib.SX_SIGMOID_GRAD, 1, _sigmoid_grad_np)
_SIGMOID_BACKWARD = _Spec("sigmoid_backward", lib.SX_SIGMOID_BACKWARD, 2, _sigmoid_backward_np,
                          argnames=("grad_output", "output"))


# The family (issue 5).  Fallbacks in the same stable forms as the kernels.
_SILU_CLAMP = 1e5   # |x| beyond which silu/silu' have reached -0/x and 1 in every dtype


def _log_sigmoid_np(x: np.ndarray) -> np.ndarray:
    lp = np.log1p(np.exp(-np.abs(x)))
    return np.where(x >= 0, -lp, x - lp)             # -0.0 for large x, as the kernels


def _softplus_np(x: np.ndarray) -> np.ndarray:
    return -_log_sigmoid_np(-x)


def _logit_np(p: np.ndarray) -> np.ndarray:
    upper = p > 0.5
    t = np.where(upper, 1 - p, p)                     # exact: min(p, 1-p)
    near_half = np.log1p((2 * t - 1) / (1 - t))       # log1p form where log(v) cancels
    far = np.log(t) - np.log1p(-t)
    r = np.where(t >= 0.25, near_half, far)
    r = np.where(upper, -r, r)
    return np.where((p >= 0) & (p <= 1), r, np.nan)


def _logit_grad_np(p: np.ndarray) -> np.ndarray:
    t = np.where(p > 0.5, 1 - p, p)
    return np.where((p >= 0) & (p <= 1), 1 / np.abs(t * (1 - t)), np.nan)  # -0.0: +inf


def _silu_np(x: np.ndarray) -> np.ndarray:
    xc = np.maximum(x, -_SILU_CLAMP)                  # no -inf * 0
    return np.where(x > _SILU_CLAMP, x, xc * _sigmoid_np(xc))


def _silu_grad_np(x: np.ndarray) -> np.ndarray:
    xc = np.clip(x, -_SILU_CLAMP, _SILU_CLAMP)
    return _sigmoid_np(xc) * (1 + xc * _sigmoid_np(-xc))


def _log_sigmoid_grad_np(x: np.ndarray) -> np.ndarray:
    return _sigmoid_np(-x)


def _sigmoid_and_grad_np(x: np.ndarray) -> tuple:
    return _sigmoid_np(x), _sigmoid_grad_np(x)


_LOG_SIGMOID = _Spec("log_sigmoid", lib.SX_LOG_SIGMOID, 1, _log_sigmoid_np)
_SOFTPLUS = _Spec("softplus", lib.SX_SOFTPLUS, 1, _softplus_np)
_LOGIT = _Spec("logit", lib.SX_LOGIT, 1, _logit_np, argnames=("p",))
_LOGIT_GRAD = _Spec("logit_grad", lib.SX_LOGIT_GRAD, 1, _logit_grad_np, argnames=("p",))
_SILU = _Spec("silu", lib.SX_SILU, 1, _silu_np)
_SILU_GRAD = _Spec("silu_grad", lib.SX_SILU_GRAD, 1, _silu_grad_np)
_LOG_SIGMOID_GRAD = _Spec("log_sigmoid_grad", lib.SX_LOG_SIGMOID_GRAD, 1, _log_sigmoid_grad_np)
_SIGMOID_AND_GRAD = _Spec("sigmoid_and_grad", lib.SX_SIGMOID_AND_GRAD, 1, _sigmoid_and_grad_np,
                          nout=2)


def sigmoid(x: ArrayLike, /, out: np.ndarray | None = None, *,
            dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Logistic sigmoid, :math:`\sigma(x) = 1/(1+e^{-x})`, elementwise.

    A drop-in for ``scipy.special.expit`` (alias :func:`expit`) that follows NumPy ufunc
    rules: any shape, strides or scalar in; float32 stays float32, float64 stays float64,
    float16 is computed in float64 and rounded once, bool/integers give float64,
    longdouble uses a NumPy formula.  ``out=`` may be ``x`` itself (in place).

    Accuracy (e^-|x| and 1/(1+e^-|x|) carried with compensation terms, one final
    rounding; docs/accuracy.md): float64 within 0.65 ulp for normal results (0.539
    measured against mpmath on the AVX-512 path, 0.636 on the others, 200 000 points per
    region) and within 1 ulp in the subnormal tail, where the scaling rounds a second
    time (0.781 measured).  float32 over all 2^32 inputs
    (``python -m sigmoid_ext.bench.exhaustive``): within 0.5 + 2^-5 ulp on the AVX-512
    path (0.52513 measured, 0.008 % not correctly rounded) and 0.5 + 2^-3 on AVX2
    (0.59078, 0.026 %), native float32 kernels; within 0.5 + 2^-16 on the baseline path
    (evaluated in float64 and rounded once; 0.500012, 2653 results not correctly
    rounded).  Monotone in x on every path.  Results below
    2^-126 (float32, x > -103.97) and 2^-1022 (float64, x > -745.13) are correct
    subnormals, not flushed to zero.  sigma(0) = 0.5 exactly, sigma(+inf) = 1,
    sigma(-inf) = 0, NaN gives NaN; no floating-point warnings are ever raised.

    Parameters
    ----------
    x : array_like
    out : ndarray, optional
        Where to write the result; must have the result's shape and a dtype that the
        result casts to under ``same_kind`` rules.
    dtype : floating dtype, optional
        Result dtype (inputs are cast to it first, as in NumPy).
    threads : int, optional
        Threads for this call (default :func:`get_num_threads`); small arrays always
        run on the calling thread.
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def sigmoid_grad(x: ArrayLike, /, out: np.ndarray | None = None, *,
                 dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Derivative of the sigmoid from its input,
    :math:`\sigma'(x) = \sigma(x)\,\sigma(-x) = e^{-|x|}/(1+e^{-|x|})^2`.

    Evaluated from :math:`e^{-|x|}`, so it keeps full relative accuracy where
    :math:`y(1-y)` collapses to 0 (x > 16.6 in float32, x > 36.7 in float64): relative
    error bounds as :func:`sigmoid` on each path (float64 0.65 ulp for normal results,
    1 ulp subnormal; float32 0.5 + 2^-5 ulp on AVX-512, 0.5 + 2^-3 on AVX2 (0.52513
    and 0.59014 measured over all 2^32 inputs), 0.5 + 2^-16 on the baseline path).
    Same dtype and ``out=`` rules as :func:`sigmoid`.
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def sigmoid_backward(grad_output: ArrayLike, output: ArrayLike, /,
                     out: np.ndarray | None = None, *, dtype: DTypeLike = None,
                     threads: int | None = None) -> Any:
    r"""Backward pass of the sigmoid from its saved output, as deep-learning frameworks
    define it: ``grad_output * output * (1 - output)``.

    Operands broadcast like NumPy; the result dtype is their common floating type.
    y - y^2 is split exactly into w + w_err by FMAs and g*w + g*w_err is rounded once:
    within 0.5 ulp plus a unit-roundoff term for y in [0, 1] (0.500000 measured in both
    precisions), <= 2 ulp for any y.  The baseline path has no FMA: float32 is
    evaluated in float64 (one rounding, <= 0.5 ulp + 2^-29), float64 rounds y - y^2 once
    (Dekker's exact square) and the product with g once more (<= 2 ulp).
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


_SAME_RULES = """Same dtype, ``out=``, ``dtype=`` and ``threads=`` rules as :func:`sigmoid`
    (float16 and bfloat16 computed in float64 and rounded once; longdouble through a
    NumPy formula); no floating-point warnings are ever raised."""


def log_sigmoid(x: ArrayLike, /, out: np.ndarray | None = None, *,
                dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Log of the sigmoid, :math:`\log\sigma(x) = -\log(1+e^{-x})` (alias
    :func:`log_expit`, as ``scipy.special.log_expit``).

    Evaluated as :math:`\min(x, 0) - \operatorname{log1p}(e^{-|x|})` in double-word
    arithmetic, so nothing overflows or cancels: exactly ``x`` where that is the rounded
    value (x <= -37 float64, x <= -17 float32), the correctly signed -0.0 for large x
    (and +inf), accurate subnormal results in between, full relative accuracy near 0.
    float64: max 0.58 ulp measured for normal results, 0.75 in the subnormal tail (bound
    1 ulp: the scaling rounds a second time there); float32: a separate plain-double
    evaluation rounded once, bound 0.5 + 2^-15 ulp, 0.500010 measured (docs/accuracy.md).
    Cost (kernel only, AVX-512): about 1.5 ns/element float32, 5 ns float64.

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def softplus(x: ArrayLike, /, out: np.ndarray | None = None, *,
             dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Softplus, :math:`\log(1+e^{x}) = -\log\sigma(-x)`.

    The same kernel as :func:`log_sigmoid` on -x (negation is exact, so the same bounds:
    float64 0.56 ulp measured for normal results, 0.75 in the subnormal tail, bound 1;
    float32 0.5 + 2^-15): exactly x for large x, e^x within those bounds in the far
    negative tail (subnormals included), +0.0 below it.  Its
    derivative is :func:`sigmoid` (:func:`softplus_grad` is an alias).

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def logit(p: ArrayLike, /, out: np.ndarray | None = None, *,
          dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Logit, the inverse of the sigmoid: :math:`\log(p/(1-p))`.

    With t = min(p, 1-p) (exact), logit(p) = +-log(t/(1-t)), the quotient and the log in
    double-word arithmetic (float32: plain double, rounded once); near p = 1/2, where
    log(v) would lose digits, the log1p form log1p((2t-1)/(1-t)) is used.  Max error
    0.526 ulp float64 and 0.500 ulp float32 measured (bound 0.5 + 2^-24 for float32; the
    contract is 2 ulp).  About twice the cost of :func:`sigmoid`.
    logit(0) = -inf, logit(1) = +inf, logit(1/2) = 0, NaN for p outside [0, 1] (no
    warning).

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def logit_grad(p: ArrayLike, /, out: np.ndarray | None = None, *,
               dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Derivative of :func:`logit`, :math:`1/(p(1-p))`.

    A kernel rather than a composition: with t = min(p, 1-p) (exact) the product
    t(1-t) and its inverse are formed double-word (float32: in plain double), so the
    result is within 0.5 + 2^-50 ulp (float64) and 0.5 + 2^-27 ulp (float32), where
    ``1/(p*(1-p))`` errs by up to ~2 ulp.  +inf at p = 0 and 1 and wherever the value
    overflows, NaN outside [0, 1].

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def silu(x: ArrayLike, /, out: np.ndarray | None = None, *,
         dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""SiLU (swish), :math:`x\,\sigma(x)`, the gate of modern networks.

    sigma(x) double-word, one exact product with x, one rounding: max error 0.57 ulp
    float64 measured (0.75 in the subnormal tail x < -708, bound 1 ulp there); float32
    in plain double, rounded once: 0.500 ulp (bound 0.5 + 2^-15).  silu(x) = x for
    x >= 44 (and +inf), silu(-inf) = -0.0 (no inf*0 NaN), correct subnormal results
    down to where the value rounds to -0.0.

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def silu_grad(x: ArrayLike, /, out: np.ndarray | None = None, *,
              dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Derivative of :func:`silu`, :math:`\sigma(x)\,(1 + x\,\sigma(-x))`.

    It has one zero, x0 = -1.278464542761074; there 1 + x sigma(-x) cancels, so within
    |x - x0| < 1/16 (float32: 1/32) a Taylor expansion about x0 (coefficients to 60
    digits) is used: relative accuracy holds right up to the zero.  Max error 0.57 ulp
    float64 measured (0.77 in the subnormal tail, bound 1) and 0.500 ulp float32 (bound
    0.5 + 2^-15); 1 for large x, -0.0 for x -> -inf.  Both branches are evaluated
    (branch-free loop), so it costs about 1.5 times :func:`silu`.

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def log_sigmoid_grad(x: ArrayLike, /, out: np.ndarray | None = None, *,
                     dtype: DTypeLike = None, threads: int | None = None) -> Any:
    r"""Derivative of :func:`log_sigmoid`, :math:`\sigma(-x)`.

    A kernel only to save the pass that ``sigmoid(-x)`` spends negating x: the results are
    bit for bit those of ``sigmoid(-x)`` (same accuracy as :func:`sigmoid`).

    {same}
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


def sigmoid_and_grad(x: ArrayLike, /, out: tuple | np.ndarray | None = None, *,
                     grad_out: np.ndarray | None = None, dtype: DTypeLike = None,
                     threads: int | None = None) -> tuple:
    r"""Both :math:`\sigma(x)` and :math:`\sigma'(x)` in one pass over memory.

    Returns ``(y, g)``, bit for bit ``(sigmoid(x), sigmoid_grad(x))`` (same kernels,
    same accuracy), but x is read once and the common exponential is shared: on large
    arrays that is the saving a training step wants (``sigmoid-bench --function
    sigmoid_and_grad`` compares it with the two calls).

    Outputs: ``out=y_out, grad_out=g_out``, or, as for NumPy ufuncs with two outputs,
    ``out=(y_out, g_out)`` (not both forms at once); any of them may be None to have it
    allocated.  The two outputs must not share memory; either may be x itself (in
    place).  Other rules as :func:`sigmoid`.
    """
    raise AssertionError("replaced below by the shared fast path")  # pragma: no cover


for _f in (log_sigmoid, softplus, logit, logit_grad, silu, silu_grad, log_sigmoid_grad):
    _f.__doc__ = _f.__doc__.replace("{same}", _SAME_RULES)


# The documented signatures above become the shared fast paths (_ufunc.make_*_fast).
sigmoid = make_unary_fast(_SIGMOID, sigmoid)
sigmoid_grad = make_unary_fast(_SIGMOID_GRAD, sigmoid_grad)
sigmoid_backward = make_binary_fast(_SIGMOID_BACKWARD, sigmoid_backward)
log_sigmoid = make_unary_fast(_LOG_SIGMOID, log_sigmoid)
softplus = make_unary_fast(_SOFTPLUS, softplus)
logit = make_unary_fast(_LOGIT, logit)
logit_grad = make_unary_fast(_LOGIT_GRAD, logit_grad)
silu = make_unary_fast(_SILU, silu)
silu_grad = make_unary_fast(_SILU_GRAD, silu_grad)
log_sigmoid_grad = make_unary_fast(_LOG_SIGMOID_GRAD, log_sigmoid_grad)
# (the two-output closure also maps sigmoid_and_grad's grad_out= onto out=(y, g))
sigmoid_and_grad = make_unary_fast(_SIGMOID_AND_GRAD, sigmoid_and_grad)
expit = sigmoid
log_expit = log_sigmoid
softplus_grad = sigmoid   # d/dx log(1 + e^x) = sigma(x), exactly the sigmoid
