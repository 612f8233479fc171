"""Python side of the fused path: argument preparation, caches, and the calls into `_kernels`.

    kernels = FusedKernels.for_cell(cell)         # None for a cell without fused kernels
    output, state, cache = kernels.forward(x, state0, w_ih, w_hh, b_ih, b_hh, lengths)
    dx, d_state0, dw_ih, dw_hh, db_ih, db_hh = kernels.backward(d_output, d_state, cache)
    state = kernels.step(x_t, state, w_ih, w_hh, b_ih, b_hh)   # streaming, no cache

Arguments and results are the reference runner's (`functional.recurrent`): batch-first x (B, T, D),
states tuples of (B, H), lengths (B,) or None. The cache (`FusedCache`) offers what the reference's
`RecurrentCache` offers (`states`, `step_caches`, `keep`, `w_hh`, ...), built lazily from the fused
buffers, so the reference BPTT (`recurrent_backward`, used when every step's state gradient is asked
for), the Jacobian and gate diagnostics read it unchanged.
"""
from __future__ import annotations

import numpy as np

from . import _kernels as K
from . import FUSED_CELLS
from .split import BatchSplit


class FusedKernels:
    """The fused kernels of one cell instance (its family, nonlinearity and leak rate bound)."""

    __slots__ = ("family", "relu", "leaky", "alpha")

    def __init__(self, family: str, relu: bool = False, leaky: bool = False, alpha=None):
        self.family, self.relu, self.leaky, self.alpha = family, relu, leaky, alpha

    @classmethod
    def for_cell(cell_cls, cell, name: str):
        """The kernels of `cell`, registered as `name`; None when that cell has no fused kernels."""
        family = FUSED_CELLS.get(name)
        if family is None:
            return None
        if family != "elman":
            return cell_cls(family)
        leaky = name == "leaky"
        alpha = None
        if leaky:
            alpha = np.ascontiguousarray(np.broadcast_to(np.asarray(cell.alpha, cell.dtype), (cell.hidden_size,)))
        return cell_cls("elman", relu=cell.nonlinearity == "relu", leaky=leaky, alpha=alpha)

    # ------------------------------------------------------------------ whole sequences
    def forward(self, x, state0, w_ih, w_hh, b_ih, b_hh, lengths=None, train=True):
        """Returns (output (B, T, H), final state tuple of (B, H), cache): a `FusedCache` (train) or an
        `InferenceCache`, which re-runs the training forward if a backward pass asks for it.

        A large enough batch is split into one block of rows per BLAS thread, each block's whole time
        loop run on its own thread with a one-threaded BLAS (`split.py`): rows are independent, so
        each block computes exactly what the whole batch computes for those rows."""
        x = np.ascontiguousarray(x)
        split = BatchSplit.plan(x.shape[0], w_hh.shape[1])
        if split is not None:
            weights = (w_ih, w_hh, b_ih, b_hh)
            out, state = split.forward(self, x, state0, weights, lengths, train)
            return out, state, split if train else InferenceCache(self, x, state0, weights, lengths)
        return self.forward_rows(x, state0, w_ih, w_hh, b_ih, b_hh, lengths, train)

    def forward_rows(self, x, state0, w_ih, w_hh, b_ih, b_hh, lengths=None, train=True):
        """`forward` on one block of rows, in the calling thread."""
        x = np.ascontiguousarray(x)
        B, T, _ = x.shape
        lens = np.full(B, T, np.int64) if lengths is None else np.ascontiguousarray(lengths, dtype=np.int64)
        h0 = np.ascontiguousarray(state0[0])
        GH = w_ih.shape[0]
        has_bias = b_ih is not None
        last = T if train else T & 1
        cs = gates = ghn = None
        if self.family == "gru":
            zeros = np.zeros(GH, x.dtype)
            out, hs, gates, ghn = K.gru_forward(x, h0, w_ih, w_hh, b_ih if has_bias else zeros,
                                                b_hh if has_bias else zeros, lens, train)
            state = (hs[:, last].copy(),)
        else:
            bias = b_ih + b_hh if has_bias else np.zeros(GH, x.dtype)  # b_hh folded, as the reference
            if self.family == "lstm":
                out, hs, cs, gates = K.lstm_forward(x, h0, np.ascontiguousarray(state0[1]), w_ih, w_hh, bias,
                                                    lens, train)
                state = (hs[:, last].copy(), cs[:, last].copy())
            else:
                alpha = self.alpha if self.leaky else bias  # unused by the plain Elman cell
                out, hs, gates = K.elman_forward(x, h0, w_ih, w_hh, bias, alpha, lens, self.relu, self.leaky, train)
                if not self.leaky:
                    gates = None
                state = (hs[:, last].copy(),)
        if not train:
            return out, state, InferenceCache(self, x, state0, (w_ih, w_hh, b_ih, b_hh), lengths)
        cache = FusedCache(self, x, w_ih, w_hh, has_bias, lengths, lens, hs, cs, gates, ghn)
        return out, state, cache

    def backward(self, d_output, d_state, cache):
        """BPTT through `forward`. d_output (B, T, H) or None; d_state tuple (entries may be None) or None.
        Returns (dx (B, T, D), d_state0 tuple, dw_ih, dw_hh, db_ih, db_hh), biases' None without bias."""
        c = cache.materialize()
        if isinstance(c, BatchSplit):
            return c.backward(self, d_output, d_state)
        x = c.x
        B, T, _ = x.shape
        H = c.w_hh.shape[1]
        parts = 2 if self.family == "lstm" else 1
        d_state = d_state or (None,) * parts
        d_T = [np.zeros((B, H), x.dtype) if d is None else np.ascontiguousarray(d) for d in d_state]
        has_d_out = d_output is not None
        d_out = np.ascontiguousarray(d_output) if has_d_out else np.empty((0, 0, 0), x.dtype)
        if self.family == "gru":
            dx, dh0, dw_ih, dw_hh, db_ih, db_hh = K.gru_backward(d_out, has_d_out, d_T[0], x, c.w_ih, c.w_hh,
                                                                 c.lens, c.hs, c.gates, c.ghn)
            d0 = (dh0,)
        elif self.family == "lstm":
            dx, dh0, dc0, dw_ih, dw_hh, db_ih = K.lstm_backward(d_out, has_d_out, d_T[0], d_T[1], x, c.w_ih,
                                                                c.w_hh, c.lens, c.hs, c.cs, c.gates)
            db_hh, d0 = db_ih.copy(), (dh0, dc0)
        else:
            alpha = self.alpha if self.leaky else c.w_hh[0]  # unused by the plain Elman cell
            u = c.gates if self.leaky else c.hs
            dx, dh0, dw_ih, dw_hh, db_ih = K.elman_backward(d_out, has_d_out, d_T[0], x, c.w_ih, c.w_hh, alpha,
                                                            c.lens, c.hs, u, self.relu, self.leaky)
            db_hh, d0 = db_ih.copy(), (dh0,)
        if not c.has_bias:
            db_ih = db_hh = None
        return dx, d0, dw_ih, dw_hh, db_ih, db_hh

    # ------------------------------------------------------------------ streaming
    def step(self, x, state, w_ih, w_hh, b_ih, b_hh):
        """One step, no cache: x (B, D), state tuple of (B, H) -> new state tuple of (B, H).

        The inference forward on a one-step sequence, called with as little Python around it as
        possible (streaming calls this once per token): no cache object, no copies of the state."""
        B = x.shape[0]
        x = np.ascontiguousarray(x)[:, None]
        ones = np.ones(B, np.int64)
        h0 = np.ascontiguousarray(state[0])
        if b_ih is None:
            b_ih = b_hh = np.zeros(w_ih.shape[0], x.dtype)
        if self.family == "gru":
            return (K.gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh, ones, False)[1][:, 1],)
        bias = b_ih + b_hh
        if self.family == "lstm":
            _, hs, cs, _ = K.lstm_forward(x, h0, np.ascontiguousarray(state[1]), w_ih, w_hh, bias, ones, False)
            return hs[:, 1], cs[:, 1]
        alpha = self.alpha if self.leaky else bias
        return (K.elman_forward(x, h0, w_ih, w_hh, bias, alpha, ones, self.relu, self.leaky, False)[1][:, 1],)


class FusedCache:
    """What the fused backward reads, and (lazily) the reference's `RecurrentCache` view of it."""

    def __init__(self, kernels, x, w_ih, w_hh, has_bias, lengths, lens, hs, cs, gates, ghn):
        self.kernels, self.x, self.w_ih, self.w_hh, self.has_bias = kernels, x, w_ih, w_hh, has_bias
        self.lengths, self.lens, self.hs, self.cs, self.gates, self.ghn = lengths, lens, hs, cs, gates, ghn
        self._step_caches = None

    def materialize(self):
        return self

    # ---- the reference RecurrentCache's attributes (for recurrent_backward and the diagnostics)
    @property
    def folded(self) -> bool:
        return self.kernels.family != "gru" and self.has_bias

    @property
    def has_b_hh(self) -> bool:
        return self.has_bias

    @property
    def input_cache(self):
        return (self.x, self.w_ih, self.has_bias)

    @property
    def states(self) -> tuple:
        """Every step's state, (B, T+1, H) per part, index 0 the initial state."""
        return (self.hs,) if self.cs is None else (self.hs, self.cs)

    @property
    def keep(self):
        T = self.x.shape[1]
        if self.lengths is None or T == 0:
            return None
        return [m[:, None] for m in (np.arange(T)[:, None] < self.lens[None, :])]

    @property
    def step_caches(self) -> list:
        """Each step's cache in the reference kernel's format (views into the fused buffers)."""
        if self._step_caches is None:
            T = self.x.shape[1]
            f, hs = self.kernels.family, self.hs
            if f == "lstm":
                tanh_c = np.tanh(self.cs[:, 1:])  # (B, T, H): the fused backward recomputes it
                caches = [(self.cs[:, t], self.gates[:, t], tanh_c[:, t]) for t in range(T)]
            elif f == "gru":
                H = hs.shape[2]
                caches = [(hs[:, t], self.gates[:, t, :2 * H], self.gates[:, t, 2 * H:], self.ghn[:, t])
                          for t in range(T)]
            elif self.kernels.leaky:
                caches = [(self.gates[:, t],) for t in range(T)]
            else:
                caches = [(hs[:, t + 1],) for t in range(T)]
            self._step_caches = caches
        return self._step_caches


class InferenceCache:
    """An inference forward's cache: nothing of BPTT kept, only the arguments; a backward pass (or a
    diagnostic reading the cache) re-runs the training forward once and reads that."""

    def __init__(self, kernels, x, state0, weights, lengths):
        self._args = (kernels, x, state0, weights, lengths)
        self._full = None

    def materialize(self) -> FusedCache:
        if self._full is None:
            kernels, x, state0, weights, lengths = self._args
            self._full = kernels.forward(x, state0, *weights, lengths, train=True)[2]
        return self._full

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.materialize(), name)
