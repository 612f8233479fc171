"""Input saliency: how much the loss moves with each input step, ||dL/dx_k||.

The lectures' "impact of each word" picture: for a model that reads a sequence and is judged at the
end, plot ||dL/dx_k|| against k. A vanilla RNN's saliency fades towards the start of a long sequence
(the gradient reaching x_k is dL/dh_k . dh_k/dx_k, and dL/dh_k vanishes with the distance to the
loss), whereas a trained LSTM on the adding problem lights up exactly at the two marked steps.

dL/dx_k is the dx of the runner's own BPTT, run with the model's grads left untouched.
"""
from __future__ import annotations

import numpy as np

from .gradient_flow import _backprop

__all__ = ["input_saliency"]


def input_saliency(model, cache, d_output, d_state=None) -> np.ndarray:
    """||dL/dx_k||_2 per sequence and step: (B, T), float64.

    model: one-layer forward `Recurrent`/RNN/LSTM/GRU/LeakyRNN; cache: its forward cache (no lengths);
    d_output (B, T, H): dL/d output, or None; d_state: dL/d final state, or None (layout as in
    `state_gradients`). Nothing is accumulated into the model's grads.
    """
    dx, _ = _backprop(model, cache, d_output, d_state)  # (B, T, D)
    return np.linalg.norm(dx.astype(np.float64), axis=-1)  # (B, T)
