"""Docstrings of the ufuncs, in numpydoc form.

The ufunc objects are built in C (``csrc/ufuncs.c``), which takes these texts at
creation; NumPy puts the call signature in front of each.  Error bounds are the
measured maxima of ``docs/accuracy.md`` (mpmath reference, ``sigmoid-bench accuracy``
and ``python -m sigmoid_ext.bench.exhaustive``); the tests check them (``tests/bounds.py``).
"""

from __future__ import annotations

_PARAMS_1 = """\
Parameters
----------
{arg} : array_like
    Input values.  float16, float32, float64 and longdouble keep their type;
    bool and integers give float64.
out : ndarray, None, or tuple of ndarray and None, optional
    Where to put the result (broadcast and cast as for any ufunc; it may be the
    input itself, for an in-place call).
where : array_like, optional
    Where False, ``out`` keeps its value (uninitialised without ``out``).
**kwargs
    ``casting``, ``order``, ``dtype``, ``subok``, ``signature``: as for every
    NumPy ufunc."""

_SEMANTICS = """\
All four floating dtypes have their own loop: float32 and float64 run the SIMD kernels
(AVX-512, AVX2+FMA or the portable path, chosen for the CPU at import), split across
threads for long arrays (:func:`sigmoid_ext.set_num_threads`); float16 (and ml_dtypes'
bfloat16) is computed in float64 and rounded once; longdouble uses the same stable
forms in long double arithmetic.  No floating-point warning is ever raised."""


def _doc(summary: str, notes: str, examples: str, *, arg: str = "x",
         returns: str = "y : ndarray or scalar\n    The result, of the loop's dtype; a "
                        "scalar if the input is a scalar.") -> str:
    return (f"{summary}\n\n{_PARAMS_1.format(arg=arg)}\n\nReturns\n-------\n{returns}\n\n"
            f"Notes\n-----\n{notes}\n\n{_SEMANTICS}\n\nExamples\n--------\n"
            ">>> import numpy as np\n>>> import sigmoid_ext as sx\n" + examples)


DOCS: dict[str, str] = {}

DOCS["sigmoid"] = _doc(
    r"Logistic sigmoid, :math:`\sigma(x) = 1/(1+e^{-x})`, elementwise.",
    r"""A drop-in for ``scipy.special.expit`` (:data:`sigmoid_ext.expit` is the same
ufunc).  e^-|x| and 1/(1+e^-|x|) are carried with compensation terms and rounded once.

Accuracy (docs/accuracy.md): float64 within 0.65 ulp for normal results (0.523
measured on the AVX-512 and AVX2 paths, 0.636 on the x86 baseline) and 1 ulp in the
subnormal tail (0.781 measured).  float32 over all 2^32 inputs: 0.56294 ulp on AVX-512
and AVX2 (the same bits on both), 0.500012 on the portable path.  Monotone in x.
Results below the smallest normal number are correct subnormals, not flushed to zero.
sigma(0) = 0.5 exactly, sigma(+inf) = 1, sigma(-inf) = 0, NaN gives NaN.""",
    """>>> sx.sigmoid(np.array([-1.0, 0.0, 1.0]))
array([0.26894142, 0.5       , 0.73105858])
>>> sx.sigmoid(np.float32(-100.0))        # a subnormal, where 1/(1+exp(100)) is 0
np.float32(3.8e-44)
>>> x = np.linspace(-2, 2, 5, dtype=np.float32)
>>> sx.sigmoid(x, out=x) is x              # in place
True
""")

DOCS["sigmoid_grad"] = _doc(
    r"""Derivative of the sigmoid from its input,
:math:`\sigma'(x) = \sigma(x)\,\sigma(-x) = e^{-|x|}/(1+e^{-|x|})^2`.""",
    r"""Evaluated from e^-|x|, so the relative accuracy holds where y(1-y) collapses
to 0 (x > 16.6 in float32, x > 36.7 in float64).  Error bounds as :data:`sigmoid` on
each path (float32 0.56294 ulp measured over all 2^32 inputs on AVX-512 and AVX2,
bound 0.5 + 2^-16 on the portable path; float64 0.65 ulp normal, 1 ulp
subnormal).""",
    """>>> sx.sigmoid_grad(np.array([0.0, 2.0, 40.0]))
array([2.50000000e-01, 1.04993585e-01, 4.24835426e-18])
""")

DOCS["sigmoid_backward"] = _doc(
    r"""Backward pass of the sigmoid from its saved output, as deep-learning frameworks
define it: ``grad_output * output * (1 - output)``.""",
    r"""The operands broadcast.  y - y^2 is split exactly into two parts by FMAs and
g*w + g*w_err is rounded once: within 0.5 ulp plus a unit-roundoff term for y in
[0, 1], within 1.5 ulp for any y (1.381 measured).  The portable path of x86-64 has no
FMA: float32 is evaluated in float64 (one rounding); float64 rounds y - y^2 once and the
product once more for y in [0, 1] (1.349 ulp measured) and keeps y - y^2 double-word
outside it (0.500).  Where g*y*(1-y) overflows the result is the signed infinity.""",
    """>>> y = sx.sigmoid(np.array([0.0, 3.0]))
>>> sx.sigmoid_backward(np.ones(2), y)
array([0.25      , 0.04517666])
""",
    arg="grad_output, output",
)

DOCS["log_sigmoid"] = _doc(
    r"""Log of the sigmoid, :math:`\log\sigma(x) = -\log(1+e^{-x})`, as
``scipy.special.log_expit`` (:data:`sigmoid_ext.log_expit` is the same ufunc).""",
    r"""Evaluated as min(x, 0) - log1p(e^-|x|) in double-word arithmetic: nothing
overflows or cancels.  Exactly x where that is the rounded value (x <= -37 float64,
x <= -17 float32), -0.0 for large x, full relative accuracy near 0.  float64 0.58 ulp
measured for normal results, 0.783 in the subnormal tail (bound 1); float32 0.500010.""",
    """>>> sx.log_sigmoid(np.array([-800.0, 0.0, 800.0]))
array([-8.00000000e+02, -6.93147181e-01, -0.00000000e+00])
""")

DOCS["softplus"] = _doc(
    r"Softplus, :math:`\log(1+e^{x}) = -\log\sigma(-x)`.",
    r"""The kernel of :data:`log_sigmoid` on -x (the negation is exact), with its
bounds: exactly x for large x, e^x in the far negative tail (subnormals included).
Its derivative is :data:`sigmoid` (:data:`softplus_grad` is the same ufunc).""",
    """>>> sx.softplus(np.array([-800.0, 0.0, 800.0]))
array([0.00000000e+00, 6.93147181e-01, 8.00000000e+02])
""")

DOCS["logit"] = _doc(
    r"Logit, the inverse of the sigmoid: :math:`\log(p/(1-p))`.",
    r"""With t = min(p, 1-p) (exact), logit(p) = +-log(t/(1-t)) in double-word
arithmetic; near p = 1/2 the log1p form log1p((2t-1)/(1-t)) keeps the digits.  float64
0.558 ulp measured (bound 0.75), float32 0.500.  logit(0) = -inf, logit(1) = +inf, NaN outside
[0, 1] (no warning).""",
    """>>> sx.logit(np.array([0.0, 0.25, 0.5, 1.0]))
array([       -inf, -1.09861229,  0.        ,         inf])
>>> x = np.array([-3.0, 0.5, 7.0])
>>> sx.logit(sx.sigmoid(x))
array([-3. ,  0.5,  7. ])
""",
    arg="p",
)

DOCS["logit_grad"] = _doc(
    r"Derivative of :data:`logit`, :math:`1/(p(1-p))`.",
    r"""t(1-t) with t = min(p, 1-p) and its inverse are formed double-word: within
0.5 ulp plus a few units of 2^-50 (float64) where ``1/(p*(1-p))`` errs by up to 2 ulp.
+inf at p = 0 and 1, NaN outside [0, 1].""",
    """>>> sx.logit_grad(np.array([0.5, 0.9]))
array([ 4.        , 11.11111111])
""",
    arg="p",
)

DOCS["silu"] = _doc(
    r"SiLU (swish), :math:`x\,\sigma(x)`.",
    r"""sigma(x) double-word, one exact product with x, one rounding: float64 0.57 ulp
measured (0.779 in the subnormal tail, bound 1), float32 0.500.  silu(x) = x for large
x, silu(-inf) = -0.0 (no inf*0 NaN).""",
    """>>> sx.silu(np.array([-1.0, 0.0, 2.0]))
array([-0.26894142,  0.        ,  1.76159416])
""")

DOCS["silu_grad"] = _doc(
    r"Derivative of :data:`silu`, :math:`\sigma(x)\,(1 + x\,\sigma(-x))`.",
    r"""It has one zero, x0 = -1.2784645427610738; next to it 1 + x sigma(-x) cancels,
so a Taylor expansion about x0 is used there and the relative accuracy holds right up
to the zero.  float64 0.756 ulp measured at the zero's leading double, 0.608
elsewhere (bound 0.76); float32 0.500039 (bound 0.5 + 2^-13).""",
    """>>> sx.silu_grad(np.array([-1.2784645427610738, 0.0, 50.0]))
array([-2.45200794e-17,  5.00000000e-01,  1.00000000e+00])
""")

DOCS["log_sigmoid_grad"] = _doc(
    r"Derivative of :data:`log_sigmoid`, :math:`\sigma(-x)`.",
    r"""Bit for bit ``sigmoid(-x)``, without the pass that negates x.""",
    """>>> sx.log_sigmoid_grad(np.array([-1.0, 0.0, 1.0]))
array([0.73105858, 0.5       , 0.26894142])
""")

DOCS["sigmoid_and_grad"] = _doc(
    r"Both :math:`\sigma(x)` and :math:`\sigma'(x)` in one pass over memory.",
    r"""Bit for bit ``(sigmoid(x), sigmoid_grad(x))``, but x is read once and the
exponential is shared.  Outputs go to ``out=(y_out, g_out)`` (entries may be None),
as for any ufunc with two outputs.""",
    """>>> y, g = sx.sigmoid_and_grad(np.array([0.0, 2.0]))
>>> y, g
(array([0.5       , 0.88079708]), array([0.25      , 0.10499359]))
""",
    returns="y, g : ndarray or scalar\n    sigma(x) and sigma'(x).",
)
