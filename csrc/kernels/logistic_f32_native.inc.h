/*
 * float32 sigma, sigma', sigma(-x) and the fused pair in native float32 SIMD arithmetic.
 * Included by kernels.inc.c on the paths that define SX_NATIVE_SIMD (the vector width in
 * bits): 512 takes the AVX-512 primitives (logistic_f32_avx512.inc.h), 256 the AVX2+FMA
 * ones (logistic_f32_avx2.inc.h); the baseline path keeps the portable double-evaluation
 * kernels.  Why a second float32 design: the portable one spends its time converting to
 * double and in the double division (0.84 ns/element with AVX-512, 1.49 with AVX2); this
 * one stays in float32 and gets the extra bits it needs from error-free transformations
 * instead (0.42 and 0.6 ns, bench/kernel_timing.c), for a bound of 0.5 + 2^-5 ulp instead
 * of 0.5 + 2^-16.
 *
 * Algorithm (all steps float32 with FMA; 2^(1/T) below is the table step: T = 32 lanes'
 * worth on AVX-512, whose vpermt2ps reads a 32-entry table from two registers, T = 8 on
 * AVX2, whose vpermps reads 8):
 *
 *  1. E = e^-|x| = 2^(j/T) e^r.  j = round(-|x| T/ln2) comes from a shifter of spacing
 *     1/T, so s = j/T is exact and the low bits of the shifted value are j mod T.
 *     r = -|x| - s ln2 with ln2 split as LN2_HI (11 bits: s*LN2_HI and the difference
 *     are exact) + LN2_LO; |r| <= ln2/(2T).
 *  2. 2^((j mod T)/T) = T_HI + T_LO from the tables below, held in registers; T_LO
 *     carries the bits the float T_HI drops (< 2^-24 relative).
 *  3. e^r - 1 = q, a minimax polynomial r + c2 r^2 + ... (degree 3 for T = 32, 4 for
 *     T = 8; error < 2^-32 either way).
 *  4. U = T (1 + q) as the unevaluated sum u_hi + u_lo: u_lo = T_HI q + T_LO (one FMA;
 *     its rounding acts on a term of order 2^-5 of U), then Fast2Sum normalises it so
 *     |u_lo| <= ulp(u_hi)/2.  e_hi + e_lo = 2^floor(s) (u_hi + u_lo), exact while E is
 *     a normal float.
 *  5. D = 1 + E as d_hi + d_lo by Fast2Sum (1 >= E), plus e_lo.
 *  6. N/D for a double-word N and D: y0 = N_hi (1/d_hi) with the reciprocal correctly
 *     rounded (vdivps: the same bits on every CPU, unlike the reciprocal estimates), the
 *     residual N - y0 D from FMAs (N_hi - y0 d_hi is exact), and y = y0 + residual/d_hi
 *     in one final FMA.  sigma = N/D with N = 1 (x >= 0) or E (x < 0); sigma' = E/D^2,
 *     D^2 squared exactly to double-word by FMA.
 *
 * Error: before the final rounding the quotient is within about 2^-29 relative of the
 * true value (the reduction, the tables and q each contribute ~2^-32; the rest is
 * second order), so results are within 0.5 + 2^-5 ulp.  Measured over all 2^32 inputs
 * (bench/exhaustive.py, docs/accuracy.md): max 0.52513 ulp, 0.008 % not correctly
 * rounded, monotone.
 *
 * Lanes where the result is near or below the float subnormal range (x < -80 for
 * sigma, |x| > 80 for sigma'), or x is NaN, are recomputed by the scalar double-
 * evaluation kernel of the portable path: there e_lo would itself be subnormal and lose
 * bits, and the final rounding must happen once, at the subnormal grid.  Such inputs
 * are rare in practice; an array of them runs at the scalar kernel's speed.
 */
#include <immintrin.h>

/* 2^(i/32), i = 0..31, as float T_HI + T_LO (|T_LO| < 2^-24 T_HI). */
static const float sx_native_exp2_hi[32] __attribute__((aligned(64))) = {
    0x1.000000p+0f, 0x1.059b0ep+0f, 0x1.0b5586p+0f, 0x1.11301ep+0f, 0x1.172b84p+0f,
    0x1.1d4874p+0f, 0x1.2387a6p+0f, 0x1.29e9e0p+0f, 0x1.306fe0p+0f, 0x1.371a74p+0f,
    0x1.3dea64p+0f, 0x1.44e086p+0f, 0x1.4bfdaep+0f, 0x1.5342b6p+0f, 0x1.5ab07ep+0f,
    0x1.6247ecp+0f, 0x1.6a09e6p+0f, 0x1.71f75ep+0f, 0x1.7a1148p+0f, 0x1.82589ap+0f,
    0x1.8ace54p+0f, 0x1.93737cp+0f, 0x1.9c4918p+0f, 0x1.a5503cp+0f, 0x1.ae89fap+0f,
    0x1.b7f770p+0f, 0x1.c199bep+0f, 0x1.cb720ep+0f, 0x1.d5818ep+0f, 0x1.dfc974p+0f,
    0x1.ea4afap+0f, 0x1.f50766p+0f,
};
static const float sx_native_exp2_lo[32] __attribute__((aligned(64))) = {
    0x0.0p+0f,       -0x1.9d4f52p-25f, 0x1.9f3122p-25f,  -0x1.fdb496p-25f, -0x1.c15742p-27f,
    -0x1.d2e8cap-25f, 0x1.ceac48p-25f,  -0x1.5c0424p-25f, 0x1.4636e2p-25f,  -0x1.18aac6p-25f,
    0x1.824684p-25f,  0x1.8624b4p-30f,  -0x1.593abcp-25f, -0x1.2c5610p-25f, -0x1.5bd5ecp-27f,
    -0x1.f8b550p-25f, 0x1.9fcef4p-26f,  0x1.1d8beep-25f,  -0x1.829fd0p-25f, -0x1.accc7cp-26f,
    0x1.15506ep-27f,  -0x1.e64744p-25f, 0x1.51f848p-27f,  -0x1.b83b54p-25f, -0x1.a94b14p-26f,
    -0x1.a09438p-25f, -0x1.3d56b2p-27f, -0x1.8837ccp-27f, -0x1.822dbcp-27f, -0x1.908c94p-25f,
    0x1.52486cp-27f,  -0x1.246eb0p-26f,
};

#include "simd_loops.inc.h"

/* The flavour's primitives (steps 1-4 and its vector operations), then steps 5-6 and
 * the kernels, shared by every flavour (logistic_simd.inc.h). */
#if SX_NATIVE_SIMD == 512
#  include "logistic_f32_avx512.inc.h"
#elif SX_NATIVE_SIMD == 256
#  include "logistic_f32_avx2.inc.h"
#else
#  error "SX_NATIVE_SIMD must be 512 or 256"
#endif
#define SX_SCALAR_SIGMOID sx_sigmoid_f32_fast
#define SX_SCALAR_GRAD sx_sigmoid_grad_f32_fast
#define SX_SCALAR_SIGMOID_NEG sxf_log_sigmoid_grad_f32
#define SX_SCALAR_BACKWARD_WIDE sx_backward_wide_f32
#include "logistic_simd.inc.h"
