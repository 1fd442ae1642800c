/*
 * A prototype kept for the record (docs/benchmarks.md, issue 4): a native-float32
 * sigmoid that stays within 1 ulp, against the shipped kernel (float64 evaluation,
 * rounded once).  Not part of the library.
 *
 * Algorithm: E = e^-|x| = 2^k (u_hi + u_lo) in float with a Cody-Waite reduction and a
 * degree-6 minimax e^r; 1/(1+E) = q0 (1 + e) with the residual from FMAs; the result
 * assembled so that N*q0 enters one final FMA.  SPLIT=2 regroups e^r with two Fast2Sums
 * (smaller low word: more accurate, slower).
 *
 *   gcc -std=gnu11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -Icsrc \
 *       [-DSPLIT=2] bench/native_f32_prototype.c -o /tmp/proto -lm
 *   /tmp/proto time 4000     # ns per element, prototype and shipped kernel (AVX-512)
 *   /tmp/proto check 97      # every 97th float32: max ulp, not correctly rounded
 */
#include "isa/isa_x86_64_v4.c"     /* its target pragma covers this whole file */

#include <stdio.h>

#include "kernel_clock.h"

#ifndef SPLIT
#  define SPLIT 1
#endif

static inline uint32_t f2u(float v) { uint32_t u; memcpy(&u, &v, 4); return u; }
static inline float u2f(uint32_t u) { float v; memcpy(&v, &u, 4); return v; }

static inline float proto_sigmoid_f32(float x)
{
    float a = __builtin_fabsf(x);
    float z = -(a < 104.0f ? a : 104.0f);
    float kfm = __builtin_fmaf(z, 0x1.715476p0f, 0x1.8p23f);
    float kf = kfm - 0x1.8p23f;
    int32_t k = (int32_t)(f2u(kfm) - 0x4b400000u);
    float r_hi = __builtin_fmaf(kf, -0x1.62e4p-1f, z);          /* exact */
    float r_lo = kf * -0x1.7f7d1cp-20f;
    float r = r_hi + r_lo;
    float r2 = r * r;
    float q = 0x1.6a2408p-10f;                                  /* (e^r-1-r)/r^2 */
    q = __builtin_fmaf(q, r, 0x1.123a06p-7f);
    q = __builtin_fmaf(q, r, 0x1.5558f2p-5f);
    q = __builtin_fmaf(q, r, 0x1.555492p-3f);
    q = __builtin_fmaf(q, r, 0x1.fffffcp-2f);
    float p_lo = __builtin_fmaf(r2, q, r_lo);
#if SPLIT == 2
    float s1 = r_hi + p_lo;
    float t1 = (r_hi - s1) + p_lo;
    float u_hi = 1.0f + s1;
    float u_lo = ((1.0f - u_hi) + s1) + t1;
#else
    float u_hi = 1.0f + r_hi;
    float u_lo = ((1.0f - u_hi) + r_hi) + p_lo;
#endif
    int32_t kc = k > -125 ? k : -125;
    float sD = u2f((uint32_t)(kc + 127) << 23);
    float E_hi = sD * u_hi, E_lo = sD * u_lo;
    float q0 = 1.0f / (1.0f + (E_hi + E_lo));
    float e = __builtin_fmaf(-q0, E_hi, 1.0f - q0);
    e = __builtin_fmaf(-q0, E_lo, e);
    uint32_t negm = (uint32_t)((int32_t)f2u(x) >> 31);
    float Nh = u2f((f2u(E_hi) & negm) | (0x3f800000u & ~negm));
    float Nl = u2f(f2u(E_lo) & negm);
    float c = __builtin_fmaf(Nh, e, Nl) * q0;
    float s = __builtin_fmaf(Nh, q0, c);
    int32_t kb = (k - kc) & (int32_t)negm;
    return s * u2f((uint32_t)(kb + 127) << 23);
}

SX_UNARY_KERNEL(proto_kernel, float, proto_sigmoid_f32)

static double ulp_f32(double v)
{
    v = fabs(v);
    if (v < 0x1p-126) return 0x1p-149;
    int e;
    frexp(v, &e);
    return ldexp(1.0, e - 24);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "time";
    if (mode[0] == 't') {
        size_t n = argc > 2 ? (size_t)atol(argv[2]) : 4000;
        float *x = aligned_alloc(64, (n * 4 + 63) / 64 * 64), *y = aligned_alloc(64, (n * 4 + 63) / 64 * 64);
        for (size_t i = 0; i < n; i++) x[i] = -20.0f + 40.0f * (float)rand() / (float)RAND_MAX;
        char *args[3] = {(char *)x, (char *)y, 0};
        sx_kernel ks[2] = {proto_kernel, sx_table_avx512.kernels[SX_SIGMOID][SX_F32]};
        const char *names[2] = {"prototype (native float32)", "shipped (float64 evaluation)"};
        for (int kk = 0; kk < 2; kk++) {
            double median, min;
            sx_clock_kernel(ks[kk], args, n, &median, &min);
            printf("%-30s n=%zu  %.3f ns/element (median of 15)\n", names[kk], n, median);
        }
        return 0;
    }
    uint64_t stride = argc > 2 ? (uint64_t)atol(argv[2]) : 97;
    double maxe = 0; float worst = 0; uint64_t cnt = 0, not_cr = 0;
    enum { B = 4096 };
    float xb[B], yb[B];
    char *args[3] = {(char *)xb, (char *)yb, 0};
    for (uint64_t base = 0; base < (1ull << 32); base += (uint64_t)B * stride) {
        int m = 0;
        for (; m < B && base + (uint64_t)m * stride < (1ull << 32); m++) {
            uint32_t u = (uint32_t)(base + (uint64_t)m * stride);
            memcpy(&xb[m], &u, 4);
        }
        proto_kernel(args, (size_t)m);
        for (int i = 0; i < m; i++) {
            if (xb[i] != xb[i]) continue;
            double hi, lo, f1, f2;               /* reference: the double-word core */
            sx_sigmoid_dw_f64((double)xb[i], &hi, &lo, &f1, &f2);
            double ref = hi * (f1 * f2) + lo * (f1 * f2);
            double err = fabs((double)yb[i] - ref) / ulp_f32(ref);
            cnt++;
            if (err > maxe) { maxe = err; worst = xb[i]; }
            if (sx_sigmoid_f32_wide(xb[i]) != yb[i]) not_cr++;
        }
    }
    printf("every %llu-th float32: max %.6f ulp at x = %.9g; %llu of %llu not correctly rounded\n",
           (unsigned long long)stride, maxe, worst, (unsigned long long)not_cr,
           (unsigned long long)cnt);
    return 0;
}
