"""Peephole LSTM (Gers & Schmidhuber 2000; seed 001): the gates also see the cell state, through
diagonal weights p = [p_i | p_f | p_o] (3H,). Gate order i, f, g, o as the LSTM; recurrent part of one step.

    a_t = gx_t + h_{t-1} W_hh^T + b_hh                 (B, 4H), split [a_i | a_f | a_g | a_o]
    i = sigmoid(a_i + p_i * c_{t-1})    f = sigmoid(a_f + p_f * c_{t-1})    g = tanh(a_g)
    c_t = f * c_{t-1} + i * g
    o = sigmoid(a_o + p_o * c_t)                       the output gate sees the *new* cell state
    h_t = o * tanh(c_t)

These are ONNX's LSTM equations with its peephole input P (whose order is i, o, f).

Backward, from dL/dh_t and dL/dc_t (the latter from step t+1):
    da_o = dh * tanh(c_t) * o(1-o)
    dc   = dc + dh * o * (1 - tanh(c_t)^2) + da_o * p_o      every path into c_t, the peephole one too
    da_i = dc * g * i(1-i)   da_f = dc * c_{t-1} * f(1-f)   da_g = dc * i * (1-g^2)
    dL/dc_{t-1} = dc * f + da_i * p_i + da_f * p_f
    dL/dh_{t-1} = da W_hh;  dgx = dgh = da
    dp_i = sum_b da_i * c_{t-1}   dp_f = sum_b da_f * c_{t-1}   dp_o = sum_b da_o * c_t

The kernels take the peephole weights as a keyword (the cell binds them with functools.partial);
the backward adds the step's dL/dp into `d_peephole` (3H,) when one is given, since the runner only
returns the gradients of weight_ih, weight_hh and the biases (see nn.cells.PeepholeLSTMCell).
"""
from __future__ import annotations

import numpy as np

from .activations import preactivation, sigmoid_

GATES = 4


def peephole_step_forward(gx, state, w_hh, b_hh, *, peephole):
    """gx (B, 4H), state (h_prev, c_prev) each (B, H), w_hh (4H, H), b_hh (4H,) or None,
    peephole (3H,) [p_i | p_f | p_o]. Returns ((h, c), cache), h and c (B, H)."""
    h_prev, c_prev = state
    H = h_prev.shape[1]
    gates = preactivation(gx, h_prev, w_hh, b_hh)  # (B, 4H), squashed in place below
    gates[:, :H] += peephole[:H] * c_prev  # i sees c_{t-1}
    gates[:, H:2 * H] += peephole[H:2 * H] * c_prev  # f sees c_{t-1}
    sigmoid_(gates[:, :2 * H])
    i, f = gates[:, :H], gates[:, H:2 * H]
    g = gates[:, 2 * H:3 * H]
    np.tanh(g, out=g)
    c = f * c_prev
    c += i * g
    o = gates[:, 3 * H:]
    o += peephole[2 * H:] * c  # o sees c_t
    sigmoid_(o)
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return (h, c), (c_prev, gates, c, tanh_c)


def peephole_gates(cache) -> dict:
    """The gate values of one `peephole_step_forward`, read from its cache: {block: (B, H)},
    0 i, 1 f, 2 g, 3 o (after squashing); views into the cache."""
    gates = cache[1]  # (B, 4H)
    H = gates.shape[1] // GATES
    return {k: gates[:, k * H:(k + 1) * H] for k in range(GATES)}


def peephole_step_backward(d_state, cache, w_hh, out=None, *, peephole, d_peephole=None):
    """d_state (dh, dc) each (B, H) -> (dgx (B, 4H), dgh (B, 4H), (dh_prev, dc_prev)).

    peephole (3H,) as in the forward; d_peephole (3H,) or None: the step's dL/dp is added into it.
    out: optional (dgx buffer (B, 4H), unused) pair that dgx (= dgh here) is written into.
    """
    dh, dc = d_state
    c_prev, gates, c, tanh_c = cache
    H = dh.shape[1]
    i, f, g, o = gates[:, :H], gates[:, H:2 * H], gates[:, 2 * H:3 * H], gates[:, 3 * H:]
    p_i, p_f, p_o = peephole[:H], peephole[H:2 * H], peephole[2 * H:]
    da = np.empty_like(gates) if out is None else out[0]  # (B, 4H): [da_i | da_f | da_g | da_o]
    da_i, da_f, da_g, da_o = da[:, :H], da[:, H:2 * H], da[:, 2 * H:3 * H], da[:, 3 * H:]
    np.multiply(dh, tanh_c, out=da_o)
    da_o *= o * (1.0 - o)  # through o's sigmoid
    dc_total = dh * o * (1.0 - tanh_c * tanh_c)  # (B, H): through h = o tanh(c) ...
    dc_total += dc  # ... from step t+1 ...
    dc_total += da_o * p_o  # ... and through the output gate's peephole
    np.multiply(dc_total, g * i * (1.0 - i), out=da_i)
    np.multiply(dc_total, c_prev * f * (1.0 - f), out=da_f)
    np.multiply(dc_total, i * (1.0 - g * g), out=da_g)
    dc_prev = dc_total * f  # (B, H): through c_t = f c_{t-1} + i g ...
    dc_prev += da_i * p_i  # ... and the input and forget gates' peepholes
    dc_prev += da_f * p_f
    if d_peephole is not None:
        d_peephole[:H] += (da_i * c_prev).sum(axis=0)
        d_peephole[H:2 * H] += (da_f * c_prev).sum(axis=0)
        d_peephole[2 * H:] += (da_o * c).sum(axis=0)
    return da, da, (da @ w_hh, dc_prev)
