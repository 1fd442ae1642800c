/*
 * Loops shared by the hand-vectorised kernels (logistic_simd.inc.h instantiates them
 * for each vector flavour).  A flavour plugs in as seven arguments:
 *   T    the element type,      VT   the vector type,   VN  its lanes,
 *   LD   an unaligned load,     ST   an unaligned store,
 *   LDN  LDN(p, m): the first m < VN elements at p, zeros above (masked: the lanes
 *        past the array are never read),
 *   STN  STN(p, m, v): store the first m lanes only;
 * a kernel then names its vector function, the test that picks the lanes for the
 * scalar fallback (a bit per lane; the far tails and NaN), and that scalar function.
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

/* One vector: m lanes live (m == VN: plain load and store). */
#define SX_SIMD_UNARY_STEP(T, VT, VN, LD, ST, LDN, STN, x, y, m, vec_fn, rare_fn,     \
                           scalar_fn)                                                  \
    do {                                                                      \
        VT v_ = (m) == VN ? LD(x) : LDN(x, m);                                \
        unsigned rare_ = rare_fn(v_) & ((m) == VN ? ~0u : (1u << (m)) - 1);   \
        VT r_ = vec_fn(v_);                                                   \
        if (__builtin_expect(rare_ != 0, 0)) {                                \
            T fix_[VN];                                                       \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare_, fix_, scalar_fn)             \
            if ((m) == VN) ST(y, r_); else STN(y, m, r_);                     \
            SX_SIMD_FIX_STORE(y, rare_, fix_)                                 \
        } else if ((m) == VN) {                                               \
            ST(y, r_);                                                        \
        } else {                                                              \
            STN(y, m, r_);                                                    \
        }                                                                     \
    } while (0)

/* One input, one output. */
#define SX_SIMD_UNARY_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, vec_fn, rare_fn,    \
                              scalar_fn)                                               \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y = (T *)args[1];                                                  \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            SX_SIMD_UNARY_STEP(T, VT, VN, LD, ST, LDN, STN, x + i, y + i, VN, \
                               vec_fn, rare_fn, scalar_fn);                   \
        if (i < n)                                                            \
            SX_SIMD_UNARY_STEP(T, VT, VN, LD, ST, LDN, STN, x + i, y + i,     \
                               (unsigned)(n - i), vec_fn, rare_fn, scalar_fn); \
    }
#define SX_SIMD_UNARY_KERNEL(...) SX_SIMD_UNARY_KERNEL_(__VA_ARGS__)

/* Two inputs, one output (sigmoid_backward): rare_fn(a, b, r) picks the lanes whose
 * vector result r is redone by scalar_fn(a, b) (computed before the store: in place). */
#define SX_SIMD_BINARY_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, vec_fn, rare_fn,   \
                               scalar_fn)                                              \
    static inline __attribute__((always_inline)) void kname##_step(           \
        const T *a, const T *b, T *y, unsigned m)                             \
    {                                                                         \
        VT va = m == VN ? LD(a) : LDN(a, m), vb = m == VN ? LD(b) : LDN(b, m); \
        VT r = vec_fn(va, vb);                                                \
        unsigned rare = rare_fn(va, vb, r) & (m == VN ? ~0u : (1u << m) - 1); \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            T fix_[VN];                                                       \
            for (unsigned m_ = rare; m_; m_ &= m_ - 1) {                      \
                int j_ = __builtin_ctz(m_);                                   \
                fix_[j_] = scalar_fn(a[j_], b[j_]);                           \
            }                                                                 \
            if (m == VN) ST(y, r); else STN(y, m, r);                         \
            SX_SIMD_FIX_STORE(y, rare, fix_)                                  \
        } else if (m == VN) {                                                 \
            ST(y, r);                                                         \
        } else {                                                              \
            STN(y, m, r);                                                     \
        }                                                                     \
    }                                                                         \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *a = (const T *)args[0], *b = (const T *)args[1];             \
        T *y = (T *)args[2];                                                  \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            kname##_step(a + i, b + i, y + i, VN);                            \
        if (i < n)                                                            \
            kname##_step(a + i, b + i, y + i, (unsigned)(n - i));             \
    }
#define SX_SIMD_BINARY_KERNEL(...) SX_SIMD_BINARY_KERNEL_(__VA_ARGS__)

/* sigma and sigma' from one evaluation of the shared parts (type PARTS, from parts_fn). */
#define SX_SIMD_PAIR_KERNEL_(kname, T, VT, VN, LD, ST, LDN, STN, PARTS, parts_fn,      \
                             first_fn, second_fn, rare_fn, scalar_first, scalar_second) \
    static inline __attribute__((always_inline)) void kname##_step(           \
        const T *x, T *y, T *g, unsigned m)                                   \
    {                                                                         \
        VT v = m == VN ? LD(x) : LDN(x, m);                                   \
        unsigned rare = rare_fn(v) & (m == VN ? ~0u : (1u << m) - 1);         \
        PARTS p = parts_fn(v);                                                \
        VT vy = first_fn(v, p), vg = second_fn(p);                            \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            T fy[VN], fg[VN];                                                 \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fy, scalar_first)             \
            SX_SIMD_FIX_COMPUTE(T, VN, x, rare, fg, scalar_second)            \
            if (m == VN) { ST(y, vy); ST(g, vg); }                            \
            else { STN(y, m, vy); STN(g, m, vg); }                            \
            SX_SIMD_FIX_STORE(y, rare, fy)                                    \
            SX_SIMD_FIX_STORE(g, rare, fg)                                    \
        } else if (m == VN) {                                                 \
            ST(y, vy);                                                        \
            ST(g, vg);                                                        \
        } else {                                                              \
            STN(y, m, vy);                                                    \
            STN(g, m, vg);                                                    \
        }                                                                     \
    }                                                                         \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y = (T *)args[1], *g = (T *)args[2];                               \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            kname##_step(x + i, y + i, g + i, VN);                            \
        if (i < n)                                                            \
            kname##_step(x + i, y + i, g + i, (unsigned)(n - i));             \
    }
#define SX_SIMD_PAIR_KERNEL(...) SX_SIMD_PAIR_KERNEL_(__VA_ARGS__)

#endif
