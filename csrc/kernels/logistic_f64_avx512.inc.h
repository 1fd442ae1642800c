/*
 * AVX-512 primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 16-entry 2^(i/16) tables read by
 * vpermt2pd, 2^floor(s) applied by vscalefpd, lane selection by mask registers.
 */

#define SX_T double
#define SX_VT __m512d
#define SX_N 8
#define SX_F(name) sx_vd_##name
#define SX_KNAME(name) SX_K(name##_f64)
#define SX_VC(c) _mm512_set1_pd(c)
#define SX_VADD _mm512_add_pd
#define SX_VSUB _mm512_sub_pd
#define SX_VMUL _mm512_mul_pd
#define SX_VDIV _mm512_div_pd
#define SX_VFMA _mm512_fmadd_pd
#define SX_VFNMA _mm512_fnmadd_pd
#define SX_VFMS _mm512_fmsub_pd
#define SX_VXOR _mm512_xor_pd
#define SX_LOADU _mm512_loadu_pd
#define SX_STOREU _mm512_storeu_pd
#define SX_LOADN(p, m) _mm512_maskz_loadu_pd((__mmask8)((1u << (m)) - 1), p)
#define SX_STOREN(p, m, v) _mm512_mask_storeu_pd(p, (__mmask8)((1u << (m)) - 1), v)
#define SX_SEL __mmask8
#define SX_SEL_SIGN(x) _mm512_movepi64_mask(_mm512_castpd_si512(x))
#define SX_SEL_LE(a, b) _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ)
#define SX_SEL_ALL ((__mmask8)0xff)
#define SX_BLEND(sel, a, b) _mm512_mask_blend_pd(sel, a, b)
#define SX_ADD_IF(sel, a, b) _mm512_mask_add_pd(a, sel, a, b)
#define SX_ZERO_UNLESS(sel, a) _mm512_maskz_mov_pd(sel, a)
#define SX_BITS_NGE(a, b) ((unsigned)_mm512_cmp_pd_mask(a, b, _CMP_NGE_UQ))
#define SX_BITS_NLE(a, b) ((unsigned)_mm512_cmp_pd_mask(a, b, _CMP_NLE_UQ))
#define SX_VABS _mm512_abs_pd
#define SX_RARE_LIMIT 700.0

/* Steps 1-4: e^-|x| = *e_hi + *e_lo (the operations of logistic_f64_native.inc.h; the
 * AVX2 flavour runs the same ones, so both give the same bits). */
static inline void SX_F(exp_neg_abs)(SX_VT x, SX_VT *e_hi, SX_VT *e_lo)
{
    const SX_VT shifter = SX_VC(SX_F64_SHIFTER);
    /* -min(|x|, 708) in one op (NaN lanes: the fallback). */
    SX_VT na = _mm512_range_pd(x, SX_VC(-SX_F64_CLAMP), 0x0e);
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F64_LOG2E), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F64_LN2_HI), na);
    r = SX_VFNMA(s, SX_VC(SX_F64_LN2_LO), r);

    __m512i idx = _mm512_castpd_si512(kf);             /* low 4 bits: j mod 16 */
    /* entry idx of a 16-double table held in two registers */
#define SX_LOOKUP(tab) _mm512_permutex2var_pd(_mm512_load_pd(tab), idx, _mm512_load_pd((tab) + 8))
    SX_VT t_hi = SX_LOOKUP(sx_vd_exp2_hi), t_lo = SX_LOOKUP(sx_vd_exp2_lo);
#undef SX_LOOKUP

    SX_F64_EXPM1_POLY(r, q);

    SX_VT u_lo = SX_VFMA(t_hi, q, t_lo);
    SX_VT u_hi;
    SX_FAST2SUM(t_hi, u_lo, u_hi, u_lo);

    *e_hi = _mm512_scalef_pd(u_hi, s);
    *e_lo = _mm512_scalef_pd(u_lo, s);
}
