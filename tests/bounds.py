"""Documented float32 error bounds (ulp), shared by the tests.

The portable kernels evaluate float32 in double and round once: 0.5 + 2^-16 ulp for
sigmoid, sigmoid_grad and log_sigmoid_grad (2^-15 for the rest of the family).  On the
AVX2 and AVX-512 paths, sigmoid, sigmoid_grad, log_sigmoid_grad and sigmoid_and_grad are
native float32 kernels (csrc/kernels/logistic_f32_native.inc.h): within 0.5 + 2^-5 ulp
on AVX-512 and 0.5 + 2^-3 on AVX2 (whose 8-entry table leaves a larger reduced argument),
nearly always correctly rounded (docs/accuracy.md: all 2^32 inputs measured).
"""

F32_WIDE = 0.5 + 2.0**-16
F32_FAMILY = 0.5 + 2.0**-15
F32_NATIVE = {"avx512": 0.5 + 2.0**-5, "avx2": 0.5 + 2.0**-3}
NATIVE_FUNCTIONS = {"sigmoid", "sigmoid_grad", "log_sigmoid_grad", "sigmoid_and_grad"}


def is_native(isa, name):
    return isa in F32_NATIVE and name in NATIVE_FUNCTIONS


def f32_bound(isa, name, portable=F32_WIDE):
    """Max float32 ulp error of `name` on path `isa`; `portable` for the other paths."""
    return F32_NATIVE[isa] if is_native(isa, name) else portable


def f32_not_cr_rate(isa, name):
    """Bound on the share of results that are not correctly rounded (measured over all
    2^32 inputs: 0.008 % on AVX-512, 0.026 % on AVX2, 0.00006 % portable)."""
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
