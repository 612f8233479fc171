"""The generic runner as a module: any cell over a batch of sequences, in one direction.

    layer = Recurrent(LSTMCell(64, 128), reverse=False)
    y, state, cache = layer.forward(x, state0, lengths)     # x (B, T, D), y (B, T, H)
    dx, d_state0 = layer.backward(dy, d_state, cache)

With `lengths`, steps past a sequence's length output zeros and leave its state unchanged, so the
returned state is each sequence's state at its last valid step. `reverse=True` runs each sequence's
valid prefix backwards (PyTorch's packed semantics); padding stays at the end.

Backend: with `unroll.get_backend() == "numba"` (the default) and a cell that has fused kernels
(`registry.fused_kernels`), `run`/`run_backward` call the compiled whole-sequence kernels of
`unroll.functional.fused`; otherwise the reference runner `functional.recurrent_forward/backward`
with the cell's step kernels. In eval mode (`layer.eval()`) the fused forward keeps no BPTT cache
(a later backward re-runs the training forward once). Asking for every step's state gradient
(`state_gradients`, the diagnostics) runs the reference BPTT on the fused cache, which offers the
reference cache's view of itself.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import check_array, check_lengths
from .cells import Cell
from .module import Module
from .state import from_tuple, to_tuple



class Recurrent(Module):
    """Loops `cell` over time. Parameters are the cell's, under the same names."""

    def __init__(self, cell: Cell, reverse: bool = False):
        super().__init__()
        self.cell, self.reverse = cell, reverse
        self.add_module(cell, lambda key: key)
        self.input_size, self.hidden_size, self.dtype = cell.input_size, cell.hidden_size, cell.dtype
        self.output_size = cell.hidden_size

    def fused(self):
        """The cell's fused kernels when the backend is "numba" and the cell has them, else None."""
        return self.cell.fused()

    def forward(self, x: np.ndarray, state=None, lengths=None, output_states: bool = False):
        """x (B, T, D); state (B, H) or LSTMState of (B, H) or None; lengths (B,) or None.

        Returns (output (B, T, H), state_T, cache), plus, with output_states, every step's state
        (B, T, H) (LSTMState for the LSTM: c_t too), which PyTorch does not expose.
        """
        check_array("x", x, (None, None, self.input_size), self.dtype)
        lengths = check_lengths(lengths, x.shape[0], x.shape[1])
        state = self.cell.check_state(state, x.shape[0])
        output, state, cache = self.run(x, state, lengths)
        result = (output, from_tuple(state, self.cell.state_type), self.make_cache(output, cache))
        if output_states:
            result += (from_tuple(self.run_state_sequence(cache), self.cell.state_type),)
        return result

    def backward(self, d_output, d_state, cache):
        """d_output (B, T, H) or None; d_state like the state or None. Returns (dx (B, T, D), d_state0)."""
        cache = self.open_cache(cache, d_output)
        dx, d_state0, _ = self.run_backward(d_output, self._check_d_state(d_state, cache), cache)
        return dx, from_tuple(d_state0, self.cell.state_type)

    def state_gradients(self, d_output, d_state, cache) -> tuple:
        """BPTT that keeps every step: dL/d state_k for k = 0..T, leaving grads untouched.

        Arguments as `backward`. Returns a tuple (one entry per state part: h, and c for the LSTM) of
        (B, T+1, H), index k the gradient at state_k in the order this runner steps (for a forward
        layer: k = 0 is the initial state, k = t the state after input step t).
        """
        cache = self.open_cache(cache, d_output)
        return self.run_backward(d_output, self._check_d_state(d_state, cache), cache, accumulate=False,
                                 keep_d_states=True)[2]

    def _check_d_state(self, d_state, cache) -> tuple | None:
        if d_state is None:
            return None
        batch = cache[0].states[0].shape[0]
        return self.cell.check_state(d_state, batch, "d_state", allow_none=True)

    # Unchecked tuple-state versions, for composite modules that validated their input already.
    def run(self, x, state: tuple, lengths):
        fused = self.fused()
        if self.reverse:
            x = F.reverse_padded(x, lengths)
        if fused is not None:
            output, state, kernel_cache = fused.forward(x, state, *self.cell.weights(), lengths, train=self.training)
        else:
            step_forward, _ = self.cell.kernels()
            output, state, kernel_cache = F.recurrent_forward(step_forward, x, state, *self.cell.weights(), lengths,
                                                              fold_b_hh=self.cell.SPEC.fold_b_hh)
        if self.reverse:
            output = F.reverse_padded(output, lengths)
        return output, state, (kernel_cache, lengths)

    def run_backward(self, d_output, d_state: tuple | None, cache, accumulate=True, keep_d_states=False):
        """Returns (dx, d_state0, d_states or None): see `state_gradients` for d_states."""
        kernel_cache, lengths = cache
        if self.reverse and d_output is not None:
            d_output = F.reverse_padded(d_output, lengths)
        fused = getattr(kernel_cache, "kernels", None)  # a fused forward's cache
        if fused is not None and not keep_d_states:
            dx, d_state0, *weight_grads = fused.backward(d_output, d_state, kernel_cache)
        else:  # the reference BPTT (it reads a fused cache too)
            if fused is not None:
                kernel_cache = kernel_cache.materialize()
            _, step_backward = self.cell.kernels()
            dx, d_state0, *weight_grads = F.recurrent_backward(step_backward, d_output, d_state, kernel_cache,
                                                               keep_d_states)
        d_states = weight_grads.pop() if keep_d_states else None
        if accumulate:
            self.cell.accumulate(*weight_grads)
        if self.reverse:
            dx = F.reverse_padded(dx, lengths)
        return dx, d_state0, d_states

    def run_step(self, x, state: tuple) -> tuple:
        """Unchecked streaming step (inference, no cache): x (B, D), state tuple of (B, H) -> new state tuple.
        The fused single step when the backend allows, else the cell's own `step`."""
        fused = self.fused()
        if fused is not None:
            return fused.step(x, state, *self.cell.weights())
        return to_tuple(self.cell.step(x, from_tuple(state, self.cell.state_type)))

    def step(self, x: np.ndarray, state=None):
        """Inference only: one step with no cache, for streaming. x (B, D); state like forward's or None.
        Returns the new state (LSTMState for the LSTM), whose h is the output."""
        check_array("x", x, (None, self.input_size), self.dtype)
        parts = self.cell.check_state(state, x.shape[0])
        return from_tuple(self.run_step(x, parts), self.cell.state_type)

    def state_sequence(self, cache) -> tuple:
        """Every step's state from a forward cache: tuple of (B, T, H), in input time order."""
        return self.run_state_sequence(self.open_cache(cache, None))

    def run_state_sequence(self, cache) -> tuple:
        """`state_sequence` of an unwrapped `run` cache."""
        kernel_cache, lengths = cache
        steps = tuple(s[:, 1:] for s in kernel_cache.states)  # each (B, T, H)
        return tuple(F.reverse_padded(s, lengths) for s in steps) if self.reverse else steps
