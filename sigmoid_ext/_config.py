"""Instruction-set selection and the configuration report."""

from __future__ import annotations

import os
import warnings

from ._sigmoid_ext_cffi import ffi, lib
from ._version import __version__


def compiled_isas() -> list:
    """Names of the instruction-set paths compiled into this build, best last.

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sx.compiled_isas()[0]            # the portable path is always there
    'baseline'
    """
    return [ffi.string(lib.sx_isa_name(i)).decode() for i in range(lib.sx_isa_count())]


def available_isas() -> list:
    """The compiled paths this CPU can run, best last.

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> set(sx.available_isas()) <= set(sx.compiled_isas())
    True
    """
    return [ffi.string(lib.sx_isa_name(i)).decode()
            for i in range(lib.sx_isa_count()) if lib.sx_isa_supported(i)]


def get_isa() -> str:
    """The path calls use now (the best available one unless :func:`set_isa` or
    ``SIGMOID_EXT_ISA`` chose another).

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sx.get_isa() in sx.available_isas()
    True
    """
    return ffi.string(lib.sx_isa_active()).decode()


def set_isa(name: str) -> None:
    """Force an instruction-set path by name (see :func:`available_isas`), or "auto".

    Raises ValueError for a name that is not compiled in or that this CPU cannot run.

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sx.set_isa("baseline")
    >>> sx.get_isa()
    'baseline'
    >>> sx.set_isa("auto")               # back to the best one
    """
    if not isinstance(name, str):
        raise TypeError(f"isa name must be a str, not {type(name).__name__}")
    if "\x00" in name:         # C would read only up to the NUL: "avx2\0junk" as "avx2"
        raise ValueError(f"unknown instruction-set path {name!r}")
    rc = lib.sx_isa_select(name.encode())
    if rc == -1:
        raise ValueError(f"unknown instruction-set path {name!r}; compiled: "
                         f"{', '.join(compiled_isas())} (or 'auto')")
    if rc == -2:
        raise ValueError(f"this CPU cannot run the {name!r} path; available: "
                         f"{', '.join(available_isas())}")


def _select_from_env() -> None:
    name = os.environ.get("SIGMOID_EXT_ISA", "").strip()
    try:
        set_isa(name or "auto")
    except ValueError as exc:
        warnings.warn(f"SIGMOID_EXT_ISA ignored: {exc}", RuntimeWarning, stacklevel=3)
        set_isa("auto")


def config() -> dict:
    """The configuration as a dict (what :func:`show_config` prints).

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sorted(sx.config())              # doctest: +NORMALIZE_WHITESPACE
    ['available_isas', 'compiled_isas', 'num_threads', 'parallel_threshold',
     'selected_isa', 'version']
    """
    from ._threads import get_num_threads

    return {
        "version": __version__,
        "compiled_isas": compiled_isas(),
        "available_isas": available_isas(),
        "selected_isa": get_isa(),
        "num_threads": get_num_threads(),
        "parallel_threshold": int(lib.sx_parallel_threshold()),
    }


# What is bit-identical across which paths (issue 15), as show_config prints it; backed
# by tests/test_reproducibility.py (x86 paths) and tests/test_aarch64.py (.ci/aarch64.sh).
_REPRODUCIBILITY = (
    "reproducibility: every function and dtype gives the same bits on the FMA paths "
    "(x86 avx2, avx512; aarch64 baseline, NEON), whatever their vector width.  The x86 "
    "baseline (SSE2, no FMA) rounds differently in the last bit for a small share of "
    "inputs (docs/accuracy.md); tests/test_reproducibility.py, tests/test_aarch64.py.")


def show_config() -> None:
    """Print the version, the compiled instruction-set paths and the one in use, and
    which paths give the same bits.

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sx.show_config()                 # doctest: +ELLIPSIS
    sigmoid_ext ...
    ...baseline...selected: ...
    """
    c = config()
    print(f"sigmoid_ext {c['version']}")
    for name in c["compiled_isas"]:
        mark = "*" if name == c["selected_isa"] else " "
        ok = "supported" if name in c["available_isas"] else "not supported by this CPU"
        print(f"  {mark} {name:<10} {ok}")
    print(f"  selected: {c['selected_isa']}  (override with SIGMOID_EXT_ISA)")
    print(f"  threads: {c['num_threads']}  (SIGMOID_EXT_NUM_THREADS, set_num_threads); "
          f"calls below {c['parallel_threshold']} elements stay single-threaded")
    import textwrap
    print(textwrap.fill(_REPRODUCIBILITY, width=88, initial_indent="  ",
                        subsequent_indent="    "))
