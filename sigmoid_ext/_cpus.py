"""CPUs this process may use (interim: the affinity mask only)."""

from __future__ import annotations

import os


def available_cpus(cgroup_root: str = "/sys/fs/cgroup") -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
