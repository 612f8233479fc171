"""Shared by the gradient tests: finite differences must agree, and an all-zero gradient fails."""
import numpy as np

from unroll import gradcheck

TOL = 1e-6  # relative error allowed between analytic and central-difference gradients (float64)


def assert_grads(f, arrays, grads, allow_zero=()):
    """gradcheck every array; also refuse an all-zero analytic gradient, which would pass vacuously."""
    errors = gradcheck(f, arrays, grads)
    assert max(errors.values()) < TOL, errors
    for name, g in grads.items():
        if name not in allow_zero:
            assert np.abs(g).max() > 0, f"{name}: analytic gradient is identically zero"
