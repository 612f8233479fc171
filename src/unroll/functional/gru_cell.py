"""GRU cell in PyTorch's variant (r, z, n; the reset gate scales W_hn h + b_hn), one step.

    gh_t = h_{t-1} W_hh^T + b_hh                       (B, 3H), split [r | z | n]
    r = sigmoid(gx_r + gh_r)    z = sigmoid(gx_z + gh_z)
    n = tanh(gx_n + r * gh_n)
    h_t = (1 - z) * n + z * h_{t-1}

Backward, from dL/dh_t:
    dn = dh (1 - z)    dz = dh (h_{t-1} - n)    direct path dL/dh_{t-1} = dh z
    da_n = dn (1 - n^2)   dr = da_n gh_n
    dgx = [dr r(1-r) | dz z(1-z) | da_n]           gradient of the input pre-activations
    dgh = [dr r(1-r) | dz z(1-z) | da_n r]         gradient of gh_t (not of gx: r sits between)
    dL/dh_{t-1} = dh z + dgh W_hh
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid_, tanh_

GATES = 3


def gru_step_forward(gx, state, w_hh, b_hh):
    """gx (B, 3H), state (h_prev,) with h_prev (B, H), w_hh (3H, H), b_hh (3H,) or None.

    Returns ((h,), cache) with h (B, H).
    """
    (h_prev,) = state
    H = h_prev.shape[1]
    gh = h_prev @ w_hh.T  # (B, 3H)
    if b_hh is not None:
        gh += b_hh
    rz = sigmoid_(gx[:, :2 * H] + gh[:, :2 * H])  # (B, 2H)
    r, z = rz[:, :H], rz[:, H:]
    gh_n = gh[:, 2 * H:]  # (B, H)
    n = r * gh_n
    n += gx[:, 2 * H:]
    tanh_(n)
    h = h_prev - n  # h = n + z (h_prev - n), one multiply fewer
    h *= z
    h += n
    return (h,), (h_prev, rz, n, gh_n)


def gru_gates(cache) -> dict:
    """The gate values one `gru_step_forward` computed, read from its cache (no recomputation).

    cache: that step's cache. Returns {block index: (B, H)} in PyTorch's order, 0 r, 1 z (sigmoids),
    2 n (the tanh candidate); views into the cache, so copy before writing.
    """
    _, rz, n, _ = cache  # rz (B, 2H), n (B, H)
    H = n.shape[1]
    return {0: rz[:, :H], 1: rz[:, H:], 2: n}


def gru_step_backward(d_state, cache, w_hh, out=None):
    """d_state (dh,) with dh (B, H) -> (dgx (B, 3H), dgh (B, 3H), (dh_prev,)).

    out: optional (dgx buffer, dgh buffer), each (B, 3H) or None, that the two are written into.
    """
    (dh,) = d_state
    h_prev, rz, n, gh_n = cache
    B, H = dh.shape
    r, z = rz[:, :H], rz[:, H:]
    dgx, dgh = (None, None) if out is None else out
    dgx = np.empty((B, 3 * H), dtype=dh.dtype) if dgx is None else dgx
    dgh = np.empty((B, 3 * H), dtype=dh.dtype) if dgh is None else dgh
    da_n = dh * (1.0 - z) * (1.0 - n * n)  # (B, H)
    dgx[:, :H] = da_n * gh_n * r * (1.0 - r)
    dgx[:, H:2 * H] = dh * (h_prev - n) * z * (1.0 - z)
    dgx[:, 2 * H:] = da_n
    dgh[:, :2 * H] = dgx[:, :2 * H]
    np.multiply(da_n, r, out=dgh[:, 2 * H:])
    dh_prev = dgh @ w_hh
    dh_prev += dh * z
    return dgx, dgh, (dh_prev,)
