"""Pure-Python reference implementations: the oracle of the test suite.

Only the ``math`` module, scalar floats in and out (Python floats are IEEE doubles).
The formulas are the numerically stable ones: exp is only taken of -|x|, so nothing
overflows, and the gradient never forms 1 - sigma(x).  Each is accurate to a few ulp of
double precision, far below the float32 ulp, and is checked against mpmath in the tests.
"""

from __future__ import annotations

import math


def sigmoid(x: float) -> float:
    """1/(1+e^-x)."""
    if math.isnan(x):
        return math.nan
    e = math.exp(-abs(x))
    return 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)


def sigmoid_grad(x: float) -> float:
    """sigma(x)*sigma(-x) = e^-|x|/(1+e^-|x|)^2."""
    if math.isnan(x):
        return math.nan
    e = math.exp(-abs(x))
    return e / ((1.0 + e) * (1.0 + e))


def sigmoid_backward(grad_output: float, output: float) -> float:
    """grad_output * output * (1 - output)."""
    return grad_output * (output * (1.0 - output))


expit = sigmoid
