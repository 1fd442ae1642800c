"""available_cpus: the affinity mask capped by a cgroup v2 / v1 CPU quota (fake trees)."""

import os

import pytest

from sigmoid_ext._cpus import available_cpus

AFFINITY = len(os.sched_getaffinity(0))


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path):
    """(cgroup root, fake /proc/self/cgroup) with no limit anywhere yet."""
    root = tmp_path / "cgroup"
    root.mkdir()
    proc = tmp_path / "proc_self_cgroup"
    proc.write_text("0::/\n")
    return root, proc


def _cpus(root, proc):
    return available_cpus(str(root), proc_cgroup=str(proc))


def test_no_files_means_affinity(tree):
    assert _cpus(*tree) == AFFINITY


def test_missing_proc_file_and_root(tmp_path):
    assert available_cpus(str(tmp_path / "nowhere"),
                          proc_cgroup=str(tmp_path / "none")) == AFFINITY


def test_v2_root_limited(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    _write(root / "cpu.max", "200000 100000\n")
    assert _cpus(root, proc) == 2
    _write(root / "cpu.max", "150000 100000\n")        # 1.5 CPUs: round up
    assert _cpus(root, proc) == 2
    _write(root / "cpu.max", "1000 100000\n")          # 0.01 CPU: never below 1
    assert _cpus(root, proc) == 1


def test_v2_own_cgroup_and_ancestors(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    proc.write_text("0::/system.slice/app.service\n")
    _write(root / "cpu.max", "max 100000\n")
    _write(root / "system.slice" / "cpu.max", "800000 100000\n")
    _write(root / "system.slice" / "app.service" / "cpu.max", "300000 100000\n")
    assert _cpus(root, proc) == 3
    _write(root / "system.slice" / "cpu.max", "100000 100000\n")   # a parent's is tighter
    assert _cpus(root, proc) == 1


def test_v2_max_is_no_limit(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    _write(root / "cpu.max", "max 100000\n")
    assert _cpus(root, proc) == 64


def test_affinity_smaller_than_quota(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    _write(root / "cpu.max", "800000 100000\n")
    assert _cpus(root, proc) == 3


@pytest.mark.parametrize("mount", ["cpu", "cpu,cpuacct", ""])
def test_v1_limited(tree, monkeypatch, mount):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    proc.write_text("12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n")
    d = (root / mount if mount else root) / "docker" / "abc"
    _write(d / "cpu.cfs_quota_us", "250000\n")
    _write(d / "cpu.cfs_period_us", "100000\n")
    assert _cpus(root, proc) == 3


def test_v1_minus_one_is_no_limit(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    _write(root / "cpu" / "cpu.cfs_quota_us", "-1\n")
    _write(root / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert _cpus(root, proc) == 64


def test_v1_missing_period_ignored(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    _write(root / "cpu" / "cpu.cfs_quota_us", "200000\n")
    assert _cpus(root, proc) == 64


@pytest.mark.parametrize("text", ["", "garbage", "100000", "abc 100000", "200000 0",
                                  "200000 -5", "1 2 3", "\x00\xff"])
def test_v2_garbage_ignored(tree, monkeypatch, text):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    _write(root / "cpu.max", text)
    assert _cpus(root, proc) == 64


def test_garbage_proc_cgroup_and_directory_in_place_of_file(tree, monkeypatch):
    root, proc = tree
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(64)))
    proc.write_text("nonsense\n::\n0::relative\n")
    (root / "cpu.max").mkdir()                          # unreadable as a file
    _write(root / "cpu" / "cpu.cfs_quota_us", "x")
    _write(root / "cpu" / "cpu.cfs_period_us", "100000")
    assert _cpus(root, proc) == 64


def test_real_system_is_sane():
    n = available_cpus()
    assert 1 <= n <= AFFINITY
