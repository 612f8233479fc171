"""Elman RNN cell, recurrent part of one step.

    a_t = gx_t + h_{t-1} W_hh^T + b_hh        gx_t = x_t W_ih^T + b_ih (computed by the caller)
    h_t = phi(a_t)                            phi = tanh or relu

Backward, from dL/dh_t:
    da_t      = dL/dh_t * phi'(a_t)           phi' from the output: 1 - h_t^2, or [h_t > 0]
    dL/dh_{t-1} = da_t W_hh
and both dgx_t and dgh_t (the gradient of the recurrent pre-activation) equal da_t.
"""
from __future__ import annotations

import numpy as np

from .activations import activation, preactivation

GATES = 1


def rnn_step_forward(gx, state, w_hh, b_hh, nonlinearity="tanh"):
    """gx (B, H), state (h_prev,) with h_prev (B, H), w_hh (H, H), b_hh (H,) or None.

    Returns ((h,), cache) with h (B, H).
    """
    (h_prev,) = state
    phi, _ = activation(nonlinearity)
    a = preactivation(gx, h_prev, w_hh, b_hh)  # (B, H)
    h = phi(a)  # (B, H), computed in place over a
    return (h,), (h,)


def rnn_step_backward(d_state, cache, w_hh, nonlinearity="tanh", out=None):
    """d_state (dh,) with dh (B, H) -> (dgx (B, H), dgh (B, H), (dh_prev,)).

    out: optional (dgx buffer (B, H), unused) pair that dgx (= dgh here) is written into.
    """
    (dh,) = d_state
    (h,) = cache
    _, phi_grad = activation(nonlinearity)
    da = np.multiply(dh, phi_grad(h), out=None if out is None else out[0])  # (B, H)
    return da, da, (da @ w_hh,)
