/*
 * NEON (aarch64) primitives of the native float32 kernels (logistic_f32_native.inc.h has
 * the algorithm and its error bound): 4 lanes, the same operations as the AVX2 and
 * AVX-512 flavours (aarch64 always has FMA), so the same bits.  The 16-entry tables are
 * read lane by lane, 2^floor(s) is built from its exponent bits, lanes are selected by
 * all-ones masks (vbslq), and the partial vectors of the array tails are loaded and
 * stored lane by lane.
 */

#define SX_T float
#define SX_VT float32x4_t
#define SX_N 4
#define SX_F(name) sx_vn_##name
#define SX_KNAME(name) SX_K(name##_f32)
#define SX_VC(c) vdupq_n_f32(c)
#define SX_VADD vaddq_f32
#define SX_VSUB vsubq_f32
#define SX_VMUL vmulq_f32
#define SX_VDIV vdivq_f32
#define SX_VFMA(a, b, c) vfmaq_f32(c, a, b)                 /* a*b + c */
#define SX_VFNMA(a, b, c) vfmsq_f32(c, a, b)                /* c - a*b */
#define SX_VFMS(a, b, c) vnegq_f32(vfmsq_f32(c, a, b))      /* a*b - c: -(c - a*b), exact */
#define SX_VXOR(a, b) vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)))
#define SX_LOADU vld1q_f32
#define SX_STOREU vst1q_f32
#define SX_LOADN sx_vn_loadn
#define SX_STOREN sx_vn_storen
#define SX_SEL uint32x4_t
#define SX_SEL_SIGN(x) vcltzq_s32(vreinterpretq_s32_f32(x))
#define SX_SEL_LE(a, b) vcleq_f32(a, b)
#define SX_SEL_ALL vdupq_n_u32(0xffffffffu)
#define SX_BLEND(sel, a, b) vbslq_f32(sel, b, a)
#define SX_ADD_IF(sel, a, b) vbslq_f32(sel, vaddq_f32(a, b), a)
#define SX_ZERO_UNLESS(sel, a) vreinterpretq_f32_u32(vandq_u32(sel, vreinterpretq_u32_f32(a)))
#define SX_BITS_NGE(a, b) sx_vn_movemask(vmvnq_u32(vcgeq_f32(a, b)))
#define SX_BITS_NLE(a, b) sx_vn_movemask(vmvnq_u32(vcleq_f32(a, b)))
#define SX_VABS vabsq_f32
#define SX_RARE_LIMIT 80.0f

/* a bit per lane of an all-ones / all-zeros mask */
static inline unsigned sx_vn_movemask(uint32x4_t m)
{
    static const uint32_t bit[4] = {1, 2, 4, 8};
    return vaddvq_u32(vandq_u32(m, vld1q_u32(bit)));
}
/* the first m < 4 lanes at p, zeros above (lanes past the array are never read) */
static inline float32x4_t sx_vn_loadn(const float *p, unsigned m)
{
    float32x4_t v = vdupq_n_f32(0.0f);
    if (m > 0) v = vsetq_lane_f32(p[0], v, 0);
    if (m > 1) v = vsetq_lane_f32(p[1], v, 1);
    if (m > 2) v = vsetq_lane_f32(p[2], v, 2);
    return v;
}
static inline void sx_vn_storen(float *p, unsigned m, float32x4_t v)
{
    if (m > 0) p[0] = vgetq_lane_f32(v, 0);
    if (m > 1) p[1] = vgetq_lane_f32(v, 1);
    if (m > 2) p[2] = vgetq_lane_f32(v, 2);
}

#define SX_SCALE(v, scale) SX_VMUL(v, scale)   /* scale = 2^floor(s), a normal power of 2 */
/* Steps 1-3 (the operations of logistic_f32_native.inc.h, the same on every flavour):
 * q = e^r - 1, the table entries T_HI and T_LO, and how 2^floor(s) is applied
 * (SX_SCALE).  logistic_simd.inc.h carries out step 4. */
static inline void SX_F(exp_reduce)(SX_VT x, SX_VT *q_out, SX_VT *t_hi_out, SX_VT *t_lo_out,
                                     SX_VT *scale_out)
{
    const SX_VT shifter = SX_VC(SX_F32_SHIFTER);
    /* -min(|x|, 87) (NaN lanes are the scalar fallback's) */
    SX_VT na = vmaxq_f32(SX_VC(-SX_F32_CLAMP), vnegq_f32(vabsq_f32(x)));
    SX_VT kf = SX_VFMA(na, SX_VC(SX_F32_LOG2E_T), shifter);
    SX_VT s = SX_VSUB(kf, shifter);
    SX_VT r = SX_VFNMA(s, SX_VC(SX_F32_LN2_HI), na);
    r = SX_VFNMA(s, SX_VC(SX_F32_LN2_LO), r);

    /* entry j mod 16 (the low 4 bits of kf), lane by lane */
    uint32x4_t bits = vreinterpretq_u32_f32(kf);
    uint32x4_t idx = vandq_u32(bits, vdupq_n_u32(15));
    SX_VT t_hi = vdupq_n_f32(0.0f), t_lo = vdupq_n_f32(0.0f);
#define SX_LANE(k)                                                            \
    t_hi = vsetq_lane_f32(sx_native_exp2_hi[vgetq_lane_u32(idx, k)], t_hi, k); \
    t_lo = vsetq_lane_f32(sx_native_exp2_lo[vgetq_lane_u32(idx, k)], t_lo, k);
    SX_LANE(0) SX_LANE(1) SX_LANE(2) SX_LANE(3)
#undef SX_LANE

    SX_VT c = SX_VFMA(r, SX_VC(SX_F32_C3), SX_VC(SX_F32_C2));
    SX_VT q = SX_VFMA(c, SX_VMUL(r, r), r);

    /* 2^floor(j/16): (j + 127*16) >> 4 is the biased exponent (as on AVX2) */
    int32x4_t jb = vsubq_s32(vreinterpretq_s32_u32(bits),
                             vsubq_s32(vreinterpretq_s32_f32(shifter), vdupq_n_s32(127 * 16)));
    SX_VT scale = vreinterpretq_f32_s32(vshlq_n_s32(vshrq_n_s32(jb, 4), 23));

    *q_out = q;
    *t_hi_out = t_hi;
    *t_lo_out = t_lo;
    *scale_out = scale;
}
