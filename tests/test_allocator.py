"""The allocator policy set at import (unroll/_allocator.py): freed memory stays in the process."""
import os
import resource
import subprocess
import sys

import numpy as np
import pytest

import unroll
from unroll._allocator import keep_freed_memory

glibc_linux = pytest.mark.skipif(not sys.platform.startswith("linux") or os.confstr("CS_GNU_LIBC_VERSION") is None,
                                 reason="mallopt is glibc's")


@glibc_linux
def test_keep_freed_memory_is_set_and_can_be_refused(monkeypatch):
    assert keep_freed_memory() is True
    monkeypatch.setenv("UNROLL_KEEP_FREED_MEMORY", "0")
    assert keep_freed_memory() is False


@glibc_linux
def test_a_training_step_reuses_its_pages():
    """After the first batch, another forward + backward of the same shape touches no new pages."""
    rng = np.random.default_rng(0)
    lstm = unroll.nn.LSTM(16, 64, rng=rng)
    x, dy = rng.standard_normal((32, 100, 16)).astype(np.float32), rng.standard_normal((32, 100, 64)).astype(np.float32)

    def step():
        _, _, cache = lstm.forward(x)
        lstm.backward(dy, None, cache)

    step()
    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 100, f"{faults} page faults in one step (glibc's default policy gives thousands)"


@glibc_linux
def test_opting_out_leaves_the_default_policy():
    code = ("import resource, numpy as np, unroll\n"
            "lstm = unroll.nn.LSTM(16, 64)\n"
            "x, dy = np.ones((32, 100, 16), np.float32), np.ones((32, 100, 64), np.float32)\n"
            "def step():\n    _, _, c = lstm.forward(x); lstm.backward(dy, None, c)\n"
            "step(); step(); r = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; step()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - r)\n")
    env = dict(os.environ, UNROLL_KEEP_FREED_MEMORY="0")
    faults = int(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                check=True).stdout)
    assert faults > 100, "without the policy glibc hands freed pages back, and touching them again faults"
