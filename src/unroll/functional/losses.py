"""Losses: softmax cross-entropy over classes (masked, ignore index) and mean squared error.

Softmax cross-entropy, with p = softmax(z) and one-hot y:  L = -sum y log p,  dL/dz = p - y.
"""
from __future__ import annotations

import numpy as np
from scipy.special import log_softmax
from ..errors import InvalidValueError


def softmax_cross_entropy_forward(logits, targets, mask=None, ignore_index=None, reduction="mean"):
    """Cross-entropy of integer targets under softmax(logits).

    logits (..., V); targets (...) ints in [0, V); mask (...) bool or 0/1 weights, optional;
    ignore_index: targets equal to it count as masked. reduction: 'mean' over counted positions,
    'sum', or 'none' (per position, zero where masked).
    Returns (loss, cache); loss is a float for 'mean'/'sum', an array (...) for 'none'.
    """
    if reduction not in ("mean", "sum", "none"):
        raise InvalidValueError(f"reduction: expected 'mean', 'sum' or 'none', got {reduction!r}")
    weight = np.ones(targets.shape, dtype=logits.dtype) if mask is None else np.asarray(mask, logits.dtype)
    safe_targets = targets
    if ignore_index is not None:
        ignored = targets == ignore_index
        weight = weight * ~ignored
        safe_targets = np.where(ignored, 0, targets)
    if safe_targets.size and (safe_targets.min() < 0 or safe_targets.max() >= logits.shape[-1]):
        raise InvalidValueError(f"targets: expected class indices in [0, {logits.shape[-1]}), "
                         f"got min {safe_targets.min()} max {safe_targets.max()}")
    log_p = log_softmax(logits, axis=-1)  # (..., V)
    picked = np.take_along_axis(log_p, safe_targets[..., None], axis=-1)[..., 0]  # (...)
    per_position = -picked * weight
    count = weight.sum()
    if reduction == "none":
        loss, scale = per_position, None
    elif reduction == "sum":
        loss, scale = float(per_position.sum()), 1.0
    else:
        loss, scale = float(per_position.sum() / max(count, 1.0)), 1.0 / max(count, 1.0)
    return loss, (log_p, safe_targets, weight, scale)


def softmax_cross_entropy_backward(d_loss, cache):
    """d_loss: float for 'mean'/'sum' (usually 1.0), or array (...) for 'none' -> d_logits (..., V)."""
    log_p, targets, weight, scale = cache
    d_logits = np.exp(log_p)  # (..., V): p
    np.put_along_axis(d_logits, targets[..., None],
                      np.take_along_axis(d_logits, targets[..., None], axis=-1) - 1.0, axis=-1)  # p - y
    factor = weight * (d_loss * scale if scale is not None else d_loss)  # (...)
    d_logits *= factor[..., None]
    return d_logits


def mse_forward(pred, target, mask=None):
    """Mean squared error over counted elements, sum(w (pred - target)^2) / sum(w).
    pred, target (...); mask broadcastable to pred (bool or weights w), optional. Returns (loss float, cache)."""
    if pred.shape != target.shape:
        raise InvalidValueError(f"target: expected shape {pred.shape} (the prediction's), got {target.shape}")
    weight = np.ones_like(pred) if mask is None else np.broadcast_to(np.asarray(mask, pred.dtype), pred.shape)
    diff = pred - target
    weighted = diff * weight  # w (pred - target): also the backward's numerator
    count = max(float(weight.sum()), 1.0)
    return float((weighted * diff).sum() / count), (weighted, count)


def mse_backward(d_loss, cache):
    """d_loss float -> d_pred (...) = 2 w (pred - target) / sum(w)."""
    diff, count = cache
    return diff * (2.0 * d_loss / count)
