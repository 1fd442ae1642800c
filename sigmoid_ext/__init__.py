"""sigmoid_ext: fast, accurate logistic sigmoid and its family for NumPy.

C kernels (chosen at run time for the CPU: baseline, AVX2+FMA or AVX-512) behind
NumPy-ufunc-like functions.  See ``show_config()`` for the path in use.
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
from ._ufunc import get_num_threads, set_num_threads
from ._version import __version__

_select_from_env()
del _select_from_env

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
