"""Token embedding: integer ids (B, T) -> vectors (B, T, E)."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_dtype
from .module import Module
from ..errors import InvalidValueError, InvalidTypeError


class Embedding(Module):
    """weight (V, E) drawn from N(0, 1) as in PyTorch; padding_idx's row starts at zero and gets no gradient."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype=np.float32, rng=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.dtype = padding_idx, check_dtype(dtype)
        weight = as_rng(rng).standard_normal((num_embeddings, embedding_dim)).astype(self.dtype)
        if padding_idx is not None:
            weight[padding_idx] = 0.0
        self.add_param("weight", weight)

    def forward(self, tokens: np.ndarray):
        """tokens (...) ints in [0, V) -> (vectors (..., E), cache)."""
        tokens = np.asarray(tokens)
        if not np.issubdtype(tokens.dtype, np.integer):
            raise InvalidTypeError(f"tokens: expected integer ids, got {tokens.dtype}")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.num_embeddings):
            raise InvalidValueError(f"tokens: expected ids in [0, {self.num_embeddings}), "
                             f"got min {tokens.min()} max {tokens.max()}")
        return F.embedding_forward(tokens, self.params["weight"])

    def backward(self, d_vectors: np.ndarray, cache) -> None:
        """d_vectors (..., E); accumulates into grads['weight']. Tokens have no gradient: returns None."""
        dweight = F.embedding_backward(d_vectors, cache)
        if self.padding_idx is not None:
            dweight[self.padding_idx] = 0.0
        self.grads["weight"] += dweight
        return None
