"""NTM heads: the controller's raw head output squashed into addressing parameters, and the whole
addressing chain (content -> interpolation -> shift -> sharpening) as one pair built from the
kernels in `addressing.py`.

Raw layout of one head, (B, P), as pytorch-ntm's (the activations too):

    [ key M | beta 1 | g 1 | s S | gamma 1 ]                read head,  P = M + S + 3
    [ key M | beta 1 | g 1 | s S | gamma 1 | e M | a M ]    write head, P = 3M + S + 3

    key = raw, beta = softplus >= 0, g = sigmoid, s = softmax over the S shifts,
    gamma = 1 + softplus >= 1, erase e = sigmoid, add a = raw.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import addressing as A

__all__ = ["HeadParams", "head_size", "head_activations_forward", "head_activations_backward",
           "address_forward", "address_backward"]


class HeadParams(NamedTuple):
    """One head's parameters, each (B, .): key (B, M), beta, gate, gamma (B, 1), shift (B, S);
    erase and add (B, M) for a write head (None for a read head)."""
    key: np.ndarray
    beta: np.ndarray
    gate: np.ndarray
    shift: np.ndarray
    gamma: np.ndarray
    erase: np.ndarray | None = None
    add: np.ndarray | None = None


def head_size(M: int, S: int, write: bool) -> int:
    """P, the raw width of one head."""
    return M + S + 3 + (2 * M if write else 0)


def _softplus(x):
    return np.logaddexp(0.0, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow for large |x|


def head_activations_forward(raw: np.ndarray, M: int, S: int, write: bool):
    """raw (B, P) -> (HeadParams, cache)."""
    o = np.cumsum([0, M, 1, 1, S, 1, M, M])  # block boundaries
    blk = [raw[:, o[k]:o[k + 1]] for k in range(7 if write else 5)]
    shift, _ = A.softmax_forward(blk[3])
    params = HeadParams(blk[0].copy(), _softplus(blk[1]), _sigmoid(blk[2]), shift, 1.0 + _softplus(blk[4]),
                        *((_sigmoid(blk[5]), blk[6].copy()) if write else ()))
    return params, (raw, params, o, write)


def head_activations_backward(d: HeadParams, cache):
    """d: HeadParams of gradients (an entry None: no gradient) -> draw (B, P)."""
    raw, p, o, write = cache
    draw = np.zeros_like(raw)
    slope = {1: lambda: _sigmoid(raw[:, o[1]:o[2]]), 2: lambda: p.gate * (1 - p.gate),
             4: lambda: _sigmoid(raw[:, o[4]:o[5]]), 5: lambda: p.erase * (1 - p.erase)}  # d activation / d raw
    grads = [d.key, d.beta, d.gate, d.shift, d.gamma] + ([d.erase, d.add] if write else [])
    for k, g in enumerate(grads):
        if g is None:
            continue
        block = draw[:, o[k]:o[k + 1]]
        if k == 3:
            block += A.softmax_backward(g, p.shift)
        elif k in slope:
            block += g * slope[k]()  # softplus' = sigmoid, sigmoid' = s (1 - s)
        else:
            block += g  # key and add are the raw values
    return draw


def address_forward(params: HeadParams, w_prev: np.ndarray, memory: np.ndarray):
    """params (HeadParams), w_prev (B, N), memory (B, N, M) -> w_t (B, N), cache.

    w^c = content(key, beta, M); w^g = interpolate(w^c, w_prev, g); w~ = shift(w^g, s); w = sharpen(w~, gamma).
    """
    w_c, c1 = A.content_address_forward(params.key, params.beta, memory)
    w_g, c2 = A.interpolate_forward(w_c, w_prev, params.gate)
    w_s, c3 = A.circular_shift_forward(w_g, params.shift)
    w, c4 = A.sharpen_forward(w_s, params.gamma)
    return w, (c1, c2, c3, c4)


def address_backward(dw: np.ndarray, cache):
    """dw (B, N) -> (d HeadParams (no erase/add), dw_prev (B, N), dmemory (B, N, M))."""
    c1, c2, c3, c4 = cache
    dw_s, dgamma = A.sharpen_backward(dw, c4)
    dw_g, dshift = A.circular_shift_backward(dw_s, c3)
    dw_c, dw_prev, dgate = A.interpolate_backward(dw_g, c2)
    dkey, dbeta, dmemory = A.content_address_backward(dw_c, c1)
    return HeadParams(dkey, dbeta, dgate, dshift, dgamma), dw_prev, dmemory
