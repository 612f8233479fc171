"""Linear layer over the last axis, so it applies at every time step of a (B, T, D) sequence."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_array, check_dtype, check_size
from ..init import uniform
from .module import Module


class Linear(Module):
    """y = x W^T + b. weight (O, D), bias (O,); PyTorch's default init U(+-1/sqrt(D))."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32, rng=None):
        super().__init__()
        check_size("in_features", in_features)
        check_size("out_features", out_features)
        self.in_features, self.out_features, self.dtype = in_features, out_features, check_dtype(dtype)
        rng, bound = as_rng(rng), 1.0 / np.sqrt(in_features)
        self.add_param("weight", uniform((out_features, in_features), bound, rng, self.dtype))
        if bias:
            self.add_param("bias", uniform((out_features,), bound, rng, self.dtype))

    def forward(self, x: np.ndarray, state=None, lengths=None):
        """x (..., D) -> (y (..., O), state, cache); state and lengths pass through."""
        check_array("x", x, (None,) * (max(np.ndim(x), 1) - 1) + (self.in_features,), self.dtype)  # (..., D)
        y, cache = F.linear_forward(x, self.params["weight"], self.params.get("bias"))
        return y, state, self.make_cache(y, cache)

    def backward(self, dy: np.ndarray, d_state, cache):
        """dy (..., O) -> (dx (..., D), d_state); weight gradients accumulate into grads."""
        dx, dw, db = F.linear_backward(dy, self.open_cache(cache, dy))
        self.grads["weight"] += dw
        if db is not None:
            self.grads["bias"] += db
        return dx, d_state
