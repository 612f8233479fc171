"""Truncated backpropagation through time (Williams & Peng, 1990; Elman's and char-rnn's scheme).

A long sequence is cut into segments of k steps (`unroll.data.text.chunk`). Each segment runs
forward from the state the previous segment ended in, and backward from its own losses only:
`backward(d_logits, None, cache)` sends no gradient into the carried state, so nothing flows
into the previous segment (the state is a constant there, PyTorch's `h.detach()`). The
gradient is the exact gradient of this segment's loss given its initial state; dependencies
longer than k steps are learnt only through what the forward pass carries.

    state = None
    for seg in batches.epoch(0):
        loss, count, state = tbptt_step(model, seg, state)   # gradients accumulate in model.grads
        optimizer.step(model.grads); model.zero_grad()

Batches of parallel streams (B rows, `StreamBatches`) work the same way: each row carries its own
state. The model is anything with forward(tokens (B, k), state, lengths) -> (logits (B, k, V),
state, cache) and backward(d_logits, d_state, cache), e.g. `unroll.models.CharLM`.
"""
from __future__ import annotations

import math

from ..data.text import Segment
from ..functional import lengths_to_mask, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from ..errors import InvalidValueError


def segment_loss(model, segment: Segment, state=None):
    """Forward one segment. state: the carried state (ignored when segment.reset).

    Returns (summed cross-entropy in nats (float), number of predicted characters, final state,
    cache for `segment_backward`).
    """
    state = None if segment.reset else state
    logits, state, cache = model.forward(segment.inputs, state, segment.lengths)  # (B, k, V)
    mask = None if segment.lengths is None else lengths_to_mask(segment.lengths, segment.inputs.shape[1])
    loss, loss_cache = softmax_cross_entropy_forward(logits, segment.targets, mask=mask, reduction="sum")
    return loss, segment.num_chars, state, (cache, loss_cache)


def segment_backward(model, count: int, cache) -> None:
    """Backward of the mean loss per character of one segment, stopping at its initial state."""
    cache, loss_cache = cache
    d_logits = softmax_cross_entropy_backward(1.0 / max(count, 1), loss_cache)  # (B, k, V)
    model.backward(d_logits.astype(model.dtype, copy=False), None, cache)


def tbptt_step(model, segment: Segment, state=None):
    """Forward and backward one segment; gradients of its mean loss per character accumulate.

    Returns (summed loss in nats, number of characters, final state to carry into the next segment).
    """
    loss, count, state, cache = segment_loss(model, segment, state)
    segment_backward(model, count, cache)
    return loss, count, state


def evaluate(model, segments) -> float:
    """Mean cross-entropy in nats per character over an iterable of segments (eval mode, state carried).

    Bits per character are this divided by ln 2.
    """
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    try:
        for segment in segments:
            loss, n, state, _ = segment_loss(model, segment, state)
            total, count = total + loss, count + n
    finally:
        model.train(was_training)
    if count == 0:
        raise InvalidValueError("evaluate: expected at least one character to predict, got none")
    return total / count


def bits(nats: float) -> float:
    """Nats per character -> bits per character."""
    return nats / math.log(2.0)


__all__ = ["segment_loss", "segment_backward", "tbptt_step", "evaluate", "bits"]
