/*
 * float64 sigma, sigma', sigma(-x) and the fused pair with AVX-512 intrinsics, 8 lanes
 * at a time: the algorithm of the native float32 kernels (logistic_f32_native.inc.h)
 * carried out in double.  Included by kernels.inc.c on the x86-64-v4 path
 * (SX_NATIVE_F64); the other paths keep the compensated portable kernel of
 * logistic_f64.inc.h, which is also the scalar fallback here.  1.9 -> 1.0 ns/element
 * (bench/kernel_timing.c), at the same bound class.
 *
 *  1. E = e^-|x| = 2^(j/16) e^r: j from the 1.5*2^48 shifter (spacing 1/16), s = j/16
 *     exact; r = -|x| - s ln2 with LN2_HI of 37 bits (s has at most 15, so s*LN2_HI and
 *     -|x| - s*LN2_HI are exact) and LN2_LO; |r| <= ln2/32.
 *  2. 2^((j mod 16)/16) = T_HI + T_LO, two 16-entry double tables in registers
 *     (vpermt2pd).
 *  3. e^r - 1 = r + r^2 P(r), P of degree 5 fitted to (e^r - 1 - r)/r^2 on
 *     |r| <= ln2/32 (Lawson's iteration, 40 digits): error < 2^-65.
 *  4-6. As for float32: U = T (1 + q) normalised to u_hi + u_lo, scaled by vscalefpd;
 *     D = 1 + E by Fast2Sum; N/D and E/D^2 from a correctly rounded reciprocal and one
 *     residual step.
 *
 * Error: the roundings of q and of T_HI q + T_LO (|q| < 2^-5.5) are each up to 2^-58.5
 * of E, the rest is smaller, so results are within 0.5 + 2^-3 ulp; 0.607 measured (an
 * 8 million point sweep, and docs/accuracy.md against mpmath), against 0.636 for the
 * portable kernel.  Lanes with x < -700 (sigma; |x| > 700 for sigma'), where E nears
 * the subnormal range and e_lo would lose bits, and NaN, go to the portable kernel.
 */
#include <immintrin.h>

#include "simd_loops.inc.h"

static const double sx_v8d_exp2_hi[16] __attribute__((aligned(64))) = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0,
    0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0, 0x1.6a09e667f3bcdp+0,
    0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0,
    0x1.ea4afa2a490dap+0,
};
static const double sx_v8d_exp2_lo[16] __attribute__((aligned(64))) = {
    0x0.0p+0, 0x1.8a62e4adc610bp-54, -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55, 0x1.ada0911f09ebcp-55, 0x1.d4397afec42e2p-56,
    0x1.6324c054647adp-54, -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55,
    0x1.6e9f156864b27p-54, 0x1.c7c46b071f2bep-56, 0x1.7a1cd345dcc81p-54,
    0x1.11065895048ddp-55, 0x1.2ed02d75b3707p-55, -0x1.e9c23179c2893p-54,
};

typedef __m512d sx_v8d;
#define SX_VD(c) _mm512_set1_pd(c)

static inline sx_v8d sx_v8d_loadu(const double *p) { return _mm512_loadu_pd(p); }
static inline void sx_v8d_storeu(double *p, sx_v8d v) { _mm512_storeu_pd(p, v); }

typedef struct {
    sx_v8d e_hi, e_lo, d_hi, d_lo;
} sx_v8d_parts;

static inline sx_v8d_parts sx_v8d_logistic_parts(sx_v8d x)
{
    const sx_v8d shifter = SX_VD(0x1.8p48);
    /* -|x| clamped below -745.2, where sigma rounds to 0 (NaN passes). */
    sx_v8d na = _mm512_max_pd(SX_VD(-750.0), _mm512_or_pd(x, SX_VD(-0.0)));
    sx_v8d kf = _mm512_fmadd_pd(na, SX_VD(0x1.71547652b82fep+0), shifter);
    sx_v8d s = _mm512_sub_pd(kf, shifter);
    sx_v8d r = _mm512_fnmadd_pd(s, SX_VD(0x1.62e42fefa0000p-1), na);
    r = _mm512_fnmadd_pd(s, SX_VD(0x1.cf79abc9e3b3ap-40), r);

    __m512i idx = _mm512_castpd_si512(kf);             /* low 4 bits: j mod 16 */
    sx_v8d t_hi = _mm512_permutex2var_pd(_mm512_load_pd(sx_v8d_exp2_hi), idx,
                                         _mm512_load_pd(sx_v8d_exp2_hi + 8));
    sx_v8d t_lo = _mm512_permutex2var_pd(_mm512_load_pd(sx_v8d_exp2_lo), idx,
                                         _mm512_load_pd(sx_v8d_exp2_lo + 8));

    sx_v8d c = _mm512_fmadd_pd(r, SX_VD(0x1.a01b87736dadap-13), SX_VD(0x1.6c1841d1dd9e6p-10));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.111111108f27fp-7));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.555555547f021p-5));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.5555555555559p-3));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.0000000000004p-1));
    sx_v8d q = _mm512_fmadd_pd(c, _mm512_mul_pd(r, r), r);

    sx_v8d u_lo = _mm512_fmadd_pd(t_hi, q, t_lo);
    sx_v8d u_hi = _mm512_add_pd(t_hi, u_lo);
    u_lo = _mm512_sub_pd(u_lo, _mm512_sub_pd(u_hi, t_hi));

    sx_v8d_parts p;
    p.e_hi = _mm512_scalef_pd(u_hi, s);
    p.e_lo = _mm512_scalef_pd(u_lo, s);
    const sx_v8d one = SX_VD(1.0);
    p.d_hi = _mm512_add_pd(one, p.e_hi);
    p.d_lo = _mm512_add_pd(_mm512_sub_pd(p.e_hi, _mm512_sub_pd(p.d_hi, one)), p.e_lo);
    return p;
}

static inline sx_v8d sx_v8d_div_dw(sx_v8d n_hi, sx_v8d n_lo, __mmask8 with_lo, sx_v8d d_hi,
                                   sx_v8d d_lo)
{
    sx_v8d inv = _mm512_div_pd(SX_VD(1.0), d_hi);
    sx_v8d y0 = _mm512_mul_pd(n_hi, inv);
    sx_v8d res = _mm512_fnmadd_pd(y0, d_hi, n_hi);
    res = _mm512_mask_add_pd(res, with_lo, res, n_lo);
    res = _mm512_fnmadd_pd(y0, d_lo, res);
    return _mm512_fmadd_pd(res, inv, y0);
}

static inline sx_v8d sx_v8d_sigmoid_from(sx_v8d x, sx_v8d_parts p)
{
    __mmask8 neg = _mm512_movepi64_mask(_mm512_castpd_si512(x));
    sx_v8d n_hi = _mm512_mask_blend_pd(neg, SX_VD(1.0), p.e_hi);
    return sx_v8d_div_dw(n_hi, p.e_lo, neg, p.d_hi, p.d_lo);
}

static inline sx_v8d sx_v8d_sigmoid_grad_from(sx_v8d_parts p)
{
    sx_v8d s_hi = _mm512_mul_pd(p.d_hi, p.d_hi);
    sx_v8d s_lo = _mm512_fmsub_pd(p.d_hi, p.d_hi, s_hi);
    s_lo = _mm512_fmadd_pd(_mm512_add_pd(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return sx_v8d_div_dw(p.e_hi, p.e_lo, (__mmask8)0xff, s_hi, s_lo);
}

static inline sx_v8d sx_v8d_sigmoid(sx_v8d x)
{
    return sx_v8d_sigmoid_from(x, sx_v8d_logistic_parts(x));
}
static inline sx_v8d sx_v8d_sigmoid_grad(sx_v8d x)
{
    return sx_v8d_sigmoid_grad_from(sx_v8d_logistic_parts(x));
}
static inline sx_v8d sx_v8d_sigmoid_neg(sx_v8d x)
{
    return sx_v8d_sigmoid(_mm512_xor_pd(x, SX_VD(-0.0)));
}

static inline unsigned sx_v8d_rare_below(sx_v8d x)         /* x < -700, NaN */
{
    return _mm512_cmp_pd_mask(x, SX_VD(-700.0), _CMP_NGE_UQ);
}
static inline unsigned sx_v8d_rare_above(sx_v8d x)         /* x > 700, NaN */
{
    return _mm512_cmp_pd_mask(x, SX_VD(700.0), _CMP_NLE_UQ);
}
static inline unsigned sx_v8d_rare_either_tail(sx_v8d x)   /* |x| > 700, NaN */
{
    return _mm512_cmp_pd_mask(_mm512_abs_pd(x), SX_VD(700.0), _CMP_NLE_UQ);
}

#define SX_V8D double, sx_v8d, 8, sx_v8d_loadu, sx_v8d_storeu
SX_SIMD_UNARY_KERNEL(SX_K(sigmoid_f64), SX_V8D, sx_v8d_sigmoid, sx_v8d_rare_below,
                     sx_sigmoid_f64)
SX_SIMD_UNARY_KERNEL(SX_K(sigmoid_grad_f64), SX_V8D, sx_v8d_sigmoid_grad,
                     sx_v8d_rare_either_tail, sx_sigmoid_grad_f64)
SX_SIMD_UNARY_KERNEL(SX_K(log_sigmoid_grad_f64), SX_V8D, sx_v8d_sigmoid_neg,
                     sx_v8d_rare_above, sxf_log_sigmoid_grad_f64)
SX_SIMD_PAIR_KERNEL(SX_K(sigmoid_and_grad_f64), SX_V8D, sx_v8d_parts, sx_v8d_logistic_parts,
                    sx_v8d_sigmoid_from, sx_v8d_sigmoid_grad_from, sx_v8d_rare_either_tail,
                    sx_sigmoid_f64, sx_sigmoid_grad_f64)
#undef SX_V8D
#undef SX_VD
