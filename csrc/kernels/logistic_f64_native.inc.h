/*
 * float64 sigma, sigma', sigma(-x) and the fused pair in native SIMD arithmetic: the
 * algorithm of the native float32 kernels (logistic_f32_native.inc.h) carried out in
 * double.  Included by kernels.inc.c on the paths that define SX_NATIVE_SIMD (the vector
 * width in bits: 512 takes logistic_f64_avx512.inc.h, 256 logistic_f64_avx2.inc.h, 128
 * logistic_f64_neon.inc.h on aarch64); the x86 baseline path keeps the compensated
 * portable kernel of logistic_f64.inc.h, which is also the scalar fallback here.
 *
 * One algorithm, one sequence of IEEE operations per element on every flavour, so
 * AVX-512, AVX2 and NEON give the same bits (issue 15); the flavours differ only in how
 * they read the tables (two vpermt2pd and a blend; a (T_HI, T_LO) pair load per lane on
 * AVX2; lane loads on NEON) and apply 2^floor(s) (vscalefpd; exponent bits elsewhere),
 * both exact.  Why 32 entries and not 16: one FMA less in the polynomial and in the
 * dependency chain, worth 3-4 % on AVX2, where these kernels are tightest (the AVX2
 * lookup costs the same for any table size; AVX-512 pays 5 more shuffles).
 *
 *  1. E = e^-|x| = 2^(j/32) e^r: -|x| clamped at -708 (2^floor(s) stays a normal
 *     double; AVX2 skips the clamp and sends |x| > 700 to the fallback instead), j from a shifter of spacing 1/32, s = j/32 exact; r = -|x| - s ln2 with
 *     LN2_HI of 37 bits (s has at most 15, so s*LN2_HI and -|x| - s*LN2_HI are exact)
 *     and LN2_LO; |r| <= ln2/64.  The shifter is 1.5*2^47 + 1023, so the shifted
 *     value's low bits are j + 32*1023: j mod 32 is the table index and, shifted right
 *     by 5, they are the biased exponent of 2^floor(s) (two shifts on AVX2 and NEON).
 *  2. 2^((j mod 32)/32) = T_HI + T_LO, two 32-entry double tables.
 *  3. e^r - 1 = q = r + r^2 P(r), P of degree 4 fitted to (e^r - 1 - r)/r^2 on
 *     |r| <= ln2/64 with weight r^2 (Lawson's iteration, 50 digits; bench/fit_expm1.py):
 *     |q - (e^r - 1)| < 2^-63.2 with these double coefficients.
 *  4-6. As for float32: U = T (1 + q) normalised to u_hi + u_lo, scaled by 2^floor(s);
 *     D = 1 + E by Fast2Sum; N/D and E/D^2 from a correctly rounded reciprocal and one
 *     residual step.
 *
 * Error: the roundings of q and of T_HI q + T_LO (|q| < 2^-6.5) are each up to 2^-59.5
 * of E, the rest is smaller, so results are within 0.5 + 2^-3 ulp; the measured maxima
 * are in docs/accuracy.md.  Lanes with x < -700 (sigma; |x| > 700 for sigma'), where E
 * nears the subnormal range and e_lo would lose bits, and NaN, go to the portable kernel.
 */
#if defined(__aarch64__)
#  include <arm_neon.h>
#else
#  include <immintrin.h>
#endif

#include "simd_loops.inc.h"

/* 2^(i/32) = T_HI + T_LO, i = 0..31, written once: X(T_HI, T_LO) per entry.  The
 * flavours lay the tables out as they read them (AVX2 interleaves the pairs). */
#define SX_F64_EXP2_TABLE(X) \
    X(0x1.0000000000000p+0, 0x0.0p+0) \
    X(0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55) \
    X(0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54) \
    X(0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54) \
    X(0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55) \
    X(0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54) \
    X(0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54) \
    X(0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55) \
    X(0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55) \
    X(0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54) \
    X(0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55) \
    X(0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59) \
    X(0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56) \
    X(0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55) \
    X(0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54) \
    X(0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54) \
    X(0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54) \
    X(0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55) \
    X(0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55) \
    X(0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54) \
    X(0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54) \
    X(0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57) \
    X(0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56) \
    X(0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54) \
    X(0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54) \
    X(0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56) \
    X(0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55) \
    X(0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56) \
    X(0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55) \
    X(0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54) \
    X(0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54) \
    X(0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54) \

#define SX_F64_HI(h, l) h,
#define SX_F64_LO(h, l) l,
static const double sx_vd_exp2_hi[32] __attribute__((aligned(64))) = {SX_F64_EXP2_TABLE(SX_F64_HI)};
static const double sx_vd_exp2_lo[32] __attribute__((aligned(64))) = {SX_F64_EXP2_TABLE(SX_F64_LO)};
#undef SX_F64_HI
#undef SX_F64_LO

/* The constants and the polynomial of steps 1-3, shared by the flavours.  -|x| is
 * clamped at -708 so that 2^floor(s) >= 2^-1022 is a normal double (x < -700 is the
 * scalar fallback's; for x > 700, 1 + E rounds to 1 either way), except on AVX2
 * (SX_UNCLAMPED). */
#define SX_F64_TABLE_BITS 5
#define SX_F64_SHIFTER (0x1.8p47 + 1023.0)
#define SX_F64_CLAMP 708.0
#define SX_F64_LOG2E 0x1.71547652b82fep+0
#define SX_F64_LN2_HI 0x1.62e42fefa0000p-1
#define SX_F64_LN2_LO 0x1.cf79abc9e3b3ap-40
/* q = e^r - 1 = r + r^2 P(r), P of degree 4 (Horner, one FMA a step). */
#define SX_F64_EXPM1_POLY(r, q)                                               \
    SX_VT q;                                                                  \
    do {                                                                      \
        SX_VT c_ = SX_VFMA(r, SX_VC(0x1.6c17288b57600p-10), SX_VC(0x1.11115b78bddbfp-7)); \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.5555555545eb0p-5));                     \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.5555555548f86p-3));                     \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.0p-1));                                 \
        q = SX_VFMA(c_, SX_VMUL(r, r), r);                                    \
    } while (0)
/* -|x| clamped, the shifted value kf, s = j/32 and r (step 1), on the flavour's
 * vectors; na is computed by the flavour (AVX-512 has it in one vrangepd). */
#define SX_F64_REDUCE(na, kf, s, r)                                           \
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F64_LOG2E), SX_VC(SX_F64_SHIFTER)); \
    SX_VT s = SX_VSUB(kf, SX_VC(SX_F64_SHIFTER));                            \
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F64_LN2_HI), na);                          \
    r = SX_VFNMA(s, SX_VC(SX_F64_LN2_LO), r)

#if SX_NATIVE_SIMD == 512
#  include "logistic_f64_avx512.inc.h"
#elif SX_NATIVE_SIMD == 256
#  include "logistic_f64_avx2.inc.h"
#elif SX_NATIVE_SIMD == 128 && defined(__aarch64__)
#  include "logistic_f64_neon.inc.h"
#else
#  error "SX_NATIVE_SIMD must be 512 or 256 (x86-64), or 128 (aarch64)"
#endif
#define SX_SCALAR_SIGMOID sx_sigmoid_f64
#define SX_SCALAR_GRAD sx_sigmoid_grad_f64
#define SX_SCALAR_SIGMOID_NEG sxf_log_sigmoid_grad_f64
#define SX_SCALAR_BACKWARD_WIDE sx_backward_wide_f64
#include "logistic_simd.inc.h"
#undef SX_F64_EXPM1_POLY
#undef SX_F64_REDUCE
#undef SX_F64_EXP2_TABLE
