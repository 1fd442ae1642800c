"""Small helpers shared by test files (tests/ is on pytest's pythonpath)."""

from __future__ import annotations


def mem_available() -> int:
    """Bytes of memory the kernel says are available (0 if unknown)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
