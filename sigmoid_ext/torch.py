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
the sigmoid, ``silu_grad(x)`` for SiLU and ``sigmoid(-x)`` for log-sigmoid.  When a
graph is being built through the backward pass (``create_graph=True``: gradient
penalties, Hessian-vector products), the first derivative is written in differentiable
tensor operations instead, so second and higher derivatives are exact.

Tensors that have no memory of their own to hand to a kernel -- those seen inside
``torch.func`` transforms (``vmap``, ``grad``, ``jacrev``, ...) and while
``torch.compile`` traces a model -- also go to PyTorch's operator, so the transforms and
the compiler see an ordinary PyTorch graph.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch  # the real PyTorch: absolute import, this module is sigmoid_ext.torch
import torch.nn.functional as F

import sigmoid_ext as _sx

__all__ = ["sigmoid", "silu", "log_sigmoid"]

_KERNEL_DTYPES = (torch.float32, torch.float64)


# Plain tensors only: subclasses (fake tensors of the compiler, user wrappers) may have
# no storage behind them.
_PLAIN_TYPES = (torch.Tensor, torch.nn.Parameter)


def _is_functorch_wrapped(t: torch.Tensor) -> bool:
    """True for the wrappers torch.func transforms pass around (batched or
    gradient-tracking tensors): they have no storage a NumPy view could use."""
    check = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor",
                    None)
    if check is not None:
        return bool(check(t))
    try:                       # older releases: ask for the memory itself
        t.data_ptr()
    except RuntimeError:
        return True
    return False


def _compiling() -> bool:
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and getattr(compiler, "is_compiling", bool)())


def _kernel_ok(t: Any) -> bool:
    """True when the C kernels can work on t's memory directly."""
    return (type(t) in _PLAIN_TYPES and t.dtype in _KERNEL_DTYPES and t.is_cpu
            and t.layout == torch.strided and not t.is_neg() and not t.is_conj()
            and not _compiling() and not _is_functorch_wrapped(t))


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


def _times_grad(dx: torch.Tensor, grad: torch.Tensor) -> torch.Tensor:
    """dx * grad, in dx's memory when grad is a tensor the kernels could read."""
    if _kernel_ok(grad):
        buf = _view(dx)
        np.multiply(buf, _view(grad), out=buf)
        return dx
    return dx * grad


def _front(x: Any, name: str, function: type, fallback: Callable[[Any], Any]) -> Any:
    """The public entry shared by the three functions: check, fall back to PyTorch's
    op, use the autograd Function only when a gradient is wanted."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"sigmoid_ext.torch.{name}: expected a torch.Tensor, "
                        f"not {type(x).__name__}")
    if not _kernel_ok(x):
        return fallback(x)
    if x.requires_grad and torch.is_grad_enabled():
        return function.apply(x)
    return _unary(getattr(_sx, name), x)


# ---------------------------------------------------------------------------- sigmoid

class _Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        y = _unary(_sx.sigmoid, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (y,) = ctx.saved_tensors
        if torch.is_grad_enabled() or not _kernel_ok(grad):
            # Differentiable form: y is this Function's output, so a second backward
            # goes through _Sigmoid again (d/dx of y(1-y) = (1-2y) y').
            return grad * y * (1 - y)
        return torch.from_numpy(np.asarray(_sx.sigmoid_backward(_view(grad), _view(y))))


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid of a tensor, like ``torch.sigmoid``, with sigmoid_ext's
    accuracy (float32 within 0.5 + 2^-3 ulp on every path, correct subnormal tails) on CPU
    float32/float64 tensors; other tensors use ``torch.sigmoid``.  Differentiable; the
    gradient is ``grad * y * (1 - y)`` evaluated by :func:`sigmoid_ext.sigmoid_backward`.

    >>> import torch
    >>> import sigmoid_ext.torch as sxt
    >>> x = torch.tensor([0.0, 2.0], requires_grad=True)
    >>> sxt.sigmoid(x).sum().backward()
    >>> x.grad
    tensor([0.2500, 0.1050])
    """
    return _front(x, "sigmoid", _Sigmoid, torch.sigmoid)


# ------------------------------------------------- functions whose gradient needs x

def _saving_input(name: str, derivative: Callable[[torch.Tensor], torch.Tensor],
                  graph_derivative: Callable[[torch.Tensor], torch.Tensor]) -> type:
    """An autograd Function that computes ``sigmoid_ext.<name>(x)``, saves x, and
    returns ``grad * derivative(x)`` in backward (the product in derivative's buffer).
    While a graph is being built (``create_graph=True``) the derivative comes from
    ``graph_derivative(x)``, written in differentiable operations."""

    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return _unary(getattr(_sx, name), x)

    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        if torch.is_grad_enabled():
            return grad * graph_derivative(x)
        return _times_grad(derivative(x), grad)

    return type(f"_{name}", (torch.autograd.Function,),
                {"forward": staticmethod(forward), "backward": staticmethod(backward)})


def _silu_derivative(x: torch.Tensor) -> torch.Tensor:
    return _unary(_sx.silu_grad, x)


def _log_sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    # d/dx log(sigmoid(x)) = 1 - sigmoid(x) = sigmoid(-x), exact in the tails.
    dx = _empty(x)
    buf = _view(dx)
    np.negative(_view(x), out=buf)
    _sx.sigmoid(buf, out=buf)
    return dx


def _silu_graph_derivative(x: torch.Tensor) -> torch.Tensor:
    # silu'(x) = s (1 + x (1 - s)) with s = sigmoid(x), itself differentiable through
    # _Sigmoid; silu''(x) = s (1 - s) (2 + x (1 - 2 s)) follows by the chain rule.
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def _log_sigmoid_graph_derivative(x: torch.Tensor) -> torch.Tensor:
    # sigmoid(-x), through _Sigmoid: the second derivative is -sigmoid(x) sigmoid(-x).
    return sigmoid(-x)


_Silu = _saving_input("silu", _silu_derivative, _silu_graph_derivative)
_LogSigmoid = _saving_input("log_sigmoid", _log_sigmoid_derivative,
                            _log_sigmoid_graph_derivative)


def silu(x: torch.Tensor) -> torch.Tensor:
    """SiLU (swish), ``x * sigmoid(x)``, like ``torch.nn.functional.silu``, computed by
    :func:`sigmoid_ext.silu` on CPU float32/float64 tensors (other tensors: PyTorch's
    op).  Differentiable; the gradient comes from :func:`sigmoid_ext.silu_grad`.

    >>> import torch
    >>> import sigmoid_ext.torch as sxt
    >>> sxt.silu(torch.tensor([-1.0, 0.0, 2.0]))
    tensor([-0.2689,  0.0000,  1.7616])
    """
    return _front(x, "silu", _Silu, F.silu)


def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``log(sigmoid(x))`` without overflow or cancellation, like
    ``torch.nn.functional.logsigmoid``, computed by :func:`sigmoid_ext.log_sigmoid` on
    CPU float32/float64 tensors (other tensors: PyTorch's op).  Differentiable; the
    gradient is ``grad * sigmoid(-x)``, evaluated by :func:`sigmoid_ext.sigmoid`.

    >>> import torch
    >>> import sigmoid_ext.torch as sxt
    >>> sxt.log_sigmoid(torch.tensor([-200.0, 0.0]))
    tensor([-200.0000,   -0.6931])
    """
    return _front(x, "log_sigmoid", _LogSigmoid, F.logsigmoid)
