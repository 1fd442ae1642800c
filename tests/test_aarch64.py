"""aarch64 gives the same bits as the x86 FMA paths (issue 15): .ci/aarch64.sh builds
tests/aarch64/driver.c with the C sources for x86-64 and, cross-compiled, for aarch64
(NEON kernels), runs the latter under user-mode QEMU and compares one hash per
(function, dtype).  Skipped unless gcc, aarch64-linux-gnu-gcc and qemu-aarch64 are
installed (apt-get install gcc-aarch64-linux-gnu qemu-user), and on a source tree
without csrc/."""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, ".ci", "aarch64.sh")


@pytest.mark.skipif(not all(shutil.which(t) for t in
                            ("gcc", "aarch64-linux-gnu-gcc", "qemu-aarch64", "bash")),
                    reason="needs gcc, aarch64-linux-gnu-gcc and qemu-aarch64")
@pytest.mark.skipif(not os.path.exists(SCRIPT) or not os.path.isdir(os.path.join(ROOT, "csrc")),
                    reason="needs the source tree (.ci/aarch64.sh, csrc/)")
def test_aarch64_matches_the_x86_fma_paths():
    # a sparser sample than the script's default keeps this under ~20 s
    r = subprocess.run(["bash", SCRIPT, "16411", "16384"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ok: aarch64" in r.stdout or "no x86 FMA path" in r.stderr
