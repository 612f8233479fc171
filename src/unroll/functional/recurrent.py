"""The generic runner: any cell over time, forward and backward (BPTT).

A cell is a pair of step kernels over its *recurrent* part (see rnn_cell.py, lstm_cell.py, ...):

    step_forward(gx_t, state, w_hh, b_hh) -> (state_t, cache_t)
    step_backward(d_state_t, cache_t, w_hh, out=None) -> (dgx_t, dgh_t, d_state_{t-1})

where gx_t = x_t W_ih^T + b_ih is the input projection, state is a tuple of (B, H) arrays whose first
entry is the output h, dgx_t is dL/dgx_t and dgh_t is the gradient of the recurrent pre-activation
h_{t-1} W_hh^T + b_hh (`out`, if given, is a pair of buffers for dgx_t and dgh_t to be written into).
This split gives the known-fast shape: the input projection of all steps is one
GEMM before the loop, only dL/dh travels through the loop, and each weight gradient is one GEMM after it:

    dW_ih = sum_t dgx_t^T x_t        dW_hh = sum_t dgh_t^T h_{t-1}

For cells whose b_hh only ever adds to gx (all but the GRU, whose reset gate scales W_hn h + b_hn),
`fold_b_hh=True` adds b_hh into the input projection once instead of into every step; its gradient
is then the same sum as b_ih's.

Variable lengths (PyTorch's packed semantics): at a step past a sequence's length the state is carried
unchanged, the output is zero and no gradient reaches the cell.
"""
from __future__ import annotations

import numpy as np

from .linear import linear_backward, linear_forward


def recurrent_forward(step_forward, x, state0, w_ih, w_hh, b_ih, b_hh, lengths=None, fold_b_hh=False):
    """Run a cell over a batch of sequences.

    step_forward: the cell's step kernel, options bound (e.g. functools.partial).
    x (B, T, D); state0 tuple of (B, H); w_ih (G*H, D); w_hh (G*H, H); b_ih, b_hh (G*H,) or None
    (both or neither); lengths (B,) ints or None (all T); fold_b_hh: see the module docstring.
    Returns output (B, T, H), final state tuple of (B, H), cache; and the cache's `states` holds every
    step's state, (B, T+1, H) per entry, index 0 the initial state.

    Everything stays batch-first, as the caller's arrays are: step t reads the (B, G*H) slice
    gx[:, t], whose rows are contiguous, so no (B, T, .) <-> (T, B, .) transpose is ever copied.
    """
    B, T, _ = x.shape
    folded = fold_b_hh and b_hh is not None
    bias = b_ih + b_hh if folded else b_ih
    gx, input_cache = linear_forward(x, w_ih, bias)  # (B, T, G*H): all input projections, one GEMM
    step_b_hh = None if folded else b_hh
    keep = None if lengths is None or T == 0 else [m[:, None] for m in (np.arange(T)[:, None] < lengths[None, :])]
    states = tuple(np.empty((B, T + 1, s.shape[1]), dtype=x.dtype) for s in state0)  # each (B, T+1, H)
    for buf, s in zip(states, state0):
        buf[:, 0] = s
    state, step_caches = tuple(state0), []
    for t in range(T):
        new_state, step_cache = step_forward(gx[:, t], state, w_hh, step_b_hh)
        if keep is not None:  # finished sequences keep their state
            new_state = tuple(np.where(keep[t], n, s) for n, s in zip(new_state, state))
        for buf, s in zip(states, new_state):
            buf[:, t + 1] = s
        state = new_state
        step_caches.append(step_cache)
    output = states[0][:, 1:]  # (B, T, H), a view of the cache: copied below
    output = output.copy() if keep is None else output * np.stack(keep, axis=1)  # zeros past each length
    cache = RecurrentCache(input_cache, w_hh, b_hh is not None, folded, keep, states, step_caches)
    return output, state, cache


def recurrent_backward(step_backward, d_output, d_state, cache, keep_d_states=False):
    """BPTT through a `recurrent_forward` call.

    d_output (B, T, H) or None; d_state tuple of (B, H) (entries may be None) or None.
    Returns dx (B, T, D), d_state0 tuple of (B, H), dw_ih, dw_hh, db_ih, db_hh (None without bias);
    with keep_d_states also, last, every step's state gradient: a tuple (one entry per state part)
    of (B, T+1, H) whose index k is dL/d state_k as BPTT carries it (k = 0 the initial state; from
    the output at k and from every step after k). This is what the diagnostics read.
    """
    c = cache
    B, T = c.states[0].shape[0], c.states[0].shape[1] - 1
    zeros = [np.zeros_like(s[:, 0]) for s in c.states]
    d_state = tuple(z if d is None else d for z, d in zip(zeros, d_state or (None,) * len(zeros)))
    dgx_all = np.empty((B, T, c.w_hh.shape[0]), dtype=c.w_hh.dtype)  # (B, T, G*H)
    dgh_all = None  # (B, T, G*H), only for cells whose dgh differs from dgx (the GRU)
    d_states = tuple(np.empty_like(s) for s in c.states) if keep_d_states else None  # each (B, T+1, H)
    for t in range(T - 1, -1, -1):
        if d_output is not None:  # dL/dh_t = from the output at t + from step t+1
            d_out_t = d_output[:, t] if c.keep is None else d_output[:, t] * c.keep[t]  # padding: constant zeros
            d_state = (d_state[0] + d_out_t,) + d_state[1:]
        if d_states is not None:
            for buf, d in zip(d_states, d_state):
                buf[:, t + 1] = d
        if c.keep is not None:  # a finished sequence passes its gradient straight through
            passed = tuple(np.where(c.keep[t], 0.0, d) for d in d_state)
            d_state = tuple(np.where(c.keep[t], d, 0.0) for d in d_state)
        out = (dgx_all[:, t], None if dgh_all is None else dgh_all[:, t])
        dgx, dgh, d_state = step_backward(d_state, c.step_caches[t], c.w_hh, out=out)
        if dgx is not out[0]:  # a kernel that ignores `out`
            dgx_all[:, t] = dgx
        if dgh is not dgx and dgh is not out[1]:
            if dgh_all is None:  # the first step tells: keep a second buffer
                dgh_all = np.empty_like(dgx_all)
            dgh_all[:, t] = dgh
        if c.keep is not None:
            d_state = tuple(d + p for d, p in zip(d_state, passed))
    dx, dw_ih, db_ih = linear_backward(dgx_all, c.input_cache)  # dx (B, T, D)
    dgh_all = dgx_all if dgh_all is None else dgh_all
    _, dw_hh, db_hh = linear_backward(dgh_all, (c.states[0][:, :-1], c.w_hh, c.has_b_hh and not c.folded),
                                      need_dx=False)
    if c.folded:  # b_hh was added with b_ih, and dgh = dgx for such cells
        db_hh = db_ih.copy()
    if d_states is None:
        return dx, d_state, dw_ih, dw_hh, db_ih, db_hh
    for buf, d in zip(d_states, d_state):
        buf[:, 0] = d
    return dx, d_state, dw_ih, dw_hh, db_ih, db_hh, d_states


class RecurrentCache:
    """What BPTT needs from a forward run; `states` is public for inspection (every c_t, say)."""

    __slots__ = ("input_cache", "w_hh", "has_b_hh", "folded", "keep", "states", "step_caches")

    def __init__(self, input_cache, w_hh, has_b_hh, folded, keep, states, step_caches):
        self.input_cache = input_cache
        self.w_hh = w_hh
        self.has_b_hh = has_b_hh
        self.folded = folded
        self.keep = keep
        self.states = states
        self.step_caches = step_caches
