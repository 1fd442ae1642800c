/*
 * AVX-512 primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 32-entry 2^(i/32) tables read by
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

#define SX_SCALE(v, s) _mm512_scalef_pd(v, s)         /* v * 2^floor(s) */
/* Steps 1-3 (the operations of logistic_f64_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and how 2^floor(s) is applied
 * (SX_SCALE).  logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    /* -min(|x|, 708) in one op (NaN lanes: the fallback). */
    SX_VT na = _mm512_range_pd(x, SX_VC(-SX_F64_CLAMP), 0x0e);
    SX_F64_REDUCE(na, kf, s, r);

    /* Entry j mod 32 (the low 5 bits of kf) of a 32-double table in four registers:
     * vpermt2pd picks by the low 4 bits from each half, bit 4 chooses the half. */
    __m512i idx = _mm512_castpd_si512(kf);
    __mmask8 upper = _mm512_test_epi64_mask(idx, _mm512_set1_epi64(16));
#define SX_LOOKUP(tab)                                                        \
    _mm512_mask_blend_pd(upper,                                               \
                         _mm512_permutex2var_pd(_mm512_load_pd(tab), idx, _mm512_load_pd((tab) + 8)), \
                         _mm512_permutex2var_pd(_mm512_load_pd((tab) + 16), idx, _mm512_load_pd((tab) + 24)))
    *t_hi_out = SX_LOOKUP(sx_vd_exp2_hi);
    *t_lo_out = SX_LOOKUP(sx_vd_exp2_lo);
#undef SX_LOOKUP

    SX_F64_EXPM1_POLY(r, q);
    *q_out = q;
    *scale_out = s;                              /* vscalefpd applies 2^floor(s) */
}
