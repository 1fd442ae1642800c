/* Interim long double forms (to be replaced by the stable forms of issue 14). */
#include <math.h>
#include "sx_internal.h"
static long double sg(long double x){ long double e = expl(-fabsl(x)); return x >= 0 ? 1/(1+e) : e/(1+e); }
void sx_ld_eval(int func, const long double *in, long double *out)
{
    long double x = in[0];
    switch (func) {
    case SX_SIGMOID: out[0] = sg(x); break;
    case SX_SIGMOID_GRAD: out[0] = sg(x)*sg(-x); break;
    case SX_SIGMOID_BACKWARD: out[0] = in[0]*in[1]*(1-in[1]); break;
    case SX_LOG_SIGMOID: out[0] = fminl(x,0) - log1pl(expl(-fabsl(x))); break;
    case SX_SOFTPLUS: out[0] = fmaxl(x,0) + log1pl(expl(-fabsl(x))); break;
    case SX_LOGIT: out[0] = logl(x/(1-x)); break;
    case SX_LOGIT_GRAD: out[0] = 1/(x*(1-x)); break;
    case SX_SILU: out[0] = x*sg(x); break;
    case SX_SILU_GRAD: out[0] = sg(x)*(1+x*sg(-x)); break;
    case SX_LOG_SIGMOID_GRAD: out[0] = sg(-x); break;
    case SX_SIGMOID_AND_GRAD: out[0] = sg(x); out[1] = sg(x)*sg(-x); break;
    }
}
