/*
 * Kernels of one instruction-set path.  An ISA translation unit (csrc/isa/isa_*.c) sets
 * the compiler target, defines SX_ISA (a name suffix), SX_ISA_NAME and SX_HAS_FMA, and
 * includes this file; the loops below are plain C that the compiler vectorises for that
 * target (see docs/vectorization.md for the report).  A path that defines SX_NATIVE_SIMD
 * (its vector width, 256 or 512) takes its sigmoid kernels from the intrinsics of
 * logistic_f32_native.inc.h and logistic_f64_native.inc.h instead.
 *
 * Each kernel computes a block of SX_BLOCK results into a local buffer and then copies
 * it out.  The buffer cannot alias the input, so the compiler vectorises without runtime
 * alias checks, and `out` may be the input itself (in place) with defined behaviour.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../sx_internal.h"

#if SX_HAS_FMA
#  define SX_FMA(a, b, c) _Generic((a), float: __builtin_fmaf, double: __builtin_fma)(a, b, c)
#else
#  define SX_FMA(a, b, c) ((a) * (b) + (c))
#endif
#define SX_FABS(a) _Generic((a), float: __builtin_fabsf, double: __builtin_fabs)(a)

/* c[0] + c[1] r + ... + c[n-1] r^(n-1) by Horner's rule, one FMA per step.  Every
 * polynomial of the kernels goes through here.  The unroll pragma matters: left rolled,
 * the inner loop stops gcc from vectorising the element loop around it. */
static inline double sx_horner_f64(double r, const double *c, int n)
{
    double p = c[n - 1];
#pragma GCC unroll 16
    for (int j = n - 2; j >= 0; j--)
        p = SX_FMA(p, r, c[j]);
    return p;
}

/* 1/j! rounded to double, j = 0..14: the Taylor coefficients of e^r. */
static const double sx_inv_fact[15] = {
    1.0, 1.0, 0.5, 0x1.5555555555555p-3, 0x1.5555555555555p-5, 0x1.1111111111111p-7,
    0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16,
    0x1.71de3a556c734p-19, 0x1.27e4fb7789f5cp-22, 0x1.ae64567f544e4p-26,
    0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33, 0x1.93974a8c07c9dp-37,
};

#define SX_CORE_F64
#include "logistic_core.inc.h"
#undef SX_CORE_F64
#include "logistic_f64.inc.h"

#define SX_CAT2(a, b) a##_##b
#define SX_CAT(a, b) SX_CAT2(a, b)
#define SX_K(name) SX_CAT(name, SX_ISA)

/* Round the double-word value hi + lo (|lo| <= ulp(hi)/2) to float exactly once:
 * first to 53 bits with round-to-odd (hi, nudged to its odd neighbour towards lo when
 * lo != 0 and hi is even), then to 24 bits.  Round-to-odd at p >= 24 + 2 bits makes the
 * second rounding correct (Boldo & Melquiond).  NaN has lo = NaN: no nudge. */
static inline float sx_round_dw_to_f32(double hi, double lo)
{
    uint64_t b = sx_bits_f64(hi);
    uint64_t step = (uint64_t)(int64_t)((lo > 0) - (lo < 0));
    uint64_t even_mask = (uint64_t)0 - ((~b) & 1);
    return (float)sx_from_bits_f64(b + (step & even_mask));
}

/* float32 sigma evaluated on the double-word double path: correctly rounded except where
 * the true value lies within ~2^-56 relative of a float midpoint. */
static inline float sx_sigmoid_f32_wide(float xf)
{
    double hi, lo, f1, f2;
    sx_sigmoid_dw_f64((double)xf, &hi, &lo, &f1, &f2);
    /* Scale both words: exact, all results >= 2^-153 are normal doubles. */
    double s = f1 * f2;
    return sx_round_dw_to_f32(hi * s, lo * s);
}

/* e^-|x| for float32 x, in plain double arithmetic: e^-|x| = 2^k e^r with |r| <= ln2/2,
 * e^r from a degree-8 minimax polynomial (relative error < 2^-40.2 on |r| <= ln2/2 with
 * these double coefficients, fitted by Lawson's iteration in 40-digit arithmetic; two
 * FMAs fewer than the degree-10 Taylor form it replaces, at a similar bound).  The
 * one-constant reduction errs by < 2^-47 for |k| <= 174.  Inputs below `lo` (>= -120)
 * are clamped: every result built on e^-|x| has rounded to its limit there (-105 for
 * sigma; silu and silu' need -120, see family.inc.c).  NaN stays NaN. */
static inline double sx_exp_neg_abs_clamped_f32(float xf, double lo)
{
    double a = -__builtin_fabs((double)xf);
    a = a < lo ? lo : a;
    double kd = SX_FMA(a, 0x1.71547652b82fep0, 0x1.8p52);
    uint64_t m = UINT64_C(0x4338000000000000) - sx_bits_f64(kd);   /* m = -k in [0, 174] */
    kd -= 0x1.8p52;
    double r = SX_FMA(kd, -0x1.62e42fefa39efp-1, a);
    static const double exp_minimax[9] = {
        0x1.ffffffffff7a3p-1, 0x1.ffffffffd563bp-1, 0x1.0000000087f44p-1,
        0x1.555555a081824p-3, 0x1.555554050fadbp-5, 0x1.111082af769fap-7,
        0x1.6c18b33cf4d45p-10, 0x1.a1a81ba27b43dp-13, 0x1.9eda90767aafcp-16,
    };
    double p = sx_horner_f64(r, exp_minimax, 9);
    return p * sx_from_bits_f64((UINT64_C(1023) - m) << 52);      /* 2^k >= 2^-174: normal */
}

static inline double sx_exp_neg_abs_f32(float xf) { return sx_exp_neg_abs_clamped_f32(xf, -105.0); }

/* float32 sigma and sigma', the default paths.  The double quotients below are within
 * ~2^-40 relative of the true values, so the single rounding to float gives at most
 * 0.5 + 2^-16 ulp, and nearly every result is correctly rounded (bench/exhaustive.py
 * counts the exceptions over all 2^32 inputs).  Float subnormal results are normal
 * doubles here, so they are rounded once, not flushed. */
static inline float sx_sigmoid_f32_fast(float x)
{
    double e = sx_exp_neg_abs_f32(x);
    double num = x >= 0.0f ? 1.0 : e;           /* NaN: e is NaN, so the result is NaN */
    return (float)(num / (1.0 + e));
}

static inline float sx_sigmoid_grad_f32_fast(float x)
{
    double e = sx_exp_neg_abs_f32(x);
    double d = 1.0 + e;
    return (float)(e / (d * d));
}

/* g*y*(1-y), from the saved output y.  With FMA: y - y^2 is split exactly into
 * w + w_err and g*w + g*w_err is rounded once (error <= 0.5 ulp plus a term of the
 * order of the unit roundoff, for y in [0, 1]; < 1.5 ulp for any y, 1.381 measured:
 * below 0, y - w is rounded, and above 2 so is 1 - y, each adding up to 1 ulp of w's
 * size; see docs/accuracy.md): for y <= 1/2,
 * w = fma(-y, y, y) and y - w is exact (Sterbenz: w >= y/2); for y > 1/2, 1 - y is exact
 * while y <= 2 (above, its rounding is 2^-53 relative of a factor far from 0) and
 * w = (1-y)*y; either way w_err is one more FMA.  In float this is also twice the speed
 * of a double evaluation, which the conversions dominate.
 * Without FMA (baseline path): float is evaluated in double, every step exact but the
 * product with g (<= 0.5 ulp + 2^-29).  double, y in [0, 1]: y - y^2 with Dekker's exact
 * y^2 and one rounding, then one more for the product with g (< 1.5 ulp, 1.349
 * measured; kept as it was, so results there are unchanged).  double, y outside [0, 1]: two more roundings would
 * reach 2.08 ulp (y = 2.58), so there y - y^2 is kept double-word (TwoSum on the exact
 * y^2) and multiplied by g with one rounding: 0.5 ulp + O(2^-100).
 * Results that come out infinite or NaN from finite-or-infinite non-NaN inputs (y(1-y)
 * overflows: |y| > 1.8e19 float, 1.3e154 double; y = +-inf; g = +-inf, where the
 * split's g*w + g*w_err meets inf - inf or inf*0) are recomputed by
 * sx_backward_wide_*: the formula in the next wider format, whose range holds every
 * such product, rounded once more: +-inf where the product overflows (sign from g),
 * finite where a small g brings it back into range, NaN only for inf * 0. */
static inline float sx_backward_wide_f32(float g, float y)
{
    double yd = y;
    return (float)((double)g * (yd * (1.0 - yd)));
}
static inline double sx_backward_wide_f64(double g, double y)
{
    long double yl = y;
    return (double)((long double)g * (yl * (1.0L - yl)));
}
/* Whether a result r of finite-or-infinite inputs needs the wide formula. */
#define SX_BACKWARD_RARE(g, y, r)                                             \
    (!(SX_FABS(r) <= _Generic((r), float: __FLT_MAX__, double: __DBL_MAX__)) \
     && (g) == (g) && (y) == (y))

#if SX_HAS_FMA
#  define SX_DEFINE_BACKWARD(name, T)                                         \
    static inline T name(T g, T y)                                            \
    {                                                                         \
        int small = y <= (T)0.5;                                              \
        T m = small ? -y : (T)1 - y;                                          \
        T k = small ? y : (T)0;                                               \
        T w = SX_FMA(m, y, k);                                                \
        T w_err = SX_FMA(m, y, k - w);                                        \
        return SX_FMA(g, w, g * w_err);                                       \
    }
SX_DEFINE_BACKWARD(sx_backward_f32, float)
SX_DEFINE_BACKWARD(sx_backward_f64, double)
#else
static inline float sx_backward_f32(float g, float y)
{
    double yd = y;
    return (float)((double)g * (yd * (1.0 - yd)));
}
static inline double sx_backward_f64(double g, double y)
{
    double hh, hl;
    sx_two_prod_f64(y, y, &hh, &hl);
    double inside = g * ((y - hh) - hl);
    /* y - y^2 = s + se - hl exactly; wh + wl its double-word sum. */
    double s = y - hh;
    double bb = s - y;
    double se = (y - (s - bb)) + (-hh - bb);
    double t = se - hl;
    double wh = s + t;
    double wl = (s - wh) + t;                   /* |s| >= |t| outside [0, 1] */
    double ph, pl;
    sx_two_prod_f64(g, wh, &ph, &pl);
    double outside = ph + (pl + g * wl);
    /* Overflowing lanes (Dekker's split of |v| > 2^996 gives NaN) are redone wide. */
    return (y >= 0.0 && y <= 1.0) ? inside : outside;
}
#endif

/* Two inputs, one output, for sigmoid_backward: a block of lanes, then the rare lanes
 * (SX_BACKWARD_RARE) are redone by the wide formula.  The inputs are
 * read again before the block is copied out, so out may alias either input. */
#define SX_BACKWARD_KERNEL(kname, T, fn, wide_fn)                             \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *a = (const T *)args[0];                                      \
        const T *b = (const T *)args[1];                                      \
        T *y = (T *)args[2];                                                  \
        T buf[SX_BLOCK];                                                      \
        for (size_t i = 0; i < n; i += SX_BLOCK) {                            \
            size_t m = n - i < SX_BLOCK ? n - i : SX_BLOCK;                   \
            int rare = 0;                                                     \
            for (size_t j = 0; j < m; j++) {                                  \
                T r = fn(a[i + j], b[i + j]);                                 \
                rare |= SX_BACKWARD_RARE(a[i + j], b[i + j], r);              \
                buf[j] = r;                                                   \
            }                                                                 \
            if (__builtin_expect(rare, 0))                                    \
                for (size_t j = 0; j < m; j++)                                \
                    if (SX_BACKWARD_RARE(a[i + j], b[i + j], buf[j]))         \
                        buf[j] = wide_fn(a[i + j], b[i + j]);                 \
            memcpy(y + i, buf, m * sizeof(T));                                \
        }                                                                     \
    }

#define SX_UNARY_KERNEL(kname, T, fn)                                         \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y = (T *)args[1];                                                  \
        T buf[SX_BLOCK];                                                      \
        for (size_t i = 0; i < n; i += SX_BLOCK) {                            \
            size_t m = n - i < SX_BLOCK ? n - i : SX_BLOCK;                   \
            for (size_t j = 0; j < m; j++) {                                  \
                T v = x[i + j], r = fn(v);                                    \
                /* NaN in, the same NaN (quieted) out: the sign and payload   \
                 * of a NaN computed from garbage would depend on operand     \
                 * order, which differs between SIMD body and scalar tail. */ \
                buf[j] = v == v ? r : v + v;                                  \
            }                                                                 \
            memcpy(y + i, buf, m * sizeof(T));                                \
        }                                                                     \
    }

/* 1 input, 2 outputs (sigmoid_and_grad): one read of x, both results from the same
 * inlined evaluations (the compiler shares their common subexpressions). */
#define SX_UNARY2_KERNEL(kname, T, fn0, fn1)                                  \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y0 = (T *)args[1];                                                 \
        T *y1 = (T *)args[2];                                                 \
        T buf0[SX_BLOCK], buf1[SX_BLOCK];                                     \
        for (size_t i = 0; i < n; i += SX_BLOCK) {                            \
            size_t m = n - i < SX_BLOCK ? n - i : SX_BLOCK;                   \
            for (size_t j = 0; j < m; j++) {                                  \
                T v = x[i + j], r0 = fn0(v), r1 = fn1(v);                     \
                buf0[j] = v == v ? r0 : v + v;   /* as SX_UNARY_KERNEL */     \
                buf1[j] = v == v ? r1 : v + v;                                \
            }                                                                 \
            memcpy(y0 + i, buf0, m * sizeof(T));                              \
            memcpy(y1 + i, buf1, m * sizeof(T));                              \
        }                                                                     \
    }

#ifndef SX_F32_SIGMOID
#  define SX_F32_SIGMOID sx_sigmoid_f32_fast
#endif

/* The rest of the family (log_sigmoid, softplus, logit, silu, gradients). */
#include "family.inc.c"

/* log_sigmoid'(x) = sigma(-x): negation is exact, so sigmoid's bound, in one pass. */
static inline float sxf_log_sigmoid_grad_f32(float x) { return SX_F32_SIGMOID(-x); }
static inline double sxf_log_sigmoid_grad_f64(double x) { return sx_sigmoid_f64(-x); }

#if defined(SX_NATIVE_SIMD)
/* sigma, sigma', sigma(-x), the pair and the backward pass with intrinsics. */
#  include "logistic_f32_native.inc.h"
#  include "logistic_f64_native.inc.h"
#else
/* The same five from the plain-C loops, one instantiation per dtype. */
#  define SX_LOGISTIC_KERNELS(sfx, T, sigmoid, grad, sigmoid_neg, backward)          \
    SX_UNARY_KERNEL(SX_K(sigmoid_##sfx), T, sigmoid)                          \
    SX_UNARY_KERNEL(SX_K(sigmoid_grad_##sfx), T, grad)                        \
    SX_UNARY_KERNEL(SX_K(log_sigmoid_grad_##sfx), T, sigmoid_neg)             \
    SX_UNARY2_KERNEL(SX_K(sigmoid_and_grad_##sfx), T, sigmoid, grad)          \
    SX_BACKWARD_KERNEL(SX_K(sigmoid_backward_##sfx), T, backward##_##sfx, backward##_wide_##sfx)
SX_LOGISTIC_KERNELS(f32, float, SX_F32_SIGMOID, sx_sigmoid_grad_f32_fast,
                    sxf_log_sigmoid_grad_f32, sx_backward)
SX_LOGISTIC_KERNELS(f64, double, sx_sigmoid_f64, sx_sigmoid_grad_f64,
                    sxf_log_sigmoid_grad_f64, sx_backward)
#  undef SX_LOGISTIC_KERNELS
#endif

/* The double-word float32 path, kept for comparison (docs/accuracy.md): correctly
 * rounded on every input checked, 3x the time of the default. */
SX_UNARY_KERNEL(SX_K(sigmoid_f32_wide), float, sx_sigmoid_f32_wide)

/* The family: one instantiation per (function, dtype); the math is in family.inc.c. */
#define SX_FAMILY_KERNELS(name)                                               \
    SX_UNARY_KERNEL(SX_K(name##_f32), float, sxf_##name##_f32)               \
    SX_UNARY_KERNEL(SX_K(name##_f64), double, sxf_##name##_f64)
SX_FAMILY_KERNELS(log_sigmoid)
SX_FAMILY_KERNELS(softplus)
SX_FAMILY_KERNELS(logit)
SX_FAMILY_KERNELS(logit_grad)
SX_FAMILY_KERNELS(silu)
SX_FAMILY_KERNELS(silu_grad)
#undef SX_FAMILY_KERNELS

const sx_isa_table SX_K(sx_table) = {
    SX_ISA_NAME,
    {
        [SX_SIGMOID] = {SX_K(sigmoid_f32), SX_K(sigmoid_f64)},
        [SX_SIGMOID_GRAD] = {SX_K(sigmoid_grad_f32), SX_K(sigmoid_grad_f64)},
        [SX_SIGMOID_BACKWARD] = {SX_K(sigmoid_backward_f32), SX_K(sigmoid_backward_f64)},
        [SX_LOG_SIGMOID] = {SX_K(log_sigmoid_f32), SX_K(log_sigmoid_f64)},
        [SX_SOFTPLUS] = {SX_K(softplus_f32), SX_K(softplus_f64)},
        [SX_LOGIT] = {SX_K(logit_f32), SX_K(logit_f64)},
        [SX_LOGIT_GRAD] = {SX_K(logit_grad_f32), SX_K(logit_grad_f64)},
        [SX_SILU] = {SX_K(silu_f32), SX_K(silu_f64)},
        [SX_SILU_GRAD] = {SX_K(silu_grad_f32), SX_K(silu_grad_f64)},
        [SX_LOG_SIGMOID_GRAD] = {SX_K(log_sigmoid_grad_f32), SX_K(log_sigmoid_grad_f64)},
        [SX_SIGMOID_AND_GRAD] = {SX_K(sigmoid_and_grad_f32), SX_K(sigmoid_and_grad_f64)},
    },
};

void SX_K(sx_sigmoid_f32_wide)(char *const *args, size_t n) { SX_K(sigmoid_f32_wide)(args, n); }
