/*
 * The rest of the sigmoid family: log_sigmoid, softplus, logit, silu and their
 * derivatives.  Included by kernels.inc.c once per instruction-set path; uses SX_FMA,
 * sx_bits_f64 / sx_from_bits_f64 and sx_two_prod_f64 from there and the core, and
 * (only for log_sigmoid_grad = sigma(-x)) the sigmoid functions themselves.
 *
 * The float64 functions are written in double-word double arithmetic (a value is an
 * unevaluated sum hi + lo) and rounded once at the end.  The float32 functions (at the
 * bottom) are separate, plain-double evaluations rounded once to float: a double
 * within 2^-36 relative of the truth is all a float result needs.
 *
 * The building blocks are self-contained (not the sigmoid core's parts), so that the
 * sigmoid kernels can be retuned without touching this file:
 *   sxf_exp_parts   e^a for a <= 0 as (nh + nl) * s1 * s2, relative error < 2^-56
 *   sxf_log_dd      log of a double-word v > 0, relative error < 2^-56 (absolute where
 *                   the result is near 0, where the caller supplies v - 1 exactly)
 * All selects are written as data selects (no early exits) so the loops vectorise.
 */

#define SXF_LN2_HI 0x1.62e42feep-1              /* 32 significant bits: k*HI exact */
#define SXF_LN2_LO 0x1.a39ef35793c76p-33
#define SXF_SHIFT 0x1.8p52                      /* adding it rounds to an integer */
#define SXF_SHIFT_BITS UINT64_C(0x4338000000000000)

/* a + b = *s + *e exactly (Knuth's TwoSum: no ordering condition). */
static inline void sxf_two_sum(double a, double b, double *s, double *e)
{
    double t = a + b;
    double bb = t - a;
    *e = (a - (t - bb)) + (b - bb);
    *s = t;
}

/* hi + lo renormalised, |a| >= |b| (Dekker's Fast2Sum). */
static inline void sxf_fast_sum(double a, double b, double *s, double *e)
{
    double t = a + b;
    *e = (a - t) + b;
    *s = t;
}

/* (nh, nl) / (dh, dl) as a double-word quotient: the remainder of the first quotient is
 * exact (an FMA, or Dekker's product), so the pair is good to ~2^-104 relative. */
static inline void sxf_div_dd(double nh, double nl, double dh, double dl,
                              double *qh, double *ql)
{
    double q = nh / dh;
    double ph, pl;
    sx_two_prod_f64(q, dh, &ph, &pl);
    double rem = (((nh - ph) - pl) + nl) - q * dl;
    *qh = q;
    *ql = rem / dh;
}

/*
 * e^a for a <= 0 (clamped at -760, past every threshold where a result built on it is
 * nonzero): e^a = (nh + nl) * s1 * s2 with s1, s2 normal powers of two.
 * Algorithm: k = round(a/ln2), r = a - k*ln2 with a two-part ln2 (the first product and
 * difference exact), the tail kept as a TwoSum residual c; e^r = 1 + r + r^2 P(r), P the
 * Taylor polynomial through r^14/14! (truncation < 2^-60 for |r| <= ln2/2); 1 + r + h
 * kept double-word.  Error < 2^-56 relative (dominated by the rounding of h).  The
 * two-factor scale keeps results in the subnormal range rounded once by the caller.
 */
static inline void sxf_exp_parts(double a, double *nh, double *nl, double *s1, double *s2)
{
    a = a < -760.0 ? -760.0 : a;
    double kd = a * 0x1.71547652b82fep0 + SXF_SHIFT;
    uint64_t m = SXF_SHIFT_BITS - sx_bits_f64(kd);      /* m = -k in [0, 1097] */
    kd -= SXF_SHIFT;
    double r, c;
    sxf_two_sum(a - kd * SXF_LN2_HI, -kd * SXF_LN2_LO, &r, &c);
    /* P(r) = sum_{j=2..14} r^(j-2)/j!. */
    double p = sx_horner_f64(r, sx_inv_fact + 2, 13);
    double h = (r * r) * p;
    double s, e1, t, e2;
    sxf_fast_sum(1.0, r, &s, &e1);
    sxf_fast_sum(s, h, &t, &e2);
    *nh = t;
    *nl = e1 + e2 + c * (1.0 + r);
    uint64_t m1 = m >> 1, m2 = m - m1;
    *s1 = sx_from_bits_f64((UINT64_C(1023) - m1) << 52);
    *s2 = sx_from_bits_f64((UINT64_C(1023) - m2) << 52);
}

/*
 * log(v) for a double-word v = vh + vl > 0 (vh may be subnormal), as a double-word
 * (*rh, *rl).  w = v - 1 must be given exactly (double-word) by callers whose v is near
 * 1 and not otherwise known to better than 2^-104 absolute; it is used when the reduced
 * argument is v itself (v in [1/sqrt2, sqrt2)).
 * Algorithm: v = 2^k m, m in [1/sqrt2, sqrt2); z = (m-1)/(m+1) as a double-word quotient
 * (m - 1 is exact by Sterbenz); log m = 2 atanh z = 2z + 2z^3 Q(z^2), Q the series
 * 1/3 + z^2/5 + ... + z^20/23 (|z| <= 0.1716: truncation < 2^-60 relative); the series
 * tail is < 1% of 2z, so its double rounding costs < 2^-58.  k*ln2 is added with a
 * two-part ln2; |log m| <= ln2/2 so nothing cancels when k != 0.  Relative error
 * < 2^-56 overall.
 */
static inline void sxf_log_dd(double vh, double vl, double wh, double wl,
                              double *rh, double *rl)
{
    int tiny = vh < 0x1p-1000;
    double pre = tiny ? 0x1p100 : 1.0;
    vh *= pre;
    vl *= pre;
    /* Biased exponent of v / (1/sqrt2): unsigned arithmetic only (vectorises on AVX2). */
    uint64_t ub = ((sx_bits_f64(vh) - UINT64_C(0x3fe6a09e667f3bcd)) + (UINT64_C(1023) << 52)) >> 52;
    double mh = sx_from_bits_f64(sx_bits_f64(vh) - (ub << 52) + (UINT64_C(1023) << 52));
    double ml = vl * sx_from_bits_f64((UINT64_C(2046) - ub) << 52);
    double kd = sx_from_bits_f64(ub + SXF_SHIFT_BITS) - SXF_SHIFT - 1023.0
                - (tiny ? 100.0 : 0.0);
    double nh, nl;
    sxf_two_sum(mh - 1.0, ml, &nh, &nl);
    /* k == 0: m is v itself.  Tested on the double kd (never 0 when tiny), not on ub:
     * SSE2 has no 64-bit integer compare, and one would stop the baseline loop
     * vectorising. */
    int reduced = kd == 0.0;
    nh = reduced ? wh : nh;
    nl = reduced ? wl : nl;
    double dh, dl;
    sxf_two_sum(mh, 1.0, &dh, &dl);
    dl += ml;
    double zh, zl;
    sxf_div_dd(nh, nl, dh, dl, &zh, &zl);
    double z2 = zh * zh;
    static const double inv_odd[11] = {                 /* 1/3, 1/5, .., 1/23 */
        0x1.5555555555555p-2, 0x1.999999999999ap-3, 0x1.2492492492492p-3,
        0x1.c71c71c71c71cp-4, 0x1.745d1745d1746p-4, 0x1.3b13b13b13b14p-4,
        0x1.1111111111111p-4, 0x1.e1e1e1e1e1e1ep-5, 0x1.af286bca1af28p-5,
        0x1.8618618618618p-5, 0x1.642c8590b2164p-5,
    };
    double q = sx_horner_f64(z2, inv_odd, 11);
    double tail = 2.0 * zh * z2 * q;
    double sh, sl;
    sxf_two_sum(kd * SXF_LN2_HI, 2.0 * zh, &sh, &sl);
    sl += kd * SXF_LN2_LO + (2.0 * zl + tail);
    sxf_fast_sum(sh, sl, rh, rl);
}

/* The logistic pieces of |x|: E = e^-|x| = (eh + el) * s1 * s2 unscaled, and
 * R = 1/(1 + E) = sigma(|x|) as (rh, rl); G = E*R unscaled = sigma(-|x|) / (s1*s2). */
typedef struct {
    double eh, el, s1, s2, rh, rl, gh, gl;
} sxf_logistic;

static inline sxf_logistic sxf_logistic_of(double x)
{
    sxf_logistic L;
    sxf_exp_parts(-__builtin_fabs(x), &L.eh, &L.el, &L.s1, &L.s2);
    double sc = L.s1 * L.s2;                            /* may underflow: only in D */
    double dh, dl;
    sxf_fast_sum(1.0, L.eh * sc, &dh, &dl);
    dl += L.el * sc;
    sxf_div_dd(1.0, 0.0, dh, dl, &L.rh, &L.rl);
    double ph, pl;
    sx_two_prod_f64(L.eh, L.rh, &ph, &pl);
    sxf_fast_sum(ph, pl + (L.eh * L.rl + L.el * L.rh), &L.gh, &L.gl);
    return L;
}

/*
 * log_sigmoid(x) = min(x, 0) - log1p(e^-|x|).  L = log1p(E) from sxf_log_dd on
 * v = 1 + E (exact double-word), relative error < 2^-55; for |x| >= 44, E < 2^-63 and
 * log1p(E) = E to 2^-64, so L = E scaled once (correct subnormals, -0.0 beyond).  For
 * x < 0 the sum x - L has no cancellation (same signs).  Max error measured
 * 0.5 + small ulp (docs/accuracy.md); x itself for x <= -37 where that is the rounding.
 */
static inline double sxf_log_sigmoid_f64(double x)
{
    double eh, el, s1, s2;
    sxf_exp_parts(-__builtin_fabs(x), &eh, &el, &s1, &s2);
    double sc = s1 * s2;
    double Eh = eh * sc, El = el * sc;
    double vh, vl;
    sxf_fast_sum(1.0, Eh, &vh, &vl);
    vl += El;
    double lh, ll;
    sxf_log_dd(vh, vl, Eh, El, &lh, &ll);
    int far = __builtin_fabs(x) >= 44.0;
    lh = far ? ((eh + el) * s1) * s2 : lh;
    ll = far ? 0.0 : ll;
    double th, te;
    sxf_two_sum(x, -lh, &th, &te);
    double neg = far ? x : th + (te - ll);              /* x - E rounds to x; -inf too */
    return x >= 0.0 ? -(lh + ll) : neg;
}

/* softplus(x) = log1p(e^x) = -log_sigmoid(-x): negation is exact, so the same bound. */
static inline double sxf_softplus_f64(double x) { return -sxf_log_sigmoid_f64(-x); }

/*
 * logit(p) = log(p/(1-p)).  With t = min(p, 1-p) (1-p is exact for p >= 1/2) and the
 * sign of p - 1/2, logit(p) = +-log(v), v = t/(1-t) in [0, 1] formed as a double-word
 * quotient (1 - t by TwoSum).  Near p = 1/2 the log's argument v is close to 1 and its
 * double-word error would be amplified; there the exact v - 1 = (2t - 1)/(1 - t) (2t - 1
 * is exact for t >= 1/4) goes in as w, i.e. the log1p form.  Relative error < 2^-55
 * everywhere, so <= 0.5 + small ulp after the final rounding (bound claimed: 2 ulp).
 * p = 0 -> -inf, p = 1 -> +inf, p outside [0, 1] -> NaN, all without FP exceptions
 * reaching Python.
 */
static inline double sxf_logit_f64(double p)
{
    int upper = p > 0.5;
    double t = upper ? 1.0 - p : p;
    t = t > 0.0 ? t : 0.25;                             /* 0, <0, NaN: fixed up below */
    double qh, ql;
    sxf_two_sum(1.0, -t, &qh, &ql);
    double vh, vl, wh, wl;
    sxf_div_dd(t, 0.0, qh, ql, &vh, &vl);
    sxf_div_dd(2.0 * t - 1.0, 0.0, qh, ql, &wh, &wl);
    double lh, ll;
    sxf_log_dd(vh, vl, wh, wl, &lh, &ll);
    double r = lh + ll;
    double pt = upper ? 1.0 - p : p;
    r = pt == 0.0 ? -__builtin_inf() : r;
    r = upper ? -r : r;
    return (p >= 0.0 && p <= 1.0) ? r : __builtin_nan("");
}

/* logit'(p) = 1/(p(1-p)), symmetric about 1/2, so with t = min(p, 1-p) (exact) the
 * product t*(1-t) is formed double-word and inverted double-word: <= 0.5 + 2^-50 ulp.
 * +inf at p = 0 and 1 (and where the result overflows), NaN outside [0, 1]. */
static inline double sxf_logit_grad_f64(double p)
{
    double t0 = p > 0.5 ? 1.0 - p : p;
    /* Below 2^-900, 1/(t(1-t)) = (1/t)(1 + t + ...) is 1/t rounded; the double-word path
     * is kept away from there (Dekker's split without FMA would overflow on 1/t). */
    double t = t0 < 0x1p-900 ? 0x1p-900 : t0;
    double qh, ql;
    sxf_two_sum(1.0, -t, &qh, &ql);
    double ph, pl;
    sx_two_prod_f64(t, qh, &ph, &pl);
    pl += t * ql;
    double gh, gl;
    sxf_div_dd(1.0, 0.0, ph, pl, &gh, &gl);
    double r = t0 < 0x1p-900 ? 1.0 / __builtin_fabs(t0) : gh + gl;   /* +inf at 0, -0, 1 */
    return (p >= 0.0 && p <= 1.0) ? r : __builtin_nan("");
}

/*
 * silu(x) = x * sigma(x): sigma as double-word (R for x >= 0, G scaled for x < 0), one
 * exact product with x, one rounding (plus the scale step in the float64 subnormal
 * range, where the bound is 1 ulp).  x >= 44: sigma rounds to 1 within 2^-60 relative,
 * silu(x) = x (also +inf); x <= -760 gives -0.0 (also -inf: no inf*0).
 */
static inline double sxf_silu_f64(double x)
{
    sxf_logistic L = sxf_logistic_of(x);
    int pos = x >= 0.0;
    double ah = pos ? L.rh : L.gh, al = pos ? L.rl : L.gl;
    double xc = x < -800.0 ? -800.0 : x;
    double ph, pl;
    sx_two_prod_f64(xc, ah, &ph, &pl);
    double r = ph + (pl + xc * al);
    r = pos ? r : (r * L.s1) * L.s2;
    /* silu(x) has the sign of x.  A result that rounds to zero must keep it: without
     * FMA, Dekker's product of a subnormal x gives hi = -0 and lo = +0 (x = -5e-324:
     * x*sigma = -2.47e-324 -> -0.0, but the sum came out +0.0). */
    r = __builtin_copysign(r, x);
    return (x >= 44.0 || x == 0.0) ? x : r;            /* keeps the sign of a zero */
}

/* Taylor coefficients c1..c13 of silu' about its zero X0 (c1 double-word: SXF_X0_C1_LO),
 * computed with mpmath at 60 digits.  Index j holds c_j (index 0 unused). */
#define SXF_X0_HI (-0x1.474973c84120bp+0)
#define SXF_X0_LO (-0x1.f8d74bc9ac154p-54)
#define SXF_X0_C1_LO (-0x1.2541062177473p-58)
static const double SXF_X0_TAYLOR[14] = {
    0.0, 0x1.be1410460527fp-3, 0x1.2c563458cc0adp-3, 0x1.353eb573ca457p-6,
    -0x1.f2d0e32bc2994p-7, -0x1.b0f82c498fd2fp-8, 0x1.098e92b8f076dp-13,
    0x1.a2a7caf0ee747p-11, 0x1.8574d136d4cb4p-13, -0x1.57238dca12615p-15,
    -0x1.f2d8976600f6fp-16, -0x1.8af40fd30a2bcp-19, 0x1.3ae0f751df483p-19,
    0x1.cdb14ef8f6491p-21,
};

/*
 * silu'(x) = sigma(x) (1 + x sigma(-x)) = A * (1 + x B), A and B double-word from the
 * logistic pieces.  It has one zero, X0 = -1.27846..., where 1 + xB cancels: the direct
 * form's error there is ~2^-57 absolute, so within |x - X0| < 1/16 the Taylor expansion
 * about X0 is used instead: d = x - X0 double-word (x - X0_HI exact), silu'(x) =
 * d (c1 + d P(d)), degree 13 (truncation < 2^-60), relative error < 2^-54.  Outside,
 * |1 + xB| >= 1/16 and the direct form errs by < 2^-53 relative.  x is clamped to
 * [-800, 800] (the results there are already -0.0 and 1), so inf never meets 0.
 */
static inline double sxf_silu_grad_f64(double x)
{
    double xc = x < -800.0 ? -800.0 : (x > 800.0 ? 800.0 : x);
    sxf_logistic L = sxf_logistic_of(xc);
    int pos = xc >= 0.0;
    double sc = pos ? L.s1 * L.s2 : 1.0;
    double ah = pos ? L.rh : L.gh, al = pos ? L.rl : L.gl;
    double bh = pos ? L.gh * sc : L.rh, bl = pos ? L.gl * sc : L.rl;
    double ph, pl, wh, we;
    sx_two_prod_f64(xc, bh, &ph, &pl);
    sxf_two_sum(1.0, ph, &wh, &we);
    double wl = we + (pl + xc * bl);
    double gh, gl;
    sx_two_prod_f64(ah, wh, &gh, &gl);
    double direct = gh + (gl + (ah * wl + al * wh));
    direct = pos ? direct : (direct * L.s1) * L.s2;

    double d0 = xc - SXF_X0_HI;
    double dh, dl;
    sxf_two_sum(d0, -SXF_X0_LO, &dh, &dl);
    double p = sx_horner_f64(dh, SXF_X0_TAYLOR + 2, 12);
    double sh, sl;
    sxf_fast_sum(SXF_X0_TAYLOR[1], SXF_X0_C1_LO + dh * p, &sh, &sl);
    double th, tl;
    sx_two_prod_f64(dh, sh, &th, &tl);
    double taylor = th + (tl + (dh * sl + dl * sh));
    return __builtin_fabs(d0) < 0.0625 ? taylor : direct;
}

/*
 * float32 kernels: plain double arithmetic, one rounding to float at the end, in the
 * manner of sx_sigmoid_f32_fast.  Every double result below is within 2^-36 relative
 * of the true value (bounds per function), so the rounding to float errs by at most
 * 0.5 + 2^-12 ulp and nearly every result is correctly rounded (bench/exhaustive.py
 * counts the exceptions).  Float subnormal results are normal doubles here, so they
 * are rounded once.  About 3x faster than evaluating the float64 double-word kernels
 * and rounding again, which is what these replaced.
 */

/*
 * kd*ln2 + log1p(f) for f in [sqrt(1/2) - 1, sqrt(2) - 1] and small integer kd:
 * s = f/(2 + f), |s| <= 0.1716, log1p(f) = 2 atanh(s) = 2s + s t Q(t), t = s^2, Q a
 * degree-5 fit of (2 atanh(s) - 2s)/(s^3) (Chebyshev interpolation in 40-digit
 * arithmetic; relative error of 2s + stQ < 2^-50.3 with these double coefficients;
 * degree 4 gave 2^-43.1, visible as 2^-19 ulp).  The quotient and the last steps add a
 * few 2^-53: < 2^-49 relative overall, and when kd != 0 the sum with kd*ln2
 * (|kd| <= 152) loses at most a factor 2 of that.  The callers' bounds are dominated
 * by e^-|x| (2^-40.2), not by this.
 */
static inline double sxf_log_reduced_f32(double kd, double f)
{
    double s = f / (2.0 + f);
    double t = s * s;
    static const double atanh_fit[6] = {
        0x1.55555555553b8p-1, 0x1.9999999b8677ap-2, 0x1.2492462af84abp-2,
        0x1.c71fccd953895p-3, 0x1.7382dbfa1ce75p-3, 0x1.546a3155bacbfp-3,
    };
    double q = sx_horner_f64(t, atanh_fit, 6);
    double l = SX_FMA(s * t, q, 2.0 * s);
    return SX_FMA(kd, 0x1.62e42fefa39efp-1, l);
}

/*
 * log_sigmoid(x) = min(x, 0) - log1p(E), E = e^-|x| (< 2^-40.2 relative, clamped at
 * e^-105, where -E has rounded to -0.0).  log1p(E): E itself is the reduced argument
 * for E < sqrt2 - 1, else (1 + E)/2 with kd = 1 ((E - 1)/2 errs by < 2^-55 absolute).
 * dlog1p(E)/dE * E/log1p(E) <= 1, so log1p(E) inherits E's bound: < 2^-39.5 relative;
 * for x < 0 the sum with x has no cancellation.  Error <= 0.5 + 2^-15 ulp (0.500010
 * measured, exhaustive stride 17).
 */
static inline float sxf_log_sigmoid_f32(float x)
{
    double E = sx_exp_neg_abs_f32(x);
    int big = E > 0x1.a827999fcef32p-2;                 /* sqrt(2) - 1 */
    double L = sxf_log_reduced_f32(big ? 1.0 : 0.0, big ? (E - 1.0) * 0.5 : E);
    return (float)(x >= 0.0f ? -L : (double)x - L);    /* -inf - L = -inf */
}

/* softplus(x) = -log_sigmoid(-x): both negations exact, so the same bound. */
static inline float sxf_softplus_f32(float x) { return -sxf_log_sigmoid_f32(-x); }

/*
 * logit(p) = +-log(v), v = t/(1 - t) in (0, 1], t = min(p, 1 - p) (exact in double).
 * v = 2^k m with m in [sqrt(1/2), sqrt2) from the exponent bits; f = m - 1 is exact
 * (Sterbenz), so for k != 0 only v's rounding (2^-53 relative, 2^-53 absolute in the
 * log, whose value is >= ln2/2) adds to sxf_log_reduced_f32's bound.  For k == 0 the
 * log1p form f = v - 1 = (2t - 1)/(1 - t) (numerator exact) keeps the relative bound
 * near p = 1/2.  < 2^-48 relative: <= 0.5 + 2^-24 ulp (bound claimed: 2 ulp).
 * Specials as sxf_logit_f64.
 */
static inline float sxf_logit_f32(float p)
{
    double pd = p;
    int upper = pd > 0.5;
    double t = upper ? 1.0 - pd : pd;
    double tt = t > 0.0 ? t : 0.25;                     /* 0, <0, NaN: fixed up below */
    double v = tt / (1.0 - tt);
    double w = (2.0 * tt - 1.0) / (1.0 - tt);
    uint64_t ub = ((sx_bits_f64(v) - UINT64_C(0x3fe6a09e667f3bcd)) + (UINT64_C(1023) << 52)) >> 52;
    double m = sx_from_bits_f64(sx_bits_f64(v) - (ub << 52) + (UINT64_C(1023) << 52));
    double kd = sx_from_bits_f64(ub + SXF_SHIFT_BITS) - SXF_SHIFT - 1023.0;
    double r = sxf_log_reduced_f32(kd, kd == 0.0 ? w : m - 1.0);
    r = t == 0.0 ? -__builtin_inf() : r;
    r = upper ? -r : r;
    return (p >= 0.0f && p <= 1.0f) ? (float)r : __builtin_nanf("");
}

/* logit'(p) = 1/(t(1 - t)), t = min(p, 1 - p): three roundings in double (1 - t, the
 * product, the quotient), < 2^-51.4 relative.  +inf at p = 0, -0 and 1 and where the
 * result overflows float; NaN outside [0, 1]. */
static inline float sxf_logit_grad_f32(float p)
{
    double pd = p;
    double t = pd > 0.5 ? 1.0 - pd : __builtin_fabs(pd);
    double r = 1.0 / __builtin_fabs(t * (1.0 - t));     /* fabs: p > 1 is NaN anyway */
    return (p >= 0.0f && p <= 1.0f) ? (float)r : __builtin_nanf("");
}

/*
 * silu(x) = x * sigma(x) = x N/(1 + E), N = 1 (x >= 0) or E: E's 2^-40.2 plus two
 * roundings.  E is clamped at e^-120, not e^-105 as for sigma: silu(x) stays a nonzero
 * float subnormal down to x = -108.7.  x is clamped at -200 for the product, so x = -inf
 * gives -0.0 (no inf * 0); +inf gives +inf; the sign of a zero is kept.
 */
static inline float sxf_silu_f32(float x)
{
    double E = sx_exp_neg_abs_clamped_f32(x, -120.0);
    double xd = x < -200.0f ? -200.0 : (double)x;
    double num = x >= 0.0f ? xd : xd * E;
    return (float)(num / (1.0 + E));
}

/*
 * silu'(x) = N/(1 + E)^2 with N = 1 + E + xE (x >= 0: no cancellation) or
 * N = E((1 + x) + E) (x < 0; 1 + x exact).  The latter cancels at the zero X0: E's
 * error then gives < 2^-42.1/|x - X0| relative, so within |x - X0| < 1/32 the Taylor
 * expansion about X0 through c7 is used instead (truncation < 2^-45 relative; d =
 * (x - X0_HI) - X0_LO, the first difference exact), and outside it the direct form is
 * within 2^-37.  E clamped at e^-120 and x to [-200, 200] as for silu: -inf -> -0.0,
 * +inf -> 1.
 */
static inline float sxf_silu_grad_f32(float x)
{
    double E = sx_exp_neg_abs_clamped_f32(x, -120.0);
    double xd = x < -200.0f ? -200.0 : (x > 200.0f ? 200.0 : (double)x);
    double N = x < 0.0f ? E * ((1.0 + xd) + E) : SX_FMA(xd, E, 1.0 + E);
    double D = 1.0 + E;
    double direct = N / (D * D);
    double d = (xd - SXF_X0_HI) - SXF_X0_LO;
    double p = sx_horner_f64(d, SXF_X0_TAYLOR + 1, 7);
    return (float)(__builtin_fabs(d) < 0.03125 ? d * p : direct);
}
