/*
 * Timing of one kernel call for the C tools in bench/ (kernel_timing.c): 15 rounds,
 * each long enough (about 2e7 elements) to swamp the clock's resolution; *median and
 * *min in ns per element.
 */
#include <stdlib.h>
#include <time.h>

#include "sx_internal.h"

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
