"""PyTorch front end: autograd-aware ``sigmoid``, ``silu`` and ``log_sigmoid`` on CPU
tensors, computed by sigmoid_ext's C kernels without copying.

Import it explicitly (``import sigmoid_ext.torch``); ``import sigmoid_ext`` never loads
PyTorch.  For a CPU float32/float64 tensor (strided, no lazy negation/conjugation bit),
the tensor's memory is handed to the kernel as a NumPy view (``Tensor.numpy()``) and the
result is written straight into a new tensor's memory (``torch.from_numpy``-style
sharing), in both the forward and the backward pass.  Any other tensor (CUDA, float16,
bfloat16, integers, sparse, ...) goes to PyTorch's own operator, so these functions can
replace ``torch.sigmoid``, ``torch.nn.functional.silu`` and
``torch.nn.functional.logsigmoid`` everywhere.

The backward passes use the library's kernels too: ``sigmoid_backward(grad, y)`` for
the sigmoid, ``silu_grad(x)`` for SiLU and ``sigmoid(-x)`` for log-sigmoid.  They are
not themselves differentiable (double backward raises).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch  # the real PyTorch: absolute import, this module is sigmoid_ext.torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

import sigmoid_ext as _sx

__all__ = ["sigmoid", "silu", "log_sigmoid"]

_KERNEL_DTYPES = (torch.float32, torch.float64)


def _kernel_ok(t: Any) -> bool:
    """True when the C kernels can work on t's memory directly."""
    return (isinstance(t, torch.Tensor) and t.dtype in _KERNEL_DTYPES and t.is_cpu
            and t.layout == torch.strided and not t.is_neg() and not t.is_conj())


def _view(t: torch.Tensor) -> np.ndarray:
    """NumPy view of a CPU tensor's memory (no copy; strides kept)."""
    return t.detach().numpy() if t.requires_grad else t.numpy()


def _empty(t: torch.Tensor) -> torch.Tensor:
    """A fresh contiguous tensor of t's shape and dtype."""
    return torch.empty(t.shape, dtype=t.dtype)


def _unary(kernel: Callable[..., Any], x: torch.Tensor) -> torch.Tensor:
    """kernel(x) into a new contiguous tensor that owns the kernel's output buffer."""
    y = kernel(_view(x))
    return torch.from_numpy(y if type(y) is np.ndarray else np.asarray(y))


def _check_tensor(x: Any, name: str) -> None:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"sigmoid_ext.torch.{name}: expected a torch.Tensor, "
                        f"not {type(x).__name__}")


# ---------------------------------------------------------------------------- sigmoid

class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        y = _unary(_sx.sigmoid, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (y,) = ctx.saved_tensors
        if not _kernel_ok(grad):
            return grad * y * (1 - y)
        return torch.from_numpy(np.asarray(_sx.sigmoid_backward(_view(grad), _view(y))))


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid of a tensor, like ``torch.sigmoid``, with sigmoid_ext's
    accuracy (float32 within 0.5 + 2^-13 ulp, correct subnormal tails) on CPU
    float32/float64 tensors; other tensors use ``torch.sigmoid``.  Differentiable; the
    gradient is ``grad * y * (1 - y)`` evaluated by :func:`sigmoid_ext.sigmoid_backward`.
    """
    _check_tensor(x, "sigmoid")
    if not _kernel_ok(x):
        return torch.sigmoid(x)
    if x.requires_grad and torch.is_grad_enabled():
        return _Sigmoid.apply(x)
    return _unary(_sx.sigmoid, x)


# ------------------------------------------------------------------------------- silu

class _Silu(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return _unary(_sx.silu, x)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        dx = _unary(_sx.silu_grad, x)           # d silu / dx, then times grad in place
        if _kernel_ok(grad):
            np.multiply(_view(dx), _view(grad), out=_view(dx))
            return dx
        return dx * grad


def silu(x: torch.Tensor) -> torch.Tensor:
    """SiLU (swish), ``x * sigmoid(x)``, like ``torch.nn.functional.silu``, computed by
    :func:`sigmoid_ext.silu` on CPU float32/float64 tensors (other tensors: PyTorch's
    op).  Differentiable; the gradient comes from :func:`sigmoid_ext.silu_grad`."""
    _check_tensor(x, "silu")
    if not _kernel_ok(x):
        return F.silu(x)
    if x.requires_grad and torch.is_grad_enabled():
        return _Silu.apply(x)
    return _unary(_sx.silu, x)


# ------------------------------------------------------------------------ log_sigmoid

class _LogSigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return _unary(_sx.log_sigmoid, x)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        # d/dx log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x), exact in the tails.
        (x,) = ctx.saved_tensors
        dx = _empty(x)
        buf = _view(dx)
        np.negative(_view(x), out=buf)
        _sx.sigmoid(buf, out=buf)
        if _kernel_ok(grad):
            np.multiply(buf, _view(grad), out=buf)
            return dx
        return dx * grad


def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``log(sigmoid(x))`` without overflow or cancellation, like
    ``torch.nn.functional.logsigmoid``, computed by :func:`sigmoid_ext.log_sigmoid` on
    CPU float32/float64 tensors (other tensors: PyTorch's op).  Differentiable; the
    gradient is ``grad * sigmoid(-x)``, evaluated by :func:`sigmoid_ext.sigmoid`."""
    _check_tensor(x, "log_sigmoid")
    if not _kernel_ok(x):
        return F.logsigmoid(x)
    if x.requires_grad and torch.is_grad_enabled():
        return _LogSigmoid.apply(x)
    return _unary(_sx.log_sigmoid, x)
