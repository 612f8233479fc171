"""Token embedding: integer ids (B, T) -> vectors (B, T, E)."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_dtype, check_size
from .module import Module
from ..errors import InvalidValueError, InvalidTypeError


class Embedding(Module):
    """weight (V, E) drawn from N(0, 1) as in PyTorch; padding_idx's row starts at zero and gets no gradient."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 dtype=np.float32, rng=None):
        super().__init__()
        check_size("num_embeddings", num_embeddings)
        check_size("embedding_dim", embedding_dim)
        if padding_idx is not None and not (isinstance(padding_idx, (int, np.integer)) and
                                            0 <= padding_idx < num_embeddings):
            raise InvalidValueError(f"padding_idx: expected None or an id in [0, {num_embeddings}), got {padding_idx!r}")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx, self.dtype = padding_idx, check_dtype(dtype)
        weight = as_rng(rng).standard_normal((num_embeddings, embedding_dim)).astype(self.dtype)
        if padding_idx is not None:
            weight[padding_idx] = 0.0
        self.add_param("weight", weight)

    def forward(self, tokens: np.ndarray, state=None, lengths=None):
        """tokens (...) ints in [0, V) -> (vectors (..., E), state, cache); state and lengths pass through."""
        tokens = np.asarray(tokens)
        if not np.issubdtype(tokens.dtype, np.integer):
            raise InvalidTypeError(f"tokens: expected integer ids, got {tokens.dtype}")
        if tokens.size and (tokens.min() < 0 or tokens.max() >= self.num_embeddings):
            raise InvalidValueError(f"tokens: expected ids in [0, {self.num_embeddings}), "
                             f"got min {tokens.min()} max {tokens.max()}")
        vectors, cache = F.embedding_forward(tokens, self.params["weight"])
        return vectors, state, self.make_cache(vectors, cache)

    def backward(self, d_vectors: np.ndarray, d_state, cache):
        """d_vectors (..., E) -> (None, d_state): tokens have no gradient; accumulates into grads['weight']."""
        dweight = F.embedding_backward(d_vectors, self.open_cache(cache, d_vectors))
        if self.padding_idx is not None:
            dweight[self.padding_idx] = 0.0
        self.grads["weight"] += dweight
        return None, d_state


class OneHot(Module):
    """tokens (...) ints in [0, V) -> one-hot vectors (..., V): the input of the course's dinosaur model.
    No parameters; a per-step module (state and lengths pass through)."""

    def __init__(self, num_classes: int, dtype=np.float32):
        super().__init__()
        self.num_classes, self.dtype = check_size("num_classes", num_classes), check_dtype(dtype)

    def forward(self, tokens: np.ndarray, state=None, lengths=None):
        tokens = check_tokens(tokens, self.num_classes)
        vectors = np.eye(self.num_classes, dtype=self.dtype)[tokens]  # (..., V)
        return vectors, state, self.make_cache(vectors, None)

    def backward(self, d_vectors: np.ndarray, d_state, cache):
        """Tokens have no gradient: returns (None, d_state)."""
        self.open_cache(cache, d_vectors)
        return None, d_state


def check_tokens(tokens, vocab_size: int) -> np.ndarray:
    """Integer ids in [0, vocab_size), as an array."""
    tokens = np.asarray(tokens)
    if not np.issubdtype(tokens.dtype, np.integer):
        raise InvalidTypeError(f"tokens: expected integer ids, got {tokens.dtype}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocab_size):
        raise InvalidValueError(f"tokens: expected ids in [0, {vocab_size}), got min {tokens.min()} max {tokens.max()}")
    return tokens
