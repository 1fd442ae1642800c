/*
 * Kernel-only timing, without Python or the drivers: every (function, dtype) entry of
 * one ISA path's table, on n uniform inputs in [-20, 20] (cache-resident for the
 * default n), median of 15 rounds.  Used to compare kernel variants (docs/accuracy.md).
 *
 *   gcc -std=gnu11 -O3 -ffp-contract=off -fno-math-errno -fno-trapping-math -Icsrc \
 *       bench/kernel_timing.c csrc/dispatch.c csrc/drivers.c csrc/parallel.c \
 *       csrc/isa/isa_*.c -o /tmp/kernel_timing -lm -lpthread
 *   /tmp/kernel_timing 4000 avx512        # or avx2 / baseline (the CPU must have it)
 */
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

extern const sx_isa_table sx_table_baseline, sx_table_avx2, sx_table_avx512;

static const char *const func_names[SX_NFUNCS] = {
    [SX_SIGMOID] = "sigmoid", [SX_SIGMOID_GRAD] = "sigmoid_grad",
    [SX_SIGMOID_BACKWARD] = "sigmoid_backward", [SX_LOG_SIGMOID] = "log_sigmoid",
    [SX_SOFTPLUS] = "softplus", [SX_LOGIT] = "logit", [SX_LOGIT_GRAD] = "logit_grad",
    [SX_SILU] = "silu", [SX_SILU_GRAD] = "silu_grad",
    [SX_LOG_SIGMOID_GRAD] = "log_sigmoid_grad", [SX_SIGMOID_AND_GRAD] = "sigmoid_and_grad",
};

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 4000;
    const char *isa = argc > 2 ? argv[2] : "avx512";
    const sx_isa_table *table = !strcmp(isa, "baseline") ? &sx_table_baseline
                              : !strcmp(isa, "avx2") ? &sx_table_avx2
                              : !strcmp(isa, "avx512") ? &sx_table_avx512 : NULL;
    if (n == 0 || !table) {
        fprintf(stderr, "usage: %s [n > 0] [baseline|avx2|avx512]\n", argv[0]);
        return 2;
    }
    double *in[SX_MAX_ARGS], *out[SX_MAX_ARGS];
    for (int a = 0; a < SX_MAX_ARGS; a++) {
        in[a] = aligned_alloc(64, ((n * sizeof(double) + 63) / 64) * 64);
        out[a] = in[a];
    }
    srand(1);
    for (int f = 0; f < SX_NFUNCS; f++) {
        int nin = sx_func_nin(f), nargs = nin + sx_func_nout(f);
        for (int d = 0; d < SX_NDTYPES; d++) {
            sx_kernel k = table->kernels[f][d];
            if (!k)
                continue;
            char *args[SX_MAX_ARGS];
            for (int a = 0; a < nargs; a++) {
                args[a] = (char *)out[a];
                for (size_t i = 0; i < n; i++) {
                    double v = -20.0 + 40.0 * rand() / (double)RAND_MAX;
                    if (d == SX_F32) ((float *)args[a])[i] = (float)v;
                    else ((double *)args[a])[i] = v;
                }
            }
            if (f == SX_LOGIT || f == SX_LOGIT_GRAD || f == SX_SIGMOID_BACKWARD)
                for (int a = 0; a < nin; a++)   /* probabilities in [0, 1] */
                    for (size_t i = 0; i < n; i++) {
                        double v = rand() / (double)RAND_MAX;
                        if (d == SX_F32) ((float *)args[a])[i] = (float)v;
                        else ((double *)args[a])[i] = v;
                    }
            /* outputs get their own buffers so inputs stay intact */
            double *obuf[SX_MAX_ARGS] = {0};
            for (int a = nin; a < nargs; a++) {
                obuf[a] = aligned_alloc(64, ((n * sizeof(double) + 63) / 64) * 64);
                args[a] = (char *)obuf[a];
            }
            double median, min;
            sx_clock_kernel(k, args, n, &median, &min);
            printf("%-8s %-18s %-8s n=%zu  %.3f ns/element (min %.3f)\n", isa, func_names[f],
                   d == SX_F32 ? "float32" : "float64", n, median, min);
            for (int a = nin; a < nargs; a++)
                free(obuf[a]);
        }
    }
    for (int a = 0; a < SX_MAX_ARGS; a++)
        free(in[a]);
    return 0;
}
