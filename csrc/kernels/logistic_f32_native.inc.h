/*
 * float32 sigma, sigma', sigma(-x) and the fused pair in native float32 SIMD arithmetic.
 * Included by kernels.inc.c on the paths that define SX_NATIVE_SIMD (the vector width in
 * bits): 512 takes the AVX-512 primitives (logistic_f32_avx512.inc.h), 256 the AVX2+FMA
 * ones (logistic_f32_avx2.inc.h), 128 the aarch64 NEON ones (logistic_f32_neon.inc.h);
 * the x86 baseline path keeps the portable double-evaluation kernels.  Why a second
 * float32 design: the portable one spends its time converting to double and in the
 * double division (0.84 ns/element with AVX-512, 1.49 with AVX2); this one stays in
 * float32 and gets the extra bits it needs from error-free transformations instead
 * (0.42 and 0.6 ns, bench/kernel_timing.c), for a bound of 0.6 ulp instead of
 * 0.5 + 2^-16.
 *
 * One algorithm, one sequence of IEEE operations per element on every flavour, so
 * AVX-512, AVX2 and NEON give the same bits (issue 15; tests/test_reproducibility.py,
 * tests/test_aarch64.py).  What differs per flavour is only how the table is read and
 * how 2^floor(s) is applied, both exact.  (Before, AVX-512 read a 32-entry table with a
 * degree-3 polynomial and AVX2 an 8-entry one with degree 4: 0.03 % of results
 * differed.  16 entries with degree 3 costs AVX-512 nothing and AVX2 about 5 %.)
 *
 * Algorithm (all steps float32 with FMA; T = 16 table entries):
 *
 *  1. E = e^-|x| = 2^(j/16) e^r.  -|x| is clamped at -87 (2^floor(s) stays a normal
 *     float; AVX2 skips the clamp and sends |x| > 80 to the fallback instead); j = round(-|x| 16/ln2) comes from a shifter of spacing 1/16, so s = j/16
 *     is exact and the low 4 bits of the shifted value are j mod 16.  r = -|x| - s ln2
 *     with ln2 split as LN2_HI (12 bits; j has at most 11: s*LN2_HI and the difference
 *     are exact) + LN2_LO; |r| <= ln2/32.
 *  2. 2^((j mod 16)/16) = T_HI + T_LO from the tables below; T_LO carries the bits the
 *     float T_HI drops (< 2^-24 relative).
 *  3. e^r - 1 = q = r + r^2 (C2 + C3 r), minimax on |r| <= ln2/32 relative to e^r:
 *     error 2^-29.2 with these float coefficients.
 *  4. U = T (1 + q) as the unevaluated sum u_hi + u_lo: u_lo = T_HI q + T_LO (one FMA;
 *     its rounding acts on a term of order 2^-4.5 of U), then Fast2Sum normalises it so
 *     |u_lo| <= ulp(u_hi)/2.  e_hi + e_lo = 2^floor(s) (u_hi + u_lo), exact while E is
 *     a normal float.
 *  5. D = 1 + E as d_hi + d_lo by Fast2Sum (1 >= E), plus e_lo.
 *  6. N/D for a double-word N and D: y0 = N_hi (1/d_hi) with the reciprocal correctly
 *     rounded (vdivps / fdiv: the same bits on every CPU, unlike the reciprocal
 *     estimates), the residual N - y0 D from FMAs (N_hi - y0 d_hi is exact), and
 *     y = y0 + residual/d_hi in one final FMA.  sigma = N/D with N = 1 (x >= 0) or E
 *     (x < 0); sigma' = E/D^2, D^2 squared exactly to double-word by FMA.
 *
 * Error: before the final rounding the quotient is within about 2^-27.6 relative of the
 * true value (the polynomial 2^-29.2, the roundings of r, q and u_lo up to 2^-30, 2^-30
 * and 2^-29; the rest is second order), so results are within 0.5 + 2^-3.6 < 0.6 ulp.
 * Measured over all 2^32 inputs (bench/exhaustive.py, docs/accuracy.md): max 0.56294
 * ulp, 0.032 % not correctly rounded, monotone.
 *
 * Lanes where the result is near or below the float subnormal range (x < -80 for
 * sigma, |x| > 80 for sigma'), or x is NaN, are recomputed by the scalar double-
 * evaluation kernel of the portable path: there e_lo would itself be subnormal and lose
 * bits, and the final rounding must happen once, at the subnormal grid.  Such inputs
 * are rare in practice; an array of them runs at the scalar kernel's speed.
 */
#if defined(__aarch64__)
#  include <arm_neon.h>
#else
#  include <immintrin.h>
#endif

/* 2^(i/16), i = 0..15, as float T_HI + T_LO (|T_LO| < 2^-24 T_HI). */
static const float sx_native_exp2_hi[16] __attribute__((aligned(64))) = {
    0x1.000000p+0f, 0x1.0b5586p+0f, 0x1.172b84p+0f, 0x1.2387a6p+0f,
    0x1.306fe0p+0f, 0x1.3dea64p+0f, 0x1.4bfdaep+0f, 0x1.5ab07ep+0f,
    0x1.6a09e6p+0f, 0x1.7a1148p+0f, 0x1.8ace54p+0f, 0x1.9c4918p+0f,
    0x1.ae89fap+0f, 0x1.c199bep+0f, 0x1.d5818ep+0f, 0x1.ea4afap+0f,
};
static const float sx_native_exp2_lo[16] __attribute__((aligned(64))) = {
    0x0.0p+0f, 0x1.9f3122p-25f, -0x1.c15742p-27f, 0x1.ceac48p-25f,
    0x1.4636e2p-25f, 0x1.824684p-25f, -0x1.593abcp-25f, -0x1.5bd5ecp-27f,
    0x1.9fcef4p-26f, -0x1.829fd0p-25f, 0x1.15506ep-27f, 0x1.51f848p-27f,
    -0x1.a94b14p-26f, -0x1.3d56b2p-27f, -0x1.822dbcp-27f, 0x1.52486cp-27f,
};

/* The constants of steps 1-3, shared by the flavours: a shifter of spacing 1/16, -|x|
 * clamped at -87 (2^floor(s) >= 2^-126 stays a normal float), ln2 in two parts (LN2_HI
 * has 12 significant bits and j at most 11, so s*LN2_HI and -|x| - s*LN2_HI are exact),
 * and e^r - 1 = r + r^2/2 + C3 r^3 + C4 r^4 (minimax on |r| <= ln2/32 relative to e^r,
 * error 2^-37 with these float coefficients). */
#define SX_F32_SHIFTER 0x1.8p19f
#define SX_F32_CLAMP 87.0f
#define SX_F32_LOG2E_T 0x1.715476p+0f
#define SX_F32_LN2_HI 0x1.62ep-1f
#define SX_F32_LN2_LO 0x1.0bfbe8p-15f
#define SX_F32_C2 0x1.000222p-1f
#define SX_F32_C3 0x1.5556p-3f

#include "simd_loops.inc.h"

/* The flavour's primitives (steps 1-4 and its vector operations), then steps 5-6 and
 * the kernels, shared by every flavour (logistic_simd.inc.h). */
#if SX_NATIVE_SIMD == 512
#  include "logistic_f32_avx512.inc.h"
#elif SX_NATIVE_SIMD == 256
#  include "logistic_f32_avx2.inc.h"
#elif SX_NATIVE_SIMD == 128 && defined(__aarch64__)
#  include "logistic_f32_neon.inc.h"
#else
#  error "SX_NATIVE_SIMD must be 512 or 256 (x86-64), or 128 (aarch64)"
#endif
#define SX_SCALAR_SIGMOID sx_sigmoid_f32_fast
#define SX_SCALAR_GRAD sx_sigmoid_grad_f32_fast
#define SX_SCALAR_SIGMOID_NEG sxf_log_sigmoid_grad_f32
#define SX_SCALAR_BACKWARD_WIDE sx_backward_wide_f32
#include "logistic_simd.inc.h"
