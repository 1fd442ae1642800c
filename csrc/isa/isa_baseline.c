/* The portable path: whatever the compiler's default target is (SSE2 on x86-64, NEON with
 * FMA on aarch64).  Always compiled, always supported.  On aarch64 it also takes the
 * native NEON kernels (logistic_{f32,f64}_neon.inc.h): the same operations as the
 * AVX2 and AVX-512 ones, so the same bits (tests/aarch64/driver.c, .ci/aarch64.sh). */
#if defined(__aarch64__)
#  define SX_HAS_FMA 1
#  define SX_NATIVE_SIMD 128
#else
#  define SX_HAS_FMA 0
#endif
#define SX_ISA baseline
#define SX_ISA_NAME "baseline"
#include "../kernels/kernels.inc.c"
