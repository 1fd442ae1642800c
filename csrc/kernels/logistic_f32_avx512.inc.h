/*
 * AVX-512 primitives of the native float32 kernels (logistic_f32_native.inc.h has the
 * algorithm and its error bound): 16 lanes, the 16-entry 2^(i/16) tables read by
 * vpermps from one register, 2^floor(s) applied by vscalefps, lane selection by mask
 * registers.
 */

#define SX_T float
#define SX_VT __m512
#define SX_N 16
#define SX_F(name) sx_vn_##name
#define SX_KNAME(name) SX_K(name##_f32)
#define SX_VC(c) _mm512_set1_ps(c)
#define SX_VADD _mm512_add_ps
#define SX_VSUB _mm512_sub_ps
#define SX_VMUL _mm512_mul_ps
#define SX_VDIV _mm512_div_ps
#define SX_VFMA _mm512_fmadd_ps
#define SX_VFNMA _mm512_fnmadd_ps
#define SX_VFMS _mm512_fmsub_ps
#define SX_VXOR _mm512_xor_ps
#define SX_LOADU _mm512_loadu_ps
#define SX_STOREU _mm512_storeu_ps
#define SX_LOADN(p, m) _mm512_maskz_loadu_ps((__mmask16)((1u << (m)) - 1), p)
#define SX_STOREN(p, m, v) _mm512_mask_storeu_ps(p, (__mmask16)((1u << (m)) - 1), v)
#define SX_SEL __mmask16
#define SX_SEL_SIGN(x) _mm512_movepi32_mask(_mm512_castps_si512(x))
#define SX_SEL_LE(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ)
#define SX_SEL_ALL ((__mmask16)0xffff)
#define SX_BLEND(sel, a, b) _mm512_mask_blend_ps(sel, a, b)
#define SX_ADD_IF(sel, a, b) _mm512_mask_add_ps(a, sel, a, b)
#define SX_ZERO_UNLESS(sel, a) _mm512_maskz_mov_ps(sel, a)
#define SX_BITS_NGE(a, b) ((unsigned)_mm512_cmp_ps_mask(a, b, _CMP_NGE_UQ))
#define SX_BITS_NLE(a, b) ((unsigned)_mm512_cmp_ps_mask(a, b, _CMP_NLE_UQ))
#define SX_VABS _mm512_abs_ps
#define SX_RARE_LIMIT 80.0f

#define SX_SCALE(v, s) _mm512_scalef_ps(v, s)         /* v * 2^floor(s) */
/* Steps 1-3 (the operations of logistic_f32_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and how 2^floor(s) is applied
 * (SX_SCALE).  logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    const SX_VT shifter = SX_VC(SX_F32_SHIFTER);
    /* -min(|x|, 87) in one op (NaN lanes are the scalar fallback's). */
    SX_VT na = _mm512_range_ps(x, SX_VC(-SX_F32_CLAMP), 0x0e);
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F32_LOG2E_T), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F32_LN2_HI), na);
    r = SX_VFNMA(s, SX_VC(SX_F32_LN2_LO), r);

    /* entry j mod 16 (the low 4 bits of kf) of a 16-float table in one register */
    __m512i idx = _mm512_castps_si512(kf);
    SX_VT t_hi = _mm512_permutexvar_ps(idx, _mm512_load_ps(sx_native_exp2_hi));
    SX_VT t_lo = _mm512_permutexvar_ps(idx, _mm512_load_ps(sx_native_exp2_lo));

    SX_VT c = SX_VFMA(r, SX_VC(SX_F32_C3), SX_VC(SX_F32_C2));
    SX_VT q = SX_VFMA(c, SX_VMUL(r, r), r);

    *q_out = q;
    *t_hi_out = t_hi;
    *t_lo_out = t_lo;
    *scale_out = s;                              /* vscalef applies 2^floor(s) */
}
