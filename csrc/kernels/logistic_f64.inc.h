/*
 * float64 sigma(x) and sigma'(x): the default kernels.  Included by kernels.inc.c after
 * logistic_core.inc.h (whose double-word core this replaces on the float64 paths: same
 * bound class, about 1.4x faster; the core stays for the correctly-rounded float32
 * variant).
 *
 * Algorithm.  E = e^-|x| = 2^k (u_hi + u_lo) and the quotients built on it:
 *
 *  1. k = round(-|x|/ln2) by the 1.5*2^52 shifter; r = -|x| - k ln2 with ln2 split in
 *     two: k*LN2_HI is exact for |k| <= 1100 and so is r_hi = -|x| - k*LN2_HI (both
 *     multiples of ulp(|x|), difference below ln2/2); r_lo = -k*LN2_LO.
 *  2. e^r - 1 - r = r^2 Q(r), Q the degree-10 minimax fit of (e^r-1-r)/r^2 on
 *     |r| <= ln2/2 weighted by r^2/e^r (error < 2^-60.2 with these double coefficients;
 *     fitted by Lawson's iteration in 50-digit arithmetic).  e^r = 1 + r_hi + p_lo,
 *     p_lo = r_lo + r^2 Q, regrouped by two Fast2Sums into u_hi + u_lo with |u_lo| of
 *     order ulp(u_hi): every later rounding then acts on a small term.
 *  3. q0 = 1/(1 + E) rounded; its residual e = 1 - q0(1 + E) is formed with one FMA
 *     from the exact 1 - q0 (Sterbenz), so 1/(1+E) = q0 (1 + e) to O(e^2) ~ 2^-106.
 *  4. sigma = 1/(1+E) (x >= 0) or E/(1+E) (x < 0) = N q0 (1 + e) with N = 1 or E,
 *     summed so that N*q0 enters one final FMA exactly; sigma' = E q0^2 (1 + 2e) alike.
 *
 * Error: the small terms carry relative errors of a few 2^-57 each, so results are
 * within 0.5 ulp plus about 0.2 ulp (measured max 0.67 ulp over normal results,
 * docs/accuracy.md).  2^k is applied as 2^max(k,-960) inside E, which keeps e_lo a
 * normal number (below that it would lose bits), and the remaining
 * 2^(k - max(k,-960)) >= 2^-123 after the final rounding: exact for normal results;
 * subnormal results (x < -708.4) are rounded twice, so the bound there is < 1 ulp
 * (measured 0.70).  Large |x|: E underflows
 * smoothly, 1/(1+E) rounds to 1 and sigma(-x) to 0 where the true value does.
 *
 * Without an FMA (the baseline SSE2 path) the exact products come from Dekker's
 * two-product (sx_two_prod_f64), so the same bounds hold there.
 */

/* a*b + c with a*b entering exactly: one FMA; without FMA, Dekker's product hi + lo
 * and an order of summation that keeps the one rounding that matters:
 *   SX_C_SMALL    c is small against a*b (a final result): lo + c first, on a term
 *                 far below ulp(result);
 *   SX_C_CANCELS  c cancels most of a*b (a residual): hi + c is exact (Sterbenz), so
 *                 only the small remainder rounds.
 * The flag is a constant at every call, so the choice folds away. */
enum { SX_C_SMALL, SX_C_CANCELS };
static inline double sx_fma_exact_f64(double a, double b, double c, int kind)
{
#if SX_HAS_FMA
    (void)kind;
    return SX_FMA(a, b, c);
#else
    double hi, lo;
    sx_two_prod_f64(a, b, &hi, &lo);
    return kind == SX_C_CANCELS ? (hi + c) + lo : hi + (lo + c);
#endif
}

/* Parts shared by sigma and sigma': E * 2^-kb = e_hi + e_lo (kb <= 0 is the part of
 * the scale deferred to the end), q0 = RN(1/(1+E)) and the residual e. */
struct sx_logistic64 {
    double e_hi, e_lo, q0, e, tail_scale;
};

static inline struct sx_logistic64 sx_logistic64_parts(double x)
{
    double z = -SX_FABS(x);
    z = z < -750.0 ? -750.0 : z;                /* sigma has rounded to 0 or 1 beyond */
    double kfm = SX_FMA(z, 0x1.71547652b82fep0, 0x1.8p52);
    double kf = kfm - 0x1.8p52;                 /* k in [-1083, 0] */
    double r_hi = SX_FMA(kf, -0x1.62e42feep-1, z);          /* exact */
    double r_lo = kf * -0x1.a39ef35793c76p-33;
    double r = r_hi + r_lo;
    static const double q_minimax[11] = {       /* (e^r - 1 - r)/r^2 */
        0.5, 0x1.555555555555bp-3, 0x1.5555555555503p-5, 0x1.111111110ec64p-7,
        0x1.6c16c16c3043ep-10, 0x1.a01a01b37b69cp-13, 0x1.a01a01369e82dp-16,
        0x1.71ddf027fe50cp-19, 0x1.27e5b43507dd7p-22, 0x1.af6bdb14577c7p-26,
        0x1.1e3d347ab2e8cp-29,
    };
    double q = sx_horner_f64(r, q_minimax, 11);
    double p_lo = SX_FMA(r * r, q, r_lo);
    double s1 = r_hi + p_lo;                    /* Fast2Sum: |p_lo| < |r_hi| or r_hi = 0 */
    double t1 = (r_hi - s1) + p_lo;
    double u_hi = 1.0 + s1;                     /* Fast2Sum: |s1| < 1 */
    double u_lo = ((1.0 - u_hi) + s1) + t1;

    /* 2^k as 2^kc (applied now) times 2^(k-kc) (applied last), both normal.  Both exponents
     * come from double arithmetic: 64-bit integer compares do not vectorise on SSE2. */
    double kc = kf < -960.0 ? -960.0 : kf;
    double kcm = kc + 0x1.8p52, kbm = (kf - kc) + 0x1.8p52;
    double scale = sx_from_bits_f64((sx_bits_f64(kcm) + 1023) << 52);
    struct sx_logistic64 p;
    p.tail_scale = sx_from_bits_f64((sx_bits_f64(kbm) + 1023) << 52);
    p.e_hi = u_hi * scale;
    p.e_lo = u_lo * scale;
    p.q0 = 1.0 / (1.0 + (p.e_hi + p.e_lo));
    double e = sx_fma_exact_f64(-p.q0, p.e_hi, 1.0 - p.q0, SX_C_CANCELS);
    p.e = SX_FMA(-p.q0, p.e_lo, e);
    return p;
}

static inline double sx_sigmoid_f64(double x)
{
    struct sx_logistic64 p = sx_logistic64_parts(x);
    int neg = x < 0.0;
    double nh = neg ? p.e_hi : 1.0;
    double nl = neg ? p.e_lo : 0.0;
    double c = SX_FMA(nh, p.e, nl) * p.q0;
    double s = sx_fma_exact_f64(nh, p.q0, c, SX_C_SMALL);
    return neg ? s * p.tail_scale : s;
}

/* sigma'(x) = E/(1+E)^2 = E q0^2 (1 + 2e): w = E q0 as w_hi + w_lo, then one FMA. */
static inline double sx_sigmoid_grad_f64(double x)
{
    struct sx_logistic64 p = sx_logistic64_parts(x);
    double w_hi = p.e_hi * p.q0;
    double w_lo = SX_FMA(p.e_lo, p.q0, sx_fma_exact_f64(p.e_hi, p.q0, -w_hi, SX_C_CANCELS));
    double c = SX_FMA(w_hi, p.e + p.e, w_lo) * p.q0;
    return sx_fma_exact_f64(w_hi, p.q0, c, SX_C_SMALL) * p.tail_scale;
}
