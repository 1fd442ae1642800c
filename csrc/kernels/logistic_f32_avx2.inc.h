/*
 * AVX2+FMA primitives of the native float32 kernels (logistic_f32_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 16-entry 2^(i/16) tables read as two
 * halves by vpermps and a blend, 2^floor(s) built from its exponent bits, lane selection
 * by the sign bit (vblendvps).
 */

#define SX_T float
#define SX_VT __m256
#define SX_N 8
#define SX_F(name) sx_vn_##name
#define SX_KNAME(name) SX_K(name##_f32)
#define SX_VC(c) _mm256_set1_ps(c)
#define SX_VADD _mm256_add_ps
#define SX_VSUB _mm256_sub_ps
#define SX_VMUL _mm256_mul_ps
#define SX_VDIV _mm256_div_ps
#define SX_VFMA _mm256_fmadd_ps
#define SX_VFNMA _mm256_fnmadd_ps
#define SX_VFMS _mm256_fmsub_ps
#define SX_VXOR _mm256_xor_ps
#define SX_LOADU _mm256_loadu_ps
#define SX_STOREU _mm256_storeu_ps
/* lane i is live where i < m: the sign bits of (i - m) */
#define SX_LIVE(m) _mm256_sub_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(m)))
#define SX_LOADN(p, m) _mm256_maskload_ps(p, SX_LIVE(m))
#define SX_STOREN(p, m, v) _mm256_maskstore_ps(p, SX_LIVE(m), v)
#define SX_SEL __m256
#define SX_SEL_SIGN(x) _mm256_castsi256_ps(_mm256_srai_epi32(_mm256_castps_si256(x), 31))
#define SX_SEL_LE(a, b) _mm256_cmp_ps(a, b, _CMP_LE_OQ)
#define SX_SEL_ALL _mm256_castsi256_ps(_mm256_set1_epi32(-1))
#define SX_BLEND(sel, a, b) _mm256_blendv_ps(a, b, sel)
/* The AND is written on GCC vector types so that with SX_SEL_ALL (all bits set) it
 * folds away instead of costing an instruction. */
#define SX_ADD_IF(sel, a, b) _mm256_add_ps(a, SX_ZERO_UNLESS(sel, b))
#define SX_ZERO_UNLESS(sel, a) ((__m256)((__v4di)(sel) & (__v4di)(a)))
#define SX_BITS_NGE(a, b) ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_NGE_UQ)))
#define SX_BITS_NLE(a, b) ((unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, b, _CMP_NLE_UQ)))
#define SX_VABS(x) _mm256_andnot_ps(_mm256_set1_ps(-0.0), x)
#define SX_RARE_LIMIT 80.0f
/* -|x| is not clamped (the vmaxps cost 4-6 %): |x| > 80 goes to the fallback for every
 * function (logistic_simd.inc.h) */
#define SX_UNCLAMPED 1

#define SX_SCALE(v, scale) SX_VMUL(v, scale)   /* scale = 2^floor(s), a normal power of 2 */
/* Steps 1-3 (the operations of logistic_f32_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and how 2^floor(s) is applied
 * (SX_SCALE).  logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    const SX_VT shifter = SX_VC(SX_F32_SHIFTER);
    /* -|x|, unclamped (SX_UNCLAMPED: |x| > 80 and NaN lanes are the fallback's) */
    SX_VT na = _mm256_or_ps(x, SX_VC(-0.0f));
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F32_LOG2E_T), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F32_LN2_HI), na);
    r = SX_VFNMA(s, SX_VC(SX_F32_LN2_LO), r);

    /* Entry j mod 16 of a 16-float table: vpermps reads the low 3 bits of kf from each
     * half of the table, bit 3 (moved to the sign) picks the half. */
    __m256i bits = _mm256_castps_si256(kf);
    SX_VT upper = _mm256_castsi256_ps(_mm256_slli_epi32(bits, 28));
#define SX_LOOKUP(tab)                                                        \
    _mm256_blendv_ps(_mm256_permutevar8x32_ps(_mm256_load_ps(tab), bits),     \
                     _mm256_permutevar8x32_ps(_mm256_load_ps((tab) + 8), bits), upper)
    SX_VT t_hi = SX_LOOKUP(sx_native_exp2_hi), t_lo = SX_LOOKUP(sx_native_exp2_lo);
#undef SX_LOOKUP

    SX_VT c = SX_VFMA(r, SX_VC(SX_F32_C3), SX_VC(SX_F32_C2));
    SX_VT q = SX_VFMA(c, SX_VMUL(r, r), r);

    /* 2^floor(s) = 2^floor(j/16) from the shifted value's bits: j + 127*16 (>= 0 for
     * j >= -2032, and j >= -80*16/ln2 > -1847 in the lanes kept), shifted right by 4, is the biased
     * exponent.  A normal power of two: the products round exactly as vscalefps. */
    __m256i jb = _mm256_sub_epi32(bits, _mm256_sub_epi32(_mm256_castps_si256(shifter),
                                                         _mm256_set1_epi32(127 * 16)));
    SX_VT scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srai_epi32(jb, 4), 23));

    *q_out = q;
    *t_hi_out = t_hi;
    *t_lo_out = t_lo;
    *scale_out = scale;
}
