/*
 * Loops shared by the hand-vectorised kernels (logistic_f32_native.inc.h,
 * logistic_f64_avx512.inc.h).  A vector flavour plugs in as five arguments:
 *   T   the element type,   VT  the vector type,   VN  its lanes,
 *   LD  an unaligned load,  ST  an unaligned store;
 * a kernel then names its vector function, the test that picks the lanes for the
 * scalar fallback (a bit per lane; the far tails and NaN), and that scalar function.
 * The wrappers take the flavour as one macro (SX_VNF in logistic_f32_native.inc.h
 * expands to the five).
 */
#ifndef SX_SIMD_LOOPS_INC_H
#define SX_SIMD_LOOPS_INC_H

/* The rare lanes of one vector, from the input values kept in v (the output may be
 * the input array: in place, x[] is already overwritten here). */
#define SX_SIMD_FIXUP(T, VN, ST, v, rare, out, scalar_fn)                     \
    do {                                                                      \
        T xs_[VN];                                                            \
        ST(xs_, v);                                                           \
        for (unsigned m_ = (rare); m_; m_ &= m_ - 1) {                        \
            int j_ = __builtin_ctz(m_);                                       \
            T u_ = xs_[j_];                                                   \
            (out)[j_] = u_ == u_ ? scalar_fn(u_) : u_ + u_;                   \
        }                                                                     \
    } while (0)

/* One input, one output.  The tail goes through a zero-padded local vector, so nothing
 * outside the arrays is touched. */
#define SX_SIMD_UNARY_KERNEL_(kname, T, VT, VN, LD, ST, vec_fn, rare_fn, scalar_fn)  \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y = (T *)args[1];                                                  \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN) {                                        \
            VT v = LD(x + i);                                                 \
            unsigned rare = rare_fn(v);                                       \
            ST(y + i, vec_fn(v));                                             \
            if (__builtin_expect(rare != 0, 0))                               \
                SX_SIMD_FIXUP(T, VN, ST, v, rare, y + i, scalar_fn);          \
        }                                                                     \
        if (i < n) {                                                          \
            T buf[VN] = {0};                                                  \
            memcpy(buf, x + i, (n - i) * sizeof(T));                          \
            VT v = LD(buf);                                                   \
            unsigned rare = rare_fn(v) & ((1u << (n - i)) - 1);               \
            ST(buf, vec_fn(v));                                               \
            SX_SIMD_FIXUP(T, VN, ST, v, rare, buf, scalar_fn);                \
            memcpy(y + i, buf, (n - i) * sizeof(T));                          \
        }                                                                     \
    }
#define SX_SIMD_UNARY_KERNEL(...) SX_SIMD_UNARY_KERNEL_(__VA_ARGS__)

/* Two inputs, one output, no fallback lanes (sigmoid_backward: NaN propagates). */
#define SX_SIMD_BINARY_KERNEL_(kname, T, VT, VN, LD, ST, vec_fn)              \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *a = (const T *)args[0], *b = (const T *)args[1];             \
        T *y = (T *)args[2];                                                  \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            ST(y + i, vec_fn(LD(a + i), LD(b + i)));                          \
        if (i < n) {                                                          \
            T ab[VN] = {0}, bb[VN] = {0};                                     \
            memcpy(ab, a + i, (n - i) * sizeof(T));                           \
            memcpy(bb, b + i, (n - i) * sizeof(T));                           \
            ST(ab, vec_fn(LD(ab), LD(bb)));                                   \
            memcpy(y + i, ab, (n - i) * sizeof(T));                           \
        }                                                                     \
    }
#define SX_SIMD_BINARY_KERNEL(...) SX_SIMD_BINARY_KERNEL_(__VA_ARGS__)

/* sigma and sigma' from one evaluation of the shared parts (type PARTS, from parts_fn);
 * the tail through local buffers as above. */
#define SX_SIMD_PAIR_KERNEL_(kname, T, VT, VN, LD, ST, PARTS, parts_fn, first_fn,      \
                             second_fn, rare_fn, scalar_first, scalar_second)          \
    static inline void kname##_step(const T *x, T *y, T *g, unsigned live)    \
    {                                                                         \
        VT v = LD(x);                                                         \
        unsigned rare = rare_fn(v) & live;                                    \
        PARTS p = parts_fn(v);                                                \
        ST(y, first_fn(v, p));                                                \
        ST(g, second_fn(p));                                                  \
        if (__builtin_expect(rare != 0, 0)) {                                 \
            SX_SIMD_FIXUP(T, VN, ST, v, rare, y, scalar_first);               \
            SX_SIMD_FIXUP(T, VN, ST, v, rare, g, scalar_second);              \
        }                                                                     \
    }                                                                         \
    static void kname(char *const *args, size_t n)                            \
    {                                                                         \
        const T *x = (const T *)args[0];                                      \
        T *y = (T *)args[1], *g = (T *)args[2];                               \
        size_t i = 0;                                                         \
        for (; i + VN <= n; i += VN)                                          \
            kname##_step(x + i, y + i, g + i, ~0u);                           \
        if (i < n) {                                                          \
            T xb[VN] = {0}, yb[VN], gb[VN];                                   \
            memcpy(xb, x + i, (n - i) * sizeof(T));                           \
            kname##_step(xb, yb, gb, (1u << (n - i)) - 1);                    \
            memcpy(y + i, yb, (n - i) * sizeof(T));                           \
            memcpy(g + i, gb, (n - i) * sizeof(T));                           \
        }                                                                     \
    }
#define SX_SIMD_PAIR_KERNEL(...) SX_SIMD_PAIR_KERNEL_(__VA_ARGS__)

#endif
