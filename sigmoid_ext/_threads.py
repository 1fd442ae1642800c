"""How many threads the ufuncs split long arrays across.

The count lives in C (``csrc/drivers.c``), where the ufunc loops read it: a process-wide
setting (:func:`set_num_threads`, ``SIGMOID_EXT_NUM_THREADS``, threadpoolctl's
``threadpool_limits``) and a per-thread override (:func:`num_threads`).  One rule for
every way of setting it: a positive integer, capped at the CPUs this process may use
(affinity mask and cgroup CPU quota); more threads than CPUs only slow a call down.
"""

from __future__ import annotations

import contextlib
import operator
import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ._cpus import available_cpus
from ._sigmoid_ext_cffi import lib

_ENV = "SIGMOID_EXT_NUM_THREADS"


def _checked(n: Any) -> int:
    """n as a thread count: a positive integer, capped at the usable CPUs."""
    if isinstance(n, bool):
        raise TypeError("the number of threads must be an integer, not bool")
    try:
        value = operator.index(n)
    except TypeError:
        raise TypeError("the number of threads must be an integer, not "
                        f"{type(n).__name__}") from None
    if value < 1:
        raise ValueError(f"the number of threads must be >= 1, got {value}")
    return min(value, available_cpus())


def set_num_threads(n: int) -> None:
    """Set the number of threads long calls are split across, for the whole process.

    Parameters
    ----------
    n : int
        A positive integer; values above the CPUs this process may use (its affinity
        mask and cgroup CPU quota) are capped there.

    Notes
    -----
    Arrays shorter than ``config()["parallel_threshold"]`` elements always run on the
    calling thread.  :func:`num_threads` overrides the setting for one thread;
    ``threadpoolctl.threadpool_limits`` changes it too.

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> sx.set_num_threads(1)
    >>> sx.get_num_threads()
    1
    """
    lib.sx_set_num_threads(_checked(n))


def get_num_threads() -> int:
    """The number of threads a call from this thread may use.

    The value of :func:`num_threads` inside such a block, else the process-wide
    setting (:func:`set_num_threads`; by default the CPUs this process may use).

    Examples
    --------
    >>> import sigmoid_ext as sx
    >>> with sx.num_threads(1):
    ...     sx.get_num_threads()
    1
    """
    return int(lib.sx_get_num_threads())


@contextlib.contextmanager
def num_threads(n: int) -> Iterator[int]:
    """Context manager: calls made by *this* Python thread use ``n`` threads.

    Other threads (a Dask worker, a thread pool) keep the process-wide setting; on
    leaving the block the previous value of this thread comes back (blocks nest).

    Parameters
    ----------
    n : int
        A positive integer, capped as in :func:`set_num_threads`.

    Examples
    --------
    >>> import numpy as np
    >>> import sigmoid_ext as sx
    >>> x = np.zeros(10**6, dtype=np.float32)
    >>> with sx.num_threads(1):
    ...     y = sx.sigmoid(x)       # one thread, whatever the global setting
    >>> float(y[0])
    0.5
    """
    previous = lib.sx_set_local_num_threads(_checked(n))
    try:
        yield int(lib.sx_get_num_threads())
    finally:
        lib.sx_set_local_num_threads(previous)


def _caller_stacklevel() -> int:
    """stacklevel for a warning raised while ``import sigmoid_ext`` runs: the user's
    import line.  warnings.warn skips the import machinery's frames itself, so only
    the frames of this package are counted."""
    level, frame = 1, sys._getframe(1)
    package = os.path.dirname(__file__)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<frozen"):
            if not name.startswith(package):
                break
            level += 1
        frame = frame.f_back
    return level


def _from_env() -> int:
    raw = os.environ.get(_ENV, "").strip()
    if raw:
        try:
            return _checked(int(raw))
        except (ValueError, TypeError):
            warnings.warn(f"{_ENV}={raw!r} is not a positive integer; using "
                          f"{available_cpus()} threads (the CPUs available)",
                          RuntimeWarning, stacklevel=_caller_stacklevel())
    return available_cpus()


def _register_threadpoolctl() -> None:
    """Let ``threadpoolctl.threadpool_limits`` limit this library too (its
    custom-controller API), when threadpoolctl is installed."""
    try:
        import threadpoolctl
    except ImportError:
        return
    if not hasattr(threadpoolctl, "register"):      # threadpoolctl < 3.5
        return

    class SigmoidExtController(threadpoolctl.LibController):
        user_api = "sigmoid_ext"
        internal_api = "sigmoid_ext"
        filename_prefixes = ("_sigmoid_ext_cffi",)

        def get_num_threads(self) -> int:
            return int(lib.sx_get_num_threads())

        def set_num_threads(self, num_threads: int) -> None:
            set_num_threads(num_threads)

        def get_version(self) -> str:
            from ._version import __version__

            return __version__

    threadpoolctl.register(SigmoidExtController)


lib.sx_set_num_threads(_from_env())
