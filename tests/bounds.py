"""Documented float32 error bounds (ulp), shared by the tests.

The portable kernels evaluate float32 in double and round once: 0.5 + 2^-16 ulp for
sigmoid, sigmoid_grad and log_sigmoid_grad (2^-15 for the rest of the family).  On the
AVX2 and AVX-512 paths, sigmoid, sigmoid_grad, log_sigmoid_grad and sigmoid_and_grad are
native float32 kernels (csrc/kernels/logistic_f32_native.inc.h), one algorithm giving
the same bits on both (issue 15): within 0.6 ulp (0.56294 measured over all 2^32
inputs), nearly always correctly rounded (docs/accuracy.md).
"""

F32_WIDE = 0.5 + 2.0**-16
F32_FAMILY = 0.5 + 2.0**-15
F32_NATIVE = {"avx512": 0.6, "avx2": 0.6}
NATIVE_FUNCTIONS = {"sigmoid", "sigmoid_grad", "log_sigmoid_grad", "sigmoid_and_grad"}


def is_native(isa, name):
    return isa in F32_NATIVE and name in NATIVE_FUNCTIONS


def f32_bound(isa, name, portable=F32_WIDE):
    """Max float32 ulp error of `name` on path `isa`; `portable` for the other paths."""
    return F32_NATIVE[isa] if is_native(isa, name) else portable


def f32_not_cr_rate(isa, name):
    """Bound on the share of results that are not correctly rounded (measured over all
    2^32 inputs: 0.032 % native (AVX-512 = AVX2), 0.00006 % portable)."""
    return 5e-4 if is_native(isa, name) else 1e-5

# long double (csrc/longdouble.c, x87 80-bit): max ulp per function, over every region
# of `python tests/test_longdouble.py 20000 1` (docs/accuracy.md has the table: core,
# tails, subnormal results, silu_grad's zero, logit's ends and p near 1/2), rounded up
# with a margin for other draws.  A few ulps: each libm call (expl, log1pl, logl) is
# within 1 ulp and the quotients add a few roundings; no cancellation is left.
LD_BOUNDS = {
    "sigmoid": 2.5,             # measured 1.94
    "sigmoid_grad": 4.5,        # 3.62
    "sigmoid_backward": 3.0,    # 2.22 (any y; 1.40 for y in [0, 1])
    "log_sigmoid": 3.0,         # 2.42
    "softplus": 3.0,            # 2.48
    "logit": 4.5,               # 3.66
    "logit_grad": 2.5,          # 1.67
    "silu": 3.5,                # 2.93
    "silu_grad": 4.5,           # 3.99 (3.31 within 1 of its zero)
    "log_sigmoid_grad": 2.5,    # 1.98
}

# Hard points of the family (issue 14, item 6): the largest errors that dense mpmath
# scans found (`python tests/scan_hard_points.py --scale 5`, plus narrow scans of the
# subnormal boundaries; docs/accuracy.md), each with the input where it occurs and the
# bound stated for it.  (function, dtype name, region) -> (max ulp, at x, bound).
HARD_POINTS = {
    # x = X0's leading double: d = x - X0 is X0's own low part, whose rounding (2^-53 of
    # d) then counts in full; every other input scanned is within 0.609 (0.608269 at
    # -1.2162627572314553, by the edge of the Taylor window |x - X0| < 1/16).
    ("silu_grad", "float64", "zero"): (0.756201, -1.2784645427610737, 0.76),
    # next to v = t/(1-t) = 1/sqrt2, where the log's reduction switches (k*ln2 + log m
    # loses a factor 2 of the 2^-56 error): bound 0.5 + 2^-55 * 2^53 = 0.75.
    ("logit", "float64", "switch"): (0.557900, 0.4140987822330388, 0.75),
    # subnormal results: the scale step rounds a second time, bound < 1 ulp.
    ("silu", "float64", "subnormal"): (0.775756, -715.0002806409093, 1.0),
    ("log_sigmoid", "float64", "subnormal"): (0.782554, 708.7497428796739, 1.0),
    # outside the Taylor window (|x - X0| >= 1/32) the direct form's 2^-37 relative:
    # 0.5 + 2^-13 ulp, above the family's 0.5 + 2^-15.
    ("silu_grad", "float32", "near zero"): (0.500039, -1.224351167678833, 0.5 + 2.0**-13),
}
F32_SILU_GRAD = 0.5 + 2.0**-13
