/*
 * Loops shared by the hand-vectorised kernels (logistic_simd.inc.h instantiates them
 * for each vector flavour).  A flavour plugs in as seven arguments:
 *   T    the element type,      VT   the vector type,   VN  its lanes,
 *   LD   an unaligned load,     ST   an unaligned store,
 *   LDN  LDN(p, m): the first m < VN elements at p, zeros above (masked: the lanes
 *        past the array are never read),
 *   STN  STN(p, m, v): store the first m lanes only;
 * a kernel then names its stages (the staged kernels: stage 1, stage 2 and the finish,
 * SX_SIMD_STAGED_LOOP; the binary one: a single vector function), the test that picks
 * the lanes for the scalar fallback (a bit per lane; the far tails and NaN), and that
 * scalar function.
 *
 * No vector ever goes through a stack buffer: the tail uses the masked forms, and the
 * fallback lanes are computed from x before the vector store (so in place is safe) and
 * written after it, one scalar at a time.  (A stack buffer also met ASan's
 * use-after-return frames, which do not keep the 64-byte alignment that gcc assumes for
 * the aligned moves it emits for such buffers.)
 */
#ifndef SX_SIMD_LOOPS_INC_H
#define SX_SIMD_LOOPS_INC_H

/* Fast2Sum, the error-free sum every flavour uses: hi = fl(a + b) and hi + lo == a + b
 * exactly, provided a's exponent is at least b's (|a| >= |b| suffices).  Written on the
 * flavour's SX_VT / SX_VADD / SX_VSUB, which are defined where it is used; hi or lo may
 * name a or b. */
#define SX_FAST2SUM(a, b, hi, lo)                                             \
    do {                                                                      \
        SX_VT a_ = (a), b_ = (b);                                             \
        (hi) = SX_VADD(a_, b_);                                               \
        (lo) = SX_VSUB(b_, SX_VSUB((hi), a_));                                \
    } while (0)

/* Scalar results of the rare lanes of the VN inputs at x, into fix_[]. */
#define SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fix_, scalar_fn)                  \
    for (unsigned m_ = (rare); m_; m_ &= m_ - 1) {                            \
        int j_ = __builtin_ctz(m_);                                           \
        T u_ = (x)[j_];                                                       \
        (fix_)[j_] = u_ == u_ ? scalar_fn(u_) : u_ + u_;                      \
    }
#define SX_SIMD_FIX_STORE(y, rare, fix_)                                      \
    for (unsigned m_ = (rare); m_; m_ &= m_ - 1) {                            \
        int j_ = __builtin_ctz(m_);                                           \
        (y)[j_] = (fix_)[j_];                                                 \
    }

/* Streaming (non-temporal) stores, for outputs too large to stay in cache (the drivers
 * choose by size: sx_stream_threshold).  A plain store first reads the line it writes
 * (write-allocate), so a kernel moves 1.5x the bytes of a copy; vmovntps/pd writes whole
 * lines past the cache.  Each kernel K has a twin K_nt: the head up to the first
 * SX_STREAM_ALIGN-aligned output element runs through K, whole vectors stream with
 * aligned vmovnt, the masked tail is a plain store as in K, and an sfence ends the call
 * (so the stores are globally visible before the pool counts the chunk done).  The
 * results are the same bits: only the store instruction differs.  A fallback lane is
 * still stored after its vector (a scalar store to a line the core has just streamed:
 * ordered for the core itself, and rare).  The vector type picks the instruction. */
#define SX_STREAM_ALIGN 64
#if defined(__x86_64__) || defined(__i386__)
#  define SX_STREAM_TWIN(...) __VA_ARGS__
#  define SX_STREAM_STORE(p, v)                                               \
    _Generic((v), __m512: _mm512_stream_ps, __m512d: _mm512_stream_pd,        \
             __m256: _mm256_stream_ps, __m256d: _mm256_stream_pd)((p), (v))
#  define SX_STREAM_FENCE() _mm_sfence()
#else
/* No streaming twins elsewhere yet (aarch64 would use stnp): the kernels only. */
#  define SX_STREAM_TWIN(...)
#  define SX_STREAM_STORE(p, v) SX_STREAM_STORE_is_x86_only
#endif
/* Elements before the first output element at a SX_STREAM_ALIGN boundary (at most n). */
#define SX_STREAM_HEAD(y, n)                                                  \
    ({                                                                        \
        size_t h_ = ((SX_STREAM_ALIGN - ((uintptr_t)(y) & (SX_STREAM_ALIGN - 1))) \
                     & (SX_STREAM_ALIGN - 1)) / sizeof *(y);                  \
        h_ < (n) ? h_ : (n);                                                  \
    })
/* Store m lanes of v at p: streamed (nt, whole vectors only) or plain. */
#if defined(__x86_64__) || defined(__i386__)
#  define SX_SIMD_STORE_(ST, STN, VN, p, m, v, nt)                            \
    do {                                                                      \
        if ((m) != VN)                                                        \
            STN(p, m, v);                                                     \
        else if (nt)                                                          \
            SX_STREAM_STORE(p, v);                                            \
        else                                                                  \
            ST(p, v);                                                         \
    } while (0)
#else
#  define SX_SIMD_STORE_(ST, STN, VN, p, m, v, nt)                            \
    do {                                                                      \
        if ((m) != VN)                                                        \
            STN(p, m, v);                                                     \
        else                                                                  \
            ST(p, v);                                                         \
    } while (0)
#endif

/* The loop of a staged kernel, software-pipelined three deep: stage 1 of vector k + 2
 * (s1: e^-|x| up to its polynomial), stage 2 of vector k + 1 (s2: e^-|x| and 1 + e^-|x|
 * as double-words) and stage 3 of vector k (finish: the division and the stores) are
 * issued side by side.  Why: these kernels are bounded by the out-of-order window, not by
 * the execution ports.  A vector is a dependency chain of about 100 cycles, so only a
 * few vectors fit in the scheduler at once; cut into stages issued beside one another,
 * a vector's instructions leave the window sooner.  (Unrolling instead, two whole vectors
 * per step, changed nothing.)  The arithmetic of an element is untouched, so are its bits.
 * On Zen 5 it took float64 sigma from about 1.33 to 1.14 ns/element with AVX2 and from
 * 0.60 to 0.47 with AVX-512 (bench/kernel_timing.c; two stages gave 1.15 and 0.52).
 *
 * Elements [i, n) of args; finish(args, i, v, p, m, nt) completes the m live lanes of
 * vector v at element i from its stage-2 result p, streaming its stores if nt.  Reading
 * ahead (vector k + 2 is loaded before vector k is stored) is safe in place: an output
 * element is only written after its own input has been read. */
#define SX_SIMD_STAGED_LOOP(T, VT, VN, LD, LDN, S1, s1, S2, s2, finish, args, i, n, nt) \
    do {                                                                      \
        const T *x_ = (const T *)(args)[0];                                   \
        size_t i_ = (i);                                                      \
        if (i_ + 2 * VN <= (n)) {                                             \
            VT v0_ = LD(x_ + i_), v1_ = LD(x_ + i_ + VN);                     \
            S2 b0_ = s2(s1(v0_));                                             \
            S1 a1_ = s1(v1_);                                                 \
            for (; i_ + 3 * VN <= (n); i_ += VN) {                            \
                VT v2_ = LD(x_ + i_ + 2 * VN);                                \
                S1 a2_ = s1(v2_);                                             \
                S2 b1_ = s2(a1_);                                             \
                finish(args, i_, v0_, b0_, VN, nt);                           \
                v0_ = v1_;                                                    \
                v1_ = v2_;                                                    \
                a1_ = a2_;                                                    \
                b0_ = b1_;                                                    \
            }                                                                 \
            finish(args, i_, v0_, b0_, VN, nt);                               \
            finish(args, i_ + VN, v1_, s2(a1_), VN, nt);                      \
            i_ += 2 * VN;                                                     \
        }                                                                     \
        if (i_ + VN <= (n)) {                                                 \
            VT v_ = LD(x_ + i_);                                              \
            finish(args, i_, v_, s2(s1(v_)), VN, nt);                         \
            i_ += VN;                                                         \
        }                                                                     \
        if (i_ < (n)) {                                                       \
            unsigned m_ = (unsigned)((n) - i_);                               \
            VT v_ = LDN(x_ + i_, m_);                                         \
            finish(args, i_, v_, s2(s1(v_)), m_, 0);                          \
        }                                                                     \
    } while (0)

/* A bit per live lane of a vector with m of VN lanes live. */
#define SX_SIMD_LIVE_LANES(VN, m) ((m) == VN ? ~0u : (1u << (m)) - 1)

/* A staged kernel's entry points: kname, and its streaming twin kname_nt, which streams
 * only when streamable(args) holds (otherwise it is kname). */
#define SX_SIMD_STAGED_ENTRIES(kname, T, VT, VN, LD, LDN, S1, s1, S2, s2, streamable)  \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        SX_SIMD_STAGED_LOOP(T, VT, VN, LD, LDN, S1, s1, S2, s2, kname##_finish, args, \
                            0, n, 0);                                         \
    }                                                                         \
    SX_STREAM_TWIN(                                                           \
    static void kname##_nt(char *const *args, size_t n)                       \
    {                                                                         \
        if (!(streamable(args))) {                                            \
            kname(args, n);                                                   \
            return;                                                           \
        }                                                                     \
        size_t head = SX_STREAM_HEAD((T *)args[1], n);                        \
        if (head)                                                             \
            kname(args, head);                                                \
        SX_SIMD_STAGED_LOOP(T, VT, VN, LD, LDN, S1, s1, S2, s2, kname##_finish, args, \
                            head, n, 1);                                      \
        SX_STREAM_FENCE();                                                    \
    }                                                                         \
    )
#define SX_SIMD_ALWAYS_STREAMABLE(args) 1
/* Both outputs of a pair kernel stream only when they share their offset within a
 * line (np.empty_like pairs do). */
#define SX_SIMD_PAIR_STREAMABLE(args)                                         \
    ((((uintptr_t)(args)[1] ^ (uintptr_t)(args)[2]) & (SX_STREAM_ALIGN - 1)) == 0)

/* One input, one output: y = finish_fn(x, s2(s1(x))). */
#define SX_SIMD_UNARY_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, S1, s1, S2, s2,      \
                              finish_fn, rare_fn, scalar_fn)                           \
    static inline __attribute__((always_inline)) void kname##_finish(         \
        char *const *args, size_t i, VT v, S2 p, unsigned m, int nt)       \
    {                                                                         \
        const T *x = (const T *)args[0] + i;                                  \
        T *y = (T *)args[1] + i;                                              \
        unsigned rare = rare_fn(v) & SX_SIMD_LIVE_LANES(VN, m);               \
        VT r = finish_fn(v, p);                                               \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            T fix_[VN];                                                       \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fix_, scalar_fn)              \
            SX_SIMD_STORE_(ST, STN, VN, y, m, r, nt);                         \
            SX_SIMD_FIX_STORE(y, rare, fix_)                                  \
        } else {                                                              \
            SX_SIMD_STORE_(ST, STN, VN, y, m, r, nt);                         \
        }                                                                     \
    }                                                                         \
    SX_SIMD_STAGED_ENTRIES(kname, T, VT, VN, LD, LDN, S1, s1, S2, s2,         \
                           SX_SIMD_ALWAYS_STREAMABLE)
#define SX_SIMD_UNARY_KERNEL(...) SX_SIMD_UNARY_KERNEL_(__VA_ARGS__)

/* Two inputs, one output (sigmoid_backward): rare_fn(a, b, r) picks the lanes whose
 * vector result r is redone by scalar_fn(a, b) (computed before the store: in place). */
#define SX_SIMD_BINARY_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, vec_fn, rare_fn,   \
                               scalar_fn)                                              \
    static inline __attribute__((always_inline)) void kname##_step(           \
        const T *a, const T *b, T *y, unsigned m, int nt)                     \
    {                                                                         \
        VT va = m == VN ? LD(a) : LDN(a, m), vb = m == VN ? LD(b) : LDN(b, m); \
        VT r = vec_fn(va, vb);                                                \
        unsigned rare = rare_fn(va, vb, r) & SX_SIMD_LIVE_LANES(VN, m);       \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            T fix_[VN];                                                       \
            for (unsigned m_ = rare; m_; m_ &= m_ - 1) {                      \
                int j_ = __builtin_ctz(m_);                                   \
                fix_[j_] = scalar_fn(a[j_], b[j_]);                           \
            }                                                                 \
            SX_SIMD_STORE_(ST, STN, VN, y, m, r, nt);                         \
            SX_SIMD_FIX_STORE(y, rare, fix_)                                  \
        } else {                                                              \
            SX_SIMD_STORE_(ST, STN, VN, y, m, r, nt);                         \
        }                                                                     \
    }                                                                         \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *a = (const T *)args[0], *b = (const T *)args[1];             \
        T *y = (T *)args[2];                                                  \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            kname##_step(a + i, b + i, y + i, VN, 0);                         \
        if (i < n)                                                            \
            kname##_step(a + i, b + i, y + i, (unsigned)(n - i), 0);          \
    }                                                                         \
    SX_STREAM_TWIN(                                                           \
    static void kname##_nt(char *const *args, size_t n)                       \
    {                                                                         \
        const T *a = (const T *)args[0], *b = (const T *)args[1];             \
        T *y = (T *)args[2];                                                  \
        size_t i = SX_STREAM_HEAD(y, n);                                      \
        if (i)                                                                \
            kname(args, i);                                                   \
        for (; i + VN <= n; i += VN)                                          \
            kname##_step(a + i, b + i, y + i, VN, 1);                         \
        if (i < n)                                                            \
            kname##_step(a + i, b + i, y + i, (unsigned)(n - i), 0);          \
        SX_STREAM_FENCE();                                                    \
    }                                                                         \
    )
#define SX_SIMD_BINARY_KERNEL(...) SX_SIMD_BINARY_KERNEL_(__VA_ARGS__)

/* sigma and sigma' from one evaluation of the shared stages. */
#define SX_SIMD_PAIR_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, S1, s1, S2, s2,       \
                             first_fn, second_fn, rare_fn, scalar_first, scalar_second) \
    static inline __attribute__((always_inline)) void kname##_finish(         \
        char *const *args, size_t i, VT v, S2 p, unsigned m, int nt)       \
    {                                                                         \
        const T *x = (const T *)args[0] + i;                                  \
        T *y = (T *)args[1] + i, *g = (T *)args[2] + i;                       \
        unsigned rare = rare_fn(v) & SX_SIMD_LIVE_LANES(VN, m);               \
        VT vy = first_fn(v, p), vg = second_fn(v, p);                         \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            T fy[VN], fg[VN];                                                 \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fy, scalar_first)             \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fg, scalar_second)            \
            SX_SIMD_STORE_(ST, STN, VN, y, m, vy, nt);                        \
            SX_SIMD_STORE_(ST, STN, VN, g, m, vg, nt);                        \
            SX_SIMD_FIX_STORE(y, rare, fy)                                    \
            SX_SIMD_FIX_STORE(g, rare, fg)                                    \
        } else {                                                              \
            SX_SIMD_STORE_(ST, STN, VN, y, m, vy, nt);                        \
            SX_SIMD_STORE_(ST, STN, VN, g, m, vg, nt);                        \
        }                                                                     \
    }                                                                         \
    SX_SIMD_STAGED_ENTRIES(kname, T, VT, VN, LD, LDN, S1, s1, S2, s2,         \
                           SX_SIMD_PAIR_STREAMABLE)
#define SX_SIMD_PAIR_KERNEL(...) SX_SIMD_PAIR_KERNEL_(__VA_ARGS__)

#endif
