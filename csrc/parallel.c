/*
 * A small persistent thread pool for splitting one call across cores.
 *
 * Design goal: a call never waits for a thread that is not already working on it.
 * On these virtual machines a worker that went to sleep can take ~1 ms to wake, far
 * longer than many calls; so work is handed out as chunks that threads *claim*, and the
 * caller claims chunks too.  If no worker wakes in time the caller simply does every
 * chunk itself; at the end it only waits for chunks already claimed by running workers.
 *
 * The claim counter and the job generation share one 64-bit atomic ticket:
 *     ticket = generation << 32 | nchunks << 16 | next chunk
 * so a claim (compare-and-swap ticket -> ticket + 1) can only succeed for the job that
 * is current, and the job's parameters (fn, ctx) cannot change while a claimed chunk of
 * it is unfinished.  Hence at most SX_MAX_CHUNKS = 65535 chunks per job: the drivers
 * derive their chunk size from a chunk count capped well below that, and a longer job
 * would run as several jobs (never truncated).
 *
 * Workers spin briefly after a job that used them (calls often come in bursts; the spin
 * adapts to how soon the next call comes), then
 * sleep, each on its own condition variable, so that a job wakes only the workers it
 * uses: after one call with many threads, later small calls leave the others asleep.
 * A worker no job has used for SX_IDLE_EXIT_NS exits, highest index first.  One caller
 * at a time owns the pool; a concurrent caller (another
 * Python thread, the GIL being released) runs its call on its own thread instead of
 * waiting.  After fork() the child starts with an empty pool (threads do not survive
 * fork) and creates workers again on demand.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "sx_internal.h"

/* SX_MAX_WORKERS and SX_MAX_CHUNKS are in sx_internal.h: the drivers size their jobs
 * by them. */
/* Poll for the next job up to this long before sleeping.  Measured in time, not in pause
 * rounds (a pause costs from a few to ~100 cycles depending on the CPU): a worker that
 * falls asleep between back-to-back calls misses every call shorter than its wake-up.
 * The spin adapts (docs/benchmarks.md, "The workers' spin", has the measurement): a
 * worker whose spin ran out without a job halves its next one, down to SX_SPIN_MIN_NS,
 * and one that found a job while spinning doubles it, up to SX_SPIN_NS.  Back-to-back
 * calls keep the full spin; a program that runs other work between calls (a BLAS call,
 * a dask graph) stops paying a core-millisecond per call for a spin that never pays. */
#define SX_SPIN_NS 1000000
#define SX_SPIN_MIN_NS 20000
/* A worker that no job has used for this long exits (top index first), so that one call
 * with many threads does not leave a crowd of threads behind for the life of the process.
 * Long against any burst of calls, so the steady state never re-creates threads. */
#define SX_IDLE_EXIT_NS 1000000000
/* SIGMOID_EXT_SPIN_US (microseconds, 0..1000000; read once, when the first worker
 * starts) fixes the spin instead: bench/spin_cost.py compares settings with it. */
static int64_t sx_spin_fixed_ns = -1;       /* -1: adaptive */
static pthread_once_t sx_spin_once = PTHREAD_ONCE_INIT;

static void sx_read_spin(void)
{
    const char *s = getenv("SIGMOID_EXT_SPIN_US");
    char *end = NULL;
    long long us = s != NULL ? strtoll(s, &end, 10) : -1;
    if (s != NULL && end != s && *end == '\0' && us >= 0 && us <= 1000000)
        sx_spin_fixed_ns = (int64_t)us * 1000;
}

/* The fixed spin, or -1 for the adaptive one. */
static int64_t sx_spin_setting(void)
{
    pthread_once(&sx_spin_once, sx_read_spin);
    return sx_spin_fixed_ns;
}

/* One per worker: its own condition variable, so that a job wakes exactly the workers it
 * uses (a broadcast woke all of them, and each then spun for SX_SPIN_NS). */
typedef struct {
    pthread_cond_t wake;
    _Atomic int sleeping;           /* set under lock before waiting; read by callers */
    int inited;                     /* wake initialised (guarded by lock) */
} sx_slot;

typedef struct {
    _Atomic uint64_t ticket;
    _Atomic int64_t done;
    void (*fn)(void *, int64_t);
    void *ctx;
    _Atomic int limit;              /* workers with an index below this take part */
    _Atomic int nworkers;           /* indices [0, nworkers) are live; changed under lock */
    pthread_mutex_t lock;           /* guards sleeping/waking, worker creation and exit */
    pthread_mutex_t owner;          /* held by the caller using the pool */
    sx_slot slots[SX_MAX_WORKERS];
} sx_pool;

static sx_pool sx_the_pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .owner = PTHREAD_MUTEX_INITIALIZER,
};
static pthread_once_t sx_atfork_once = PTHREAD_ONCE_INIT;

static inline uint32_t sx_gen(uint64_t t) { return (uint32_t)(t >> 32); }
static inline uint64_t sx_nchunks(uint64_t t) { return (t >> 16) & 0xffff; }
static inline uint64_t sx_next(uint64_t t) { return t & 0xffff; }

static int64_t sx_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sx_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Claim and run chunks of job `gen` until none is left.  Returns chunks run. */
static int64_t sx_work(sx_pool *p, uint32_t gen)
{
    int64_t ran = 0;
    uint64_t t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    while (sx_gen(t) == gen && sx_next(t) < sx_nchunks(t)) {
        if (!atomic_compare_exchange_weak_explicit(&p->ticket, &t, t + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;                         /* t now holds the fresh ticket */
        p->fn(p->ctx, (int64_t)sx_next(t));
        ran++;
        atomic_fetch_add_explicit(&p->done, 1, memory_order_release);
        t = atomic_load_explicit(&p->ticket, memory_order_acquire);
    }
    return ran;
}

typedef struct {
    sx_pool *pool;
    int index;
} sx_worker_arg;

/* Whether the ticket holds a job newer than *seen that worker `index` takes part in;
 * *seen advances past every job looked at, used or not. */
static int sx_job_for(sx_pool *p, int index, uint32_t *seen)
{
    uint64_t t = atomic_load(&p->ticket);
    if (sx_gen(t) == *seen)
        return 0;
    *seen = sx_gen(t);
    /* limit was stored before the ticket: this is the job's limit or a later job's,
     * and a later job's chunks are simply not found under the old generation. */
    return index < atomic_load(&p->limit);
}

static void sx_abs_time(struct timespec *ts, int64_t ns)
{
    ts->tv_sec = (time_t)(ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

static void *sx_worker_main(void *arg)
{
    sx_pool *p = ((sx_worker_arg *)arg)->pool;
    const int index = ((sx_worker_arg *)arg)->index;
    free(arg);
    sx_slot *slot = &p->slots[index];
    uint32_t seen = sx_gen(atomic_load(&p->ticket));
    int64_t last_used = sx_now_ns();
    const int64_t fixed = sx_spin_setting();
    int64_t spin_ns = fixed >= 0 ? fixed : SX_SPIN_NS;
    for (;;) {
        /* Spin for a job that uses this worker.  Jobs that do not use it do not extend
         * the spin: a small job after a large one keeps the surplus workers quiet. */
        int got = 0;
        const int64_t deadline = sx_now_ns() + spin_ns;
        for (int i = 1;; i++) {
            if (sx_job_for(p, index, &seen)) {
                got = 1;
                break;
            }
            sx_cpu_relax();
            if ((i & 63) == 0 && sx_now_ns() > deadline)
                break;
        }
        if (fixed < 0) {
            /* Adapt: found a job while spinning (the next call came within the spin)
             * -> spin longer next time; ran out -> shorter. */
            if (got)
                spin_ns = spin_ns * 2 < SX_SPIN_NS ? spin_ns * 2 : SX_SPIN_NS;
            else
                spin_ns = spin_ns / 2 > SX_SPIN_MIN_NS ? spin_ns / 2 : SX_SPIN_MIN_NS;
        }
        if (!got) {
            pthread_mutex_lock(&p->lock);
            /* sleeping is set (seq_cst) before the ticket is read again; a caller stores
             * the ticket before reading sleeping: one of the two sees the other, and the
             * caller signals under the lock, which we hold until the wait releases it. */
            atomic_store(&slot->sleeping, 1);
            for (;;) {
                if (sx_job_for(p, index, &seen)) {
                    got = 1;
                    break;
                }
                int idle = sx_now_ns() - last_used >= SX_IDLE_EXIT_NS;
                if (idle && index == atomic_load(&p->nworkers) - 1) {
                    /* Only the highest index exits, so the live workers stay
                     * [0, nworkers); the next one down is told to check its own idle
                     * time.  A caller that counted on this worker loses nothing: it
                     * never waits for a worker that has not claimed a chunk. */
                    atomic_store(&slot->sleeping, 0);
                    atomic_store(&p->nworkers, index);
                    if (index > 0)
                        pthread_cond_signal(&p->slots[index - 1].wake);
                    pthread_mutex_unlock(&p->lock);
                    return NULL;
                }
                if (idle) {
                    /* Idle but not on top: wait for a job or for the worker above
                     * to exit (a timed wait would return at once). */
                    pthread_cond_wait(&slot->wake, &p->lock);
                } else {
                    struct timespec ts;
                    sx_abs_time(&ts, last_used + SX_IDLE_EXIT_NS);
                    pthread_cond_timedwait(&slot->wake, &p->lock, &ts);
                }
            }
            atomic_store(&slot->sleeping, 0);
            pthread_mutex_unlock(&p->lock);
        }
        if (got) {
            sx_work(p, seen);
            last_used = sx_now_ns();
        }
    }
    return NULL;
}

static void sx_atfork_child(void)
{
    /* Only the forking thread exists in the child: forget the workers, and re-create
     * the synchronisation objects, which may have been held at the time of fork. */
    sx_pool *p = &sx_the_pool;
    atomic_store(&p->nworkers, 0);
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->owner, NULL);
    for (int i = 0; i < SX_MAX_WORKERS; i++) {
        atomic_store(&p->slots[i].sleeping, 0);
        p->slots[i].inited = 0;             /* re-initialised when a worker takes it */
    }
}

static void sx_register_atfork(void) { pthread_atfork(NULL, NULL, sx_atfork_child); }

/* Make sure `want` workers exist; returns how many do. */
static int sx_grow(sx_pool *p, int want)
{
    if (want > SX_MAX_WORKERS)
        want = SX_MAX_WORKERS;
    if (atomic_load(&p->nworkers) >= want)
        return atomic_load(&p->nworkers);
    pthread_mutex_lock(&p->lock);
    while (atomic_load(&p->nworkers) < want) {
        int index = atomic_load(&p->nworkers);
        sx_slot *slot = &p->slots[index];
        if (!slot->inited) {
            /* Timed waits on the monotonic clock: idle exit must not depend on the date. */
            pthread_condattr_t ca;
            pthread_condattr_init(&ca);
            pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
            int rc = pthread_cond_init(&slot->wake, &ca);
            pthread_condattr_destroy(&ca);
            if (rc != 0)
                break;
            slot->inited = 1;
        }
        atomic_store(&slot->sleeping, 0);
        pthread_t th;
        pthread_attr_t attr;
        sx_worker_arg *arg = malloc(sizeof *arg);
        if (arg == NULL)
            break;                            /* run with what we have */
        arg->pool = p;
        arg->index = index;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &attr, sx_worker_main, arg);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            free(arg);
            break;
        }
        atomic_store(&p->nworkers, index + 1);
    }
    int n = atomic_load(&p->nworkers);
    pthread_mutex_unlock(&p->lock);
    return n;
}

int sx_pool_workers(void) { return atomic_load(&sx_the_pool.nworkers); }

/* One job of at most SX_MAX_CHUNKS chunks (the ticket's 16-bit fields). */
static void sx_parallel_job(sx_pool *p, int nthreads, int64_t nchunks,
                            void (*fn)(void *, int64_t), void *ctx)
{
    if (nthreads <= 1 || nchunks <= 1 || pthread_mutex_trylock(&p->owner) != 0) {
        for (int64_t k = 0; k < nchunks; k++)
            fn(ctx, k);
        return;
    }
    pthread_once(&sx_atfork_once, sx_register_atfork);
    int helpers = nthreads - 1 < nchunks - 1 ? nthreads - 1 : (int)(nchunks - 1);
    if (sx_grow(p, helpers) == 0) {
        pthread_mutex_unlock(&p->owner);
        for (int64_t k = 0; k < nchunks; k++)
            fn(ctx, k);
        return;
    }
    if (helpers > atomic_load(&p->nworkers))
        helpers = atomic_load(&p->nworkers);

    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->limit, helpers);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint32_t gen = sx_gen(atomic_load(&p->ticket)) + 1;
    atomic_store(&p->ticket, ((uint64_t)gen << 32) | ((uint64_t)nchunks << 16));
    /* Wake only the workers this job uses, and only those asleep (seq_cst loads after
     * the ticket store: see the worker's side). */
    int locked = 0;
    for (int i = 0; i < helpers; i++) {
        if (!atomic_load(&p->slots[i].sleeping))
            continue;
        if (!locked) {
            pthread_mutex_lock(&p->lock);
            locked = 1;
        }
        pthread_cond_signal(&p->slots[i].wake);
    }
    if (locked)
        pthread_mutex_unlock(&p->lock);

    sx_work(p, gen);
    /* Every chunk is claimed; wait only for the ones running on awake workers. */
    while (atomic_load_explicit(&p->done, memory_order_acquire) < nchunks)
        sx_cpu_relax();
    pthread_mutex_unlock(&p->owner);
}

/* Chunks base + [0, n) of an outer job, for jobs beyond SX_MAX_CHUNKS. */
typedef struct {
    void (*fn)(void *, int64_t);
    void *ctx;
    int64_t base;
} sx_offset_job;

static void sx_offset_chunk(void *ctx, int64_t k)
{
    const sx_offset_job *j = ctx;
    j->fn(j->ctx, j->base + k);
}

void sx_parallel_for(int nthreads, int64_t nchunks, void (*fn)(void *, int64_t), void *ctx)
{
    sx_pool *p = &sx_the_pool;
    if (nthreads > SX_MAX_THREADS)
        nthreads = SX_MAX_THREADS;
    if (nchunks <= SX_MAX_CHUNKS) {
        sx_parallel_job(p, nthreads, nchunks, fn, ctx);
        return;
    }
    /* The drivers size their jobs below SX_MAX_CHUNKS (sx_plan_chunks), so this is a
     * guard, not a path: a job the ticket cannot represent runs as several jobs, in
     * order, rather than losing its tail. */
    for (int64_t base = 0; base < nchunks; base += SX_MAX_CHUNKS) {
        sx_offset_job j = {fn, ctx, base};
        int64_t n = nchunks - base < SX_MAX_CHUNKS ? nchunks - base : SX_MAX_CHUNKS;
        sx_parallel_job(p, nthreads, n, sx_offset_chunk, &j);
    }
}

/* Test hook: run a job of nchunks empty chunks and check each ran exactly once. */
typedef struct {
    _Atomic int64_t count, sum;
} sx_selftest_ctx;

static void sx_selftest_chunk(void *ctx, int64_t k)
{
    sx_selftest_ctx *c = ctx;
    atomic_fetch_add(&c->count, 1);
    atomic_fetch_add(&c->sum, k);
}

int64_t sx_parallel_selftest(int nthreads, int64_t nchunks)
{
    if (nchunks < 0)
        return -1;
    sx_selftest_ctx c;
    atomic_init(&c.count, 0);
    atomic_init(&c.sum, 0);
    sx_parallel_for(nthreads, nchunks, sx_selftest_chunk, &c);
    int64_t count = atomic_load(&c.count);
    /* count == nchunks and the indices summing to 0 + 1 + ... + (nchunks - 1): every
     * index once (a repeat would need a matching miss, which the count also excludes
     * only together with the sum; good enough for a regression check). */
    return atomic_load(&c.sum) == nchunks * (nchunks - 1) / 2 ? count : -2;
}
