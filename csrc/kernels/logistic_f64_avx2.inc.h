/*
 * AVX2+FMA primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and the error bound): 4 lanes, the 16-entry tables read lane by lane,
 * 2^floor(s) from the exponent bits, lane selection by the sign bit (vblendvpd).
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

/* Entries idx & 15 of the two 16-double tables: the four indices go to general
 * registers and each lane is a scalar load (vmovsd / vmovhpd / vinsertf128).  (Eight
 * vpermps and six blends ran 4 % slower; two gathers ran sigmoid_grad 1.4x slower on
 * Zen 4.) */
#define SX_F64_LOOKUP2(idx, hi, lo)                                           \
    do {                                                                      \
        __m256i i_ = _mm256_and_si256(idx, _mm256_set1_epi64x(15));           \
        __m128i a_ = _mm256_castsi256_si128(i_), b_ = _mm256_extracti128_si256(i_, 1); \
        long long i0_ = _mm_cvtsi128_si64(a_), i1_ = _mm_extract_epi64(a_, 1); \
        long long i2_ = _mm_cvtsi128_si64(b_), i3_ = _mm_extract_epi64(b_, 1); \
        (hi) = sx_vd_gather4(sx_vd_exp2_hi, i0_, i1_, i2_, i3_);              \
        (lo) = sx_vd_gather4(sx_vd_exp2_lo, i0_, i1_, i2_, i3_);              \
    } while (0)
static inline __m256d sx_vd_gather4(const double *t, long long i0, long long i1,
                                    long long i2, long long i3)
{
    __m128d l = _mm_loadh_pd(_mm_load_sd(t + i0), t + i1);
    __m128d h = _mm_loadh_pd(_mm_load_sd(t + i2), t + i3);
    return _mm256_insertf128_pd(_mm256_castpd128_pd256(l), h, 1);
}

/* Steps 1-4: e^-|x| = *e_hi + *e_lo (the operations of logistic_f64_native.inc.h; the
 * AVX-512 flavour runs the same ones, so both give the same bits). */
static inline void SX_F(exp_neg_abs)(SX_VT x, SX_VT *e_hi, SX_VT *e_lo)
{
    const SX_VT shifter = SX_VC(SX_F64_SHIFTER);
    /* -min(|x|, 708): max(-708, -|x|) (NaN lanes: the fallback). */
    SX_VT na = _mm256_max_pd(SX_VC(-SX_F64_CLAMP), _mm256_or_pd(x, SX_VC(-0.0)));
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F64_LOG2E), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F64_LN2_HI), na);
    r = SX_VFNMA(s, SX_VC(SX_F64_LN2_LO), r);

    /* entry j mod 16 (the low 4 bits of kf) of the tables */
    __m256i bits = _mm256_castpd_si256(kf);
    SX_VT t_hi, t_lo;
    SX_F64_LOOKUP2(bits, t_hi, t_lo);

    SX_F64_EXPM1_POLY(r, q);

    SX_VT u_lo = SX_VFMA(t_hi, q, t_lo);
    SX_VT u_hi;
    SX_FAST2SUM(t_hi, u_lo, u_hi, u_lo);

    /* 2^floor(s) = 2^floor(j/16) from the shifted value's bits: j + 1023*16 (>= 0, as
     * j >= -708*16/ln2 > -16352) shifted right by 4 is the biased exponent (>= 1: a
     * normal power of two, so the products round exactly as vscalefpd). */
    __m256i jb = _mm256_sub_epi64(bits, _mm256_sub_epi64(_mm256_castpd_si256(shifter),
                                                         _mm256_set1_epi64x(1023 * 16)));
    SX_VT scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_srli_epi64(jb, 4), 52));

    *e_hi = SX_VMUL(u_hi, scale);
    *e_lo = SX_VMUL(u_lo, scale);
}
