"""Two runners over the same input, one forward and one reversed, merged by concat or sum.

Composition, not subclassing: any two `Recurrent` layers with the same cell type and hidden size.
The backward layer's parameters are named with a `_reverse` suffix, as in PyTorch. Note the trap
PyTorch documents too: the final state of the reverse direction is its state after reading each
sequence's *first* step, so it is not `output[:, -1]`.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array, check_lengths, check_option
from .module import Module
from .recurrent import Recurrent
from .registry import spec_of
from .state import from_tuple, stack_states, to_tuple, unstack_state
from ..errors import InvalidTypeError, InvalidValueError


class Bidirectional(Module):
    """forward_layer and backward_layer: Recurrent runners; backward_layer must have reverse=True."""

    def __init__(self, forward_layer: Recurrent, backward_layer: Recurrent, merge: str = "concat"):
        super().__init__()
        check_option("merge", merge, {"concat", "sum"})
        if forward_layer.reverse or not backward_layer.reverse:
            raise InvalidValueError("Bidirectional: expected forward_layer.reverse False and backward_layer.reverse True, "
                                    f"got {forward_layer.reverse} and {backward_layer.reverse}")
        if spec_of(forward_layer.cell) is not spec_of(backward_layer.cell) or \
                forward_layer.hidden_size != backward_layer.hidden_size:
            raise InvalidValueError("Bidirectional: expected two layers of the same cell type and hidden size")
        self.directions = (forward_layer, backward_layer)
        self.merge = merge
        self.add_module(forward_layer, lambda key: key)
        self.add_module(backward_layer, lambda key: f"{key}_reverse")
        self.cell = forward_layer.cell
        self.input_size, self.hidden_size, self.dtype = forward_layer.input_size, forward_layer.hidden_size, forward_layer.dtype
        self.output_size = self.hidden_size * (2 if merge == "concat" else 1)

    def forward(self, x: np.ndarray, state=None, lengths=None):
        """x (B, T, D); state (2, B, H) (LSTMState of those) or None; lengths (B,) or None.
        Returns (output (B, T, 2H) for concat or (B, T, H) for sum, state (2, B, H), cache)."""
        check_array("x", x, (None, None, self.input_size), self.dtype)
        lengths = check_lengths(lengths, x.shape[0], x.shape[1])
        parts = self._check_state(state, x.shape[0], "state")
        output, state, cache = self.run(x, parts, lengths)
        return output, from_tuple(state, self.cell.state_type), self.make_cache(output, (cache, x.shape[0]))

    def backward(self, d_output, d_state, cache):
        """d_output like the output, d_state like the state (either may be None) -> (dx, d_state0)."""
        cache, batch = self.open_cache(cache, d_output)
        d_parts = None if d_state is None else self._check_state(d_state, batch, "d_state", allow_none=True)
        dx, d_state0 = self.run_backward(d_output, d_parts, cache)
        return dx, from_tuple(d_state0, self.cell.state_type)

    def _check_state(self, state, batch: int, name: str, allow_none: bool = False) -> tuple:
        """Public (2, B, H) state (an array, or the cell's NamedTuple of them) -> tuple; None -> zeros."""
        if state is None:
            return stack_states([self.cell.zero_state(batch)] * 2)
        parts = to_tuple(state)
        if len(parts) != self.cell.num_states:
            raise InvalidTypeError(f"{name}: expected {self.cell.SPEC.describe_state()} of (2, B, H) arrays, "
                                   f"got {type(state).__name__} of {len(parts)}")
        return tuple(p if p is None and allow_none else check_array(f"{name}[{k}]", p, (2, batch, self.hidden_size),
                                                                    self.dtype)
                     for k, p in enumerate(parts))

    def run(self, x, state: tuple, lengths):
        """Unchecked: state a tuple of (2, B, H)."""
        results = [d.run(x, s, lengths) for d, s in zip(self.directions, unstack_state(state, 2))]
        outputs = [r[0] for r in results]  # each (B, T, H)
        output = np.concatenate(outputs, axis=-1) if self.merge == "concat" else outputs[0] + outputs[1]
        return output, stack_states([r[1] for r in results]), [r[2] for r in results]

    def run_backward(self, d_output, d_state: tuple | None, cache):
        H = self.hidden_size
        if d_output is None:
            d_outputs = [None, None]
        elif self.merge == "concat":
            d_outputs = [d_output[..., :H], d_output[..., H:]]
        else:
            d_outputs = [d_output, d_output]
        results = [d.run_backward(g, s, c)[:2] for d, g, s, c in
                   zip(self.directions, d_outputs, unstack_state(d_state, 2), cache)]
        return results[0][0] + results[1][0], stack_states([r[1] for r in results])

    def state_sequence(self, cache) -> tuple:
        """Every step's state from a forward cache: tuple of (2, B, T, H)."""
        return self.run_state_sequence(self.open_cache(cache, None)[0])

    def run_state_sequence(self, cache) -> tuple:
        return stack_states([d.run_state_sequence(c) for d, c in zip(self.directions, cache)])
