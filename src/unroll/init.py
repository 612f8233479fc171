"""Weight initialisers. Each takes `rng` and returns a new array; none touches global state.

PyTorch's default for recurrent layers is U(-1/sqrt(H), 1/sqrt(H)) on every weight and bias.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_rng


def uniform(shape: tuple, bound: float, rng=None, dtype=np.float32) -> np.ndarray:
    """U(-bound, bound) of the given shape."""
    return as_rng(rng).uniform(-bound, bound, size=shape).astype(dtype)


def pytorch_default(shape: tuple, hidden_size: int, rng=None, dtype=np.float32) -> np.ndarray:
    """PyTorch's recurrent default, U(-1/sqrt(H), 1/sqrt(H))."""
    return uniform(shape, 1.0 / np.sqrt(hidden_size), rng, dtype)


def orthogonal(shape: tuple, gain: float = 1.0, rng=None, dtype=np.float32) -> np.ndarray:
    """A (G*H, H) matrix whose H x H blocks are each orthogonal (Saxe et al. 2014), times `gain`.

    Stacked gate blocks get independent orthogonal matrices, as in Keras' recurrent initialiser.
    """
    rows, cols = shape
    rng = as_rng(rng)
    blocks = []
    for _ in range(int(np.ceil(rows / cols))):
        q, r = np.linalg.qr(rng.standard_normal((cols, cols)))
        blocks.append(q * np.sign(np.diag(r)))  # sign fix makes the draw Haar-uniform
    return (gain * np.concatenate(blocks)[:rows]).astype(dtype)


def identity(shape: tuple, gain: float = 1.0, dtype=np.float32) -> np.ndarray:
    """gain * I stacked over the gate blocks: the IRNN recurrent initialiser (Le et al. 2015)."""
    rows, cols = shape
    return (gain * np.tile(np.eye(cols), (rows // cols, 1))).astype(dtype)


def forget_gate_bias(bias: np.ndarray, value: float = 1.0) -> np.ndarray:
    """Set the forget-gate slice of an LSTM bias (4H,), order i,f,g,o, to `value` in place."""
    hidden = bias.shape[0] // 4
    bias[hidden:2 * hidden] = value
    return bias


def chrono_bias(bias: np.ndarray, max_steps: int, rng=None) -> np.ndarray:
    """Chrono initialisation (Tallec & Ollivier 2018) of an LSTM bias (4H,) in place.

    b_f = log(U(1, T_max - 1)), b_i = -b_f, so forget gates start with time constants up to T_max.
    """
    hidden = bias.shape[0] // 4
    b_f = np.log(as_rng(rng).uniform(1.0, max_steps - 1.0, size=hidden))
    bias[hidden:2 * hidden] = b_f
    bias[:hidden] = -b_f
    return bias
