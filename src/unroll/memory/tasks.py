"""Training the NTM (or any sequence model) on the bit tasks through the one Trainer.

- `bce_with_logits_forward/backward`: binary cross-entropy of bits under sigmoid(logits), summed.
- `BitsObjective`: batches (x (B, T, D), y (B, T_out, W)) from `unroll.data.memory_tasks`; the
  model's logits on the last T_out steps are scored. loss_sum: BCE in nats summed over bits and
  sequences, count B. evaluate reports `bit_errors` (wrong bits per sequence after thresholding at
  0.5, pytorch-ntm's "cost") and `bce_bits` (BCE in bits per sequence, the paper's figure 3 unit).
- `SequenceLSTM`: the LSTM baseline, an `unroll.nn.LSTM` and a per-step linear read-out.
"""
from __future__ import annotations

import numpy as np

from .. import nn
from ..training import Objective

__all__ = ["bce_with_logits_forward", "bce_with_logits_backward", "BitsObjective", "SequenceLSTM",
           "bit_errors"]


def bce_with_logits_forward(logits: np.ndarray, target: np.ndarray):
    """logits, target (...) -> (sum of -[y log s + (1 - y) log(1 - s)], s = sigmoid(logits); cache)."""
    loss = np.logaddexp(0.0, logits) - target * logits  # stable form of the same
    return float(loss.sum()), (logits, target)


def bce_with_logits_backward(d_loss: float, cache):
    """-> d_logits = d_loss (sigmoid(logits) - target)."""
    logits, target = cache
    return (d_loss * (0.5 * (1.0 + np.tanh(0.5 * logits)) - target)).astype(logits.dtype)


def bit_errors(logits: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Wrong bits per sequence, (B,)."""
    return ((logits > 0) != (target > 0.5)).reshape(target.shape[0], -1).sum(1)


class BitsObjective(Objective):
    unit = "seq"

    def loss(self, model, batch, carry):
        x, y = batch
        logits, _, cache = model.forward(x)
        T_out = y.shape[1]
        loss, bce_cache = bce_with_logits_forward(logits[:, -T_out:], y)
        return loss, x.shape[0], None, (cache, bce_cache, logits.shape)

    def backward(self, model, count: int, cache) -> None:
        model_cache, bce_cache, shape = cache
        d = np.zeros(shape, bce_cache[0].dtype)
        d[:, shape[1] - bce_cache[1].shape[1]:] = bce_with_logits_backward(1.0 / count, bce_cache)
        model.backward(d, None, model_cache)

    def evaluate(self, model, batches):
        was_training = model.training
        model.eval()
        total, errors, count = 0.0, 0.0, 0
        try:
            for x, y in batches:
                logits = model.forward(x)[0][:, -y.shape[1]:]
                total += bce_with_logits_forward(logits, y)[0]
                errors += float(bit_errors(logits, y).sum())
                count += x.shape[0]
        finally:
            model.train(was_training)
        return total / count, {"bit_errors": errors / count, "bce_bits": total / count / np.log(2.0)}


class SequenceLSTM(nn.Module):
    """LSTM baseline of the NTM paper: x (B, T, D) -> logits (B, T, O) through an LSTM stack and a
    linear read-out at every step."""

    def __init__(self, input_size: int, output_size: int, hidden_size: int = 256, num_layers: int = 1,
                 dtype=np.float32, rng=None):
        super().__init__()
        self.lstm = self.add_module(nn.LSTM(input_size, hidden_size, num_layers, dtype=dtype, rng=rng), "lstm")
        self.out = self.add_module(nn.Linear(hidden_size, output_size, dtype=dtype, rng=rng), "output")

    def forward(self, x, state=None, lengths=None):
        h, state, c1 = self.lstm.forward(x, state, lengths)
        y, _, c2 = self.out.forward(h)
        return y, state, self.make_cache(y, (c1, c2))

    def backward(self, dy, d_state, cache):
        c1, c2 = self.open_cache(cache, dy)
        dh, _ = self.out.backward(dy, None, c2)
        return self.lstm.backward(dh, d_state, c1)
