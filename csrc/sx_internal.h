/* Internal declarations shared by the drivers, the dispatcher and the per-ISA kernels. */
#ifndef SX_INTERNAL_H
#define SX_INTERNAL_H

#include "sigmoid_ext.h"

typedef void (*sx_kernel)(char *const *args, size_t n);

/* One instruction-set path: a kernel per (function, dtype). */
typedef struct {
    const char *name;
    sx_kernel kernels[SX_NFUNCS][SX_NDTYPES];
} sx_isa_table;

/* Arity of each function, indexed by enum sx_func. */
typedef struct {
    int nin, nout;
} sx_arity;
extern const sx_arity sx_arities[SX_NFUNCS];

/* The active table (dispatch.c), and the streaming-store twins of a table's kernels
 * (NULL, or NULL entries, where there are none). */
const sx_isa_table *sx_active_table(void);
const sx_isa_table *sx_stream_table(const sx_isa_table *table);

/* The pool's limits (parallel.c): worker threads besides the caller, hence threads per
 * call, and chunks per job (16-bit fields of its ticket).  The drivers plan within them. */
#define SX_MAX_WORKERS 255
#define SX_MAX_THREADS (SX_MAX_WORKERS + 1)
#define SX_MAX_CHUNKS 0xffff

/* Run fn(ctx, chunk) for chunk in [0, nchunks) on up to nthreads threads (parallel.c).
 * The calling thread takes part; it never waits for a worker that has not started.
 * Every chunk runs exactly once, whatever nthreads and nchunks (beyond SX_MAX_CHUNKS
 * as several jobs). */
void sx_parallel_for(int nthreads, int64_t nchunks, void (*fn)(void *ctx, int64_t chunk),
                     void *ctx);

/* NumPy's inner-loop call: n items, args[k] advancing by steps[k] bytes (drivers.c). */
void sx_loop(int func, int dtype, int64_t n, char *const *args, const int64_t *steps,
             int nthreads);
/* One element of `func` in long double (longdouble.c): in[0..nin-1] -> out[0..nout-1].
 * The same stable forms as the float64 kernels; NaN inputs come back as themselves
 * (quieted); the FP exception flags are left as they were.  Unknown func: no-op. */
void sx_ld_eval(int func, const long double *in, long double *out);

/* Items per kernel call inside the drivers and kernels: small enough for L1, large
 * enough to amortise the call. */
#define SX_BLOCK 256

static inline size_t sx_itemsize(int dtype) { return dtype == SX_F32 ? 4 : 8; }

#endif
