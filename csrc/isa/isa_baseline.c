/* The portable path: whatever the compiler's default target is (SSE2 on x86-64, NEON with
 * FMA on aarch64).  Always compiled, always supported. */
#if defined(__aarch64__)
#  define SX_HAS_FMA 1
#else
#  define SX_HAS_FMA 0
#endif
#define SX_ISA baseline
#define SX_ISA_NAME "baseline"
#include "../kernels/kernels.inc.c"
