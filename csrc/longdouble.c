/*
 * The sigmoid family in long double (x87 80-bit on x86-64: 64-bit significand, exponent
 * range to 2^+-16384; IEEE binary128 on aarch64 Linux, where the constants below still
 * give about 64 bits).  One element at a time: long double has no vector units, and the
 * point of this path is that numpy.longdouble inputs get the stable forms of the float64
 * kernels rather than NumPy formulas that cancel:
 *
 *  - exponentials only of -|x| (E = e^-|x| <= 1, no overflow), sigma from 1/(1+E) or
 *    E/(1+E);
 *  - logs in log1p form: log_sigmoid = min(x,0) - log1p(E), logit near p = 1/2 from the
 *    exact (2t-1)/(1-t);
 *  - silu' near its zero X0 from a Taylor expansion about X0, where the direct form's
 *    1 + x + E cancels;
 *  - NaN inputs come back as the same NaN (sign and payload), quieted;
 *  - the FP exception flags are left as they were found (intermediate overflow,
 *    underflow, inexact and divide-by-zero at p = 0 or 1 are normal here and must not
 *    reach numpy.errstate).
 *
 * Errors are a few long double ulps (each libm call <= 1 ulp, then a handful of
 * roundings); tests/test_longdouble.py measures them against mpmath and
 * docs/accuracy.md lists the maxima.
 */
#include <fenv.h>
#include <math.h>

#include "sx_internal.h"

/* E = e^-|x| as h*h with h = e^(-|x|/2): where E is subnormal (|x| > 11355) a product
 * x*E would multiply E's absolute rounding error by |x| (thousands of ulps of a normal
 * result); x*h*h rounds once in the result's own range instead. */
static long double sx_ld_half_exp(long double x) { return expl(-0.5L * fabsl(x)); }

/* x * E for x up to 2^+-16384, E = e^-|x|, without losing E's precision below the
 * normal range. */
static long double sx_ld_times_e(long double x, long double E, long double h)
{
    return fabsl(x) > 11000.0L ? (x * h) * h : x * E;
}

static long double sx_ld_sigmoid(long double x)
{
    long double E = expl(-fabsl(x));
    return x >= 0.0L ? 1.0L / (1.0L + E) : E / (1.0L + E);
}

static long double sx_ld_sigmoid_grad(long double x)
{
    long double E = expl(-fabsl(x));
    long double d = 1.0L + E;
    return E / (d * d);
}

/* g*y*(1-y): the formula itself.  long double is the widest format here, so products
 * that overflow are +-inf (sign from g) and g = +-inf gives +-inf (NaN only for
 * inf * 0, as the formula); 1 - y is exact for y in [1/2, 2]. */
static long double sx_ld_backward(long double g, long double y)
{
    return g * (y * (1.0L - y));
}

/* log_sigmoid(x) = min(x, 0) - log1p(E): for x < 0 both terms are negative, no
 * cancellation; -0.0 at +inf as the float64 kernel. */
static long double sx_ld_log_sigmoid(long double x)
{
    long double L = log1pl(expl(-fabsl(x)));
    return x >= 0.0L ? -L : x - L;
}

static long double sx_ld_softplus(long double x) { return -sx_ld_log_sigmoid(-x); }

/* logit(p) = +-log(t/(1-t)), t = min(p, 1-p) (1 - p exact for p >= 1/2).  For
 * t >= 1/4 the argument is near 1: log1p of the exact-numerator (2t-1)/(1-t) keeps the
 * result's relative accuracy down to p = 1/2 +- 1 ulp.  0 -> -inf, 1 -> +inf, outside
 * [0, 1] -> NaN (the float64 kernel's quiet NaN). */
static long double sx_ld_logit(long double p)
{
    if (!(p >= 0.0L && p <= 1.0L))
        return __builtin_nanl("");
    int upper = p > 0.5L;
    long double t = upper ? 1.0L - p : p;
    long double r;
    if (t == 0.0L)
        r = -__builtin_infl();
    else if (t >= 0.25L)
        r = log1pl((2.0L * t - 1.0L) / (1.0L - t));
    else
        r = logl(t / (1.0L - t));
    return upper ? -r : r;
}

/* logit'(p) = 1/(t(1-t)), symmetric about 1/2: +inf at 0, -0 and 1, NaN outside. */
static long double sx_ld_logit_grad(long double p)
{
    if (!(p >= 0.0L && p <= 1.0L))
        return __builtin_nanl("");
    long double t = p > 0.5L ? 1.0L - p : fabsl(p);
    return 1.0L / (t * (1.0L - t));
}

/* silu(x) = x sigma(x): x/(1+E) for x >= 0, xE/(1+E) below (x clamped: -inf gives -0.0,
 * not inf*0).  The sign of x is the sign of the result, zeros included. */
static long double sx_ld_silu(long double x)
{
    if (x >= 0.0L)
        return x / (1.0L + expl(-x));
    long double xc = x < -20000.0L ? -20000.0L : x;
    long double E = expl(xc), h = sx_ld_half_exp(xc);
    return copysignl(sx_ld_times_e(xc, E, h) / (1.0L + E), x);
}

/* Taylor coefficients c1..c22 of silu' about its zero X0 = X0_HI + X0_LO (mpmath, 80
 * digits, rounded to 64-bit significands): within |x - X0| < 1/4 the terms beyond c22
 * are below 2^-78 of the result. */
#define SX_LD_X0_HI (-0xa3a4b9e420905bf2p-63L)
#define SX_LD_X0_LO (0xa2d0d94faaebb5b0p-128L)
static const long double sx_ld_x0_taylor[23] = {
    0.0L,
    0xdf0a08230293f6dbp-66L, 0x962b1a2c660564a3p-66L, 0x9a9f5ab9e522ba8dp-69L,
    -0xf9687195e14c9dd5p-70L, -0xd87c1624c7e97979p-71L, 0x84c7495c783b655fp-76L,
    0xd153e578773a3564p-74L, 0xc2ba689b6a659dfcp-76L, -0xab91c6e50930a7f9p-78L,
    -0xf96c4bb3007b7653p-79L, -0xc57a07e98515ddedp-82L, 0x9d707ba8efa416c5p-82L,
    0xe6d8a77c7b248b6cp-84L, -0x830cca731938e2a9p-88L, -0xc6ffed453b354d05p-87L,
    -0xa22854efc5b571cfp-89L, 0x9eb87e80d4c7d73cp-91L, 0xc881c836428a477ep-92L,
    0x82020b6dcb9512abp-95L, -0xf78a532e3ae01288p-96L, -0xa500a57348995f1fp-97L,
    0x8cafb7a9f7e14a76p-101L,
};

/*
 * silu'(x) = sigma(x)(1 + x sigma(-x)) = N/(1+E)^2 with
 *   x >= 0:  N = 1 + E + xE                (all terms positive)
 *   x <  0:  N = E((1 + x) + E)            (1 + x exact for x in [-2, -1/2])
 * The second cancels at X0 (1 + X0 + e^X0 = 0): E's rounding is amplified by
 * E/|1 + x + E|, about 1 at |x - X0| = 1/4, so inside that the Taylor expansion about X0
 * is used: d = (x - X0_HI) - X0_LO (the first difference exact), silu' = d(c1 + d P(d)).
 * x is clamped to [-20000, 20000] (results there are already -0.0 and 1).
 */
static long double sx_ld_silu_grad(long double x)
{
    long double d = (x - SX_LD_X0_HI) - SX_LD_X0_LO;
    if (fabsl(d) < 0.25L) {
        long double p = sx_ld_x0_taylor[22];
        for (int k = 21; k >= 2; k--)
            p = p * d + sx_ld_x0_taylor[k];
        return d * (sx_ld_x0_taylor[1] + d * p);
    }
    long double xc = x < -20000.0L ? -20000.0L : (x > 20000.0L ? 20000.0L : x);
    long double E = expl(-fabsl(xc));
    long double D = 1.0L + E;
    if (xc >= 0.0L)
        return (1.0L + E + xc * E) / (D * D);
    long double h = sx_ld_half_exp(xc);
    /* E((1+x) + E) = (1+x)E + E^2 with the first product taken as x*E would be for
     * silu, so that subnormal E keeps its bits. */
    long double n = sx_ld_times_e(1.0L + xc, E, h) + E * E;
    long double r = n / (D * D);
    /* A zero here is the underflow of a negative value (x < X0 - 1/4): -0.0, as the
     * float64 kernel gives (the sum of -0 and +0 would be +0). */
    return r == 0.0L ? -0.0L : r;
}

/* log_sigmoid'(x) = sigma(-x). */
static long double sx_ld_log_sigmoid_grad(long double x) { return sx_ld_sigmoid(-x); }

/* One element, flags not restored (callers do it once per call). */
static void sx_ld_eval_raw(int func, const long double *in, long double *out)
{
    long double x = in[0];
    if (func == SX_SIGMOID_BACKWARD) {
        long double y = in[1];
        /* The first NaN input, quieted (x + x keeps sign and payload). */
        out[0] = x != x ? x + x : (y != y ? y + y : sx_ld_backward(x, y));
        return;
    }
    if (x != x) {
        out[0] = x + x;
        if (func == SX_SIGMOID_AND_GRAD)
            out[1] = x + x;
        return;
    }
    switch (func) {
    case SX_SIGMOID: out[0] = sx_ld_sigmoid(x); break;
    case SX_SIGMOID_GRAD: out[0] = sx_ld_sigmoid_grad(x); break;
    case SX_LOG_SIGMOID: out[0] = sx_ld_log_sigmoid(x); break;
    case SX_SOFTPLUS: out[0] = sx_ld_softplus(x); break;
    case SX_LOGIT: out[0] = sx_ld_logit(x); break;
    case SX_LOGIT_GRAD: out[0] = sx_ld_logit_grad(x); break;
    case SX_SILU: out[0] = sx_ld_silu(x); break;
    case SX_SILU_GRAD: out[0] = sx_ld_silu_grad(x); break;
    case SX_LOG_SIGMOID_GRAD: out[0] = sx_ld_log_sigmoid_grad(x); break;
    case SX_SIGMOID_AND_GRAD:
        out[0] = sx_ld_sigmoid(x);
        out[1] = sx_ld_sigmoid_grad(x);
        break;
    default: break;
    }
}

void sx_ld_eval(int func, const long double *in, long double *out)
{
    if (func < 0 || func >= SX_NFUNCS)
        return;
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    sx_ld_eval_raw(func, in, out);
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
}

int sx_contig_ld(int func, int64_t n, const long double *a0, const long double *a1,
                 long double *o0, long double *o1)
{
    if (func < 0 || func >= SX_NFUNCS || n < 0)
        return -1;
    const int nin = sx_arities[func].nin, nout = sx_arities[func].nout;
    if (n > 0 && (a0 == NULL || o0 == NULL || (nin > 1 && a1 == NULL) ||
                  (nout > 1 && o1 == NULL)))
        return -1;
    fexcept_t saved;
    fegetexceptflag(&saved, FE_ALL_EXCEPT);
    for (int64_t i = 0; i < n; i++) {
        /* Inputs are read into locals first: an output may be an input (in place). */
        long double in[2] = {a0[i], nin > 1 ? a1[i] : 0.0L};
        long double out[2];
        sx_ld_eval_raw(func, in, out);
        o0[i] = out[0];
        if (nout > 1)
            o1[i] = out[1];
    }
    fesetexceptflag(&saved, FE_ALL_EXCEPT);
    return 0;
}
