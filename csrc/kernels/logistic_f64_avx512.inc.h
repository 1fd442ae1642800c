/*
 * AVX-512 primitives of the native float64 kernels (logistic_f64_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 16-entry 2^(i/16) tables read by
 * vpermt2pd, 2^floor(s) applied by vscalefpd, lane selection by mask registers.
 */
typedef __m512d sx_vd;
#define SX_VDN 8
#define SX_VD(c) _mm512_set1_pd(c)

static inline sx_vd sx_vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
static inline void sx_vd_storeu(double *p, sx_vd v) { _mm512_storeu_pd(p, v); }
static inline sx_vd sx_vd_negate(sx_vd x) { return _mm512_xor_pd(x, SX_VD(-0.0)); }

static const double sx_vd_exp2_hi[16] __attribute__((aligned(64))) = {
    0x1.0000000000000p+0, 0x1.0b5586cf9890fp+0, 0x1.172b83c7d517bp+0,
    0x1.2387a6e756238p+0, 0x1.306fe0a31b715p+0, 0x1.3dea64c123422p+0,
    0x1.4bfdad5362a27p+0, 0x1.5ab07dd485429p+0, 0x1.6a09e667f3bcdp+0,
    0x1.7a11473eb0187p+0, 0x1.8ace5422aa0dbp+0, 0x1.9c49182a3f090p+0,
    0x1.ae89f995ad3adp+0, 0x1.c199bdd85529cp+0, 0x1.d5818dcfba487p+0,
    0x1.ea4afa2a490dap+0,
};
static const double sx_vd_exp2_lo[16] __attribute__((aligned(64))) = {
    0x0.0p+0, 0x1.8a62e4adc610bp-54, -0x1.19041b9d78a76p-55, 0x1.9b07eb6c70573p-54,
    0x1.6f46ad23182e4p-55, 0x1.ada0911f09ebcp-55, 0x1.d4397afec42e2p-56,
    0x1.6324c054647adp-54, -0x1.bdd3413b26456p-54, -0x1.41577ee04992fp-55,
    0x1.6e9f156864b27p-54, 0x1.c7c46b071f2bep-56, 0x1.7a1cd345dcc81p-54,
    0x1.11065895048ddp-55, 0x1.2ed02d75b3707p-55, -0x1.e9c23179c2893p-54,
};

typedef struct {
    sx_vd e_hi, e_lo, d_hi, d_lo;
} sx_vd_parts;

static inline sx_vd_parts sx_vd_logistic_parts(sx_vd x)
{
    const sx_vd shifter = SX_VD(0x1.8p48);
    /* -|x| clamped below -745.2, where sigma rounds to 0 (NaN passes). */
    sx_vd na = _mm512_max_pd(SX_VD(-750.0), _mm512_or_pd(x, SX_VD(-0.0)));
    sx_vd kf = _mm512_fmadd_pd(na, SX_VD(0x1.71547652b82fep+0), shifter);
    sx_vd s = _mm512_sub_pd(kf, shifter);
    sx_vd r = _mm512_fnmadd_pd(s, SX_VD(0x1.62e42fefa0000p-1), na);
    r = _mm512_fnmadd_pd(s, SX_VD(0x1.cf79abc9e3b3ap-40), r);

    __m512i idx = _mm512_castpd_si512(kf);             /* low 4 bits: j mod 16 */
    sx_vd t_hi = _mm512_permutex2var_pd(_mm512_load_pd(sx_vd_exp2_hi), idx,
                                         _mm512_load_pd(sx_vd_exp2_hi + 8));
    sx_vd t_lo = _mm512_permutex2var_pd(_mm512_load_pd(sx_vd_exp2_lo), idx,
                                         _mm512_load_pd(sx_vd_exp2_lo + 8));

    sx_vd c = _mm512_fmadd_pd(r, SX_VD(0x1.a01b87736dadap-13), SX_VD(0x1.6c1841d1dd9e6p-10));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.111111108f27fp-7));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.555555547f021p-5));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.5555555555559p-3));
    c = _mm512_fmadd_pd(c, r, SX_VD(0x1.0000000000004p-1));
    sx_vd q = _mm512_fmadd_pd(c, _mm512_mul_pd(r, r), r);

    sx_vd u_lo = _mm512_fmadd_pd(t_hi, q, t_lo);
    sx_vd u_hi = _mm512_add_pd(t_hi, u_lo);
    u_lo = _mm512_sub_pd(u_lo, _mm512_sub_pd(u_hi, t_hi));

    sx_vd_parts p;
    p.e_hi = _mm512_scalef_pd(u_hi, s);
    p.e_lo = _mm512_scalef_pd(u_lo, s);
    const sx_vd one = SX_VD(1.0);
    p.d_hi = _mm512_add_pd(one, p.e_hi);
    p.d_lo = _mm512_add_pd(_mm512_sub_pd(p.e_hi, _mm512_sub_pd(p.d_hi, one)), p.e_lo);
    return p;
}

static inline sx_vd sx_vd_div_dw(sx_vd n_hi, sx_vd n_lo, __mmask8 with_lo, sx_vd d_hi,
                                   sx_vd d_lo)
{
    sx_vd inv = _mm512_div_pd(SX_VD(1.0), d_hi);
    sx_vd y0 = _mm512_mul_pd(n_hi, inv);
    sx_vd res = _mm512_fnmadd_pd(y0, d_hi, n_hi);
    res = _mm512_mask_add_pd(res, with_lo, res, n_lo);
    res = _mm512_fnmadd_pd(y0, d_lo, res);
    return _mm512_fmadd_pd(res, inv, y0);
}

static inline sx_vd sx_vd_sigmoid_from(sx_vd x, sx_vd_parts p)
{
    __mmask8 neg = _mm512_movepi64_mask(_mm512_castpd_si512(x));
    sx_vd n_hi = _mm512_mask_blend_pd(neg, SX_VD(1.0), p.e_hi);
    return sx_vd_div_dw(n_hi, p.e_lo, neg, p.d_hi, p.d_lo);
}

static inline sx_vd sx_vd_sigmoid_grad_from(sx_vd_parts p)
{
    sx_vd s_hi = _mm512_mul_pd(p.d_hi, p.d_hi);
    sx_vd s_lo = _mm512_fmsub_pd(p.d_hi, p.d_hi, s_hi);
    s_lo = _mm512_fmadd_pd(_mm512_add_pd(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return sx_vd_div_dw(p.e_hi, p.e_lo, (__mmask8)0xff, s_hi, s_lo);
}

static inline unsigned sx_vd_rare_below(sx_vd x)         /* x < -700, NaN */
{
    return _mm512_cmp_pd_mask(x, SX_VD(-700.0), _CMP_NGE_UQ);
}
static inline unsigned sx_vd_rare_above(sx_vd x)         /* x > 700, NaN */
{
    return _mm512_cmp_pd_mask(x, SX_VD(700.0), _CMP_NLE_UQ);
}
static inline unsigned sx_vd_rare_either_tail(sx_vd x)   /* |x| > 700, NaN */
{
    return _mm512_cmp_pd_mask(_mm512_abs_pd(x), SX_VD(700.0), _CMP_NLE_UQ);
}

/* g*y*(1-y), the steps of sx_backward_* (kernels.inc.c): y - y^2 split exactly into
 * w + w_err by FMAs (m = -y, k = y for y <= 1/2; m = 1 - y, k = 0 above), one rounding. */
static inline sx_vd sx_vd_backward(sx_vd g, sx_vd y)
{
    __mmask8 small = _mm512_cmp_pd_mask(y, SX_VD(0.5), _CMP_LE_OQ);
    sx_vd m = _mm512_mask_blend_pd(small, _mm512_sub_pd(SX_VD(1.0), y), sx_vd_negate(y));
    sx_vd k = _mm512_maskz_mov_pd(small, y);
    sx_vd w = _mm512_fmadd_pd(m, y, k);
    sx_vd w_err = _mm512_fmadd_pd(m, y, _mm512_sub_pd(k, w));
    return _mm512_fmadd_pd(g, w, _mm512_mul_pd(g, w_err));
}
#undef SX_VD
