/*
 * Drivers: turn a call on arrays of any layout into kernel calls on contiguous,
 * element-aligned blocks, and split large calls across threads.
 *
 *  - Contiguous and aligned: the kernel runs straight on the caller's memory.
 *  - Anything else (strides of any sign, stride 0 for broadcast, misaligned or N-d
 *    views): each row is processed in blocks of SX_BLOCK items; an argument whose row is
 *    contiguous and aligned is used in place, the others are gathered into (inputs) or
 *    scattered from (outputs) aligned stack buffers, one element at a time with memcpy so
 *    that misaligned addresses are never dereferenced as float/double.
 *  - Work is a range of linear indices [begin, end), so threads split N-d calls as
 *    easily as flat ones.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sx_internal.h"

const sx_arity sx_arities[SX_NFUNCS] = {
    [SX_SIGMOID] = {1, 1},
    [SX_SIGMOID_GRAD] = {1, 1},
    [SX_SIGMOID_BACKWARD] = {2, 1},
    [SX_LOG_SIGMOID] = {1, 1},
    [SX_SOFTPLUS] = {1, 1},
    [SX_LOGIT] = {1, 1},
    [SX_LOGIT_GRAD] = {1, 1},
    [SX_SILU] = {1, 1},
    [SX_SILU_GRAD] = {1, 1},
    [SX_LOG_SIGMOID_GRAD] = {1, 1},
    [SX_SIGMOID_AND_GRAD] = {1, 2},
};

int sx_func_nin(int func) { return func >= 0 && func < SX_NFUNCS ? sx_arities[func].nin : -1; }
int sx_func_nout(int func) { return func >= 0 && func < SX_NFUNCS ? sx_arities[func].nout : -1; }

/* Below this many items a call stays on the calling thread: waking a worker costs more
 * than it saves (measured in bench/, see docs/threads.md). */
#define SX_PARALLEL_MIN ((int64_t)1 << 16)
/* No chunk smaller than this; a few chunks per thread balance the load and let the
 * caller absorb the share of a worker that is slow to wake. */
#define SX_CHUNK_MIN ((int64_t)1 << 14)
#define SX_CHUNKS_PER_THREAD 4

int64_t sx_parallel_threshold(void) { return SX_PARALLEL_MIN; }

typedef struct {
    sx_kernel kernel;
    const sx_isa_table *table;
    int func, dtype;
    int nargs, nin;
    size_t isz;
    char *data[SX_MAX_ARGS];
    int ndim;                       /* after coalescing; >= 1 */
    int64_t shape[SX_MAX_DIMS];
    int64_t strides[SX_MAX_ARGS][SX_MAX_DIMS];
    int64_t total, chunk;
} sx_call;

static int sx_aligned(const void *p, size_t isz) { return ((uintptr_t)p & (isz - 1)) == 0; }

static void sx_gather(char *dst, const char *src, int64_t stride, int64_t m, size_t isz)
{
    if (isz == 4)
        for (int64_t i = 0; i < m; i++)
            memcpy(dst + 4 * i, src + i * stride, 4);
    else
        for (int64_t i = 0; i < m; i++)
            memcpy(dst + 8 * i, src + i * stride, 8);
}

static void sx_scatter(char *dst, int64_t stride, const char *src, int64_t m, size_t isz)
{
    if (isz == 4)
        for (int64_t i = 0; i < m; i++)
            memcpy(dst + i * stride, src + 4 * i, 4);
    else
        for (int64_t i = 0; i < m; i++)
            memcpy(dst + i * stride, src + 8 * i, 8);
}

/* One row of len items starting at ptr[a] with byte stride step[a]. */
static void sx_run_row(const sx_call *c, char *const *ptr, const int64_t *step, int64_t len)
{
    _Alignas(64) char buf[SX_MAX_ARGS][SX_BLOCK * 8];
    int direct[SX_MAX_ARGS];
    for (int a = 0; a < c->nargs; a++)
        direct[a] = step[a] == (int64_t)c->isz && sx_aligned(ptr[a], c->isz);

    for (int64_t i = 0; i < len; i += SX_BLOCK) {
        int64_t m = len - i < SX_BLOCK ? len - i : SX_BLOCK;
        char *args[SX_MAX_ARGS];
        for (int a = 0; a < c->nargs; a++) {
            char *p = ptr[a] + i * step[a];
            if (direct[a]) {
                args[a] = p;
            } else {
                args[a] = buf[a];
                if (a < c->nin)
                    sx_gather(buf[a], p, step[a], m, c->isz);
            }
        }
        c->kernel(args, (size_t)m);
        for (int a = c->nin; a < c->nargs; a++)
            if (!direct[a])
                sx_scatter(ptr[a] + i * step[a], step[a], buf[a], m, c->isz);
    }
}

/* Items [begin, end) in C order over the (coalesced) shape. */
static void sx_run_range(const sx_call *c, int64_t begin, int64_t end)
{
    const int last = c->ndim - 1;
    const int64_t inner = c->shape[last];
    int64_t idx[SX_MAX_DIMS];
    int64_t outer = begin / inner, j = begin % inner;
    for (int d = last - 1; d >= 0; d--) {
        idx[d] = outer % c->shape[d];
        outer /= c->shape[d];
    }
    char *row[SX_MAX_ARGS];
    int64_t step[SX_MAX_ARGS];
    for (int a = 0; a < c->nargs; a++) {
        row[a] = c->data[a];
        for (int d = 0; d < last; d++)
            row[a] += idx[d] * c->strides[a][d];
        step[a] = c->strides[a][last];
    }
    while (begin < end) {
        int64_t len = inner - j < end - begin ? inner - j : end - begin;
        char *p[SX_MAX_ARGS];
        for (int a = 0; a < c->nargs; a++)
            p[a] = row[a] + j * step[a];
        sx_run_row(c, p, step, len);
        begin += len;
        j = 0;
        /* Odometer step over the outer dimensions. */
        for (int d = last - 1; d >= 0 && begin < end; d--) {
            for (int a = 0; a < c->nargs; a++)
                row[a] += c->strides[a][d];
            if (++idx[d] < c->shape[d])
                break;
            for (int a = 0; a < c->nargs; a++)
                row[a] -= idx[d] * c->strides[a][d];
            idx[d] = 0;
        }
    }
}

static void sx_chunk_contig(void *ctx, int64_t k)
{
    const sx_call *c = ctx;
    int64_t begin = k * c->chunk;
    int64_t end = begin + c->chunk < c->total ? begin + c->chunk : c->total;
    char *args[SX_MAX_ARGS];
    for (int a = 0; a < c->nargs; a++)
        args[a] = c->data[a] + begin * (int64_t)c->isz;
    c->kernel(args, (size_t)(end - begin));
}

static void sx_chunk_strided(void *ctx, int64_t k)
{
    const sx_call *c = ctx;
    int64_t begin = k * c->chunk;
    int64_t end = begin + c->chunk < c->total ? begin + c->chunk : c->total;
    sx_run_range(c, begin, end);
}

/* Chunk size for n items on nthreads threads.  Derived from a chunk *count* that is
 * capped first (threads capped to what the pool can run, chunks to what one job can
 * hold), so that ceil(n / chunk) can never exceed SX_MAX_CHUNKS: rounding the size up
 * only lowers the count.  (Deriving the count from a size floor let a huge thread count
 * ask for more chunks than a job holds, and the tail went uncomputed.) */
static int64_t sx_plan_chunk(int64_t n, int nthreads)
{
    if (nthreads > SX_MAX_THREADS)
        nthreads = SX_MAX_THREADS;
    int64_t target = (int64_t)nthreads * SX_CHUNKS_PER_THREAD;
    if (target > SX_MAX_CHUNKS)
        target = SX_MAX_CHUNKS;
    int64_t chunk = (n + target - 1) / target;
    if (chunk < SX_CHUNK_MIN)
        chunk = SX_CHUNK_MIN;
    return (chunk + 63) & ~(int64_t)63;     /* whole cache lines per chunk */
}

int64_t sx_plan_chunks(int64_t n, int nthreads)
{
    if (n <= 0)
        return 0;
    if (nthreads <= 1 || n < SX_PARALLEL_MIN)
        return 1;
    int64_t chunk = sx_plan_chunk(n, nthreads);
    return (n + chunk - 1) / chunk;
}

static void sx_dispatch(sx_call *c, int nthreads, void (*chunk_fn)(void *, int64_t))
{
    if (nthreads <= 1 || c->total < SX_PARALLEL_MIN) {
        c->chunk = c->total;
        chunk_fn(c, 0);
        return;
    }
    if (nthreads > SX_MAX_THREADS)
        nthreads = SX_MAX_THREADS;
    c->chunk = sx_plan_chunk(c->total, nthreads);
    sx_parallel_for(nthreads, (c->total + c->chunk - 1) / c->chunk, chunk_fn, c);
}

static int sx_prepare(sx_call *c, int func, int dtype, void *a0, void *a1, void *a2)
{
    if (func < 0 || func >= SX_NFUNCS || dtype < 0 || dtype >= SX_NDTYPES)
        return -1;
    c->table = sx_active_table();
    c->kernel = c->table->kernels[func][dtype];
    if (c->kernel == NULL)
        return -1;
    c->func = func;
    c->dtype = dtype;
    c->nin = sx_arities[func].nin;
    c->nargs = c->nin + sx_arities[func].nout;
    c->isz = sx_itemsize(dtype);
    c->data[0] = a0;
    c->data[1] = a1;
    c->data[2] = a2;
    for (int a = 0; a < c->nargs; a++)
        if (c->data[a] == NULL)
            return -1;
    return 0;
}

/* Streaming stores (simd_loops.inc.h) for a call whose outputs total at least this many
 * bytes.  Outputs that fit in the last-level cache are kept there: the caller usually
 * reads them again soon, and a streamed output would have to come back from memory.
 * Past the cache a plain store costs a read of every output line (write-allocate) and
 * evicts lines that the output will evict anyway.  The default, set on first use, is
 * the size of the last-level cache, SX_STREAM_DEFAULT where the system does not say. */
#define SX_STREAM_DEFAULT ((int64_t)32 << 20)
static _Atomic int64_t sx_stream_bytes = -1;         /* -1: not yet known */

/* "32768K" and the like, from sysfs; -1 when absent or unreadable. */
static int64_t sx_sysfs_size(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long long v = -1;
    char unit = 0;
    int got = fscanf(f, "%lld%c", &v, &unit);
    fclose(f);
    if (got < 1 || v <= 0)
        return -1;
    return unit == 'K' ? v << 10 : unit == 'M' ? v << 20 : v;
}

/* The last-level cache one core shares: sysfs first (glibc's sysconf reports the whole
 * socket's L3 on some AMD guests, 12x the slice a core can use), then sysconf. */
static int64_t sx_stream_default(void)
{
    int64_t llc = sx_sysfs_size("/sys/devices/system/cpu/cpu0/cache/index3/size");
#if defined(_SC_LEVEL3_CACHE_SIZE)
    if (llc <= 0)
        llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
    return llc > 0 ? llc : SX_STREAM_DEFAULT;
}

int64_t sx_stream_threshold(void)
{
    int64_t t = atomic_load_explicit(&sx_stream_bytes, memory_order_relaxed);
    if (t < 0) {
        t = sx_stream_default();
        int64_t expected = -1;
        if (!atomic_compare_exchange_strong(&sx_stream_bytes, &expected, t))
            t = expected;
    }
    return t;
}

int64_t sx_set_stream_threshold(int64_t bytes)
{
    int64_t previous = sx_stream_threshold();
    atomic_store(&sx_stream_bytes, bytes < 0 ? sx_stream_default() : bytes);
    return previous;
}

/* The streaming twin of c's kernel when n items of every output reach the threshold
 * and one exists; else c's kernel. */
static sx_kernel sx_pick_kernel(const sx_call *c, int64_t n)
{
    const int64_t out_bytes = n * (int64_t)c->isz * (c->nargs - c->nin);
    /* The setting read in place: every call passes here, and the exported getter is a
     * call through the PLT (-fPIC), a few ns on a 250 ns one-element call. */
    int64_t threshold = atomic_load_explicit(&sx_stream_bytes, memory_order_relaxed);
    if (threshold < 0)
        threshold = sx_stream_threshold();
    if (out_bytes < threshold)
        return c->kernel;
    const sx_isa_table *st = sx_stream_table(c->table);
    sx_kernel k = st != NULL ? st->kernels[c->func][c->dtype] : NULL;
    return k != NULL ? k : c->kernel;
}

/* n contiguous items of every argument; overlap already checked by the caller. */
static void sx_run_contig(sx_call *c, int64_t n, int nthreads)
{
    c->total = n;
    int aligned = 1;
    for (int a = 0; a < c->nargs; a++)
        aligned &= sx_aligned(c->data[a], c->isz);
    if (aligned) {
        c->kernel = sx_pick_kernel(c, n);
        sx_dispatch(c, nthreads, sx_chunk_contig);
    } else {
        c->ndim = 1;
        c->shape[0] = n;
        for (int a = 0; a < c->nargs; a++)
            c->strides[a][0] = (int64_t)c->isz;
        sx_dispatch(c, nthreads, sx_chunk_strided);
    }
}

int sx_contig(int func, int dtype, int64_t n, int nthreads, void *a0, void *a1, void *a2)
{
    sx_call c;
    if (n < 0 || sx_prepare(&c, func, dtype, a0, a1, a2) != 0)
        return -1;
    if (n == 0)
        return 0;
    const uintptr_t bytes = (uintptr_t)n * c.isz;
    for (int o = c.nin; o < c.nargs; o++)
        for (int a = 0; a < c.nin; a++) {
            uintptr_t po = (uintptr_t)c.data[o], pa = (uintptr_t)c.data[a];
            if (po != pa && po < pa + bytes && pa < po + bytes)
                return SX_E_OVERLAP;
        }
    sx_run_contig(&c, n, nthreads);
    return 0;
}

int sx_strided(int func, int dtype, int ndim, const int64_t *shape, const int64_t *strides,
               int nthreads, void *a0, void *a1, void *a2)
{
    sx_call c;
    if (ndim < 0 || ndim > SX_MAX_DIMS || sx_prepare(&c, func, dtype, a0, a1, a2) != 0)
        return -1;
    /* Drop length-1 dimensions and merge neighbours that are contiguous for every
     * argument, so that a contiguous array in disguise runs long rows. */
    int nd = 0;
    int64_t total = 1;
    for (int d = 0; d < ndim; d++) {
        if (shape[d] < 0)
            return -1;
        total *= shape[d];
        if (shape[d] == 1)
            continue;
        int merge = nd > 0;
        for (int a = 0; a < c.nargs && merge; a++)
            merge = c.strides[a][nd - 1] == shape[d] * strides[a * ndim + d];
        if (merge) {
            c.shape[nd - 1] *= shape[d];
            for (int a = 0; a < c.nargs; a++)
                c.strides[a][nd - 1] = strides[a * ndim + d];
        } else {
            c.shape[nd] = shape[d];
            for (int a = 0; a < c.nargs; a++)
                c.strides[a][nd] = strides[a * ndim + d];
            nd++;
        }
    }
    if (total == 0)
        return 0;
    if (nd == 0) {                      /* a single item */
        nd = 1;
        c.shape[0] = 1;
        for (int a = 0; a < c.nargs; a++)
            c.strides[a][0] = (int64_t)c.isz;
    }
    c.ndim = nd;
    c.total = total;
    sx_dispatch(&c, nthreads, sx_chunk_strided);
    return 0;
}

/* NumPy's inner-loop shape: one dimension of n items, one byte stride per argument.
 * NumPy has already copied any input that an output partially overlaps, so no overlap
 * check here; an output that is an input (in place) is fine for an elementwise loop. */
void sx_loop(int func, int dtype, int64_t n, char *const *args, const int64_t *steps,
             int nthreads)
{
    sx_call c;
    const int nargs = sx_arities[func].nin + sx_arities[func].nout;
    void *a[SX_MAX_ARGS] = {NULL, NULL, NULL};
    for (int k = 0; k < nargs; k++)
        a[k] = args[k];
    if (n <= 0 || sx_prepare(&c, func, dtype, a[0], a[1], a[2]) != 0)
        return;
    int contiguous = 1;
    for (int k = 0; k < nargs; k++)
        contiguous &= steps[k] == (int64_t)c.isz;
    if (contiguous) {
        sx_run_contig(&c, n, nthreads);
        return;
    }
    c.ndim = 1;
    c.shape[0] = n;
    for (int k = 0; k < nargs; k++)
        c.strides[k][0] = steps[k];
    c.total = n;
    sx_dispatch(&c, nthreads, sx_chunk_strided);
}

/* Threads a ufunc call may use: the process-wide setting, unless the calling thread
 * has its own (sigmoid_ext.num_threads(), a context manager, sets that one). */
static _Atomic int sx_threads_global = 1;
static _Thread_local int sx_threads_local = 0;

void sx_set_num_threads(int n) { atomic_store(&sx_threads_global, n < 1 ? 1 : n); }

int sx_set_local_num_threads(int n)
{
    const int previous = sx_threads_local;
    sx_threads_local = n < 0 ? 0 : n;
    return previous;
}

int sx_get_num_threads(void)
{
    return sx_threads_local > 0 ? sx_threads_local : atomic_load(&sx_threads_global);
}
