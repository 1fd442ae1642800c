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
 * it is unfinished.  Hence at most 65535 chunks per job (drivers.c uses a few per thread).
 *
 * Workers spin briefly after each job (calls often come in bursts), then sleep on a
 * condition variable.  One caller at a time owns the pool; a concurrent caller (another
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

#define SX_MAX_WORKERS 255
/* Poll for the next job this long before sleeping.  Measured in time, not in pause
 * rounds (a pause costs from a few to ~100 cycles depending on the CPU): a worker that
 * falls asleep between back-to-back calls misses every call shorter than its wake-up. */
#define SX_SPIN_NS 1000000

typedef struct {
    _Atomic uint64_t ticket;
    _Atomic int64_t done;
    void (*fn)(void *, int64_t);
    void *ctx;
    _Atomic int limit;              /* workers with an index below this take part */
    _Atomic int nsleeping;
    int nworkers;
    pthread_mutex_t lock;           /* guards sleeping/waking and worker creation */
    pthread_cond_t wake;
    pthread_mutex_t owner;          /* held by the caller using the pool */
} sx_pool;

static sx_pool sx_the_pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
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

static void *sx_worker_main(void *arg)
{
    sx_pool *p = ((sx_worker_arg *)arg)->pool;
    const int index = ((sx_worker_arg *)arg)->index;
    free(arg);
    uint32_t seen = sx_gen(atomic_load(&p->ticket));
    for (;;) {
        uint64_t t = 0;
        int fresh = 0;
        const int64_t deadline = sx_now_ns() + SX_SPIN_NS;
        for (int i = 1;; i++) {
            t = atomic_load_explicit(&p->ticket, memory_order_acquire);
            if (sx_gen(t) != seen) {
                fresh = 1;
                break;
            }
            sx_cpu_relax();
            if ((i & 63) == 0 && sx_now_ns() > deadline)
                break;
        }
        if (!fresh) {
            pthread_mutex_lock(&p->lock);
            atomic_fetch_add(&p->nsleeping, 1);
            while (sx_gen(t = atomic_load(&p->ticket)) == seen)
                pthread_cond_wait(&p->wake, &p->lock);
            atomic_fetch_sub(&p->nsleeping, 1);
            pthread_mutex_unlock(&p->lock);
        }
        seen = sx_gen(t);
        if (index < atomic_load(&p->limit))
            sx_work(p, seen);
    }
    return NULL;
}

static void sx_atfork_child(void)
{
    /* Only the forking thread exists in the child: forget the workers, and re-create
     * the synchronisation objects, which may have been held at the time of fork. */
    sx_pool *p = &sx_the_pool;
    p->nworkers = 0;
    atomic_store(&p->nsleeping, 0);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_mutex_init(&p->owner, NULL);
}

static void sx_register_atfork(void) { pthread_atfork(NULL, NULL, sx_atfork_child); }

/* Make sure `want` workers exist; returns how many do. */
static int sx_grow(sx_pool *p, int want)
{
    if (want > SX_MAX_WORKERS)
        want = SX_MAX_WORKERS;
    if (p->nworkers >= want)
        return p->nworkers;
    pthread_mutex_lock(&p->lock);
    while (p->nworkers < want) {
        pthread_t th;
        pthread_attr_t attr;
        sx_worker_arg *arg = malloc(sizeof *arg);
        if (arg == NULL)
            break;                            /* run with what we have */
        arg->pool = p;
        arg->index = p->nworkers;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &attr, sx_worker_main, arg);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            free(arg);
            break;
        }
        p->nworkers++;
    }
    pthread_mutex_unlock(&p->lock);
    return p->nworkers;
}

void sx_parallel_for(int nthreads, int64_t nchunks, void (*fn)(void *, int64_t), void *ctx)
{
    sx_pool *p = &sx_the_pool;
    if (nchunks > 0xffff)
        nchunks = 0xffff;                     /* drivers.c never asks for more */
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

    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->limit, helpers);
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint32_t gen = sx_gen(atomic_load(&p->ticket)) + 1;
    atomic_store(&p->ticket, ((uint64_t)gen << 32) | ((uint64_t)nchunks << 16));
    if (atomic_load(&p->nsleeping) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }

    sx_work(p, gen);
    /* Every chunk is claimed; wait only for the ones running on awake workers. */
    while (atomic_load_explicit(&p->done, memory_order_acquire) < nchunks)
        sx_cpu_relax();
    pthread_mutex_unlock(&p->owner);
}
