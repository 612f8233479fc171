"""LSTM cell with forget gate, PyTorch's gate order i, f, g, o; recurrent part of one step.

    a_t = gx_t + h_{t-1} W_hh^T + b_hh                 (B, 4H), split [i | f | g | o]
    i = sigmoid(a_i)  f = sigmoid(a_f)  g = tanh(a_g)  o = sigmoid(a_o)
    c_t = f * c_{t-1} + i * g
    h_t = o * tanh(c_t)

Backward, from dL/dh_t and dL/dc_t (the latter from step t+1):
    do = dh * tanh(c_t)
    dc = dc + dh * o * (1 - tanh(c_t)^2)              total gradient reaching c_t
    di = dc * g   df = dc * c_{t-1}   dg = dc * i     dL/dc_{t-1} = dc * f
    da = [di i(1-i) | df f(1-f) | dg (1-g^2) | do o(1-o)]
    dL/dh_{t-1} = da W_hh;  dgx = dgh = da
"""
from __future__ import annotations

import numpy as np

from .activations import preactivation, sigmoid_

GATES = 4


def lstm_step_forward(gx, state, w_hh, b_hh):
    """gx (B, 4H), state (h_prev, c_prev) each (B, H), w_hh (4H, H), b_hh (4H,) or None.

    Returns ((h, c), cache), h and c (B, H).
    """
    h_prev, c_prev = state
    H = h_prev.shape[1]
    gates = preactivation(gx, h_prev, w_hh, b_hh)  # (B, 4H), squashed in place below
    # One pass squashes all four blocks: tanh(a) = 2 sigmoid(2a) - 1 for g, sigmoid for i, f, o.
    g = gates[:, 2 * H:3 * H]
    g *= 2.0
    sigmoid_(gates)
    g *= 2.0
    g -= 1.0
    i, f, o = gates[:, :H], gates[:, H:2 * H], gates[:, 3 * H:]
    c = f * c_prev
    c += i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return (h, c), (c_prev, gates, tanh_c)


def lstm_gates(cache) -> dict:
    """The gate values one `lstm_step_forward` computed, read from its cache (no recomputation).

    cache: that step's cache. Returns {block index: (B, H)} in PyTorch's order, 0 i, 1 f, 2 g, 3 o,
    after their squashing (sigmoid; tanh for g); views into the cache, so copy before writing.
    """
    gates = cache[1]  # (B, 4H), squashed in place by the forward
    H = gates.shape[1] // GATES
    return {k: gates[:, k * H:(k + 1) * H] for k in range(GATES)}


def lstm_step_backward(d_state, cache, w_hh, out=None):
    """d_state (dh, dc) each (B, H) -> (dgx (B, 4H), dgh (B, 4H), (dh_prev, dc_prev)).

    out: optional (dgx buffer (B, 4H), unused) pair that dgx (= dgh here) is written into.

    Written for few NumPy passes: the four upstream gradients go straight into one (B, 4H) buffer,
    which is then multiplied once by the four squashing derivatives side by side.
    """
    dh, dc = d_state
    c_prev, gates, tanh_c = cache
    H = dh.shape[1]
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    dc_total = tanh_c * tanh_c  # (B, H), becomes dc + dh * o * (1 - tanh(c)^2): all paths into c_t
    np.subtract(1.0, dc_total, out=dc_total)
    dc_total *= o
    dc_total *= dh
    dc_total += dc
    da = np.empty_like(gates) if out is None else out[0]  # (B, 4H): dL/d(gate outputs) [di | df | dg | do] ...
    np.multiply(dc_total, g, out=da[:, :H])
    np.multiply(dc_total, c_prev, out=da[:, H:2 * H])
    np.multiply(dc_total, i, out=da[:, 2 * H:3 * H])
    np.multiply(dh, tanh_c, out=da[:, 3 * H:])
    slope = 1.0 - gates  # (B, 4H): ... times s (1 - s) for i, f, o and 1 - g^2 for g
    slope *= gates
    slope_g = slope[:, 2 * H:3 * H]
    np.multiply(g, g, out=slope_g)
    np.subtract(1.0, slope_g, out=slope_g)
    da *= slope
    return da, da, (da @ w_hh, dc_total * f)
