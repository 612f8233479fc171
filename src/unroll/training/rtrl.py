"""Real-time recurrent learning (Williams & Zipser, 1989) for the Elman RNN: exact gradients, online.

BPTT stores the whole sequence and walks back through it; RTRL instead carries forward, at every
step, the sensitivity of the state to every recurrent parameter, S_t = dh_t/dtheta (total
derivative through all earlier steps), so the gradient of each step's loss is available at once:

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh,        h_t = phi(a_t),      D_t = diag(phi'(a_t))
    S_t = D_t (W_hh S_{t-1} + da_t/dtheta)              (da_t/dtheta: the direct, one-step part)
    dL/dtheta += dl_t/dh_t . S_t                        after every step t

with the direct parts  da_t[k]/dW_ih[i, j] = [k = i] x_t[j],  da_t[k]/dW_hh[i, j] = [k = i] h_{t-1}[j],
da_t[k]/db[i] = [k = i]. Summed over a sequence this is the same total derivative BPTT computes, so
on any sequence the two gradients are equal (tests/training/test_rtrl.py shows it in float64).
The price: S holds H x P numbers per sequence (P = H(D + H + 2)) and a step costs O(H^2 P), against
O(H^2) for BPTT, which is why RTRL is used online on small networks.

    rtrl = ElmanRTRL(cell)                 # an unroll.nn.RNNCell; gradients go to cell.grads
    h = rtrl.reset(h0)                     # h0 (B, H)
    for t in range(T):
        h = rtrl.step(x[:, t])             # (B, H)
        rtrl.accumulate(dl_dh)             # dl_t/dh_t (B, H) of this step's loss
"""
from __future__ import annotations

import numpy as np

from ..functional.activations import activation
from ..nn import RNNCell

PARAMS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class ElmanRTRL:
    """Forward-mode gradients of an `RNNCell` (tanh or relu, with or without bias), batch-first."""

    def __init__(self, cell: RNNCell):
        if not isinstance(cell, RNNCell):
            raise TypeError(f"cell: expected an unroll.nn.RNNCell (RTRL is implemented for the Elman cell), "
                            f"got {type(cell).__name__}")
        self.cell = cell
        self.phi, self.phi_grad = activation(cell.nonlinearity)
        self.h, self.sens = None, None

    def reset(self, h0=None, batch: int = 1) -> np.ndarray:
        """Start a sequence from h0 (B, H) (None: zeros of batch B); sensitivities start at zero
        (h0 is a constant). Returns h0."""
        cell = self.cell
        self.h = cell.check_state(h0, batch if h0 is None else h0.shape[0], "h0")[0]
        B, H = self.h.shape
        self.sens = {name: np.zeros((B, H) + p.shape, dtype=cell.dtype) for name, p in cell.params.items()}
        return self.h

    def step(self, x: np.ndarray) -> np.ndarray:
        """One step: x (B, D) -> h_t (B, H); updates every S (B, H, *param shape)."""
        if self.h is None:
            raise RuntimeError("step: call reset() first")
        p, h_prev = self.cell.params, self.h
        a = x @ p["weight_ih"].T + h_prev @ p["weight_hh"].T  # (B, H)
        if self.cell.bias:
            a += p["bias_ih"] + p["bias_hh"]
        h = self.phi(a)
        d = self.phi_grad(h)  # (B, H): phi'(a_t), from the output as the kernels do
        H = h.shape[1]
        direct = {"weight_ih": x, "weight_hh": h_prev}  # (B, D), (B, H): the j-index of the one-step part
        for name, s in self.sens.items():
            s_new = np.einsum("km,bm...->bk...", p["weight_hh"], s)  # (B, H, *shape): W_hh S_{t-1}
            diagonal = s_new[:, np.arange(H), np.arange(H)]  # (B, H, ...): entries with k = i
            diagonal += direct[name][:, None, :] if name in direct else 1.0
            s_new[:, np.arange(H), np.arange(H)] = diagonal
            s_new *= d.reshape(d.shape + (1,) * (s_new.ndim - 2))  # D_t (...)
            self.sens[name] = s_new
        self.h = h
        return h

    def accumulate(self, dh: np.ndarray) -> None:
        """Add dl_t/dh_t (B, H) . S_t into cell.grads (+=, like every backward)."""
        for name, s in self.sens.items():
            self.cell.grads[name] += np.einsum("bk,bk...->...", dh, s)
