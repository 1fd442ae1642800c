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
 * they read the tables (vpermt2pd; a (T_HI, T_LO) pair load per lane on AVX2; lane
 * loads on NEON) and
 * apply 2^floor(s) (vscalefpd; exponent bits elsewhere), both exact.  (Before, AVX2
 * ran the portable kernel's table-free algorithm with a degree-10 polynomial: 0.4 % of
 * results differed from AVX-512, and it was 1.2x slower.)  Kernel time 1.9 -> 1.05
 * ns/element on AVX-512, 3.9 -> 1.36 on AVX2 (bench/kernel_timing.c).
 *
 *  1. E = e^-|x| = 2^(j/16) e^r: -|x| clamped at -708 (2^floor(s) stays a normal
 *     double), j from the 1.5*2^48 shifter (spacing 1/16), s = j/16
 *     exact; r = -|x| - s ln2 with LN2_HI of 37 bits (s has at most 15, so s*LN2_HI and
 *     -|x| - s*LN2_HI are exact) and LN2_LO; |r| <= ln2/32.
 *  2. 2^((j mod 16)/16) = T_HI + T_LO, two 16-entry double tables.
 *  3. e^r - 1 = r + r^2 P(r), P of degree 5 fitted to (e^r - 1 - r)/r^2 on
 *     |r| <= ln2/32 (Lawson's iteration, 40 digits): error < 2^-65.
 *  4-6. As for float32: U = T (1 + q) normalised to u_hi + u_lo, scaled by 2^floor(s);
 *     D = 1 + E by Fast2Sum; N/D and E/D^2 from a correctly rounded reciprocal and one
 *     residual step.
 *
 * Error: the roundings of q and of T_HI q + T_LO (|q| < 2^-5.5) are each up to 2^-58.5
 * of E, the rest is smaller, so results are within 0.5 + 2^-3 ulp; 0.539 measured
 * against mpmath (docs/accuracy.md), against 0.636 for the portable kernel.  Lanes with
 * x < -700 (sigma; |x| > 700 for sigma'), where E nears
 * the subnormal range and e_lo would lose bits, and NaN, go to the portable kernel.
 */
#if defined(__aarch64__)
#  include <arm_neon.h>
#else
#  include <immintrin.h>
#endif

#include "simd_loops.inc.h"

/* 2^(i/16), i = 0..15, as double T_HI + T_LO. */
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

/* The constants and the polynomial of steps 1-3, shared by the flavours.  -|x| is
 * clamped at -708 so that 2^floor(s) >= 2^-1022 is a normal double on every flavour
 * (x < -700 is the scalar fallback's; for x > 700, 1 + E rounds to 1 either way). */
#define SX_F64_SHIFTER 0x1.8p48
#define SX_F64_CLAMP 708.0
#define SX_F64_LOG2E 0x1.71547652b82fep+0
#define SX_F64_LN2_HI 0x1.62e42fefa0000p-1
#define SX_F64_LN2_LO 0x1.cf79abc9e3b3ap-40
/* q = e^r - 1 = r + r^2 P(r), P of degree 5 (Horner, one FMA a step). */
#define SX_F64_EXPM1_POLY(r, q)                                               \
    SX_VT q;                                                                  \
    do {                                                                      \
        SX_VT c_ = SX_VFMA(r, SX_VC(0x1.a01b87736dadap-13), SX_VC(0x1.6c1841d1dd9e6p-10)); \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.111111108f27fp-7));                     \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.555555547f021p-5));                     \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.5555555555559p-3));                     \
        c_ = SX_VFMA(c_, r, SX_VC(0x1.0000000000004p-1));                     \
        q = SX_VFMA(c_, SX_VMUL(r, r), r);                                    \
    } while (0)


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
#ifdef SX_F64_LOOKUP2
#  undef SX_F64_LOOKUP2
#endif
