"""Dropout as a module: active in training mode, the identity in eval mode."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_array
from .module import Module
from ..errors import InvalidValueError


class Dropout(Module):
    """Inverted dropout with probability p. variational=True drops the same units at every time step
    of a (B, T, D) input (Gal & Ghahramani 2016), the mask shaped (B, 1, D)."""

    def __init__(self, p: float = 0.5, variational: bool = False, rng=None):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise InvalidValueError(f"p: expected a probability in [0, 1), got {p}")
        self.p, self.variational, self.rng = p, variational, as_rng(rng)

    def forward(self, x: np.ndarray, state=None, lengths=None):
        """x (...) -> (y (...), state, cache); state and lengths pass through."""
        check_array("x", x, (None,) * np.ndim(x))
        if not self.training or self.p == 0.0:
            return x, state, self.make_cache(x, None)
        if self.variational and x.ndim != 3:
            raise InvalidValueError(f"x: variational dropout expects (B, T, D), got shape {x.shape}")
        mask_shape = (x.shape[0], 1, x.shape[2]) if self.variational else None
        y, cache = F.dropout_forward(x, self.p, self.rng, mask_shape)
        return y, state, self.make_cache(y, cache)

    def backward(self, dy: np.ndarray, d_state, cache):
        """dy like y -> (dx, d_state)."""
        mask = self.open_cache(cache, dy)
        return (dy if mask is None else F.dropout_backward(dy, mask)), d_state
