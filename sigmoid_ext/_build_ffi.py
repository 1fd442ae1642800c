"""cffi builder for the compiled core (API mode, out-of-line).

setup.py names ``ffibuilder`` in ``cffi_modules``; the C sources live in ``csrc/``.  The
cdef is cut from ``csrc/sigmoid_ext.h`` so the C API is declared in one place.  The same
shared object also holds the ufuncs (``csrc/ufuncs.c``, its own ``PyInit__ufuncs``;
``sigmoid_ext/_loader.py`` imports it), so the kernels are compiled once.

Environment switches (read at build time):
  SIGMOID_EXT_SANITIZE=1   build with AddressSanitizer + UndefinedBehaviorSanitizer
  SIGMOID_EXT_CFLAGS="..." extra compiler flags (e.g. -fopt-info-vec-missed)
"""

from __future__ import annotations

import os
import re
import shlex

import numpy
from cffi import FFI

CSRC = "csrc"
SOURCES = [
    f"{CSRC}/dispatch.c",
    f"{CSRC}/drivers.c",
    f"{CSRC}/parallel.c",
    f"{CSRC}/isa/isa_baseline.c",
    f"{CSRC}/isa/isa_x86_64_v3.c",
    f"{CSRC}/isa/isa_x86_64_v4.c",
    f"{CSRC}/longdouble.c",
    f"{CSRC}/ufuncs.c",
]

# -ffp-contract=off: the error-free transforms (Fast2Sum, Dekker) need every a*b+c to
#   round twice unless written as fma(); each ISA file asks for FMA where it wants it.
# -fno-math-errno / -fno-trapping-math: let fma/fabs inline and selects vectorise; the
#   library never reports through errno or FP traps.  No -ffast-math: it breaks NaN,
#   subnormal results and the exactness the error bounds rely on.
CFLAGS = [
    "-std=gnu11",
    "-O3",
    "-ffp-contract=off",
    "-fno-math-errno",
    "-fno-trapping-math",
    "-fvisibility=hidden",
    "-Wall",
]


def _here(*parts: str) -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), *parts)


def _cdef_from_header() -> str:
    with open(_here(CSRC, "sigmoid_ext.h"), encoding="utf-8") as fh:
        text = fh.read()
    body = text.split("cffi-cdef-begin", 1)[1].split("cffi-cdef-end", 1)[0]
    body = body.split("*/", 1)[1].rsplit("/*", 1)[0]
    return re.sub(r"/\*.*?\*/", "", body, flags=re.S)


def _flags() -> tuple[list[str], list[str]]:
    cflags = list(CFLAGS)
    ldflags: list[str] = []
    if os.environ.get("SIGMOID_EXT_SANITIZE") == "1":
        san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
               "-fno-omit-frame-pointer", "-g"]
        cflags += san
        ldflags += san
    cflags += shlex.split(os.environ.get("SIGMOID_EXT_CFLAGS", ""))
    return cflags, ldflags


ffibuilder = FFI()
ffibuilder.cdef(_cdef_from_header())
_cflags, _ldflags = _flags()
ffibuilder.set_source(
    "sigmoid_ext._sigmoid_ext_cffi",
    '#include "sigmoid_ext.h"',
    sources=SOURCES,
    include_dirs=[CSRC, numpy.get_include()],
    # One binary for every CPython >= 3.9 (abi3).  cffi would define a bare
    # Py_LIMITED_API, which NumPy's headers reject as too old; csrc/ufuncs.c builds
    # against NumPy >= 2 with NPY_TARGET_VERSION 1.22, so it also runs on NumPy 1.22+.
    define_macros=[("Py_LIMITED_API", "0x03090000")],
    extra_compile_args=_cflags,
    extra_link_args=_ldflags,
    libraries=["m", "pthread"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
