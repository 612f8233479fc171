"""Recurrent states. Kernels pass states as tuples of arrays whose first entry is h; modules show
users what PyTorch shows them: a plain array h, or `LSTMState(h, c)` for the LSTM."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LSTMState(NamedTuple):
    """An LSTM's hidden and cell state, each (..., B, H)."""
    h: np.ndarray
    c: np.ndarray


def to_tuple(state) -> tuple | None:
    """Public state (array, LSTMState or None) -> tuple of arrays (entries may be None)."""
    if state is None:
        return None
    return tuple(state) if isinstance(state, tuple) else (state,)


def from_tuple(parts: tuple, state_type):
    """Tuple of arrays -> public state. state_type: None (one array h) or a NamedTuple class such as
    LSTMState (a cell spec's `state`)."""
    return parts[0] if state_type is None else state_type(*parts)


def stack_states(states: list[tuple]) -> tuple:
    """List of per-layer/direction tuples of (B, H) -> tuple of (N, B, H)."""
    return tuple(np.stack(parts) for parts in zip(*states))


def unstack_state(parts: tuple | None, count: int) -> list:
    """Tuple of (N, B, H) (entries may be None) -> N tuples of (B, H); None -> N Nones."""
    if parts is None:
        return [None] * count
    return [tuple(None if p is None else p[k] for p in parts) for k in range(count)]
