"""sigmoid_ext: fast, accurate logistic sigmoid and its family for NumPy.

Every public function is a ``numpy.ufunc`` whose float32/float64 loops run C kernels
chosen at run time for the CPU (baseline, AVX2+FMA or AVX-512).  See ``show_config()``
for the path in use.
"""

from ._config import (
    _select_from_env,
    available_isas,
    compiled_isas,
    config,
    get_isa,
    set_isa,
    show_config,
)
from ._functions import (
    _register_bfloat16,
    expit,
    log_expit,
    log_sigmoid,
    log_sigmoid_grad,
    logit,
    logit_grad,
    sigmoid,
    sigmoid_and_grad,
    sigmoid_backward,
    sigmoid_grad,
    silu,
    silu_grad,
    softplus,
    softplus_grad,
)
from ._threads import _register_threadpoolctl, get_num_threads, num_threads, set_num_threads
from ._version import __version__

_select_from_env()
_register_bfloat16()
_register_threadpoolctl()
del _select_from_env, _register_bfloat16, _register_threadpoolctl

__all__ = [
    "__version__",
    "available_isas",
    "compiled_isas",
    "config",
    "expit",
    "get_isa",
    "get_num_threads",
    "log_expit",
    "log_sigmoid",
    "log_sigmoid_grad",
    "logit",
    "logit_grad",
    "num_threads",
    "set_isa",
    "set_num_threads",
    "show_config",
    "sigmoid",
    "sigmoid_and_grad",
    "sigmoid_backward",
    "sigmoid_grad",
    "silu",
    "silu_grad",
    "softplus",
    "softplus_grad",
]
