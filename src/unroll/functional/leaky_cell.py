"""Leaky-integrator RNN cell (Jaeger et al. 2007): a unit keeps part of its past state.

    u_t = phi(gx_t + h_{t-1} W_hh^T + b_hh)
    h_t = (1 - alpha) h_{t-1} + alpha u_t      alpha in (0, 1], a scalar or one per unit (H,)

alpha = 1 is the Elman cell; small alpha is a slow unit, so one layer mixes time scales.
Backward, from dL/dh_t:
    du_t = alpha dL/dh_t;  da_t = du_t phi'(u_t)
    dL/dh_{t-1} = (1 - alpha) dL/dh_t + da_t W_hh
"""
from __future__ import annotations

import numpy as np

from .activations import activation, preactivation

GATES = 1


def leaky_update(u: np.ndarray, h_prev: np.ndarray, alpha, out: np.ndarray | None = None) -> np.ndarray:
    """h = (1 - alpha) h_prev + alpha u, the leaky integration shared by this cell and the ESN reservoir.

    u, h_prev: (B, H) or (H,); alpha: scalar or (H,). Computed as h_prev + alpha (u - h_prev),
    in u's dtype, into `out` when given (it may be u itself, not h_prev), else a new array.
    """
    h = np.subtract(u, h_prev, out=out)
    h *= alpha
    h += h_prev
    return h


def leaky_step_forward(gx, state, w_hh, b_hh, alpha=1.0, nonlinearity="tanh"):
    """gx (B, H), state (h_prev,), w_hh (H, H), b_hh (H,) or None, alpha scalar or (H,).

    Returns ((h,), cache) with h (B, H).
    """
    (h_prev,) = state
    phi, _ = activation(nonlinearity)
    a = preactivation(gx, h_prev, w_hh, b_hh)  # (B, H)
    u = phi(a)  # (B, H), kept for the backward pass
    return (leaky_update(u, h_prev, alpha),), (u,)


def leaky_step_backward(d_state, cache, w_hh, alpha=1.0, nonlinearity="tanh", out=None):
    """d_state (dh,) with dh (B, H) -> (dgx (B, H), dgh (B, H), (dh_prev,)).

    out: optional (dgx buffer (B, H), unused) pair that dgx (= dgh here) is written into.
    """
    (dh,) = d_state
    (u,) = cache
    _, phi_grad = activation(nonlinearity)
    da = np.multiply(dh * alpha, phi_grad(u), out=None if out is None else out[0])  # (B, H)
    dh_prev = da @ w_hh
    dh_prev += (1.0 - alpha) * dh
    return da, da, (dh_prev,)
