/*
 * The public functions as numpy.ufunc objects.
 *
 * This file is compiled into the same shared object as the cffi module and gives it a
 * second module-init function, PyInit__ufuncs (CPython loads several modules from one
 * library; sigmoid_ext/_loader.py imports this one through ExtensionFileLoader).  The
 * ufuncs are built from one table (sx_ufunc_table) and one list of loop types, so adding
 * a function is a row here and a kernel in kernels/.
 *
 * Loops, searched by NumPy in this order (its default type resolver takes the first
 * loop the inputs cast to safely):
 *   bool and integers -> float64   read into a float64 block, float64 kernel
 *   e -> e                         widened exactly, float64 kernel, rounded once
 *   f -> f, d -> d                 the SIMD kernels on the caller's memory (drivers.c:
 *                                  strides, alignment, threads for long runs)
 *   g -> g                         long double, per element (longdouble.c)
 * bfloat16 (ml_dtypes) gets an e-style loop when its type number is registered.
 *
 * NumPy reads the floating-point status after each loop and warns on any flag set, so
 * every loop clears the flags its arithmetic raised (overflowing e^x in a masked-off
 * lane, inexact conversions): this library never reports through FP flags.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#define NPY_TARGET_VERSION NPY_1_22_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include <fenv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sx_internal.h"

/* ------------------------------------------------------------------ the function table */

typedef struct {
    const char *name;
    int func;
} sx_ufunc_row;

static const sx_ufunc_row sx_ufunc_table[] = {
    {"sigmoid", SX_SIGMOID},
    {"sigmoid_grad", SX_SIGMOID_GRAD},
    {"sigmoid_backward", SX_SIGMOID_BACKWARD},
    {"log_sigmoid", SX_LOG_SIGMOID},
    {"softplus", SX_SOFTPLUS},
    {"logit", SX_LOGIT},
    {"logit_grad", SX_LOGIT_GRAD},
    {"silu", SX_SILU},
    {"silu_grad", SX_SILU_GRAD},
    {"log_sigmoid_grad", SX_LOG_SIGMOID_GRAD},
    {"sigmoid_and_grad", SX_SIGMOID_AND_GRAD},
};
#define SX_NUFUNCS ((int)(sizeof sx_ufunc_table / sizeof sx_ufunc_table[0]))

/* ------------------------------------------------------------------ FP status */

static inline void sx_clear_fp_flags(void)
{
    /* Read first, write only if a flag is set: a few cycles, where feclearexcept
     * always stores and reloads the whole x87 environment.  The SIMD kernels raise
     * flags in MXCSR; their rare wide fallbacks (sigmoid_backward's overflow in long
     * double) in the x87 status word. */
#if defined(__x86_64__) && defined(__GNUC__)
    unsigned int csr = __builtin_ia32_stmxcsr();
    if (csr & 0x3f)
        __builtin_ia32_ldmxcsr(csr & ~0x3fu);
    unsigned short sw;
    __asm__ volatile("fnstsw %0" : "=am"(sw));
    if (sw & 0x3f)
        __asm__ volatile("fnclex");
#else
    feclearexcept(FE_ALL_EXCEPT);
#endif
}

/* ------------------------------------------------------------------ small floats */

/* Exact widening of a binary16 (E = 5, M = 10) or bfloat16 (E = 8, M = 7) pattern. */
static inline double sx_small_to_f64(uint32_t h, int E, int M)
{
    const int bias = (1 << (E - 1)) - 1;
    const uint64_t sign = (uint64_t)(h >> (E + M)) << 63;
    const uint32_t be = (h >> M) & ((1u << E) - 1), m = h & ((1u << M) - 1);
    uint64_t bits;
    if (be == (1u << E) - 1) {                 /* inf, or NaN with its payload on top */
        bits = sign | 0x7ff0000000000000ULL | ((uint64_t)m << (52 - M));
    } else if (be == 0) {                      /* zero or subnormal: m * 2^(1-bias-M) */
        double v = (double)m * ldexp(1.0, 1 - bias - M);
        memcpy(&bits, &v, 8);
        bits |= sign;
    } else {
        bits = sign | ((uint64_t)(be - bias + 1023) << 52) | ((uint64_t)m << (52 - M));
    }
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

/* Round a double to the nearest binary16/bfloat16 (ties to even), once: the 53-bit
 * significand is cut to M bits (fewer for subnormal results) in integer arithmetic.
 * Rounding through float32 first would round twice. */
static inline uint32_t sx_f64_to_small(double x, int E, int M)
{
    uint64_t b;
    memcpy(&b, &x, 8);
    const uint32_t sign = (uint32_t)(b >> 63) << (E + M);
    const uint64_t a = b & 0x7fffffffffffffffULL;
    const uint32_t inf = ((1u << E) - 1) << M;
    if (a >= 0x7ff0000000000000ULL) {
        if (a == 0x7ff0000000000000ULL)
            return sign | inf;
        return sign | inf | (1u << (M - 1)) | (uint32_t)((a >> (52 - M)) & ((1u << M) - 1));
    }
    const int bias = (1 << (E - 1)) - 1;
    const int e = (int)(a >> 52) - 1023;       /* double subnormals: far below, give 0 */
    if (e > bias)
        return sign | inf;
    const uint64_t sig = (a & ((1ULL << 52) - 1)) | (1ULL << 52);
    int be = e + bias, shift = 52 - M;
    if (be < 1) {                              /* subnormal result: drop more bits */
        shift += 1 - be;
        be = 0;
    }
    if (shift > 63)
        return sign;
    uint64_t q = sig >> shift;
    const uint64_t rem = sig & ((1ULL << shift) - 1), half = 1ULL << (shift - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    /* A carry out of the significand moves into the exponent field, up to inf: the
     * encoding is monotone, so adding works across both boundaries. */
    const uint32_t bits = be ? ((uint32_t)be << M) + (uint32_t)(q - (1ULL << M)) : (uint32_t)q;
    return sign | bits;
}

/* ------------------------------------------------------------------ loops */

/* Loop data: the function id and the element type the loop reads (one of the kinds
 * below), packed into the pointer NumPy hands back to the loop. */
enum sx_kind {
    SX_K_BOOL, SX_K_I8, SX_K_U8, SX_K_I16, SX_K_U16, SX_K_I32, SX_K_U32, SX_K_I64, SX_K_U64,
    SX_K_HALF, SX_K_BF16, SX_K_F32, SX_K_F64, SX_K_LD, SX_NKINDS
};
#define SX_LOOP_DATA(func, kind) ((void *)(intptr_t)((func) << 8 | (kind)))
#define SX_DATA_FUNC(d) ((int)((intptr_t)(d) >> 8))
#define SX_DATA_KIND(d) ((int)((intptr_t)(d) & 0xff))

static inline double sx_read_as_f64(const char *p, int kind)
{
#define SX_READ(T) do { T v; memcpy(&v, p, sizeof v); return (double)v; } while (0)
    switch (kind) {
    case SX_K_BOOL: return *(const npy_bool *)p != 0;
    case SX_K_I8: SX_READ(int8_t);
    case SX_K_U8: SX_READ(uint8_t);
    case SX_K_I16: SX_READ(int16_t);
    case SX_K_U16: SX_READ(uint16_t);
    case SX_K_I32: SX_READ(int32_t);
    case SX_K_U32: SX_READ(uint32_t);
    case SX_K_I64: SX_READ(int64_t);
    case SX_K_U64: SX_READ(uint64_t);
    case SX_K_HALF: { uint16_t h; memcpy(&h, p, 2); return sx_small_to_f64(h, 5, 10); }
    case SX_K_BF16: { uint16_t h; memcpy(&h, p, 2); return sx_small_to_f64(h, 8, 7); }
    default: SX_READ(double);
    }
#undef SX_READ
}

static inline void sx_write_from_f64(char *p, double v, int kind)
{
    uint16_t h;
    switch (kind) {
    case SX_K_HALF: h = (uint16_t)sx_f64_to_small(v, 5, 10); memcpy(p, &h, 2); break;
    case SX_K_BF16: h = (uint16_t)sx_f64_to_small(v, 8, 7); memcpy(p, &h, 2); break;
    default: memcpy(p, &v, 8); break;       /* bool and integers give float64 */
    }
}

/* float32 / float64: straight to the drivers, which run contiguous aligned runs on the
 * kernels in place, gather/scatter anything else, and split long runs across the
 * thread pool (NumPy has released the GIL around this call). */
static void sx_loop_native(char **args, npy_intp const *dims, npy_intp const *steps,
                           void *data)
{
    const int func = SX_DATA_FUNC(data);
    const int nargs = sx_arities[func].nin + sx_arities[func].nout;
    int64_t st[SX_MAX_ARGS];
    for (int a = 0; a < nargs; a++)
        st[a] = steps[a];
    sx_loop(func, SX_DATA_KIND(data) == SX_K_F32 ? SX_F32 : SX_F64, dims[0], args, st,
            sx_get_num_threads());
    sx_clear_fp_flags();
}

/* Everything computed in float64 from another type: blocks of SX_BLOCK elements read
 * (exactly) into aligned buffers, the float64 kernel, then written back with one
 * rounding (float16/bfloat16) or as float64 (bool, integers). */
static void sx_loop_via_f64(char **args, npy_intp const *dims, npy_intp const *steps,
                            void *data)
{
    const int func = SX_DATA_FUNC(data), kind = SX_DATA_KIND(data);
    const int nin = sx_arities[func].nin, nargs = nin + sx_arities[func].nout;
    const sx_kernel kernel = sx_active_table()->kernels[func][SX_F64];
    _Alignas(64) double buf[SX_MAX_ARGS][SX_BLOCK];
    char *bufp[SX_MAX_ARGS];
    for (int a = 0; a < nargs; a++)
        bufp[a] = (char *)buf[a];
    const npy_intp n = dims[0];
    for (npy_intp i = 0; i < n; i += SX_BLOCK) {
        const npy_intp m = n - i < SX_BLOCK ? n - i : SX_BLOCK;
        for (int a = 0; a < nin; a++)
            for (npy_intp j = 0; j < m; j++)
                buf[a][j] = sx_read_as_f64(args[a] + (i + j) * steps[a], kind);
        kernel(bufp, (size_t)m);
        for (int a = nin; a < nargs; a++)
            for (npy_intp j = 0; j < m; j++)
                sx_write_from_f64(args[a] + (i + j) * steps[a], buf[a][j], kind);
    }
    sx_clear_fp_flags();
}

/* long double: per element, the stable forms of longdouble.c. */
static void sx_loop_longdouble(char **args, npy_intp const *dims, npy_intp const *steps,
                               void *data)
{
    const int func = SX_DATA_FUNC(data);
    const int nin = sx_arities[func].nin, nargs = nin + sx_arities[func].nout;
    for (npy_intp i = 0; i < dims[0]; i++) {
        long double in[SX_MAX_ARGS], out[SX_MAX_ARGS];
        for (int a = 0; a < nin; a++)
            memcpy(&in[a], args[a] + i * steps[a], sizeof(long double));
        sx_ld_eval(func, in, out);
        for (int a = nin; a < nargs; a++)
            memcpy(args[a] + i * steps[a], &out[a - nin], sizeof(long double));
    }
    feclearexcept(FE_ALL_EXCEPT);
}

/* The loop list, in NumPy's search order (see the top of the file).  Input type; the
 * output type is float64 for bool/integers and the input type otherwise. */
static const struct {
    int typenum, kind;
    PyUFuncGenericFunction loop;
} sx_loop_types[] = {
    {NPY_BOOL, SX_K_BOOL, sx_loop_via_f64},
    {NPY_BYTE, SX_K_I8, sx_loop_via_f64},
    {NPY_UBYTE, SX_K_U8, sx_loop_via_f64},
    {NPY_SHORT, SX_K_I16, sx_loop_via_f64},
    {NPY_USHORT, SX_K_U16, sx_loop_via_f64},
    {NPY_INT, SX_K_I32, sx_loop_via_f64},
    {NPY_UINT, SX_K_U32, sx_loop_via_f64},
    {NPY_LONG, NPY_SIZEOF_LONG == 8 ? SX_K_I64 : SX_K_I32, sx_loop_via_f64},
    {NPY_ULONG, NPY_SIZEOF_LONG == 8 ? SX_K_U64 : SX_K_U32, sx_loop_via_f64},
    {NPY_LONGLONG, SX_K_I64, sx_loop_via_f64},
    {NPY_ULONGLONG, SX_K_U64, sx_loop_via_f64},
    {NPY_HALF, SX_K_HALF, sx_loop_via_f64},
    {NPY_FLOAT, SX_K_F32, sx_loop_native},
    {NPY_DOUBLE, SX_K_F64, sx_loop_native},
    {NPY_LONGDOUBLE, SX_K_LD, sx_loop_longdouble},
};
#define SX_NLOOPS ((int)(sizeof sx_loop_types / sizeof sx_loop_types[0]))

static int sx_output_type(int typenum)
{
    return typenum == NPY_HALF || typenum == NPY_FLOAT || typenum == NPY_DOUBLE ||
                   typenum == NPY_LONGDOUBLE
               ? typenum
               : NPY_DOUBLE;
}

/* What PyUFunc_FromFuncAndData keeps pointers to (it copies nothing): allocated once
 * per ufunc and owned by it for the life of the process, like NumPy's own tables. */
typedef struct {
    PyUFuncGenericFunction loops[SX_NLOOPS];
    void *data[SX_NLOOPS];
    char types[SX_NLOOPS * SX_MAX_ARGS];
    char *name, *doc;
} sx_ufunc_storage;

static char *sx_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

static PyObject *sx_make_ufunc(const sx_ufunc_row *row, const char *doc)
{
    const int nin = sx_arities[row->func].nin, nout = sx_arities[row->func].nout;
    sx_ufunc_storage *s = calloc(1, sizeof *s);
    if (s == NULL)
        return PyErr_NoMemory();
    s->name = sx_strdup(row->name);
    s->doc = sx_strdup(doc);
    if (s->name == NULL || s->doc == NULL) {
        free(s->name);
        free(s->doc);
        free(s);
        return PyErr_NoMemory();
    }
    for (int i = 0; i < SX_NLOOPS; i++) {
        s->loops[i] = sx_loop_types[i].loop;
        s->data[i] = SX_LOOP_DATA(row->func, sx_loop_types[i].kind);
        for (int a = 0; a < nin + nout; a++)
            s->types[i * (nin + nout) + a] =
                (char)(a < nin ? sx_loop_types[i].typenum
                               : sx_output_type(sx_loop_types[i].typenum));
    }
    /* identity None: these functions have no reduction. */
    return PyUFunc_FromFuncAndData(s->loops, s->data, s->types, SX_NLOOPS, nin, nout,
                                   PyUFunc_None, s->name, s->doc, 0);
}

/* build(docs) -> {name: ufunc}: docs maps each name to its docstring (kept in Python,
 * sigmoid_ext/_docs.py, where tools and people read it). */
static PyObject *sx_build(PyObject *self, PyObject *docs)
{
    (void)self;
    if (!PyDict_Check(docs)) {
        PyErr_SetString(PyExc_TypeError, "build() takes a dict of docstrings");
        return NULL;
    }
    PyObject *result = PyDict_New();
    if (result == NULL)
        return NULL;
    for (int i = 0; i < SX_NUFUNCS; i++) {
        PyObject *doc = PyDict_GetItemString(docs, sx_ufunc_table[i].name);   /* borrowed */
        PyObject *utf8 = doc != NULL && PyUnicode_Check(doc) ? PyUnicode_AsUTF8String(doc)
                                                             : PyBytes_FromString("");
        if (utf8 == NULL)
            goto fail;
        PyObject *uf = sx_make_ufunc(&sx_ufunc_table[i], PyBytes_AsString(utf8));
        Py_DECREF(utf8);
        if (uf == NULL || PyDict_SetItemString(result, sx_ufunc_table[i].name, uf) < 0) {
            Py_XDECREF(uf);
            goto fail;
        }
        Py_DECREF(uf);
    }
    return result;
fail:
    Py_DECREF(result);
    return NULL;
}

/* register_bfloat16(ufunc, typenum): add the bfloat16 -> bfloat16 loop (computed in
 * float64, rounded once) for ml_dtypes' user type number. */
static PyObject *sx_register_bfloat16(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *uf;
    int typenum;
    if (!PyArg_ParseTuple(args, "Oi", &uf, &typenum))
        return NULL;
    if (!PyObject_TypeCheck(uf, &PyUFunc_Type)) {
        PyErr_SetString(PyExc_TypeError, "register_bfloat16() takes a ufunc");
        return NULL;
    }
    PyObject *pyname = PyObject_GetAttrString(uf, "__name__");
    PyObject *utf8 = pyname != NULL ? PyUnicode_AsUTF8String(pyname) : NULL;
    Py_XDECREF(pyname);
    if (utf8 == NULL)
        return NULL;
    int func = -1;
    for (int i = 0; i < SX_NUFUNCS; i++)
        if (strcmp(PyBytes_AsString(utf8), sx_ufunc_table[i].name) == 0)
            func = sx_ufunc_table[i].func;
    Py_DECREF(utf8);
    if (func < 0) {
        PyErr_SetString(PyExc_ValueError, "register_bfloat16(): not a sigmoid_ext ufunc");
        return NULL;
    }
    int types[SX_MAX_ARGS];
    for (int a = 0; a < sx_arities[func].nin + sx_arities[func].nout; a++)
        types[a] = typenum;
    if (PyUFunc_RegisterLoopForType((PyUFuncObject *)uf, typenum, sx_loop_via_f64, types,
                                    SX_LOOP_DATA(func, SX_K_BF16)) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef sx_ufuncs_methods[] = {
    {"build", sx_build, METH_O, "build(docs) -> dict of the library's ufuncs"},
    {"register_bfloat16", sx_register_bfloat16, METH_VARARGS,
     "register_bfloat16(ufunc, typenum): add a bfloat16 loop"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef sx_ufuncs_module = {
    PyModuleDef_HEAD_INIT, "_ufuncs", "The library's numpy.ufunc objects (see csrc/ufuncs.c).",
    -1, sx_ufuncs_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ufuncs(void)
{
    import_array();
    import_umath();
    return PyModule_Create(&sx_ufuncs_module);
}
