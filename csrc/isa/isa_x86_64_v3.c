/* x86-64-v3: AVX2 + FMA (+ BMI, F16C).  Haswell and later, Zen and later. */
#if defined(__x86_64__) && defined(__GNUC__)
#  pragma GCC target("arch=x86-64-v3")
#  define SX_HAS_FMA 1
#  define SX_NATIVE_SIMD 256
#  define SX_ISA avx2
#  define SX_ISA_NAME "avx2"
#  include "../kernels/kernels.inc.c"
#  include "../kernels/stream_table.inc.h"
#endif
