/*
 * sigmoid_ext C API.
 *
 * Every function of the library is one row of a table: an id (enum sx_func), a number of
 * inputs and outputs, and one contiguous kernel per dtype and per instruction set.  All
 * kernels share one signature, NumPy's inner-loop shape:
 *
 *     void kernel(char *const *args, size_t n);   args = inputs..., outputs...
 *
 * working on n contiguous, element-aligned items.  The drivers below take care of
 * strides, broadcasting (stride 0), misalignment, N-d iteration and threads, so a new
 * function is one enum value, one arity row and one kernel per dtype.
 */
#ifndef SIGMOID_EXT_H
#define SIGMOID_EXT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* cffi-cdef-begin: the builder hands the declarations from here to the end marker to cffi. */
enum sx_dtype { SX_F32 = 0, SX_F64 = 1, SX_NDTYPES = 2 };

enum sx_func {
    SX_SIGMOID = 0,          /* y = 1/(1+e^-x)                     1 in, 1 out */
    SX_SIGMOID_GRAD,         /* y = e^-|x|/(1+e^-|x|)^2             1 in, 1 out */
    SX_SIGMOID_BACKWARD,     /* y = g*s*(1-s)  (g, s) -> y          2 in, 1 out */
    SX_LOG_SIGMOID,          /* y = -log1p(e^-x)                    1 in, 1 out */
    SX_SOFTPLUS,             /* y = log1p(e^x)                      1 in, 1 out */
    SX_LOGIT,                /* y = log(p/(1-p))                    1 in, 1 out */
    SX_LOGIT_GRAD,           /* y = 1/(p(1-p))                      1 in, 1 out */
    SX_SILU,                 /* y = x*sigma(x)                      1 in, 1 out */
    SX_SILU_GRAD,            /* y = sigma(x)(1 + x*sigma(-x))       1 in, 1 out */
    SX_LOG_SIGMOID_GRAD,     /* y = sigma(-x)                       1 in, 1 out */
    SX_SIGMOID_AND_GRAD,     /* x -> (sigma(x), sigma'(x))          1 in, 2 out */
    SX_NFUNCS
};

#define SX_MAX_ARGS 3        /* inputs + outputs of any function */
#define SX_MAX_DIMS 64

/* Number of inputs / outputs of a function, or -1 for an unknown id. */
int sx_func_nin(int func);
int sx_func_nout(int func);

/*
 * Contiguous call: every argument is a C-contiguous run of n items of `dtype`.
 * Misaligned pointers are accepted (they take the buffered path).
 * Returns 0; -1 for an unknown func/dtype or a negative n; SX_E_OVERLAP, computing
 * nothing, when an output partially overlaps an input (the caller copies the input
 * first; an output that *is* an input is fine).
 */
#define SX_E_OVERLAP -3
int sx_contig(int func, int dtype, int64_t n, int nthreads,
              void *a0, void *a1, void *a2);

/*
 * General call: ndim dimensions of `shape`; strides[arg * ndim + d] is the byte stride of
 * argument `arg` along dimension d (any sign, 0 for broadcast, any alignment).
 * Outputs must not partially overlap inputs (the caller copies such inputs first);
 * an output that is exactly an input (same pointer and strides) is fine.
 */
int sx_strided(int func, int dtype, int ndim, const int64_t *shape, const int64_t *strides,
               int nthreads, void *a0, void *a1, void *a2);

/* Instruction-set paths: the ones compiled in, whether the CPU runs each, the active one. */
int sx_isa_count(void);
const char *sx_isa_name(int index);
int sx_isa_supported(int index);
const char *sx_isa_active(void);
/* Make `name` active ("auto" picks the best supported).  0 on success, -1 unknown,
 * -2 not supported by this CPU. */
int sx_isa_select(const char *name);

/* Elements below which a call never uses the thread pool. */
int64_t sx_parallel_threshold(void);

/* Threads the ufuncs split long runs across: a process-wide setting (n >= 1), a
 * per-thread override (n >= 1; 0 removes it; returns the previous override), and the
 * count in force for the calling thread (the override if set, else the setting). */
void sx_set_num_threads(int n);
int sx_set_local_num_threads(int n);
int sx_get_num_threads(void);

/* Streaming (non-temporal) stores: a contiguous call whose outputs total at least this
 * many bytes writes them past the cache, on the paths that have streaming kernels (the
 * hand-vectorised x86 ones: sigmoid, sigmoid_grad, log_sigmoid_grad, sigmoid_and_grad,
 * sigmoid_backward).  The default is the last-level cache size.  Setting returns the
 * previous threshold; bytes < 0 restores the default (0 streams every such call: a test
 * hook, the results are the same bits either way). */
int64_t sx_stream_threshold(void);
int64_t sx_set_stream_threshold(int64_t bytes);

/* Chunks a call of n items on nthreads threads is split into (<= 65535 by construction). */
int64_t sx_plan_chunks(int64_t n, int nthreads);
/* Test hooks of the thread pool: run nchunks empty chunks on nthreads threads and return
 * how many ran (each index once, else -2); the number of live worker threads. */
int64_t sx_parallel_selftest(int nthreads, int64_t nchunks);
int sx_pool_workers(void);

/* long double, contiguous, one thread: a0 (and a1 for sigmoid_backward) -> o0 (and o1
 * for sigmoid_and_grad); NULL for the unused ones.  Outputs may be inputs.  FP exception
 * flags are left as they were.  0, or -1 for an unknown func, n < 0 or a missing array. */
int sx_contig_ld(int func, int64_t n, const long double *a0, const long double *a1,
                 long double *o0, long double *o1);
/* cffi-cdef-end */

#ifdef __cplusplus
}
#endif
#endif
