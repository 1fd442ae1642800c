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

static const double sx_vd_exp2_hi[16] __attribute__((aligned(64))) = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0,
    0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0, 0x1.6a09e667f3bcdp+0,
    0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0,
    0x1.ea4afa2a490dap+0,
};
static const double sx_vd_exp2_lo[16] __attribute__((aligned(64))) = {
    0x0.0p+0, 0x1.8a62e4adc610bp-54, -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55, 0x1.ada0911f09ebcp-55, 0x1.d4397afec42e2p-56,
    0x1.6324c054647adp-54, -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55,
    0x1.6e9f156864b27p-54, 0x1.c7c46b071f2bep-56, 0x1.7a1cd345dcc81p-54,
    0x1.11065895048ddp-55, 0x1.2ed02d75b3707p-55, -0x1.e9c23179c2893p-54,
};

/* Steps 1-4: e^-|x| = *e_hi + *e_lo. */
static inline void SX_F(exp_neg_abs)(SX_VT x, SX_VT *e_hi, SX_VT *e_lo)
{
    const SX_VT shifter = SX_VC(0x1.8p48);
    /* -|x| clamped below -745.2, where sigma rounds to 0 (NaN lanes: the fallback). */
    SX_VT na = _mm512_range_pd(x, SX_VC(750.0), 0x0e);   /* -min(|x|, 750): one op */
    SX_VT kf = SX_VFMA(na, SX_VC(0x1.71547652b82fep+0), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(0x1.62e42fefa0000p-1), na);
    r = SX_VFNMA(s, SX_VC(0x1.cf79abc9e3b3ap-40), r);

    __m512i idx = _mm512_castpd_si512(kf);             /* low 4 bits: j mod 16 */
    /* entry idx of a 16-double table held in two registers */
#define SX_LOOKUP(tab) _mm512_permutex2var_pd(_mm512_load_pd(tab), idx, _mm512_load_pd((tab) + 8))
    SX_VT t_hi = SX_LOOKUP(sx_vd_exp2_hi), t_lo = SX_LOOKUP(sx_vd_exp2_lo);
#undef SX_LOOKUP

    SX_VT c = SX_VFMA(r, SX_VC(0x1.a01b87736dadap-13), SX_VC(0x1.6c1841d1dd9e6p-10));
    c = SX_VFMA(c, r, SX_VC(0x1.111111108f27fp-7));
    c = SX_VFMA(c, r, SX_VC(0x1.555555547f021p-5));
    c = SX_VFMA(c, r, SX_VC(0x1.5555555555559p-3));
    c = SX_VFMA(c, r, SX_VC(0x1.0000000000004p-1));
    SX_VT q = SX_VFMA(c, SX_VMUL(r, r), r);

    SX_VT u_lo = SX_VFMA(t_hi, q, t_lo);
    SX_VT u_hi;
    SX_FAST2SUM(t_hi, u_lo, u_hi, u_lo);

    *e_hi = _mm512_scalef_pd(u_hi, s);
    *e_lo = _mm512_scalef_pd(u_lo, s);
}
