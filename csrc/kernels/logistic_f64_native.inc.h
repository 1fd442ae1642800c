/*
 * float64 sigma, sigma', sigma(-x) and the fused pair in native SIMD arithmetic: the
 * algorithm of the native float32 kernels (logistic_f32_native.inc.h) carried out in
 * double.  Included by kernels.inc.c on the paths that define SX_NATIVE_SIMD (the vector
 * width in bits: 512 takes logistic_f64_avx512.inc.h, 256 logistic_f64_avx2.inc.h); the
 * baseline path keeps the compensated portable kernel of logistic_f64.inc.h, which is
 * also the scalar fallback here.  Kernel time 1.9 -> 1.05 ns/element on AVX-512,
 * 3.9 -> 1.6 on AVX2 (bench/kernel_timing.c), at the same bound class.
 *
 * AVX-512 (below); AVX2 differs where its instructions do: no table (vpermps cannot pick
 * doubles cheaply), so j = round(-|x|/ln2), |r| <= ln2/2 with r = r_hi + r_lo kept as two
 * words, e^r = 1 + r_hi + (r_lo + r^2 P(r)) with P of degree 10 (error < 2^-60) regrouped
 * by Fast2Sum, and 2^j from the exponent bits (-|x| clamped at -708: a normal 2^j).
 *
 *  1. E = e^-|x| = 2^(j/16) e^r: j from the 1.5*2^48 shifter (spacing 1/16), s = j/16
 *     exact; r = -|x| - s ln2 with LN2_HI of 37 bits (s has at most 15, so s*LN2_HI and
 *     -|x| - s*LN2_HI are exact) and LN2_LO; |r| <= ln2/32.
 *  2. 2^((j mod 16)/16) = T_HI + T_LO, two 16-entry double tables in registers
 *     (vpermt2pd).
 *  3. e^r - 1 = r + r^2 P(r), P of degree 5 fitted to (e^r - 1 - r)/r^2 on
 *     |r| <= ln2/32 (Lawson's iteration, 40 digits): error < 2^-65.
 *  4-6. As for float32: U = T (1 + q) normalised to u_hi + u_lo, scaled by vscalefpd;
 *     D = 1 + E by Fast2Sum; N/D and E/D^2 from a correctly rounded reciprocal and one
 *     residual step.
 *
 * Error: the roundings of q and of T_HI q + T_LO (|q| < 2^-5.5) are each up to 2^-58.5
 * of E, the rest is smaller, so results are within 0.5 + 2^-3 ulp; 0.539 measured
 * against mpmath (docs/accuracy.md), against 0.636 for the portable kernel.  Lanes with x < -700 (sigma; |x| > 700 for sigma'), where E nears
 * the subnormal range and e_lo would lose bits, and NaN, go to the portable kernel.
 */
#include <immintrin.h>

#include "simd_loops.inc.h"

#if SX_NATIVE_SIMD == 512
#  include "logistic_f64_avx512.inc.h"
#elif SX_NATIVE_SIMD == 256
#  include "logistic_f64_avx2.inc.h"
#else
#  error "SX_NATIVE_SIMD must be 512 or 256"
#endif
#define SX_SCALAR_SIGMOID sx_sigmoid_f64
#define SX_SCALAR_GRAD sx_sigmoid_grad_f64
#define SX_SCALAR_SIGMOID_NEG sxf_log_sigmoid_grad_f64
#define SX_SCALAR_BACKWARD_WIDE sx_backward_wide_f64
#include "logistic_simd.inc.h"
