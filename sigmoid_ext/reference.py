"""Pure-Python reference implementations: the oracle of the test suite.

Only the ``math`` module, scalar floats in and out (Python floats are IEEE doubles).
The formulas are the numerically stable ones: exp is only taken of -|x|, so nothing
overflows, and the gradient never forms 1 - sigma(x).  Each is accurate to a few ulp of
double precision, far below the float32 ulp, and is checked against mpmath in the tests.
"""

from __future__ import annotations

import math


def sigmoid(x: float) -> float:
    """1/(1+e^-x).

    >>> sigmoid(0.0)
    0.5
    """
    if math.isnan(x):
        return math.nan
    e = math.exp(-abs(x))
    return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)


def sigmoid_grad(x: float) -> float:
    """sigma(x)*sigma(-x) = e^-|x|/(1+e^-|x|)^2.

    >>> sigmoid_grad(0.0)
    0.25
    """
    if math.isnan(x):
        return math.nan
    e = math.exp(-abs(x))
    return e / ((1.0 + e) * (1.0 + e))


def sigmoid_backward(grad_output: float, output: float) -> float:
    """grad_output * output * (1 - output).

    >>> sigmoid_backward(2.0, 0.5)
    0.5
    """
    return grad_output * (output * (1.0 - output))


def log_sigmoid(x: float) -> float:
    """log sigma(x) = min(x, 0) - log1p(e^-|x|); -0.0 (not +0.0) where the tiny negative
    value rounds to zero, +inf included.

    >>> log_sigmoid(-800.0)
    -800.0
    """
    if math.isnan(x):
        return math.nan
    if x >= 0:
        return -math.log1p(math.exp(-x))
    return x - math.log1p(math.exp(x))


def softplus(x: float) -> float:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|).

    >>> softplus(800.0)
    800.0
    """
    if math.isnan(x):
        return math.nan
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def logit(p: float) -> float:
    """log(p/(1-p)); the log1p form near p = 1/2, where log(p/(1-p)) cancels.

    >>> logit(0.5)
    0.0
    """
    if not 0.0 <= p <= 1.0:                       # also NaN
        return math.nan
    if p == 0.0 or p == 1.0:
        return -math.inf if p == 0.0 else math.inf
    if 0.25 <= p <= 0.75:
        return math.log1p((2.0 * p - 1.0) / (1.0 - p))
    return math.log(p / (1.0 - p))


def logit_grad(p: float) -> float:
    """1/(p(1-p)); +inf at 0, 1 and on overflow.

    >>> logit_grad(0.5)
    4.0
    """
    if not 0.0 <= p <= 1.0:
        return math.nan
    d = p * (1.0 - p)
    return 1.0 / d if d > 1.0 / 1.7976931348623157e308 else math.inf


def _times_exp(c: float, x: float) -> float:
    """c * e^x for x <= 0, with one rounding into the subnormal range: e^x is taken as
    e^(x + 600) * e^-600 (x + 600 is exact there), the scale applied last."""
    if x < -600.0:
        return (c * math.exp(x + 600.0)) * math.exp(-600.0)
    return c * math.exp(x)


def silu(x: float) -> float:
    """x * sigma(x) = x e^x/(1 + e^x) for x < 0; -0.0 at -inf (no inf*0).

    >>> silu(0.0)
    0.0
    """
    if math.isinf(x):
        return x if x > 0 else -0.0
    if x < 0:
        return _times_exp(x / (1.0 + math.exp(x)), x)
    return x * sigmoid(x)


def silu_grad(x: float) -> float:
    """sigma(x) (1 + x sigma(-x)) = e^x (1 + x + e^x)/(1 + e^x)^2 for x < 0.  Loses
    relative accuracy next to the zero x0 = -1.2784645...; the tests check that region
    against mpmath instead.

    >>> silu_grad(0.0)
    0.5
    """
    if math.isinf(x):
        return 1.0 if x > 0 else -0.0
    if x < 0:
        e = math.exp(x)
        return _times_exp((1.0 + x + e) / ((1.0 + e) * (1.0 + e)), x)
    return sigmoid(x) * (1.0 + x * sigmoid(-x))


def log_sigmoid_grad(x: float) -> float:
    """sigma(-x).

    >>> log_sigmoid_grad(0.0)
    0.5
    """
    return sigmoid(-x)


def sigmoid_and_grad(x: float) -> tuple:
    """(sigma(x), sigma'(x)).

    >>> sigmoid_and_grad(0.0)
    (0.5, 0.25)
    """
    return sigmoid(x), sigmoid_grad(x)


expit = sigmoid
log_expit = log_sigmoid
softplus_grad = sigmoid
