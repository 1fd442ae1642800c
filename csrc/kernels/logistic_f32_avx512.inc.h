/*
 * AVX-512 primitives of the native float32 kernels (logistic_f32_native.inc.h has the
 * algorithm and its error bound): 16 lanes, the 32-entry 2^(i/32) tables read by
 * vpermt2ps, 2^floor(s) applied by vscalefps, lane selection by mask registers.
 */
typedef __m512 sx_vf;
#define SX_VN 16
#define SX_V(c) _mm512_set1_ps(c)

static inline sx_vf sx_vn_loadu(const float *p) { return _mm512_loadu_ps(p); }
static inline void sx_vn_storeu(float *p, sx_vf v) { _mm512_storeu_ps(p, v); }
static inline sx_vf sx_vn_negate(sx_vf x) { return _mm512_xor_ps(x, SX_V(-0.0f)); }

/* E = e^-|x| = e_hi + e_lo and D = 1 + E = d_hi + d_lo (steps 1-5). */
typedef struct {
    sx_vf e_hi, e_lo, d_hi, d_lo;
} sx_vn_parts;

static inline sx_vn_parts sx_vn_logistic_parts(sx_vf x)
{
    const sx_vf shifter = SX_V(0x1.8p18f);          /* spacing 2^-5: s = j/32 */
    /* -|x|, clamped where e^-|x| is far below every rounding that uses it (this also
     * keeps -inf out of the reduction; NaN passes: max returns its 2nd operand). */
    sx_vf na = _mm512_max_ps(SX_V(-104.0f), _mm512_or_ps(x, SX_V(-0.0f)));
    sx_vf kf = _mm512_fmadd_ps(na, SX_V(0x1.715476p+0f), shifter);
    sx_vf s = _mm512_sub_ps(kf, shifter);
    sx_vf r = _mm512_fnmadd_ps(s, SX_V(0x1.63p-1f), na);
    r = _mm512_fnmadd_ps(s, SX_V(-0x1.bd0106p-13f), r);

    __m512i idx = _mm512_castps_si512(kf);             /* low 5 bits: j mod 32 */
    sx_vf t_hi = _mm512_permutex2var_ps(_mm512_load_ps(sx_native_exp2_hi), idx,
                                        _mm512_load_ps(sx_native_exp2_hi + 16));
    sx_vf t_lo = _mm512_permutex2var_ps(_mm512_load_ps(sx_native_exp2_lo), idx,
                                        _mm512_load_ps(sx_native_exp2_lo + 16));

    /* e^r - 1, minimax on |r| <= ln2/64: error < 2^-33. */
    sx_vf c = _mm512_fmadd_ps(r, SX_V(0x1.5555cep-3f), SX_V(0x1.000088p-1f));
    sx_vf q = _mm512_fmadd_ps(c, _mm512_mul_ps(r, r), r);

    sx_vf u_lo = _mm512_fmadd_ps(t_hi, q, t_lo);
    sx_vf u_hi = _mm512_add_ps(t_hi, u_lo);
    u_lo = _mm512_sub_ps(u_lo, _mm512_sub_ps(u_hi, t_hi));

    sx_vn_parts p;
    p.e_hi = _mm512_scalef_ps(u_hi, s);                /* times 2^floor(s) */
    p.e_lo = _mm512_scalef_ps(u_lo, s);
    const sx_vf one = SX_V(1.0f);
    p.d_hi = _mm512_add_ps(one, p.e_hi);
    p.d_lo = _mm512_add_ps(_mm512_sub_ps(p.e_hi, _mm512_sub_ps(p.d_hi, one)), p.e_lo);
    return p;
}

/* (n_hi + n_lo)/(d_hi + d_lo) rounded once, up to ~2^-29 relative (step 6); n_lo is
 * taken only in the lanes of with_lo. */
static inline sx_vf sx_vn_div_dw(sx_vf n_hi, sx_vf n_lo, __mmask16 with_lo, sx_vf d_hi,
                                 sx_vf d_lo)
{
    sx_vf inv = _mm512_div_ps(SX_V(1.0f), d_hi);
    sx_vf y0 = _mm512_mul_ps(n_hi, inv);
    sx_vf res = _mm512_fnmadd_ps(y0, d_hi, n_hi);
    res = _mm512_mask_add_ps(res, with_lo, res, n_lo);
    res = _mm512_fnmadd_ps(y0, d_lo, res);
    return _mm512_fmadd_ps(res, inv, y0);
}

static inline sx_vf sx_vn_sigmoid_from(sx_vf x, sx_vn_parts p)
{
    __mmask16 neg = _mm512_movepi32_mask(_mm512_castps_si512(x));   /* sign bit, -0 too */
    sx_vf n_hi = _mm512_mask_blend_ps(neg, SX_V(1.0f), p.e_hi);
    return sx_vn_div_dw(n_hi, p.e_lo, neg, p.d_hi, p.d_lo);
}

static inline sx_vf sx_vn_sigmoid_grad_from(sx_vn_parts p)
{
    sx_vf s_hi = _mm512_mul_ps(p.d_hi, p.d_hi);
    sx_vf s_lo = _mm512_fmsub_ps(p.d_hi, p.d_hi, s_hi);
    s_lo = _mm512_fmadd_ps(_mm512_add_ps(p.d_hi, p.d_hi), p.d_lo, s_lo);
    return sx_vn_div_dw(p.e_hi, p.e_lo, (__mmask16)0xffff, s_hi, s_lo);
}

/* Lanes for the scalar fallback; NaN is unordered, so each "not greater/less" compare
 * selects it too. */
static inline unsigned sx_vn_rare_below(sx_vf x)          /* x < -80 */
{
    return _mm512_cmp_ps_mask(x, SX_V(-80.0f), _CMP_NGE_UQ);
}
static inline unsigned sx_vn_rare_above(sx_vf x)          /* x > 80 */
{
    return _mm512_cmp_ps_mask(x, SX_V(80.0f), _CMP_NLE_UQ);
}
static inline unsigned sx_vn_rare_either_tail(sx_vf x)    /* |x| > 80 */
{
    return _mm512_cmp_ps_mask(_mm512_abs_ps(x), SX_V(80.0f), _CMP_NLE_UQ);
}
/* g*y*(1-y), the steps of sx_backward_* (kernels.inc.c): y - y^2 split exactly into
 * w + w_err by FMAs (m = -y, k = y for y <= 1/2; m = 1 - y, k = 0 above), one rounding. */
static inline sx_vf sx_vn_backward(sx_vf g, sx_vf y)
{
    __mmask16 small = _mm512_cmp_ps_mask(y, SX_V(0.5f), _CMP_LE_OQ);
    sx_vf m = _mm512_mask_blend_ps(small, _mm512_sub_ps(SX_V(1.0f), y), sx_vn_negate(y));
    sx_vf k = _mm512_maskz_mov_ps(small, y);
    sx_vf w = _mm512_fmadd_ps(m, y, k);
    sx_vf w_err = _mm512_fmadd_ps(m, y, _mm512_sub_ps(k, w));
    return _mm512_fmadd_ps(g, w, _mm512_mul_ps(g, w_err));
}
#undef SX_V
