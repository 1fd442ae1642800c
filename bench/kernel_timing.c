/*
 * Kernel-only timing, without Python or the drivers: every (function, dtype) entry of
 * one ISA path's table, on n uniform inputs in [-20, 20] (cache-resident for the
 * default n), median of 15 rounds.  Used to compare kernel variants (docs/accuracy.md).
 *
 *   gcc -std=gnu11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -Icsrc \
 *       bench/kernel_timing.c csrc/dispatch.c csrc/drivers.c csrc/parallel.c \
 *       csrc/isa/isa_*.c -o /tmp/kernel_timing -lm -lpthread
 *   /tmp/kernel_timing 4000 avx512        # or avx2 / baseline (the CPU must have it)
 *   /tmp/kernel_timing 4000 avx2 sigmoid,sigmoid_grad   # only these functions (and
 *                                                       # no peer-class lines)
 *
 * The last two lines time what the accuracy contract costs: sigma computed as the peers
 * compute it (torch and SLEEF-style: e^-|x| in the working precision by Cody-Waite
 * reduction and a polynomial, one division, none of the error-free steps), compiled by
 * gcc for the same instruction set, with its max error measured here too.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigmoid_ext.h"
#include "sx_internal.h"

/* One kernel call timed: 15 rounds, each long enough (about 2e7 elements) to swamp
 * the clock's resolution; *median and *min in ns per element. */
static double sx_clock_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int sx_clock_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void sx_clock_kernel(sx_kernel k, char *const *args, size_t n, double *median,
                            double *min)
{
    enum { ROUNDS = 15 };
    double t[ROUNDS];
    int reps = (int)(2e7 / (double)n) + 1;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = sx_clock_now();
        for (int j = 0; j < reps; j++)
            k(args, n);
        t[r] = (sx_clock_now() - t0) / reps / (double)n * 1e9;
    }
    qsort(t, ROUNDS, sizeof t[0], sx_clock_cmp);
    *median = t[ROUNDS / 2];
    *min = t[0];
}

/* ---- the peer-class kernel (no error-free steps), for comparison only ---- */

static inline float plain_sigmoid_f32(float x)
{
    float a = fabsf(x);
    a = a < 87.0f ? a : 87.0f;                      /* 2^k stays a normal float */
    float kf = __builtin_fmaf(-a, 0x1.715476p+0f, 0x1.8p23f);
    float k = kf - 0x1.8p23f;
    float r = __builtin_fmaf(k, -0x1.62e4p-1f, -a);
    r = __builtin_fmaf(k, -0x1.7f7d1cp-20f, r);     /* |r| <= ln2/2 */
    float p = 0x1.6850e4p-10f;                      /* e^r - 1, degree 6 */
    p = __builtin_fmaf(p, r, 0x1.123bccp-7f);
    p = __builtin_fmaf(p, r, 0x1.555b98p-5f);
    p = __builtin_fmaf(p, r, 0x1.55548ep-3f);
    p = __builtin_fmaf(p, r, 0x1.fffff8p-2f);
    p = __builtin_fmaf(p, r * r, r) + 1.0f;
    int32_t kb;
    memcpy(&kb, &kf, sizeof kb);
    int32_t sb = (kb - 0x4b400000 + 127) * (1 << 23);
    float scale;
    memcpy(&scale, &sb, sizeof scale);
    float e = p * scale;
    return (x < 0 ? e : 1.0f) / (1.0f + e);
}

static inline double plain_sigmoid_f64(double x)
{
    double a = fabs(x);
    a = a < 708.0 ? a : 708.0;
    double kf = __builtin_fma(-a, 0x1.71547652b82fep+0, 0x1.8p52);
    double k = kf - 0x1.8p52;
    double r = __builtin_fma(k, -0x1.62e42fefa3800p-1, -a);
    r = __builtin_fma(k, -0x1.ef35793c7673p-45, r);
    /* e^r by Taylor, degree 13, Horner written out (a loop over a table of 1/i! stays
     * scalar) */
#define PLAIN_H(c) p = __builtin_fma(p, r, 1.0 / (c))
    double p = 1.0 / 6227020800.0;
    PLAIN_H(479001600.0); PLAIN_H(39916800.0); PLAIN_H(3628800.0); PLAIN_H(362880.0);
    PLAIN_H(40320.0); PLAIN_H(5040.0); PLAIN_H(720.0); PLAIN_H(120.0); PLAIN_H(24.0);
    PLAIN_H(6.0); PLAIN_H(2.0); PLAIN_H(1.0); PLAIN_H(1.0);
#undef PLAIN_H
    int64_t kb;
    memcpy(&kb, &kf, sizeof kb);
    int64_t sb = (kb - 0x4338000000000000LL + 1023) * (1LL << 52);
    double scale;
    memcpy(&scale, &sb, sizeof scale);
    double e = p * scale;
    return (x < 0 ? e : 1.0) / (1.0 + e);
}

/* One loop per (ISA, type), compiled for that ISA so gcc vectorises it. */
#define PLAIN_LOOP(isa, tgt, T, sfx)                                                 \
    __attribute__((target(tgt))) static void plain_##sfx##_##isa(char *const *args,   \
                                                                 size_t n)            \
    {                                                                                 \
        const T *x = (const T *)args[0];                                              \
        T *y = (T *)args[1];                                                          \
        for (size_t i = 0; i < n; i++)                                                \
            y[i] = plain_sigmoid_##sfx(x[i]);                                         \
    }
#define PLAIN_LOOPS(isa, tgt) \
    PLAIN_LOOP(isa, tgt, float, f32) PLAIN_LOOP(isa, tgt, double, f64)
PLAIN_LOOPS(baseline, "arch=x86-64")
PLAIN_LOOPS(avx2, "arch=x86-64-v3")
PLAIN_LOOPS(avx512, "arch=x86-64-v4,prefer-vector-width=512")

/* Max error in ulp of the plain kernel: every 7th float32 in [-87, 17] (where sigma is
 * a normal float below 1), and 2^20 points spread over the same part of the float64
 * range, against long double. */
static double plain_ulp_at(sx_kernel k, int dtype, double v)
{
    long double got;
    if (dtype == SX_F32) {
        float in = (float)v, out;
        char *args[2] = {(char *)&in, (char *)&out};
        k(args, 1);
        got = out;
    } else {
        double in = v, out;
        char *args[2] = {(char *)&in, (char *)&out};
        k(args, 1);
        got = out;
    }
    long double ref = 1.0L / (1.0L + expl(-(long double)v));
    int e;
    frexpl(ref, &e);
    return (double)(fabsl(got - ref) / ldexpl(1.0L, e - (dtype == SX_F32 ? 24 : 53)));
}

static double plain_max_ulp(sx_kernel k, int dtype)
{
    double worst = 0, err;
    if (dtype == SX_F32) {
        for (float v = -87.0f; v < 17.0f;) {
            err = plain_ulp_at(k, dtype, v);
            worst = err > worst ? err : worst;
            for (int s = 0; s < 7; s++)
                v = nextafterf(v, 18.0f);
        }
    } else {
        for (int i = 0; i < (1 << 20); i++) {
            err = plain_ulp_at(k, dtype, -708.0 + 745.0 * i / (double)(1 << 20));
            worst = err > worst ? err : worst;
        }
    }
    return worst;
}

extern const sx_isa_table sx_table_baseline, sx_table_avx2, sx_table_avx512;

static const char *const func_names[SX_NFUNCS] = {
    [SX_SIGMOID] = "sigmoid", [SX_SIGMOID_GRAD] = "sigmoid_grad",
    [SX_SIGMOID_BACKWARD] = "sigmoid_backward", [SX_LOG_SIGMOID] = "log_sigmoid",
    [SX_SOFTPLUS] = "softplus", [SX_LOGIT] = "logit", [SX_LOGIT_GRAD] = "logit_grad",
    [SX_SILU] = "silu", [SX_SILU_GRAD] = "silu_grad",
    [SX_LOG_SIGMOID_GRAD] = "log_sigmoid_grad", [SX_SIGMOID_AND_GRAD] = "sigmoid_and_grad",
};

/* n values of dtype d, uniform in [lo, hi], at p. */
static void fill_uniform(char *p, int d, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++) {
        double v = lo + (hi - lo) * rand() / (double)RAND_MAX;
        if (d == SX_F32) ((float *)p)[i] = (float)v;
        else ((double *)p)[i] = v;
    }
}

static const char *dtype_name(int d)
{
    return d == SX_F32 ? "float32" : "float64";
}

/* The paths: the library's kernel table and the peer-class kernels built for the same
 * instruction set. */
static const struct {
    const char *name;
    const sx_isa_table *table;
    sx_kernel plain[SX_NDTYPES];
} paths[] = {
#define PATH(isa) {#isa, &sx_table_##isa, {[SX_F32] = plain_f32_##isa, [SX_F64] = plain_f64_##isa}}
    PATH(baseline), PATH(avx2), PATH(avx512),
#undef PATH
};

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 4000;
    const char *isa = argc > 2 ? argv[2] : "avx512";
    const char *only = argc > 3 ? argv[3] : NULL;   /* comma-separated function names */
    int path = -1;
    for (int p = 0; p < (int)(sizeof paths / sizeof paths[0]); p++)
        if (!strcmp(isa, paths[p].name))
            path = p;
    if (n == 0 || path < 0) {
        fprintf(stderr, "usage: %s [n > 0] [baseline|avx2|avx512]\n", argv[0]);
        return 2;
    }
    /* one buffer per argument; inputs are filled in place, outputs get their own */
    size_t bytes = ((n * sizeof(double) + 63) / 64) * 64;
    char *in[SX_MAX_ARGS], *out[SX_MAX_ARGS];
    for (int a = 0; a < SX_MAX_ARGS; a++) {
        in[a] = aligned_alloc(64, bytes);
        out[a] = aligned_alloc(64, bytes);
    }
    srand(1);
    for (int f = 0; f < SX_NFUNCS; f++) {
        int nin = sx_func_nin(f), nargs = nin + sx_func_nout(f);
        for (int d = 0; d < SX_NDTYPES; d++) {
            sx_kernel k = paths[path].table->kernels[f][d];
            if (!k)
                continue;
            if (only) {
                size_t len = strlen(func_names[f]);
                const char *p = only;
                int hit = 0;
                for (; !hit && (p = strstr(p, func_names[f])) != NULL; p += len)
                    hit = (p == only || p[-1] == ',') && (p[len] == ',' || p[len] == 0);
                if (!hit)
                    continue;
            }
            char *args[SX_MAX_ARGS];
            /* logit, its gradient and the backward pass take probabilities */
            int unit = f == SX_LOGIT || f == SX_LOGIT_GRAD || f == SX_SIGMOID_BACKWARD;
            for (int a = 0; a < nargs; a++)
                args[a] = a < nin ? in[a] : out[a];
            for (int a = 0; a < nin; a++)
                fill_uniform(args[a], d, n, unit ? 0.0 : -20.0, unit ? 1.0 : 20.0);
            double median, min;
            sx_clock_kernel(k, args, n, &median, &min);
            printf("%-8s %-18s %-8s n=%zu  %.3f ns/element (min %.3f)\n", isa, func_names[f],
                   dtype_name(d), n, median, min);
        }
    }
    for (int d = 0; d < SX_NDTYPES && !only; d++) {
        sx_kernel k = paths[path].plain[d];
        char *args[2] = {in[0], out[1]};
        fill_uniform(args[0], d, n, -20.0, 20.0);
        double median, min;
        sx_clock_kernel(k, args, n, &median, &min);
        printf("%-8s %-18s %-8s n=%zu  %.3f ns/element (min %.3f)  max %.2f ulp\n", isa,
               "plain sigmoid", dtype_name(d), n, median, min, plain_max_ulp(k, d));
    }
    for (int a = 0; a < SX_MAX_ARGS; a++) {
        free(in[a]);
        free(out[a]);
    }
    return 0;
}
