"""How many CPUs this process may really use: the affinity mask, capped by a cgroup quota.

``os.sched_getaffinity`` lists the cores the scheduler may run us on, but a container
limited to 2 CPUs on a 64-core host still sees 64 of them: the limit there is a CPU
*quota* (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``), time
per period rather than cores.  Starting 64 threads under a 2-CPU quota makes every
parallel call wait for throttled threads, so the default thread count takes
ceil(quota / period) when that is smaller (as the Go runtime and the JVM do).

Everything here is best effort: a file that is missing, unreadable or malformed counts
as "no limit", and the answer is never below 1.
"""

from __future__ import annotations

import math
import os

__all__ = ["available_cpus"]


def _affinity_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as fh:
            return fh.read(4096)
    except (OSError, ValueError):
        return None


def _limit(quota: int, period: int) -> int | None:
    """CPUs granted by quota/period; None for no limit (quota < 0) or nonsense."""
    if quota <= 0 or period <= 0:
        return None
    return max(1, math.ceil(quota / period))


def _v2_limit(path: str) -> int | None:
    """cgroup v2 ``cpu.max``: "<quota> <period>", quota "max" for no limit."""
    text = _read(os.path.join(path, "cpu.max"))
    if text is None:
        return None
    fields = text.split()
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        return _limit(int(fields[0]), int(fields[1]))
    except ValueError:
        return None


def _v1_limit(path: str) -> int | None:
    """cgroup v1 ``cpu.cfs_quota_us`` (-1 for no limit) over ``cpu.cfs_period_us``."""
    quota = _read(os.path.join(path, "cpu.cfs_quota_us"))
    period = _read(os.path.join(path, "cpu.cfs_period_us"))
    if quota is None or period is None:
        return None
    try:
        return _limit(int(quota.strip()), int(period.strip()))
    except ValueError:
        return None


def _own_cgroups(proc_cgroup: str) -> tuple[str | None, str | None]:
    """(v2 path, v1 cpu-controller path) of this process, from /proc/self/cgroup."""
    text = _read(proc_cgroup)
    v2 = v1 = None
    for line in (text or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[2].startswith("/"):
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            v2 = path
        elif "cpu" in controllers.split(","):
            v1 = path
    return v2, v1


def _ancestors(root: str, path: str | None) -> list[str]:
    """root/path and each of its parents up to root itself (a quota anywhere above us
    applies to us too).  Paths are kept under root, whatever '..' they contain."""
    dirs = [root]
    parts = [p for p in (path or "").split("/") if p not in ("", ".", "..")]
    for i in range(1, len(parts) + 1):
        dirs.append(os.path.join(root, *parts[:i]))
    return dirs


def available_cpus(cgroup_root: str = "/sys/fs/cgroup", *,
                   proc_cgroup: str = "/proc/self/cgroup") -> int:
    """min(CPUs in the affinity mask, ceil(cgroup quota / period)), at least 1.

    Reads the cgroup v2 ``cpu.max`` of this process's cgroup (path from
    ``proc_cgroup``) and of its ancestors, else of ``cgroup_root`` itself, and the
    cgroup v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` under the cpu controller's
    mount (``cgroup_root/cpu``, ``cpu,cpuacct``, ...) or ``cgroup_root``.  "max" or -1
    means no limit; read errors and malformed files are ignored.
    """
    n = _affinity_count()
    try:
        v2_path, v1_path = _own_cgroups(proc_cgroup)
        limits = [_v2_limit(d) for d in _ancestors(cgroup_root, v2_path)]
        for mount in ("cpu", "cpu,cpuacct", "cpuacct,cpu", ""):
            base = os.path.join(cgroup_root, mount) if mount else cgroup_root
            limits += [_v1_limit(d) for d in _ancestors(base, v1_path)]
        for lim in limits:
            if lim is not None:
                n = min(n, lim)
    except Exception:  # noqa: BLE001 - never let a strange /sys break the import
        pass
    return max(1, n)
