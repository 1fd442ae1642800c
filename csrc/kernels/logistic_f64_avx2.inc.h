/*
 * AVX2+FMA primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm, this path's differences and the error bound): 4 lanes, no table, 2^j from
 * the exponent bits, lane selection by the sign bit (vblendvpd).
 */
typedef __m256d sx_vd;
#define SX_VDN 4
#define SX_VD(c) _mm256_set1_pd(c)

static inline sx_vd sx_vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
static inline void sx_vd_storeu(double *p, sx_vd v) { _mm256_storeu_pd(p, v); }
static inline sx_vd sx_vd_negate(sx_vd x) { return _mm256_xor_pd(x, SX_VD(-0.0)); }

typedef struct {
    sx_vd e_hi, e_lo, d_hi, d_lo;
} sx_vd_parts;

static inline sx_vd_parts sx_vd_logistic_parts(sx_vd x)
{
    const sx_vd shifter = SX_VD(0x1.8p52);
    const sx_vd one = SX_VD(1.0);
    /* -|x| clamped at -708 so that 2^j >= 2^-1021 is normal (x < -700 is the scalar
     * fallback's; for x > 708, 1 + E rounds to 1 either way).  NaN passes. */
    sx_vd na = _mm256_max_pd(SX_VD(-708.0), _mm256_or_pd(x, SX_VD(-0.0)));
    sx_vd kf = _mm256_fmadd_pd(na, SX_VD(0x1.71547652b82fep+0), shifter);
    sx_vd s = _mm256_sub_pd(kf, shifter);
    /* LN2_HI has 42 bits (j has at most 10): s*LN2_HI and r_hi are exact. */
    sx_vd r_hi = _mm256_fnmadd_pd(s, SX_VD(0x1.62e42fefa4000p-1), na);
    sx_vd r_lo = _mm256_mul_pd(s, SX_VD(0x1.8432a1b0e2634p-43));
    sx_vd r = _mm256_add_pd(r_hi, r_lo);

    /* (e^r - 1 - r)/r^2, minimax on |r| <= ln2/2 relative to e^r: error < 2^-60. */
    sx_vd c = _mm256_fmadd_pd(r, SX_VD(0x1.1e3d00d84c505p-29), SX_VD(0x1.af6c1e0e09da0p-26));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.27e5b4976671ep-22));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.71ddf00247a63p-19));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.a01a01364bea8p-16));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.a01a01b38a335p-13));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.6c16c16c305e5p-10));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.111111110ec3fp-7));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.5555555555503p-5));
    c = _mm256_fmadd_pd(c, r, SX_VD(0x1.555555555555bp-3));
    c = _mm256_fmadd_pd(c, r, SX_VD(0.5));
    sx_vd p_lo = _mm256_fmadd_pd(_mm256_mul_pd(r, r), c, r_lo);

    /* e^r = 1 + r_hi + p_lo: 1 + r_hi by Fast2Sum (|r_hi| < 1), then p_lo, then one more
     * Fast2Sum so that |u_lo| <= ulp(u_hi)/2, as the quotient step needs. */
    sx_vd u_hi = _mm256_add_pd(one, r_hi);
    sx_vd u_lo = _mm256_add_pd(_mm256_add_pd(_mm256_sub_pd(one, u_hi), r_hi), p_lo);
    sx_vd u = _mm256_add_pd(u_hi, u_lo);
    u_lo = _mm256_sub_pd(u_lo, _mm256_sub_pd(u, u_hi));
    u_hi = u;

    /* 2^j: j from the shifted value's low bits, placed in the exponent field. */
    __m256i j = _mm256_sub_epi64(_mm256_castpd_si256(kf), _mm256_castpd_si256(shifter));
    sx_vd scale = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_add_epi64(j, _mm256_set1_epi64x(1023)), 52));

    sx_vd_parts p;
    p.e_hi = _mm256_mul_pd(u_hi, scale);
    p.e_lo = _mm256_mul_pd(u_lo, scale);
    p.d_hi = _mm256_add_pd(one, p.e_hi);
    p.d_lo = _mm256_add_pd(_mm256_sub_pd(p.e_hi, _mm256_sub_pd(p.d_hi, one)), p.e_lo);
    return p;
}

/* (n_hi + n_lo)/(d_hi + d_lo) rounded once (step 6 of the float32 file). */
static inline sx_vd sx_vd_div_dw(sx_vd n_hi, sx_vd n_lo, sx_vd d_hi, sx_vd d_lo)
{
    sx_vd inv = _mm256_div_pd(SX_VD(1.0), d_hi);
    sx_vd y0 = _mm256_mul_pd(n_hi, inv);
    sx_vd res = _mm256_fnmadd_pd(y0, d_hi, n_hi);
    res = _mm256_add_pd(res, n_lo);
    res = _mm256_fnmadd_pd(y0, d_lo, res);
    return _mm256_fmadd_pd(res, inv, y0);
}

static inline sx_vd sx_vd_sigmoid_from(sx_vd x, sx_vd_parts p)
{
    sx_vd n_hi = _mm256_blendv_pd(SX_VD(1.0), p.e_hi, x);     /* by the sign of x */
    sx_vd n_lo = _mm256_blendv_pd(_mm256_setzero_pd(), p.e_lo, x);
    return sx_vd_div_dw(n_hi, n_lo, p.d_hi, p.d_lo);
}

static inline sx_vd sx_vd_sigmoid_grad_from(sx_vd_parts p)
{
    sx_vd s_hi = _mm256_mul_pd(p.d_hi, p.d_hi);
    sx_vd s_lo = _mm256_fmsub_pd(p.d_hi, p.d_hi, s_hi);
    s_lo = _mm256_fmadd_pd(_mm256_add_pd(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return sx_vd_div_dw(p.e_hi, p.e_lo, s_hi, s_lo);
}

static inline unsigned sx_vd_rare_below(sx_vd x)          /* x < -700, NaN */
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, SX_VD(-700.0), _CMP_NGE_UQ));
}
static inline unsigned sx_vd_rare_above(sx_vd x)          /* x > 700, NaN */
{
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, SX_VD(700.0), _CMP_NLE_UQ));
}
static inline unsigned sx_vd_rare_either_tail(sx_vd x)    /* |x| > 700, NaN */
{
    sx_vd a = _mm256_andnot_pd(SX_VD(-0.0), x);
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(a, SX_VD(700.0), _CMP_NLE_UQ));
}
/* g*y*(1-y), the steps of sx_backward_* (kernels.inc.c): y - y^2 split exactly into
 * w + w_err by FMAs (m = -y, k = y for y <= 1/2; m = 1 - y, k = 0 above), one rounding. */
static inline sx_vd sx_vd_backward(sx_vd g, sx_vd y)
{
    sx_vd small = _mm256_cmp_pd(y, SX_VD(0.5), _CMP_LE_OQ);
    sx_vd m = _mm256_blendv_pd(_mm256_sub_pd(SX_VD(1.0), y), sx_vd_negate(y), small);
    sx_vd k = _mm256_and_pd(small, y);
    sx_vd w = _mm256_fmadd_pd(m, y, k);
    sx_vd w_err = _mm256_fmadd_pd(m, y, _mm256_sub_pd(k, w));
    return _mm256_fmadd_pd(g, w, _mm256_mul_pd(g, w_err));
}
#undef SX_VD
