/*
 * AVX2+FMA primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and the error bound): 4 lanes, the 16-entry tables read as pairs per lane,
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

/* The tables of logistic_f64_native.inc.h as (T_HI, T_LO) pairs, so that one 16-byte
 * load per lane fetches both (a copy: tests/test_reproducibility.py fails if the two drift
 * apart, as AVX2 would then differ from AVX-512). */
static const double sx_vd_exp2_pairs[32] __attribute__((aligned(64))) = {
    0x1.0000000000000p+0, 0x0.0p+0,
    0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54,
    0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55,
    0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54,
    0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55,
    0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55,
    0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56,
    0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54,
    0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54,
    0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55,
    0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54,
    0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56,
    0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54,
    0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55,
    0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55,
    0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54,
};
/* Entries idx & 15 of the two tables: the four indices go to general registers, each
 * lane's pair is one 16-byte load, two unpacks split them.  (Eight vpermps and six
 * blends ran 15 % slower; two gathers ran sigmoid_grad 1.4x slower on Zen 4.) */
#define SX_F64_LOOKUP2(idx, hi, lo)                                           \
    do {                                                                      \
        __m256i i_ = _mm256_and_si256(idx, _mm256_set1_epi64x(15));           \
        __m128i a_ = _mm256_castsi256_si128(i_), b_ = _mm256_extracti128_si256(i_, 1); \
        const double *t_ = sx_vd_exp2_pairs;                                  \
        __m256d p02_ = _mm256_insertf128_pd(                                  \
            _mm256_castpd128_pd256(_mm_load_pd(t_ + 2 * _mm_cvtsi128_si64(a_))), \
            _mm_load_pd(t_ + 2 * _mm_cvtsi128_si64(b_)), 1);                  \
        __m256d p13_ = _mm256_insertf128_pd(                                  \
            _mm256_castpd128_pd256(_mm_load_pd(t_ + 2 * _mm_extract_epi64(a_, 1))), \
            _mm_load_pd(t_ + 2 * _mm_extract_epi64(b_, 1)), 1);               \
        (hi) = _mm256_unpacklo_pd(p02_, p13_);                                \
        (lo) = _mm256_unpackhi_pd(p02_, p13_);                                \
    } while (0)

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
