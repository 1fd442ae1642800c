/*
 * NEON (aarch64) primitives of the native float64 kernels (logistic_f64_native.inc.h has
 * the algorithm and its error bound): 2 lanes, the same operations as the AVX2 and
 * AVX-512 flavours, so the same bits.  Tables read lane by lane, 2^floor(s) from its
 * exponent bits, lanes selected by all-ones masks.
 */

#define SX_T double
#define SX_VT float64x2_t
#define SX_N 2
#define SX_F(name) sx_vd_##name
#define SX_KNAME(name) SX_K(name##_f64)
#define SX_VC(c) vdupq_n_f64(c)
#define SX_VADD vaddq_f64
#define SX_VSUB vsubq_f64
#define SX_VMUL vmulq_f64
#define SX_VDIV vdivq_f64
#define SX_VFMA(a, b, c) vfmaq_f64(c, a, b)                 /* a*b + c */
#define SX_VFNMA(a, b, c) vfmsq_f64(c, a, b)                /* c - a*b */
#define SX_VFMS(a, b, c) vnegq_f64(vfmsq_f64(c, a, b))      /* a*b - c, exact negation */
#define SX_VXOR(a, b) vreinterpretq_f64_u64(veorq_u64(vreinterpretq_u64_f64(a), vreinterpretq_u64_f64(b)))
#define SX_LOADU vld1q_f64
#define SX_STOREU vst1q_f64
#define SX_LOADN sx_vd_loadn
#define SX_STOREN sx_vd_storen
#define SX_SEL uint64x2_t
#define SX_SEL_SIGN(x) vcltzq_s64(vreinterpretq_s64_f64(x))
#define SX_SEL_LE(a, b) vcleq_f64(a, b)
#define SX_SEL_ALL vdupq_n_u64(~UINT64_C(0))
#define SX_BLEND(sel, a, b) vbslq_f64(sel, b, a)
#define SX_ADD_IF(sel, a, b) vbslq_f64(sel, vaddq_f64(a, b), a)
#define SX_ZERO_UNLESS(sel, a) vreinterpretq_f64_u64(vandq_u64(sel, vreinterpretq_u64_f64(a)))
#define SX_BITS_NGE(a, b) sx_vd_movemask(vcgeq_f64(a, b), 1)
#define SX_BITS_NLE(a, b) sx_vd_movemask(vcleq_f64(a, b), 1)
#define SX_VABS vabsq_f64
#define SX_RARE_LIMIT 700.0

/* a bit per lane of a mask (inverted when invert is set) */
static inline unsigned sx_vd_movemask(uint64x2_t m, int invert)
{
    unsigned b = (unsigned)(vgetq_lane_u64(m, 0) & 1) | (unsigned)(vgetq_lane_u64(m, 1) & 1) << 1;
    return invert ? b ^ 3u : b;
}
static inline float64x2_t sx_vd_loadn(const double *p, unsigned m)
{
    (void)m;                                    /* m == 1: the only partial vector */
    return vsetq_lane_f64(p[0], vdupq_n_f64(0.0), 0);
}
static inline void sx_vd_storen(double *p, unsigned m, float64x2_t v)
{
    (void)m;
    p[0] = vgetq_lane_f64(v, 0);
}

#define SX_SCALE(v, scale) SX_VMUL(v, scale)   /* scale = 2^floor(s), a normal power of 2 */
/* Steps 1-3 (the operations of logistic_f64_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and how 2^floor(s) is applied
 * (SX_SCALE).  logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    SX_VT na = vmaxq_f64(SX_VC(-SX_F64_CLAMP), vnegq_f64(vabsq_f64(x)));
    SX_F64_REDUCE(na, kf, s, r);
    (void)s;

    /* entry j mod 32 (the low 5 bits of kf), lane by lane */
    uint64x2_t bits = vreinterpretq_u64_f64(kf);
    const uint64_t mask = (1u << SX_F64_TABLE_BITS) - 1;
    uint64_t i0 = vgetq_lane_u64(bits, 0) & mask, i1 = vgetq_lane_u64(bits, 1) & mask;
    *t_hi_out = vsetq_lane_f64(sx_vd_exp2_hi[i1], vdupq_n_f64(sx_vd_exp2_hi[i0]), 1);
    *t_lo_out = vsetq_lane_f64(sx_vd_exp2_lo[i1], vdupq_n_f64(sx_vd_exp2_lo[i0]), 1);

    SX_F64_EXPM1_POLY(r, q);
    *q_out = q;

    /* 2^floor(j/32): the low bits of kf are j + 32*1023, so (kf >> 5) ends in the biased
     * exponent (as on AVX2) */
    *scale_out = vreinterpretq_f64_u64(vshlq_n_u64(vshrq_n_u64(bits, SX_F64_TABLE_BITS), 52));
}
