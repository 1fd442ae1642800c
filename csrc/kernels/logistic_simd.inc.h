/*
 * Steps 4-6 of the native kernels (logistic_f32_native.inc.h describes the algorithm)
 * and their kernel loops, written once for every vector flavour.  Included once per
 * flavour, after its primitives file has defined:
 *
 *   SX_T, SX_VT, SX_N        element type, vector type, lanes
 *   SX_F(name)               the flavour's function-name prefix (sx_vn_ / sx_vd_)
 *   SX_KNAME(name)           the table name of a kernel (name_f32 or name_f64, per ISA)
 *   SX_F(exp_reduce)         steps 1-3: q = e^r - 1, T_HI, T_LO and the scale, from
 *                            |x| only (sigma(-x) reuses them)
 *   SX_SCALE(v, scale)       v * 2^floor(s), exact
 *   arithmetic               SX_VC (broadcast), SX_VADD, SX_VSUB, SX_VMUL, SX_VDIV, SX_VFMA
 *                            (a*b + c), SX_VFNMA (c - a*b), SX_VFMS (a*b - c), SX_VXOR,
 *                            SX_VABS, SX_LOADU, SX_STOREU, SX_LOADN / SX_STOREN
 *                            (the first m lanes, masked: simd_loops.inc.h)
 *   lane selection           SX_SEL (its type), SX_SEL_SIGN(x), SX_SEL_LE(a, b),
 *                            SX_SEL_ALL, SX_BLEND(sel, a, b) = sel ? b : a,
 *                            SX_ADD_IF(sel, a, b) = sel ? a + b : a,
 *                            SX_ZERO_UNLESS(sel, a); SX_BITS_NGE / SX_BITS_NLE(a, b):
 *                            a bit per lane where a < b (a > b) or a is NaN
 *   fallback                 SX_RARE_LIMIT and the scalar kernels SX_SCALAR_SIGMOID,
 *                            SX_SCALAR_GRAD, SX_SCALAR_SIGMOID_NEG
 *
 * and undefines them at the end.
 */

/* The three stages of the staged kernels (simd_loops.inc.h): reduce (steps 1-3, the
 * flavour's), logistic_terms (steps 4-5) and a finish (step 6). */
typedef struct {
    SX_VT q, t_hi, t_lo, scale;
} SX_F(reduced);

static inline SX_F(reduced) SX_F(reduce)(SX_VT x)
{
    SX_F(reduced) e;
    SX_F(exp_reduce)(x, &e.q, &e.t_hi, &e.t_lo, &e.scale);
    return e;
}

typedef struct {
    SX_VT e_hi, e_lo, d_hi, d_lo;
} SX_F(terms);

/* Steps 4-5: E = e^-|x| = T (1 + q) 2^floor(s) = e_hi + e_lo (T_HI q + T_LO rounded
 * once, normalised by Fast2Sum, scaled exactly), and D = 1 + E = d_hi + d_lo by
 * Fast2Sum (1 >= E), plus e_lo. */
static inline SX_F(terms) SX_F(logistic_terms)(SX_F(reduced) e)
{
    SX_F(terms) p;
    SX_VT u_lo = SX_VFMA(e.t_hi, e.q, e.t_lo), u_hi;
    SX_FAST2SUM(e.t_hi, u_lo, u_hi, u_lo);
    p.e_hi = SX_SCALE(u_hi, e.scale);
    p.e_lo = SX_SCALE(u_lo, e.scale);
    const SX_VT one = SX_VC(1);
    SX_FAST2SUM(one, p.e_hi, p.d_hi, p.d_lo);
    p.d_lo = SX_VADD(p.d_lo, p.e_lo);
    return p;
}

/* (n_hi + n_lo)/(d_hi + d_lo), n_lo taken in the lanes of with_lo, rounded once
 * (step 6): y0 from the correctly rounded 1/d_hi, the residual N - y0 D by FMAs
 * (n_hi - y0 d_hi is exact), one final FMA. */
static inline SX_VT SX_F(div_dw)(SX_VT n_hi, SX_VT n_lo, SX_SEL with_lo, SX_VT d_hi,
                                 SX_VT d_lo)
{
    SX_VT inv = SX_VDIV(SX_VC(1), d_hi);
    SX_VT y0 = SX_VMUL(n_hi, inv);
    SX_VT res = SX_VFNMA(y0, d_hi, n_hi);
    res = SX_ADD_IF(with_lo, res, n_lo);
    res = SX_VFNMA(y0, d_lo, res);
    return SX_VFMA(res, inv, y0);
}

/* Stage 3 of the staged kernels, step 6 from x and its terms.
 * sigma = N/D with N = 1 (x >= 0) or E (x < 0, -0 included: the sign bit decides). */
static inline SX_VT SX_F(sigmoid_finish)(SX_VT x, SX_F(terms) p)
{
    SX_SEL neg = SX_SEL_SIGN(x);
    return SX_F(div_dw)(SX_BLEND(neg, SX_VC(1), p.e_hi), p.e_lo, neg, p.d_hi, p.d_lo);
}

/* sigma' = E/D^2, D^2 squared exactly to a double-word by FMA. */
static inline SX_VT SX_F(sigmoid_grad_finish)(SX_VT x, SX_F(terms) p)
{
    (void)x;
    SX_VT s_hi = SX_VMUL(p.d_hi, p.d_hi);
    SX_VT s_lo = SX_VFMS(p.d_hi, p.d_hi, s_hi);
    s_lo = SX_VFMA(SX_VADD(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return SX_F(div_dw)(p.e_hi, p.e_lo, SX_SEL_ALL, s_hi, s_lo);
}

/* sigma(-x), the gradient of log sigma (stages 1 and 2 are those of x: they see |x|) */
static inline SX_VT SX_F(sigmoid_neg_finish)(SX_VT x, SX_F(terms) p)
{
    return SX_F(sigmoid_finish)(SX_VXOR(x, SX_VC(-0.0)), p);
}

/* g*y*(1-y) as sx_backward_* (kernels.inc.c) computes it: y - y^2 split exactly into
 * w + w_err by FMAs (m = -y, k = y for y <= 1/2; m = 1 - y, k = 0 above), one rounding. */
static inline SX_VT SX_F(backward)(SX_VT g, SX_VT y)
{
    SX_SEL small = SX_SEL_LE(y, SX_VC(0.5));
    SX_VT m = SX_BLEND(small, SX_VSUB(SX_VC(1), y), SX_VXOR(y, SX_VC(-0.0)));
    SX_VT k = SX_ZERO_UNLESS(small, y);
    SX_VT w = SX_VFMA(m, y, k);
    SX_VT w_err = SX_VFMA(m, y, SX_VSUB(k, w));
    return SX_VFMA(g, w, SX_VMUL(g, w_err));
}

/* Lanes of backward redone by the scalar wide formula (SX_BACKWARD_RARE): result
 * infinite or NaN, neither input NaN. */
static inline unsigned SX_F(backward_rare)(SX_VT g, SX_VT y, SX_VT r)
{
    const SX_VT big = SX_VC(_Generic((SX_T)0, float: __FLT_MAX__, double: __DBL_MAX__));
    return SX_BITS_NLE(SX_VABS(r), big) & ~(SX_BITS_NLE(g, g) | SX_BITS_NLE(y, y));
}

/* Lanes for the scalar fallback: results near the subnormal range, and NaN.  A flavour
 * that leaves -|x| unclamped (SX_UNCLAMPED) sends both tails of every function there,
 * as past the limit its 2^floor(s) is no longer a normal number.  The bits stay those of
 * the clamping flavours: on the tail a function does not need the fallback for, its
 * value is 1 exactly either way (sigma(x) rounds to 1 from x = 37.5 in float64, 17.4 in
 * float32). */
static inline unsigned SX_F(rare_either_tail)(SX_VT x)    /* |x| > limit */
{
    return SX_BITS_NLE(SX_VABS(x), SX_VC(SX_RARE_LIMIT));
}
#ifdef SX_UNCLAMPED
static inline unsigned SX_F(rare_below)(SX_VT x) { return SX_F(rare_either_tail)(x); }
static inline unsigned SX_F(rare_above)(SX_VT x) { return SX_F(rare_either_tail)(x); }
#else
static inline unsigned SX_F(rare_below)(SX_VT x)          /* x < -limit */
{
    return SX_BITS_NGE(x, SX_VC(-SX_RARE_LIMIT));
}
static inline unsigned SX_F(rare_above)(SX_VT x)          /* x > limit */
{
    return SX_BITS_NLE(x, SX_VC(SX_RARE_LIMIT));
}
#endif

#define SX_FLAVOUR SX_T, SX_VT, SX_N, SX_LOADU, SX_STOREU, SX_LOADN, SX_STOREN
#define SX_STAGES SX_F(reduced), SX_F(reduce), SX_F(terms), SX_F(logistic_terms)
SX_SIMD_UNARY_KERNEL(SX_KNAME(sigmoid), SX_FLAVOUR, SX_STAGES,
                     SX_F(sigmoid_finish), SX_F(rare_below), SX_SCALAR_SIGMOID)
SX_SIMD_UNARY_KERNEL(SX_KNAME(sigmoid_grad), SX_FLAVOUR, SX_STAGES,
                     SX_F(sigmoid_grad_finish), SX_F(rare_either_tail), SX_SCALAR_GRAD)
SX_SIMD_UNARY_KERNEL(SX_KNAME(log_sigmoid_grad), SX_FLAVOUR, SX_STAGES,
                     SX_F(sigmoid_neg_finish), SX_F(rare_above), SX_SCALAR_SIGMOID_NEG)
SX_SIMD_PAIR_KERNEL(SX_KNAME(sigmoid_and_grad), SX_FLAVOUR, SX_STAGES,
                    SX_F(sigmoid_finish), SX_F(sigmoid_grad_finish),
                    SX_F(rare_either_tail), SX_SCALAR_SIGMOID, SX_SCALAR_GRAD)
SX_SIMD_BINARY_KERNEL(SX_KNAME(sigmoid_backward), SX_FLAVOUR, SX_F(backward),
                      SX_F(backward_rare), SX_SCALAR_BACKWARD_WIDE)
#undef SX_STAGES
#undef SX_FLAVOUR

#undef SX_T
#undef SX_VT
#undef SX_N
#undef SX_F
#undef SX_KNAME
#undef SX_VC
#undef SX_VADD
#undef SX_VSUB
#undef SX_VMUL
#undef SX_VDIV
#undef SX_VFMA
#undef SX_VFNMA
#undef SX_VFMS
#undef SX_VXOR
#undef SX_SCALE
#undef SX_VABS
#undef SX_LOADU
#undef SX_STOREU
#undef SX_LOADN
#undef SX_STOREN
#ifdef SX_LIVE
#  undef SX_LIVE
#endif
#undef SX_SEL
#undef SX_SEL_SIGN
#undef SX_SEL_LE
#undef SX_SEL_ALL
#undef SX_BLEND
#undef SX_ADD_IF
#undef SX_ZERO_UNLESS
#undef SX_BITS_NGE
#undef SX_BITS_NLE
#undef SX_RARE_LIMIT
#ifdef SX_UNCLAMPED
#  undef SX_UNCLAMPED
#endif
#undef SX_SCALAR_SIGMOID
#undef SX_SCALAR_GRAD
#undef SX_SCALAR_SIGMOID_NEG
#undef SX_SCALAR_BACKWARD_WIDE
