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

`TBPTTObjective` is this scheme as an objective of the `Trainer` (`loop.py`): the carry is the
recurrent state, the items are the predicted characters.
"""
from __future__ import annotations

import math

from ..data.text import Segment
from ..functional import lengths_to_mask, softmax_cross_entropy_backward, softmax_cross_entropy_forward
from .loop import Objective


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


class TBPTTObjective(Objective):
    """Next-character cross-entropy over `Segment` batches with the state carried (the char LM's task).

    state_type: the model's recurrent state type (`model.rnn.state_type`: None, or LSTMState), so
    a checkpointed carry comes back as the model expects it.
    """

    unit = "char"

    def __init__(self, state_type=None):
        self.state_type = state_type

    def loss(self, model, segment: Segment, carry):
        return segment_loss(model, segment, carry)

    def backward(self, model, count: int, cache) -> None:
        segment_backward(model, count, cache)


def evaluate(model, segments) -> float:
    """Mean cross-entropy in nats per character over an iterable of segments (eval mode, state carried).

    Bits per character are this divided by ln 2.
    """
    return TBPTTObjective().evaluate(model, segments)[0]


def bits(nats: float) -> float:
    """Nats per character -> bits per character."""
    return nats / math.log(2.0)


__all__ = ["TBPTTObjective", "segment_loss", "segment_backward", "tbptt_step", "evaluate", "bits"]
