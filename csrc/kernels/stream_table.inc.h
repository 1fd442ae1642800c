/*
 * The streaming twins (K_nt, simd_loops.inc.h) of the hand-vectorised kernels, as a
 * table in the shape of the ISA's own: included by an ISA translation unit that defines
 * SX_NATIVE_SIMD, after kernels.inc.c.  NULL where a function has no streaming form
 * (the template kernels of the family): the drivers then use the plain kernel.
 */
#if defined(SX_NATIVE_SIMD)
#  define SX_NT(name) SX_CAT(SX_K(name), nt)
const sx_isa_table SX_K(sx_stream_table) = {
    SX_ISA_NAME,
    {
        [SX_SIGMOID] = {SX_NT(sigmoid_f32), SX_NT(sigmoid_f64)},
        [SX_SIGMOID_GRAD] = {SX_NT(sigmoid_grad_f32), SX_NT(sigmoid_grad_f64)},
        [SX_SIGMOID_BACKWARD] = {SX_NT(sigmoid_backward_f32), SX_NT(sigmoid_backward_f64)},
        [SX_LOG_SIGMOID_GRAD] = {SX_NT(log_sigmoid_grad_f32), SX_NT(log_sigmoid_grad_f64)},
        [SX_SIGMOID_AND_GRAD] = {SX_NT(sigmoid_and_grad_f32), SX_NT(sigmoid_and_grad_f64)},
    },
};
#  undef SX_NT
#endif
