/*
 * Cross-machine bit identity (issue 15): every function of the library, both dtypes, on
 * the inputs of `python -m sigmoid_ext.bench.bithash --hashes` (regenerated here bit for
 * bit: strided float32 bit patterns, float64 sweeps from splitmix64), one 64-bit hash per
 * (function, dtype, path), in the same format as that command prints.  Built from the
 * library's C sources alone (no Python), so it runs where Python does not, e.g. an
 * aarch64 build under user-mode QEMU (.ci/aarch64.sh):
 *
 *   CFLAGS="-std=gnu11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math"
 *   gcc $CFLAGS -Icsrc tests/aarch64/driver.c csrc/dispatch.c csrc/drivers.c \
 *       csrc/parallel.c csrc/isa/isa_*.c -o /tmp/sx_hash -lm -lpthread
 *   /tmp/sx_hash [stride [points]]          # every path this CPU runs
 *   aarch64-linux-gnu-gcc $CFLAGS ... -o /tmp/sx_hash_a64 && \
 *       qemu-aarch64 -L /usr/aarch64-linux-gnu /tmp/sx_hash_a64
 *
 * -ffp-contract=off is the library's own flag (sigmoid_ext/_build_ffi.py): without it
 * gcc fuses a*b + c where the kernels need two roundings (aarch64 gcc fuses by default).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigmoid_ext.h"

static const char *const names[SX_NFUNCS] = {
    [SX_SIGMOID] = "sigmoid", [SX_SIGMOID_GRAD] = "sigmoid_grad",
    [SX_SIGMOID_BACKWARD] = "sigmoid_backward", [SX_LOG_SIGMOID] = "log_sigmoid",
    [SX_SOFTPLUS] = "softplus", [SX_LOGIT] = "logit", [SX_LOGIT_GRAD] = "logit_grad",
    [SX_SILU] = "silu", [SX_SILU_GRAD] = "silu_grad",
    [SX_LOG_SIGMOID_GRAD] = "log_sigmoid_grad", [SX_SIGMOID_AND_GRAD] = "sigmoid_and_grad",
};
/* the order of bithash.FUNCTIONS */
static const int order[SX_NFUNCS] = {
    SX_SIGMOID, SX_SIGMOID_GRAD, SX_SIGMOID_BACKWARD, SX_LOG_SIGMOID, SX_SOFTPLUS,
    SX_LOGIT, SX_LOGIT_GRAD, SX_SILU, SX_SILU_GRAD, SX_LOG_SIGMOID_GRAD,
    SX_SIGMOID_AND_GRAD,
};

static uint64_t splitmix64(uint64_t z)
{
    z += UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static uint64_t stream(uint64_t region, uint64_t i) { return splitmix64(i + (region << 40)); }
static double uniform(uint64_t region, uint64_t i, double a, double b)
{
    double u = (double)(stream(region, i) >> 11) * 0x1p-53;
    return u * (b - a) + a;
}
static uint64_t bits64(double v) { uint64_t u; memcpy(&u, &v, 8); return u; }
static double from64(uint64_t u) { double v; memcpy(&v, &u, 8); return v; }
static float from32(uint32_t u) { float v; memcpy(&v, &u, 4); return v; }
static double bit_range(uint64_t region, uint64_t i, double lo, double hi, int sign)
{
    uint64_t blo = bits64(lo), bhi = bits64(hi), r = stream(region, i);
    uint64_t b = blo + r % (bhi - blo + 1);
    if (sign)
        b |= (r >> 63) << 63;
    return from64(b);
}

/* bithash.SPECIALS; NaN as explicit bit patterns (+nan, -nan) */
static double special(int k)
{
    static const double v[] = {0, 0, INFINITY, -INFINITY, 0.0, -0.0, 1.0, -1.0, 0.5,
                               0x1p-149, -0x1p-149, 0x1p-1074, 1e-300, -1e-300};
    if (k == 0) return from64(UINT64_C(0x7ff8000000000000));
    if (k == 1) return from64(UINT64_C(0xfff8000000000000));
    return v[k];
}
#define NSPECIALS 14

/* bithash.F64_REGIONS */
enum { UNIFORM, BITS, BITS_POS, ONE_MINUS, RAW };
static const struct { int kind; double a, b; } regions[] = {
    {UNIFORM, -20.0, 20.0}, {UNIFORM, -800.0, 800.0}, {UNIFORM, -745.2, -700.0},
    {UNIFORM, 700.0, 745.2}, {UNIFORM, -2.0, 2.0}, {BITS, 1e-320, 1e3},
    {UNIFORM, 0.0, 1.0}, {BITS_POS, 1e-320, 0.5}, {ONE_MINUS, 1e-17, 0.5}, {RAW, 0, 0},
};
#define NREGIONS (int)(sizeof regions / sizeof regions[0])

/* x (n), g (2n), y (2n) as bithash.inputs builds them; *n set. */
static void make_inputs(int dtype, uint64_t stride, uint64_t points, void **x, void **g,
                        void **y, size_t *n_out)
{
    size_t n = 0, cap;
    if (dtype == SX_F32) {
        uint64_t one = 0x3f800000u, big = 0x42f00000u;      /* 1.0f, 120.0f */
        cap = (size_t)(((UINT64_C(1) << 32) + stride - 1) / stride + (one / stride + 1)
                       + 2 * (big / stride + 1)) + NSPECIALS;
        float *v = malloc(cap * sizeof *v);
        for (uint64_t b = 0; b < (UINT64_C(1) << 32); b += stride) v[n++] = from32((uint32_t)b);
        for (uint64_t b = 0; b <= one; b += stride) v[n++] = from32((uint32_t)b);
        for (uint64_t b = 0; b <= big; b += stride) v[n++] = from32((uint32_t)b);
        for (uint64_t b = 0; b <= big; b += stride) v[n++] = from32((uint32_t)b | 0x80000000u);
        for (int k = 0; k < NSPECIALS; k++) v[n++] = (float)special(k);
        float *gg = malloc(2 * n * sizeof *gg), *yy = malloc(2 * n * sizeof *yy);
        for (size_t i = 0; i < n; i++) {
            gg[i] = gg[n + i] = (float)uniform(100, i, -4.0, 4.0);
            yy[i] = v[i];
            yy[n + i] = (float)uniform(101, i, 0.0, 1.0);
        }
        *x = v, *g = gg, *y = yy;
    } else {
        cap = (size_t)(NREGIONS * points) + NSPECIALS;
        double *v = malloc(cap * sizeof *v);
        for (int k = 0; k < NREGIONS; k++) {
            uint64_t region = (uint64_t)k + 1;
            for (uint64_t i = 0; i < points; i++) {
                double a = regions[k].a, b = regions[k].b;
                switch (regions[k].kind) {
                case UNIFORM: v[n++] = uniform(region, i, a, b); break;
                case BITS: v[n++] = bit_range(region, i, a, b, 1); break;
                case BITS_POS: v[n++] = bit_range(region, i, a, b, 0); break;
                case ONE_MINUS: v[n++] = 1.0 - bit_range(region, i, a, b, 0); break;
                default: v[n++] = from64(stream(region, i)); break;
                }
            }
        }
        for (int k = 0; k < NSPECIALS; k++) v[n++] = special(k);
        double *gg = malloc(2 * n * sizeof *gg), *yy = malloc(2 * n * sizeof *yy);
        for (size_t i = 0; i < n; i++) {
            gg[i] = gg[n + i] = uniform(100, i, -4.0, 4.0);
            yy[i] = v[i];
            yy[n + i] = uniform(101, i, 0.0, 1.0);
        }
        *x = v, *g = gg, *y = yy;
    }
    *n_out = n;
}

/* bithash.bits_hash: sum of splitmix64(bits_i + i * golden) mod 2^64 */
static uint64_t hash_bits(const void *p, int dtype, size_t n, uint64_t *i0, uint64_t h)
{
    for (size_t j = 0; j < n; j++, (*i0)++) {
        uint64_t b;
        if (dtype == SX_F32) {
            uint32_t u;
            memcpy(&u, (const char *)p + 4 * j, 4);
            b = u;
        } else {
            memcpy(&b, (const char *)p + 8 * j, 8);
        }
        h += splitmix64(b + *i0 * UINT64_C(0x9E3779B97F4A7C15));
    }
    return h;
}

int main(int argc, char **argv)
{
    uint64_t stride = argc > 1 ? strtoull(argv[1], NULL, 10) : 4099;
    uint64_t points = argc > 2 ? strtoull(argv[2], NULL, 10) : 65536;
    if (stride == 0 || points == 0) {
        fprintf(stderr, "usage: %s [stride [points]]\n", argv[0]);
        return 2;
    }
    for (int p = 0; p < sx_isa_count(); p++) {
        if (!sx_isa_supported(p))
            continue;
        const char *isa = sx_isa_name(p);
        sx_isa_select(isa);
        for (int d = 0; d < SX_NDTYPES; d++) {
            void *x, *g, *y;
            size_t n, isz = d == SX_F32 ? 4 : 8;
            make_inputs(d, stride, points, &x, &g, &y, &n);
            char *o0 = malloc(2 * n * isz), *o1 = malloc(2 * n * isz);
            for (int k = 0; k < SX_NFUNCS; k++) {
                int f = order[k];
                uint64_t h = 0, i0 = 0;
                size_t m = n;
                if (f == SX_SIGMOID_BACKWARD) {
                    m = 2 * n;
                    sx_contig(f, d, (int64_t)m, 1, g, y, o0);
                } else if (f == SX_SIGMOID_AND_GRAD) {
                    sx_contig(f, d, (int64_t)n, 1, x, o0, o1);
                } else {
                    sx_contig(f, d, (int64_t)n, 1, x, o0, NULL);
                }
                h = hash_bits(o0, d, m, &i0, h);
                if (f == SX_SIGMOID_AND_GRAD)
                    h = hash_bits(o1, d, n, &i0, h);
                printf("%-18s %-8s %-9s %016llx\n", names[f], d == SX_F32 ? "float32" : "float64",
                       isa, (unsigned long long)h);
            }
            free(o0), free(o1), free(x), free(g), free(y);
        }
    }
    return 0;
}
