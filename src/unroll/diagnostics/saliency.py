"""Input saliency: how much the loss moves with each input step, ||dL/dx_k||.

The lectures' "impact of each word" picture: for a model that reads a sequence and is judged at the
end, plot ||dL/dx_k|| against k. A vanilla RNN's saliency fades towards the start of a long sequence
(the gradient reaching x_k is dL/dh_k . dh_k/dx_k, and dL/dh_k vanishes with the distance to the
loss), whereas a trained LSTM on the adding problem lights up exactly at the two marked steps.

    dL/dx_k = dL/dgx_k W_ih,    gx_k = x_k W_ih^T + b_ih the input projection of step k
"""
from __future__ import annotations

import numpy as np

from .gradient_flow import backprop_states, single_layer

__all__ = ["input_saliency"]


def input_saliency(model, cache, d_output, d_state=None) -> np.ndarray:
    """||dL/dx_k||_2 per sequence and step: (B, T), float64.

    model: one-layer forward `Recurrent`/RNN/LSTM/GRU/LeakyRNN; cache: its forward cache (no lengths);
    d_output (B, T, H): dL/d output, or None; d_state: dL/d final state, or None.
    Nothing is accumulated into the model's grads.
    """
    runner, _ = single_layer(model)
    _, dgx = backprop_states(model, cache, d_output, d_state)  # (T, B, G*H)
    dx = dgx @ runner.cell.params["weight_ih"]  # (T, B, D)
    return np.linalg.norm(dx.astype(np.float64), axis=-1).T  # (B, T)
