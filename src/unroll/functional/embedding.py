"""Embedding lookup: row `i` of the table for token `i`."""
from __future__ import annotations

import numpy as np


def embedding_forward(tokens: np.ndarray, weight: np.ndarray):
    """tokens (...) ints in [0, V), weight (V, E) -> vectors (..., E), cache."""
    return weight[tokens], (tokens, weight.shape)


def embedding_backward(d_vectors: np.ndarray, cache):
    """d_vectors (..., E) -> dweight (V, E); repeated tokens add up (np.add.at, unbuffered)."""
    tokens, shape = cache
    dweight = np.zeros(shape, dtype=d_vectors.dtype)
    np.add.at(dweight, tokens.reshape(-1), d_vectors.reshape(-1, shape[1]))
    return dweight
