"""Gradient clipping and the checks a non-finite guard needs.

Both clipping rules work in place on a gradient dict (`name -> np.ndarray`, the `module.grads`
of any module) and return nothing or the norm before clipping, so the training loop can log it.
An array that appears under several names (a shared weight) is counted and scaled once.

- By value, the element-wise rule of the course (and of Karpathy's min-char-rnn):
      g_i <- g_i * MAX / max(|g_i|, MAX),   i.e. g_i clamped to [-MAX, MAX].
  Cheap and local, but it changes the gradient's direction.
- By global norm (Pascanu et al., 2013; torch.nn.utils.clip_grad_norm_):
      n = sqrt(sum over all arrays of sum(g ** 2)),   g <- g * min(1, MAX / (n + 1e-6)).
  It keeps the direction and bounds the step; the 1e-6 matches torch.
"""
from __future__ import annotations

import math

import numpy as np

from .optimizers import _nonnegative
from ..errors import InvalidTypeError

__all__ = ["clip_by_value", "clip_by_global_norm", "global_norm", "all_finite"]

# torch adds this to the norm before dividing, so a zero gradient is never divided by zero
_NORM_EPS = 1e-6


def clip_by_value(grads: dict, max_value: float) -> None:
    """Clamp every gradient element to [-max_value, max_value], in place.

    grads: dict name -> float ndarray (any shapes). max_value: float > 0.
    """
    max_value = _nonnegative("max_value", max_value, positive=True)
    for g in _unique_arrays(grads):
        np.clip(g, -max_value, max_value, out=g)


def clip_by_global_norm(grads: dict, max_norm: float) -> float:
    """Rescale all gradients together, in place, so that their global L2 norm is at most max_norm.

    grads: dict name -> float ndarray. max_norm: float > 0.
    Returns the global norm before clipping (float). If it is inf or nan the gradients are left
    untouched (torch would fill them with nan): the non-finite guard decides what to do.
    """
    max_norm = _nonnegative("max_norm", max_norm, positive=True)
    total = global_norm(grads)
    scale = max_norm / (total + _NORM_EPS)
    if math.isfinite(total) and scale < 1.0:
        for g in _unique_arrays(grads):
            g *= scale
    return total


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every element of every gradient. grads: dict name -> ndarray."""
    # each array's sum of squares in its own dtype (as torch), the sum across arrays in float64
    return math.sqrt(sum(float(np.vdot(g, g)) for g in _unique_arrays(grads)))


def all_finite(grads: dict) -> bool:
    """True when no gradient holds a NaN or an inf. grads: dict name -> ndarray."""
    return all(np.isfinite(g).all() for g in _unique_arrays(grads))


def _unique_arrays(grads: dict) -> list:
    """The dict's arrays, each once however many names it has, after checking their types."""
    if not isinstance(grads, dict):
        raise InvalidTypeError(f"grads: expected a dict name -> ndarray, got {type(grads).__name__}")
    seen, arrays = set(), []
    for name, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype not in (np.float32, np.float64):
            got = f"{g.dtype} array" if isinstance(g, np.ndarray) else type(g).__name__
            raise InvalidTypeError(f"grads[{name!r}]: expected a float32/float64 ndarray, got {got}")
        if id(g) not in seen:
            seen.add(id(g))
            arrays.append(g)
    return arrays
