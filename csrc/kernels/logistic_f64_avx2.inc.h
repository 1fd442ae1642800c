/*
 * AVX2+FMA primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm, this path's differences and the error bound): 4 lanes, no table, 2^j from
 * the exponent bits, lane selection by the sign bit (vblendvpd).
 */

#define SX_T double
#define SX_VT __m256d
#define SX_N 4
#define SX_F(name) sx_vd_##name
#define SX_KNAME(name) SX_K(name##_f64)
#define SX_VC(c) _mm256_set1_pd(c)
#define SX_VADD _mm256_add_pd
#define SX_VSUB _mm256_sub_pd
#define SX_VMUL _mm256_mul_pd
#define SX_VDIV _mm256_div_pd
#define SX_VFMA _mm256_fmadd_pd
#define SX_VFNMA _mm256_fnmadd_pd
#define SX_VFMS _mm256_fmsub_pd
#define SX_VXOR _mm256_xor_pd
#define SX_LOADU _mm256_loadu_pd
#define SX_STOREU _mm256_storeu_pd
/* lane i is live where i < m: the sign bits of (i - m) */
#define SX_LIVE(m) _mm256_sub_epi64(_mm256_setr_epi64x(0, 1, 2, 3), _mm256_set1_epi64x((long long)(m)))
#define SX_LOADN(p, m) _mm256_maskload_pd(p, SX_LIVE(m))
#define SX_STOREN(p, m, v) _mm256_maskstore_pd(p, SX_LIVE(m), v)
#define SX_SEL __m256d
#define SX_SEL_SIGN(x) _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(x)))
#define SX_SEL_LE(a, b) _mm256_cmp_pd(a, b, _CMP_LE_OQ)
#define SX_SEL_ALL _mm256_castsi256_pd(_mm256_set1_epi32(-1))
#define SX_BLEND(sel, a, b) _mm256_blendv_pd(a, b, sel)
/* The AND is written on GCC vector types so that with SX_SEL_ALL (all bits set) it
 * folds away instead of costing an instruction. */
#define SX_ADD_IF(sel, a, b) _mm256_add_pd(a, SX_ZERO_UNLESS(sel, b))
#define SX_ZERO_UNLESS(sel, a) ((__m256d)((__v4di)(sel) & (__v4di)(a)))
#define SX_BITS_NGE(a, b) ((unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_NGE_UQ)))
#define SX_BITS_NLE(a, b) ((unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_NLE_UQ)))
#define SX_VABS(x) _mm256_andnot_pd(_mm256_set1_pd(-0.0), x)
#define SX_RARE_LIMIT 700.0

/* Steps 1-4: e^-|x| = *e_hi + *e_lo. */
static inline void SX_F(exp_neg_abs)(SX_VT x, SX_VT *e_hi, SX_VT *e_lo)
{
    const SX_VT shifter = SX_VC(0x1.8p52);
    const SX_VT one = SX_VC(1);
    /* -|x| clamped at -708 so that 2^j >= 2^-1021 is normal (x < -700 is the scalar
     * fallback's; for x > 708, 1 + E rounds to 1 either way).  NaN passes. */
    SX_VT na = _mm256_max_pd(SX_VC(-708.0), _mm256_or_pd(x, SX_VC(-0.0)));
    SX_VT kf = SX_VFMA(na, SX_VC(0x1.71547652b82fep+0), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    /* LN2_HI has 42 bits (j has at most 10): s*LN2_HI and r_hi are exact. */
    SX_VT r_hi = SX_VFNMA(s, SX_VC(0x1.62e42fefa4000p-1), na);
    SX_VT r_lo = SX_VMUL(s, SX_VC(0x1.8432a1b0e2634p-43));
    SX_VT r = SX_VADD(r_hi, r_lo);

    /* (e^r - 1 - r)/r^2, minimax on |r| <= ln2/2 relative to e^r: error < 2^-60. */
    SX_VT c = SX_VFMA(r, SX_VC(0x1.1e3d00d84c505p-29), SX_VC(0x1.af6c1e0e09da0p-26));
    c = SX_VFMA(c, r, SX_VC(0x1.27e5b4976671ep-22));
    c = SX_VFMA(c, r, SX_VC(0x1.71ddf00247a63p-19));
    c = SX_VFMA(c, r, SX_VC(0x1.a01a01364bea8p-16));
    c = SX_VFMA(c, r, SX_VC(0x1.a01a01b38a335p-13));
    c = SX_VFMA(c, r, SX_VC(0x1.6c16c16c305e5p-10));
    c = SX_VFMA(c, r, SX_VC(0x1.111111110ec3fp-7));
    c = SX_VFMA(c, r, SX_VC(0x1.5555555555503p-5));
    c = SX_VFMA(c, r, SX_VC(0x1.555555555555bp-3));
    c = SX_VFMA(c, r, SX_VC(0.5));
    SX_VT p_lo = SX_VFMA(SX_VMUL(r, r), c, r_lo);

    /* e^r = 1 + r_hi + p_lo: 1 + r_hi by Fast2Sum (|r_hi| < 1), then p_lo, then one more
     * Fast2Sum so that |u_lo| <= ulp(u_hi)/2, as the quotient step needs. */
    SX_VT u_hi, u_lo;
    SX_FAST2SUM(one, r_hi, u_hi, u_lo);
    u_lo = SX_VADD(u_lo, p_lo);
    SX_FAST2SUM(u_hi, u_lo, u_hi, u_lo);

    /* 2^j: j + 1023 (the biased exponent) from the shifted value's low bits, placed in
     * the exponent field. */
    __m256i jb = _mm256_sub_epi64(_mm256_castpd_si256(kf),
                                  _mm256_sub_epi64(_mm256_castpd_si256(shifter),
                                                   _mm256_set1_epi64x(1023)));
    SX_VT scale = _mm256_castsi256_pd(_mm256_slli_epi64(jb, 52));

    *e_hi = SX_VMUL(u_hi, scale);
    *e_lo = SX_VMUL(u_lo, scale);
}
