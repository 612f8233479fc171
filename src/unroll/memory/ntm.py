"""Neural Turing Machine with an LSTM controller (Graves et al. 2014; pytorch-ntm's layout).

    ntm = NTM(input_size=9, output_size=8, controller_size=100, memory_size=128, memory_width=20)
    y, state, cache = ntm.forward(x)              # x (B, T, D) -> logits (B, T, O), NTMState
    dx, d_state0 = ntm.backward(dy, None, cache)  # gradients added to ntm.grads

One step, with R read heads and W write heads (default one of each), memory M_{t-1} (B, N, M):

    (h_t, c_t) = LSTM([x_t, r_{t-1}], (h_{t-1}, c_{t-1}))        controller, input D + R M
    raw_t      = h_t W_heads^T + b_heads                         (B, sum of head sizes)
    w^k_t      = address(activations(raw^k_t), w^k_{t-1}, M_{t-1})   every head, see heads.py
    r^k_t      = read(w^k_t, M_{t-1})                            read heads read before the write
    M_t        = write(M_{t-1}, w^k_t, e^k_t, a^k_t)             write heads, in order
    y_t        = [h_t, r_t] W_out^T + b_out                      logits (B, O)

The initial memory is the learned (N, M) parameter `memory_bias` (pytorch-ntm keeps a fixed
random buffer; learning it costs nothing and is saved with the weights), the initial weightings
and reads are zeros. Parameters: `controller.weight_ih` ... (the LSTMCell's, PyTorch names),
`heads.weight` (P, H), `heads.bias`, `output.weight` (O, H + R M), `output.bias`, `memory_bias`.
Backward runs the steps in reverse; the head and output weight gradients are one GEMM each over
all steps after the loop. `lengths` is not supported: a batch shares one length (the copy and
recall generators give that).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_array, check_dtype, check_size
from ..errors import InvalidValueError
from ..nn.cells import LSTMCell
from ..nn.module import Module
from ..nn.state import LSTMState
from . import addressing as A
from .heads import address_backward, address_forward, head_activations_backward, head_activations_forward, \
    head_size

__all__ = ["NTM", "NTMState"]


class NTMState(NamedTuple):
    """h, c (B, H) controller; memory (B, N, M); read_w (B, R, N), write_w (B, W, N) last weightings;
    reads (B, R M) last read vectors."""
    h: np.ndarray
    c: np.ndarray
    memory: np.ndarray
    read_w: np.ndarray
    write_w: np.ndarray
    reads: np.ndarray


class NTM(Module):
    def __init__(self, input_size: int, output_size: int, controller_size: int = 100, memory_size: int = 128,
                 memory_width: int = 20, read_heads: int = 1, write_heads: int = 1, shift_range: int = 1,
                 dtype=np.float32, rng=None):
        super().__init__()
        D, O, H = (check_size(n, v) for n, v in (("input_size", input_size), ("output_size", output_size),
                                                 ("controller_size", controller_size)))
        N, M = check_size("memory_size", memory_size), check_size("memory_width", memory_width)
        R, W = check_size("read_heads", read_heads), check_size("write_heads", write_heads)
        if not isinstance(shift_range, int) or shift_range < 0 or 2 * shift_range + 1 > N:
            raise InvalidValueError(f"shift_range: expected an int k >= 0 with 2k + 1 <= memory_size {N}, "
                                    f"got {shift_range!r}")
        self.input_size, self.output_size, self.controller_size = D, O, H
        self.N, self.M, self.R, self.W, self.S = N, M, R, W, 2 * shift_range + 1
        self.dtype = check_dtype(dtype)
        rng = as_rng(rng)
        self.controller = self.add_module(LSTMCell(D + R * M, H, dtype=dtype, rng=rng), "controller")
        sizes = [head_size(M, self.S, False)] * R + [head_size(M, self.S, True)] * W
        self.head_slices = [slice(a, b) for a, b in zip(np.cumsum([0] + sizes[:-1]), np.cumsum(sizes))]
        P = sum(sizes)
        bound_h, bound_o = 1.0 / np.sqrt(H), 1.0 / np.sqrt(H + R * M)
        self.add_param("heads.weight", rng.uniform(-bound_h, bound_h, (P, H)).astype(dtype))
        self.add_param("heads.bias", rng.uniform(-bound_h, bound_h, P).astype(dtype))
        self.add_param("output.weight", rng.uniform(-bound_o, bound_o, (O, H + R * M)).astype(dtype))
        self.add_param("output.bias", rng.uniform(-bound_o, bound_o, O).astype(dtype))
        bound_m = 1.0 / np.sqrt(N + M)  # pytorch-ntm's mem_bias
        self.add_param("memory_bias", rng.uniform(-bound_m, bound_m, (N, M)).astype(dtype))

    def initial_state(self, batch: int) -> NTMState:
        z = lambda *s: np.zeros(s, self.dtype)  # noqa: E731
        memory = np.repeat(self.params["memory_bias"][None], batch, axis=0)  # (B, N, M)
        return NTMState(z(batch, self.controller_size), z(batch, self.controller_size), memory,
                        z(batch, self.R, self.N), z(batch, self.W, self.N), z(batch, self.R * self.M))

    # ---------------------------------------------------------------- one step
    def _step(self, x_t, s: NTMState):
        """x_t (B, D), state -> (new state, step cache)."""
        (h, c), cc = self.controller.forward(np.concatenate([x_t, s.reads], axis=1), LSTMState(s.h, s.c))
        raw = h @ self.params["heads.weight"].T + self.params["heads.bias"]  # (B, P)
        memory, heads, reads, read_w, write_w = s.memory, [], [], [], []
        for k, sl in enumerate(self.head_slices):
            write = k >= self.R
            hp, ac = head_activations_forward(raw[:, sl], self.M, self.S, write)
            prev = s.write_w[:, k - self.R] if write else s.read_w[:, k]
            w, adc = address_forward(hp, prev, s.memory)  # every head addresses M_{t-1}
            if write:
                memory, io = A.memory_write_forward(memory, w, hp.erase, hp.add)
                write_w.append(w)
            else:
                r, io = A.memory_read_forward(w, s.memory)
                reads.append(r)
                read_w.append(w)
            heads.append((ac, adc, io))
        new = NTMState(h, c, memory, np.stack(read_w, 1), np.stack(write_w, 1), np.concatenate(reads, 1))
        return new, (cc, heads)

    def _step_backward(self, d: NTMState, step_cache):
        """d: gradients w.r.t. this step's new state (h total, c, memory, read_w, write_w, reads total)
        -> (dx_t (B, D), gradients w.r.t. the previous state, draw (B, P))."""
        cc, heads = step_cache
        d_memory = d.memory  # dL/dM_t, becomes dL/dM_{t-1}
        d_prev_read, d_prev_write = np.zeros_like(d.read_w), np.zeros_like(d.write_w)
        d_raw = []
        d_mem_prev = 0.0  # reads and addressing use M_{t-1}: added after the writes are undone
        for k in reversed(range(len(heads))):
            ac, adc, io = heads[k]
            if k >= self.R:
                j = k - self.R
                d_memory, dw, de, da = A.memory_write_backward(d_memory, io)
                dw = dw + d.write_w[:, j]
            else:
                dw, dm = A.memory_read_backward(d.reads[:, k * self.M:(k + 1) * self.M], io)
                dw = dw + d.read_w[:, k]
                d_mem_prev = d_mem_prev + dm
                de = da = None
            dhp, dw_prev, dm = address_backward(dw, adc)
            d_mem_prev = d_mem_prev + dm
            if k >= self.R:
                d_prev_write[:, j] = dw_prev
            else:
                d_prev_read[:, k] = dw_prev
            d_raw.append(head_activations_backward(dhp._replace(erase=de, add=da), ac))
        d_raw = np.concatenate(d_raw[::-1], axis=1)  # (B, P)
        dh = d.h + d_raw @ self.params["heads.weight"]  # (B, H)
        d_in, (dh_prev, dc_prev) = self.controller.backward(LSTMState(dh, d.c), cc)
        D = self.input_size
        prev = NTMState(dh_prev, dc_prev, d_memory + d_mem_prev, d_prev_read, d_prev_write, d_in[:, D:])
        return d_in[:, :D], prev, d_raw

    # ---------------------------------------------------------------- sequences
    def forward(self, x: np.ndarray, state=None, lengths=None, keep_weightings: bool = False):
        """x (B, T, D); state NTMState or None (initial). Returns (logits (B, T, O), final state, cache).

        keep_weightings: also keep every step's state in the cache (for `weightings`)."""
        if lengths is not None:
            raise InvalidValueError("lengths: the NTM runs a batch of one length; expected None, got lengths")
        check_array("x", x, (None, None, self.input_size), self.dtype)
        B, T, _ = x.shape
        s0 = self.initial_state(B) if state is None else NTMState(*state)
        s, steps, hs, rs = s0, [], [], []
        states = []
        for t in range(T):
            s, step_cache = self._step(x[:, t], s)
            steps.append(step_cache)
            hs.append(s.h)
            rs.append(s.reads)
            if keep_weightings:
                states.append(s)
        features = np.concatenate([np.stack(hs, 1), np.stack(rs, 1)], axis=2)  # (B, T, H + R M)
        y, out_cache = F.linear_forward(features, self.params["output.weight"], self.params["output.bias"])
        cache = (steps, out_cache, state is None, s, states)
        return y, s, self.make_cache(y, cache)

    @staticmethod
    def weightings(cache) -> tuple[np.ndarray, np.ndarray]:
        """From a forward with keep_weightings=True: read and write weightings (B, T, R or W, N)."""
        states = cache.data[4]
        return np.stack([s.read_w for s in states], 1), np.stack([s.write_w for s in states], 1)

    def backward(self, dy, d_state, cache):
        """dy (B, T, O) or None, d_state: NTMState of final-state gradients (entries may be None) or None.

        Returns (dx (B, T, D), d_state0 NTMState); with state=None in forward, the initial memory's
        gradient goes into grads['memory_bias'] too."""
        steps, out_cache, from_bias, s_final, _ = self.open_cache(cache, dy)
        B, H = s_final.h.shape[0], self.controller_size
        T = len(steps)
        if dy is None:
            dy = np.zeros(out_cache[0].shape[:2] + (self.output_size,), self.dtype)
        d_feat, dw_out, db_out = F.linear_backward(dy, out_cache)  # (B, T, H + R M)
        self.grads["output.weight"] += dw_out
        self.grads["output.bias"] += db_out
        d = NTMState(*[np.zeros_like(a) if (d_state is None or g is None) else g
                       for a, g in zip(s_final, d_state or [None] * 6)])
        dx, d_raws, hs = np.empty((B, T, self.input_size), self.dtype), [], []
        for t in reversed(range(T)):
            d = d._replace(h=d.h + d_feat[:, t, :H], reads=d.reads + d_feat[:, t, H:])
            dx[:, t], d, d_raw = self._step_backward(d, steps[t])
            d_raws.append(d_raw)
        d_raws = np.stack(d_raws[::-1], 1)  # (B, T, P)
        h_all = out_cache[0][:, :, :H]  # (B, T, H): the controller outputs, kept by the output layer
        self.grads["heads.weight"] += d_raws.reshape(-1, d_raws.shape[-1]).T @ h_all.reshape(-1, H)
        self.grads["heads.bias"] += d_raws.sum((0, 1))
        if from_bias:
            self.grads["memory_bias"] += d.memory.sum(0)
        return dx, d
