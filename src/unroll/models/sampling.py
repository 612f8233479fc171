"""Sampling text from a character-level model: temperature, top-k, priming text, a seed.

    names = sample(model, vocab, n=10, stop_at_end=True, temperature=0.8, rng=0)      # name lists
    text = sample(model, vocab, n=1, length=500, prime="ROMEO:", top_k=5, rng=0)[0]   # streams

Each sample starts from a zero state, reads the context (for line models '\\n' + prime, the start
symbol they were trained with; for stream models the prime, or '\\n' when it is empty) and then
draws one character at a time from softmax(logits / temperature), restricted to the k most likely
characters when top_k is given. With stop_at_end a sample ends at the first '\\n' (not included).
"""
from __future__ import annotations

import numpy as np
from scipy.special import softmax

from .._checks import as_rng
from ..data.text import END, Vocabulary
from ..errors import InvalidValueError


def next_char_distribution(logits: np.ndarray, temperature: float = 1.0, top_k: int | None = None) -> np.ndarray:
    """logits (B, V) -> probabilities (B, V) in float64 after temperature and top-k filtering."""
    if not temperature > 0:
        raise InvalidValueError(f"temperature: expected > 0, got {temperature}")
    scaled = logits.astype(np.float64) / temperature  # (B, V)
    if top_k is not None:
        if not 1 <= top_k:
            raise InvalidValueError(f"top_k: expected >= 1, got {top_k}")
        if top_k < scaled.shape[-1]:
            kth = np.partition(scaled, -top_k, axis=-1)[:, -top_k, None]  # (B, 1) k-th largest
            scaled = np.where(scaled < kth, -np.inf, scaled)
    return softmax(scaled, axis=-1)


def sample(model, vocab: Vocabulary, n: int = 1, length: int = 200, prime: str = "", temperature: float = 1.0,
           top_k: int | None = None, stop_at_end: bool = False, rng=None) -> list[str]:
    """Draw n samples of at most `length` new characters each (the prime is not repeated).

    model: a CharLM (or any model with step_logits(tokens (B, T), state) -> (logits (B, V), state)).
    stop_at_end: line models; start from '\\n' + prime and end each sample at '\\n'.
    rng: Generator or seed. The n samples are drawn in parallel, one batch row each.
    """
    rng = as_rng(rng)
    if n < 1 or length < 1:
        raise InvalidValueError(f"n and length: expected >= 1, got n={n}, length={length}")
    context = (END + prime) if stop_at_end or not prime else prime
    if END not in vocab and not prime:
        raise InvalidValueError("prime: this model has no '\\n' symbol to start from; give a priming text")
    tokens = np.tile(vocab.encode(context), (n, 1))  # (n, len(context))
    was_training = model.training
    model.eval()
    try:
        logits, state = model.step_logits(tokens)
        out = np.zeros((n, length), dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        ends = np.full(n, length)
        for t in range(length):
            p = next_char_distribution(logits, temperature, top_k)  # (n, V)
            cdf = p.cumsum(axis=1)  # (n, V)
            out[:, t] = (cdf > rng.random((n, 1)) * cdf[:, -1:]).argmax(axis=1)  # inverse-CDF draw per row
            if stop_at_end:
                finished = ~done & (out[:, t] == vocab.index[END])
                ends[finished], done = t, done | finished
                if done.all():
                    break
            logits, state = model.step_logits(out[:, t:t + 1], state)
    finally:
        model.train(was_training)
    return [vocab.decode(row[:end]) for row, end in zip(out, ends)]
