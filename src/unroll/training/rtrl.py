"""Real-time recurrent learning (Williams & Zipser, 1989): exact gradients, computed online.

BPTT stores a whole sequence and walks back through it. RTRL instead carries forward, at every
step, the sensitivity of the state to every parameter, S_t = ds_t/dtheta (the total derivative
through all earlier steps), so the gradient of each step's loss is known as soon as the step is
taken. For a cell s_t = F(s_{t-1}, x_t; theta) (s = h, or (h, c) for the LSTM, N numbers):

    S_t = J_t S_{t-1} + D_t          J_t = dF/ds_{t-1} (N, N),  D_t = dF/dtheta at fixed s_{t-1}
    dL/dtheta += (dl_t/ds_t) S_t     after every step t

For the Elman cell h_t = phi(a_t), a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, this is
J_t = diag(phi'(a_t)) W_hh and D_t[k, (i, j)] = phi'(a_t)[k] [k = i] x_t[j] for W_ih (h_{t-1}[j] for
W_hh, 1 for the biases). Rather than derive J_t and D_t again for each cell, this module gets
them from the cell's own hand-written step backward: N backward calls (one batch) with the unit
vectors e_k as dL/ds_t give the rows of J_t (their dL/ds_{t-1}) and of D_t (their gradients of
the pre-activations, dgx and dgh, times x_t and h_{t-1}). So one implementation serves the Elman,
LSTM, GRU and leaky cells, and it is exact: summed over a sequence it is the same total derivative
as BPTT, and the two gradients agree to rounding (tests/training/test_rtrl.py, float64).

The price is why RTRL is used online on small networks: S holds N x P numbers per sequence
(P parameters) and a step costs O(N^2 P), against O(N^2) per step for BPTT.

    rtrl = RTRL(cell)                       # any unroll.nn cell; gradients go to cell.grads (+=)
    rtrl.reset(state0, batch=B)             # state0 as the cell takes it, or None for zeros
    for t in range(T):
        state = rtrl.step(x[:, t])          # x_t (B, D) -> state_t (B, H) (LSTMState for the LSTM)
        rtrl.accumulate(dl_dh)              # dl_t/dh_t (B, H), or LSTMState(dl/dh, dl/dc)
"""
from __future__ import annotations

import numpy as np

from ..nn import Cell
from ..nn.state import from_tuple, to_tuple
from ..errors import InvalidTypeError


class RTRL:
    """Forward-mode (online) gradients of any `unroll.nn` cell over a batch, batch-first."""

    def __init__(self, cell: Cell):
        if not isinstance(cell, Cell):
            raise InvalidTypeError(f"cell: expected an unroll.nn cell (RNNCell, LSTMCell, GRUCell, LeakyRNNCell), "
                                   f"got {type(cell).__name__}")
        extra = sorted(set(cell.params) - {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
        if extra:  # the sensitivities are propagated through the runner's four weights only
            raise InvalidTypeError(f"cell: RTRL supports cells whose parameters are weight_ih, weight_hh, bias_ih "
                                   f"and bias_hh; {type(cell).__name__} also has {extra}")
        self.cell = cell
        self.state, self.sens = None, None

    def reset(self, state0=None, batch: int = 1):
        """Start a sequence from state0 ((B, H), LSTMState, or None: zeros of `batch` rows).
        The sensitivities start at zero: the initial state is a constant. Returns the state."""
        rows = batch if state0 is None else to_tuple(state0)[0].shape[0]
        self.state = self.cell.check_state(state0, rows, "state0")
        N = len(self.state) * self.cell.hidden_size
        self.sens = {name: np.zeros((rows, N) + p.shape, dtype=self.cell.dtype)  # (B, N, *shape)
                     for name, p in self.cell.params.items()}
        return from_tuple(self.state, self.cell.state_type)

    def step(self, x: np.ndarray):
        """Advance one step: x (B, D) -> state_t; updates every sensitivity S (B, N, *param shape)."""
        if self.state is None:
            raise RuntimeError("step: call reset() first")
        step_forward, step_backward = self.cell.kernels()
        w_ih, w_hh, b_ih, b_hh = self.cell.weights()
        B, H, parts = x.shape[0], self.cell.hidden_size, len(self.state)
        N = parts * H
        gx = x @ w_ih.T  # (B, G*H)
        if b_ih is not None:
            gx += b_ih
        # The step on N copies of each row, so that one backward call takes all N unit vectors.
        copies, cache = step_forward(np.repeat(gx, N, axis=0), tuple(np.repeat(s, N, axis=0) for s in self.state),
                                     w_hh, b_hh)  # each (B*N, H)
        units = np.tile(np.eye(N, dtype=x.dtype), (B, 1))  # (B*N, N): row b*N + k is e_k
        dgx, dgh, d_prev = step_backward(tuple(np.ascontiguousarray(units[:, k * H:(k + 1) * H])
                                               for k in range(parts)), cache, w_hh)
        jacobian = np.concatenate(d_prev, axis=1).reshape(B, N, N)  # J[b, k, m] = ds_t[k] / ds_{t-1}[m]
        dgx, dgh = dgx.reshape(B, N, -1), dgh.reshape(B, N, -1)  # (B, N, G*H): d s_t[k] / d pre-activations
        direct = {"weight_ih": dgx[..., None] * x[:, None, None, :],  # (B, N, G*H, D)
                  "weight_hh": dgh[..., None] * self.state[0][:, None, None, :],  # (B, N, G*H, H)
                  "bias_ih": dgx, "bias_hh": dgh}
        for name, s in self.sens.items():
            self.sens[name] = np.einsum("bkm,bm...->bk...", jacobian, s) + direct[name]
        self.state = tuple(c[::N] for c in copies)  # (B, H) each: the first copy of every row
        return from_tuple(self.state, self.cell.state_type)

    def accumulate(self, d_state) -> None:
        """Add (dl_t/ds_t) S_t into cell.grads. d_state: dl_t/dh_t (B, H), or a tuple/LSTMState of
        (B, H) arrays for (h, c), entries may be None."""
        parts = to_tuple(d_state) + (None,) * (len(self.state) - len(to_tuple(d_state)))
        d = np.concatenate([np.zeros_like(s) if p is None else p for p, s in zip(parts, self.state)], axis=1)  # (B, N)
        for name, s in self.sens.items():
            self.cell.grads[name] += np.einsum("bk,bk...->...", d, s)
