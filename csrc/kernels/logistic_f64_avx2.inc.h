/*
 * AVX2+FMA primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and the error bound): 4 lanes, the 32-entry tables read as pairs per lane,
 * 2^floor(s) from the exponent bits, lane selection by the sign bit (vblendvpd reads
 * only that bit, so x itself selects the lanes with x < 0).
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
#define SX_SEL_SIGN(x) (x)
#define SX_SEL_LE(a, b) _mm256_cmp_pd(a, b, _CMP_LE_OQ)
#define SX_SEL_ALL _mm256_castsi256_pd(_mm256_set1_epi32(-1))
#define SX_BLEND(sel, a, b) _mm256_blendv_pd(a, b, sel)
/* SX_SEL_SIGN selectors carry only the sign bits, so SX_ADD_IF blends on them (gcc
 * folds the blend away for the constant SX_SEL_ALL); SX_ZERO_UNLESS meets only the
 * whole masks of SX_SEL_LE, and its AND on GCC vector types folds the same way. */
#define SX_ADD_IF(sel, a, b) _mm256_add_pd(a, _mm256_blendv_pd(_mm256_setzero_pd(), b, sel))
#define SX_ZERO_UNLESS(sel, a) ((__m256d)((__v4di)(sel) & (__v4di)(a)))
#define SX_BITS_NGE(a, b) ((unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_NGE_UQ)))
#define SX_BITS_NLE(a, b) ((unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_NLE_UQ)))
#define SX_VABS(x) _mm256_andnot_pd(_mm256_set1_pd(-0.0), x)
#define SX_RARE_LIMIT 700.0
/* -|x| is not clamped (the vmaxpd cost 4 %): |x| > 700 goes to the fallback for every
 * function (logistic_simd.inc.h) */
#define SX_UNCLAMPED 1

/* The tables of logistic_f64_native.inc.h as (T_HI, T_LO) pairs, so that one 16-byte
 * load per lane fetches both. */
#define SX_F64_PAIR(h, l) h, l,
static const double sx_vd_exp2_pairs[64] __attribute__((aligned(64))) = {
    SX_F64_EXP2_TABLE(SX_F64_PAIR)};
#undef SX_F64_PAIR

#define SX_SCALE(v, scale) SX_VMUL(v, scale)   /* scale = 2^floor(s), a normal power of 2 */
/* Steps 1-3 (the operations of logistic_f64_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and 2^floor(s) for SX_SCALE.
 * logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    /* -|x|, unclamped (SX_UNCLAMPED: |x| > 700 and NaN lanes are the fallback's) */
    SX_VT na = _mm256_or_pd(x, SX_VC(-0.0));
    SX_F64_REDUCE(na, kf, s, r);

    /* Entry j mod 32 of the tables: each lane's shifted value goes to a general
     * register, where its index is masked (cheaper there than a vector AND), and one
     * 16-byte load fetches the pair; two unpacks split them.  (Eight vpermps and six
     * blends ran 15 % slower with 16 entries; two gathers ran sigmoid_grad 1.4x slower on
     * Zen 4 and 1.3x on Zen 5; collecting the indices with vpmuludq and vpmovmskb, or
     * through a store, gained nothing.) */
    __m256i bits = _mm256_castpd_si256(kf);
    __m128i b01 = _mm256_castsi256_si128(bits), b23 = _mm256_extracti128_si256(bits, 1);
    const unsigned mask = (1u << SX_F64_TABLE_BITS) - 1;
#define SX_PAIR(b) _mm_load_pd(sx_vd_exp2_pairs + 2 * ((unsigned long long)(b) & mask))
    __m256d p02 = _mm256_insertf128_pd(_mm256_castpd128_pd256(SX_PAIR(_mm_cvtsi128_si64(b01))),
                                       SX_PAIR(_mm_cvtsi128_si64(b23)), 1);
    __m256d p13 = _mm256_insertf128_pd(_mm256_castpd128_pd256(SX_PAIR(_mm_extract_epi64(b01, 1))),
                                       SX_PAIR(_mm_extract_epi64(b23, 1)), 1);
#undef SX_PAIR
    *t_hi_out = _mm256_unpacklo_pd(p02, p13);
    *t_lo_out = _mm256_unpackhi_pd(p02, p13);

    SX_F64_EXPM1_POLY(r, q);
    *q_out = q;

    /* 2^floor(s): the shifted value's low bits are j + 32*1023 (SX_F64_SHIFTER), so
     * shifted right by 5 they end in the biased exponent floor(j/32) + 1023 >= 1 (j >=
     * -700*32/ln2 > -32317 in the lanes kept), and the left shift drops the rest.  A
     * normal power of two: the products round exactly as vscalefpd. */
    *scale_out = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_srli_epi64(bits, SX_F64_TABLE_BITS), 52));
}
