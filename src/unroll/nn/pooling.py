"""Pooling over time as modules: (B, T, H) and lengths -> (B, H). See functional/pooling.py.

    clf = Sequential(Embedding(V, 32), GRU(32, 64), LastStep(), Linear(64, 2))

`LastStep` reads each sequence's last valid output, not `y[:, -1]` (padding in a padded batch).
For a bidirectional layer the reverse direction's summary of a whole sequence is its output at
the *first* step; `MeanPool`/`MaxPool` or the layer's final state see both directions fully.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import check_array, check_lengths
from .module import Module

__all__ = ["LastStep", "MeanPool", "MaxPool"]


class _Pool(Module):
    """forward(x (B, T, H), state, lengths) -> (y (B, H), state, cache); no parameters."""

    kernels = None  # (forward, backward)

    def forward(self, x: np.ndarray, state=None, lengths=None):
        check_array("x", x, (None, None, None))
        lengths = check_lengths(lengths, x.shape[0], x.shape[1])
        y, cache = type(self).kernels[0](x, lengths)
        return y, state, self.make_cache(y, cache)

    def backward(self, dy: np.ndarray, d_state, cache):
        return type(self).kernels[1](dy, self.open_cache(cache, dy)), d_state


class LastStep(_Pool):
    """Each sequence's output at its last valid step (zeros for length 0)."""

    kernels = (F.last_step_forward, F.last_step_backward)


class MeanPool(_Pool):
    """The mean of each sequence's outputs over its valid steps."""

    kernels = (F.mean_pool_forward, F.mean_pool_backward)


class MaxPool(_Pool):
    """The per-unit maximum of each sequence's outputs over its valid steps."""

    kernels = (F.max_pool_forward, F.max_pool_backward)
