/* x86-64-v4: AVX-512 F/BW/CD/DQ/VL.  Skylake-SP and later, Zen 4 and later.  512-bit
 * vectors are preferred: the loops are compute-bound, and on Zen 4 they halve the
 * instruction count at equal throughput. */
#if defined(__x86_64__) && defined(__GNUC__)
#  pragma GCC target("arch=x86-64-v4,prefer-vector-width=512")
#  define SX_HAS_FMA 1
#  define SX_NATIVE_SIMD 512
#  define SX_ISA avx512
#  define SX_ISA_NAME "avx512"
#  include "../kernels/kernels.inc.c"
#  include "../kernels/stream_table.inc.h"
#endif
