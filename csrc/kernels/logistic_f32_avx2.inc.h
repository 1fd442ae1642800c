/*
 * AVX2+FMA primitives of the native float32 kernels (logistic_f32_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 8-entry 2^(i/8) tables (every 4th entry
 * of the 32-entry ones) read by vpermps, 2^floor(s) built from its exponent bits, lane
 * selection by the sign bit (vblendvps).
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

#define SX_EXP2_EIGHTHS(t) \
    _mm256_setr_ps(t[0], t[4], t[8], t[12], t[16], t[20], t[24], t[28])

/* Steps 1-4: e^-|x| = *e_hi + *e_lo. */
static inline void SX_F(exp_neg_abs)(SX_VT x, SX_VT *e_hi, SX_VT *e_lo)
{
    const SX_VT shifter = SX_VC(0x1.8p20f);          /* spacing 2^-3: s = j/8 */
    /* -|x| clamped at -87: 2^floor(s) >= 2^-126 stays a normal float, and e^-87 is far
     * below the rounding of 1 + E (sigma = 1 there; x < -80 is the scalar fallback's). */
    SX_VT na = _mm256_max_ps(SX_VC(-87.0f), _mm256_or_ps(x, SX_VC(-0.0f)));
    SX_VT kf = SX_VFMA(na, SX_VC(0x1.715476p+0f), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    /* LN2_HI has 14 bits (s has at most 10 here), so s*LN2_LO is below 2^-7 and r,
     * rounded once, errs by < 2^-28.5. */
    SX_VT r = SX_VFNMA(s, SX_VC(0x1.62ep-1f), na);
    r = SX_VFNMA(s, SX_VC(0x1.0bfbe8p-15f), r);

    __m256i bits = _mm256_castps_si256(kf);            /* low 3 bits: j mod 8 */
    SX_VT t_hi = _mm256_permutevar8x32_ps(SX_EXP2_EIGHTHS(sx_native_exp2_hi), bits);
    SX_VT t_lo = _mm256_permutevar8x32_ps(SX_EXP2_EIGHTHS(sx_native_exp2_lo), bits);

    /* e^r - 1, minimax on |r| <= ln2/16: error < 2^-32. */
    SX_VT c = SX_VFMA(r, SX_VC(0x1.555daap-5f), SX_VC(0x1.555c7ap-3f));
    c = SX_VFMA(c, r, SX_VC(0.5f));
    SX_VT q = SX_VFMA(c, SX_VMUL(r, r), r);

    /* |q| < 2^-4.5 here (2^-6.5 on AVX-512): the roundings of r, q and u_lo each reach
     * 2^-28.5 of U, which is why this path's bound is the looser one. */
    SX_VT u_lo = SX_VFMA(t_hi, q, t_lo);
    SX_VT u_hi;
    SX_FAST2SUM(t_hi, u_lo, u_hi, u_lo);

    /* floor(s) = j >> 3 from the shifted value's bits; 2^floor(s) from the exponent. */
    /* j + 127*8 from the bits, so the shift gives floor(j/8) + 127, the biased exponent. */
    __m256i jb = _mm256_sub_epi32(bits, _mm256_sub_epi32(_mm256_castps_si256(shifter),
                                                         _mm256_set1_epi32(127 * 8)));
    SX_VT scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_srai_epi32(jb, 3), 23));

    *e_hi = SX_VMUL(u_hi, scale);
    *e_lo = SX_VMUL(u_lo, scale);
}
#undef SX_EXP2_EIGHTHS
