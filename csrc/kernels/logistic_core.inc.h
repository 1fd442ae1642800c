/*
 * A double-word logistic core, written once for a floating type T: with SX_CORE_F64
 * defined it instantiates double, without it float (not compiled today).  It is the
 * reference-grade path: sx_sigmoid_dw_f64 gives sigma to a few 2^-57 relative before
 * scaling, which the correctly-rounded float32 variant (sigmoid_f32_wide in
 * kernels.inc.c) rounds once.  The default float64 kernels use the leaner
 * logistic_f64.inc.h (same bound class, ~1.4x faster).
 *
 * Algorithm (same for float and double, constants differ):
 *
 *  1. Range reduction.  For a = -|x| (clamped to A_MIN, past which every result has
 *     already rounded to 0 or 1), k = round(a / ln2) via the 1.5*2^MANT shifter trick,
 *     and r = a - k*ln2 with ln2 = LN2_HI + LN2_LO.  LN2_HI has enough trailing zero bits
 *     that k*LN2_HI is exact for |k| <= 1100 (152 for float), and a - k*LN2_HI is then
 *     exact (Sterbenz-like: both are multiples of ulp(a) and the difference is < ln2/2).
 *     The tail -k*LN2_LO is folded in with Fast2Sum, leaving |r| <= ln2/2 + 2^-20 and a
 *     residual c with |c| <= ulp(r)/2.
 *
 *  2. e^r = 1 + r + r^2*P(r), P the Taylor polynomial of (e^r-1-r)/r^2 (degree 11 for
 *     double: truncation < 2^-57; degree 5 for float: truncation < 2^-27).  The sum
 *     1 + r + h is kept as an unevaluated pair (Nh, Nl) through two Fast2Sums, so e^r
 *     is known to about 2^-56 (double) / 2^-26 (float) relative, not just to 1/2 ulp.
 *
 *  3. E = e^a = 2^k * N, D = 1 + E kept as (s, err) by Fast2Sum, and R = 1/D as
 *     (q0, Rl): q0 = 1/s rounded, then the exact remainder 1 - q0*s (one FMA, or
 *     Dekker's product without FMA) gives the correction Rl = (1 - q0*(s+err))*q0.
 *
 *  4. Callers multiply these double-word values and round once.  Because every input to
 *     that last rounding is known to well under 1/4 ulp, results are within 0.5 ulp plus
 *     a small margin (measured max 0.50x ulp; see docs/accuracy.md), far inside the
 *     1 ulp contract.  Saturation needs no special case: for large x, E underflows
 *     smoothly and R rounds to 1; for x below A_MIN the scale factors reach 2^-152 /
 *     2^-1082 and the product rounds to +0.
 *
 *  The scale 2^k is applied as two factors 2^-m1 * 2^-m2 (m = -k, m1 = m/2), each a
 *  normal number, so results in the subnormal range are rounded exactly once and are
 *  not flushed early.  NaN needs no test: it flows through the arithmetic (the garbage
 *  scale factors it produces meet a NaN product).
 */

#ifdef SX_CORE_F64
#  define T double
#  define U uint64_t
#  define CS(name) name##_f64
#  define C_MANT 52
#  define C_BIAS 1023u
#  define C_A_MIN (-750.0)
#  define C_SHIFTER 0x1.8p52
#  define C_SHIFTER_BITS UINT64_C(0x4338000000000000)
#  define C_LOG2E 0x1.71547652b82fep0
#  define C_LN2_HI 0x1.62e42feep-1
#  define C_LN2_LO 0x1.a39ef35793c76p-33
#else
#  define T float
#  define U uint32_t
#  define CS(name) name##_f32
#  define C_MANT 23
#  define C_BIAS 127u
#  define C_A_MIN (-105.0f)
#  define C_SHIFTER 0x1.8p23f
#  define C_SHIFTER_BITS UINT32_C(0x4b400000)
#  define C_LOG2E 0x1.715476p0f
#  define C_LN2_HI 0x1.62ep-1f
#  define C_LN2_LO 0x1.0bfbe8p-15f
#endif

static inline U CS(sx_bits)(T v) { U u; memcpy(&u, &v, sizeof u); return u; }
static inline T CS(sx_from_bits)(U u) { T v; memcpy(&v, &u, sizeof v); return v; }

/* a*b = *hi + *lo exactly (hi = fl(a*b)). */
static inline void CS(sx_two_prod)(T a, T b, T *hi, T *lo)
{
    T p = a * b;
#if SX_HAS_FMA
    *lo = SX_FMA(a, b, -p);
#else
    /* Dekker/Veltkamp splitting: exact without an FMA instruction. */
    const T split = (T)((U)1 << ((C_MANT + 2) / 2)) + (T)1;
    T ta = split * a, tb = split * b;
    T ah = ta - (ta - a), al = a - ah;
    T bh = tb - (tb - b), bl = b - bh;
    *lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
    *hi = p;
}

/* The parts every logistic function is built from; see the comment at the top.
 *   e^-|x| = (nh + nl) * sc1 * sc2,   1/(1 + e^-|x|) = q0 + rl.                    */
static inline void CS(sx_logistic_parts)(T x, T *nh, T *nl, T *q0, T *rl, T *sc1, T *sc2)
{
    T a = -SX_FABS(x);
    a = a < C_A_MIN ? C_A_MIN : a;              /* NaN compares false and stays NaN */

    T kd = a * C_LOG2E + C_SHIFTER;
    U m = C_SHIFTER_BITS - CS(sx_bits)(kd);     /* m = -k >= 0 */
    kd -= C_SHIFTER;

    T rh = a - kd * C_LN2_HI;                   /* exact */
    T rt = -kd * C_LN2_LO;
    T r = rh + rt;
    T c = (rh - r) + rt;

    /* h = r^2 * P(r), Horner form, Taylor coefficients 1/j!. */
#ifdef SX_CORE_F64
    T p = sx_horner_f64(r, sx_inv_fact + 2, 12);  /* 1/2! .. 1/13! */
#else
    T p = 0x1.a01a02p-13f;                      /* 1/7! */
    p = SX_FMA(p, r, 0x1.6c16c2p-10f);          /* 1/6! */
    p = SX_FMA(p, r, 0x1.111112p-7f);           /* 1/5! */
    p = SX_FMA(p, r, 0x1.555556p-5f);           /* 1/4! */
    p = SX_FMA(p, r, 0x1.555556p-3f);           /* 1/3! */
    p = SX_FMA(p, r, 0.5f);
#endif
    T h = (r * r) * p;

    /* N = 1 + r + h + c*(1 + r) as (n1, lo): two Fast2Sums, |1| >= |r| and n0 >= |h|. */
    T n0 = (T)1 + r;
    T t0 = ((T)1 - n0) + r;
    T n1 = n0 + h;
    T t1 = (n0 - n1) + h;
    T lo = t0 + t1 + c + c * r;

    /* Scale 2^k = 2^-m1 * 2^-m2, both factors normal. */
    U m1 = m >> 1, m2 = m - m1;
    T s1 = CS(sx_from_bits)((C_BIAS - m1) << C_MANT);
    T s2 = CS(sx_from_bits)((C_BIAS - m2) << C_MANT);
    T scale = s1 * s2;                          /* may underflow: only used in D */

    /* D = 1 + E as (s, err); E <= 1 so Fast2Sum applies. */
    T eh = n1 * scale, el = lo * scale;
    T s = (T)1 + eh;
    T err = (((T)1 - s) + eh) + el;

    /* R = 1/D as (q, q*rem): rem = 1 - q*(s + err), with 1 - q*s computed exactly. */
    T q = (T)1 / s;
    T ph, pl;
    CS(sx_two_prod)(q, s, &ph, &pl);
    T rem = (((T)1 - ph) - pl) - q * err;

    *nh = n1;
    *nl = lo;
    *q0 = q;
    *rl = rem * q;
    *sc1 = s1;
    *sc2 = s2;
}

/* sigma(x) as a double-word value (hi, lo) before the final scaling, plus the scale
 * to apply: sigma(x) = (hi + lo) * (*f1) * (*f2).  For x >= 0: 1/D.  For x < 0: E/D. */
static inline void CS(sx_sigmoid_dw)(T x, T *hi, T *lo, T *f1, T *f2)
{
    T nh, nl, q0, rl, s1, s2;
    CS(sx_logistic_parts)(x, &nh, &nl, &q0, &rl, &s1, &s2);
    int neg = !(x >= (T)0);                     /* NaN takes the scaled branch */
    nh = neg ? nh : (T)1;
    nl = neg ? nl : (T)0;
    T ph, pl;
    CS(sx_two_prod)(nh, q0, &ph, &pl);
    T corr = pl + (nh * rl + nl * q0);
    T sum = ph + corr;                          /* Fast2Sum renormalisation */
    *hi = sum;
    *lo = (ph - sum) + corr;
    *f1 = neg ? s1 : (T)1;
    *f2 = neg ? s2 : (T)1;
}

#undef T
#undef U
#undef CS
#undef C_MANT
#undef C_BIAS
#undef C_A_MIN
#undef C_SHIFTER
#undef C_SHIFTER_BITS
#undef C_LOG2E
#undef C_LN2_HI
#undef C_LN2_LO
