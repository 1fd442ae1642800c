/*
 * AVX2+FMA primitives of the native float32 kernels (logistic_f32_native.inc.h has the
 * algorithm and its error bound): 8 lanes, the 8-entry 2^(i/8) tables (every 4th entry
 * of the 32-entry ones) read by vpermps, 2^floor(s) built from its exponent bits, lane
 * selection by the sign bit (vblendvps).
 */
typedef __m256 sx_vf;
#define SX_VN 8
#define SX_V(c) _mm256_set1_ps(c)

static inline sx_vf sx_vn_loadu(const float *p) { return _mm256_loadu_ps(p); }
static inline void sx_vn_storeu(float *p, sx_vf v) { _mm256_storeu_ps(p, v); }
static inline sx_vf sx_vn_negate(sx_vf x) { return _mm256_xor_ps(x, SX_V(-0.0f)); }

typedef struct {
    sx_vf e_hi, e_lo, d_hi, d_lo;
} sx_vn_parts;

#define SX_EXP2_EIGHTHS(t) \
    _mm256_setr_ps(t[0], t[4], t[8], t[12], t[16], t[20], t[24], t[28])

static inline sx_vn_parts sx_vn_logistic_parts(sx_vf x)
{
    const sx_vf shifter = SX_V(0x1.8p20f);          /* spacing 2^-3: s = j/8 */
    /* -|x| clamped at -87: 2^floor(s) >= 2^-126 stays a normal float, and e^-87 is far
     * below the rounding of 1 + E (sigma = 1 there; x < -80 is the scalar fallback's). */
    sx_vf na = _mm256_max_ps(SX_V(-87.0f), _mm256_or_ps(x, SX_V(-0.0f)));
    sx_vf kf = _mm256_fmadd_ps(na, SX_V(0x1.715476p+0f), shifter);
    sx_vf s = _mm256_sub_ps(kf, shifter);
    /* LN2_HI has 14 bits (s has at most 10 here), so s*LN2_LO is below 2^-7 and r,
     * rounded once, errs by < 2^-28.5. */
    sx_vf r = _mm256_fnmadd_ps(s, SX_V(0x1.62ep-1f), na);
    r = _mm256_fnmadd_ps(s, SX_V(0x1.0bfbe8p-15f), r);

    __m256i bits = _mm256_castps_si256(kf);            /* low 3 bits: j mod 8 */
    sx_vf t_hi = _mm256_permutevar8x32_ps(SX_EXP2_EIGHTHS(sx_native_exp2_hi), bits);
    sx_vf t_lo = _mm256_permutevar8x32_ps(SX_EXP2_EIGHTHS(sx_native_exp2_lo), bits);

    /* e^r - 1, minimax on |r| <= ln2/16: error < 2^-32. */
    sx_vf c = _mm256_fmadd_ps(r, SX_V(0x1.555daap-5f), SX_V(0x1.555c7ap-3f));
    c = _mm256_fmadd_ps(c, r, SX_V(0.5f));
    sx_vf q = _mm256_fmadd_ps(c, _mm256_mul_ps(r, r), r);

    /* |q| < 2^-4.5 here (2^-6.5 on AVX-512): the roundings of r, q and u_lo each reach
     * 2^-28.5 of U, which is why this path's bound is the looser one. */
    sx_vf u_lo = _mm256_fmadd_ps(t_hi, q, t_lo);
    sx_vf u_hi = _mm256_add_ps(t_hi, u_lo);
    u_lo = _mm256_sub_ps(u_lo, _mm256_sub_ps(u_hi, t_hi));

    /* floor(s) = j >> 3 from the shifted value's bits; 2^floor(s) from the exponent. */
    __m256i j = _mm256_sub_epi32(bits, _mm256_castps_si256(shifter));
    __m256i k = _mm256_add_epi32(_mm256_srai_epi32(j, 3), _mm256_set1_epi32(127));
    sx_vf scale = _mm256_castsi256_ps(_mm256_slli_epi32(k, 23));

    sx_vn_parts p;
    p.e_hi = _mm256_mul_ps(u_hi, scale);
    p.e_lo = _mm256_mul_ps(u_lo, scale);
    const sx_vf one = SX_V(1.0f);
    p.d_hi = _mm256_add_ps(one, p.e_hi);
    p.d_lo = _mm256_add_ps(_mm256_sub_ps(p.e_hi, _mm256_sub_ps(p.d_hi, one)), p.e_lo);
    return p;
}

/* (n_hi + n_lo)/(d_hi + d_lo) rounded once, up to ~2^-29 relative (step 6). */
static inline sx_vf sx_vn_div_dw(sx_vf n_hi, sx_vf n_lo, sx_vf d_hi, sx_vf d_lo)
{
    sx_vf inv = _mm256_div_ps(SX_V(1.0f), d_hi);
    sx_vf y0 = _mm256_mul_ps(n_hi, inv);
    sx_vf res = _mm256_fnmadd_ps(y0, d_hi, n_hi);
    res = _mm256_add_ps(res, n_lo);
    res = _mm256_fnmadd_ps(y0, d_lo, res);
    return _mm256_fmadd_ps(res, inv, y0);
}

static inline sx_vf sx_vn_sigmoid_from(sx_vf x, sx_vn_parts p)
{
    /* blendv selects by the sign bit of x: N = E where x < 0 (and -0), else 1 + 0. */
    sx_vf n_hi = _mm256_blendv_ps(SX_V(1.0f), p.e_hi, x);
    sx_vf n_lo = _mm256_blendv_ps(_mm256_setzero_ps(), p.e_lo, x);
    return sx_vn_div_dw(n_hi, n_lo, p.d_hi, p.d_lo);
}

static inline sx_vf sx_vn_sigmoid_grad_from(sx_vn_parts p)
{
    sx_vf s_hi = _mm256_mul_ps(p.d_hi, p.d_hi);
    sx_vf s_lo = _mm256_fmsub_ps(p.d_hi, p.d_hi, s_hi);
    s_lo = _mm256_fmadd_ps(_mm256_add_ps(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return sx_vn_div_dw(p.e_hi, p.e_lo, s_hi, s_lo);
}

/* Lanes for the scalar fallback (NaN included: unordered compares). */
static inline unsigned sx_vn_rare_below(sx_vf x)          /* x < -80 */
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, SX_V(-80.0f), _CMP_NGE_UQ));
}
static inline unsigned sx_vn_rare_above(sx_vf x)          /* x > 80 */
{
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(x, SX_V(80.0f), _CMP_NLE_UQ));
}
static inline unsigned sx_vn_rare_either_tail(sx_vf x)    /* |x| > 80 */
{
    sx_vf a = _mm256_andnot_ps(SX_V(-0.0f), x);
    return (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(a, SX_V(80.0f), _CMP_NLE_UQ));
}
#undef SX_EXP2_EIGHTHS
/* g*y*(1-y), the steps of sx_backward_* (kernels.inc.c): y - y^2 split exactly into
 * w + w_err by FMAs (m = -y, k = y for y <= 1/2; m = 1 - y, k = 0 above), one rounding. */
static inline sx_vf sx_vn_backward(sx_vf g, sx_vf y)
{
    sx_vf small = _mm256_cmp_ps(y, SX_V(0.5f), _CMP_LE_OQ);
    sx_vf m = _mm256_blendv_ps(_mm256_sub_ps(SX_V(1.0f), y), sx_vn_negate(y), small);
    sx_vf k = _mm256_and_ps(small, y);
    sx_vf w = _mm256_fmadd_ps(m, y, k);
    sx_vf w_err = _mm256_fmadd_ps(m, y, _mm256_sub_ps(k, w));
    return _mm256_fmadd_ps(g, w, _mm256_mul_ps(g, w_err));
}
#undef SX_V
