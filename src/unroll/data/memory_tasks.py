"""Generated tasks of the NTM paper (Graves et al. 2014, section 4): copy and associative recall.

Both return (x (B, T, D), y (B, T_out, W)) of float32 0/1 bits; the target is what the model must
emit on the last T_out steps of x (during which x is all zeros), so a model's logits for the
target are `logits[:, -T_out:]`. A batch shares one length.

    copy:   W-bit random vectors v_1..v_L, then a delimiter on channel W, then L blank steps;
            target v_1..v_L.                                   x (B, 2L + 1, W + 1), y (B, L, W)
    recall: `items` items of `item_len` W-bit vectors, each preceded by a delimiter on channel W;
            then a query delimiter (channel W + 1), one of the items but the last, the query
            delimiter again, then item_len blank steps; target the item that followed the query.
                                     x (B, (items + 2)(item_len + 1) + ... , W + 2), y (B, item_len, W)

`GeneratedBatches` is a batch source for the Trainer: each epoch draws `steps` fresh batches from a
generator seeded with (seed, epoch), with the length (copy) or item count (recall) drawn per batch
uniformly from the given range.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng
from ..errors import InvalidValueError

__all__ = ["copy_task", "recall_task", "GeneratedBatches", "FixedSet"]


def _bits(rng, shape):
    return rng.integers(0, 2, shape).astype(np.float32)


def copy_task(batch: int, length: int, rng=None, width: int = 8):
    """-> x (B, 2L + 1, W + 1), y (B, L, W)."""
    if length < 1 or width < 1 or batch < 1:
        raise InvalidValueError(f"copy_task: expected batch, length, width >= 1, got {batch}, {length}, {width}")
    rng = as_rng(rng)
    seq = _bits(rng, (batch, length, width))  # (B, L, W)
    x = np.zeros((batch, 2 * length + 1, width + 1), np.float32)
    x[:, :length, :width] = seq
    x[:, length, width] = 1.0  # delimiter
    return x, seq


def recall_task(batch: int, items: int, rng=None, width: int = 6, item_len: int = 3):
    """-> x (B, (items + 1)(item_len + 1) + 1 + item_len, W + 2), y (B, item_len, W)."""
    if items < 2 or width < 1 or item_len < 1 or batch < 1:
        raise InvalidValueError(f"recall_task: expected items >= 2 and batch, width, item_len >= 1, "
                                f"got {items}, {batch}, {width}, {item_len}")
    rng = as_rng(rng)
    data = _bits(rng, (batch, items, item_len, width))  # (B, I, L, W)
    step = item_len + 1
    T = (items + 1) * step + 1 + item_len
    x = np.zeros((batch, T, width + 2), np.float32)
    for i in range(items):
        x[:, i * step, width] = 1.0  # item delimiter
        x[:, i * step + 1:(i + 1) * step, :width] = data[:, i]
    q = rng.integers(0, items - 1, batch)  # the query: any item but the last
    start = items * step
    x[:, start, width + 1] = 1.0
    x[:, start + 1:start + step, :width] = data[np.arange(batch), q]
    x[:, start + step, width + 1] = 1.0
    return x, data[np.arange(batch), q + 1]


class GeneratedBatches:
    """`steps` batches per epoch from generate(batch, n, rng, **options), n uniform in [low, high]."""

    def __init__(self, generate, batch: int, low: int, high: int, steps: int, seed: int, **options):
        if not 1 <= low <= high:
            raise InvalidValueError(f"range: expected 1 <= low <= high, got {low}, {high}")
        self.generate, self.batch, self.low, self.high = generate, batch, low, high
        self.steps, self.seed, self.options = steps, seed, options

    def epoch(self, epoch: int):
        rng = np.random.default_rng([self.seed, epoch])
        for _ in range(self.steps):
            yield self.generate(self.batch, int(rng.integers(self.low, self.high + 1)), rng, **self.options)


class FixedSet:
    """A fixed list of batches (a test set), the same every epoch."""

    def __init__(self, batches: list):
        self.batches = list(batches)

    @classmethod
    def draw(cls, generate, batch: int, sizes, seed: int, **options) -> "FixedSet":
        rng = np.random.default_rng(seed)
        return cls([generate(batch, int(n), rng, **options) for n in sizes])

    def epoch(self, epoch: int):
        return iter(self.batches)
