"""RNN, LSTM, GRU and LeakyRNN layers with PyTorch's constructor arguments, always batch-first.

    lstm = LSTM(input_size=64, hidden_size=128, num_layers=2, bidirectional=True)
    y, state, cache = lstm.forward(x, lengths=lengths)   # x (B, T, 64), y (B, T, 256)
    dx, d_state0 = lstm.backward(dy, d_state, cache)     # state: LSTMState(h, c), each (4, B, 128)

A stack of `Recurrent` runners (or `Bidirectional` pairs of them) with inverted dropout between
layers (not after the last), in training mode only. States are laid out as PyTorch's,
(num_layers * num_directions, B, H) with index layer * num_directions + direction, and parameters
are named as PyTorch's (`weight_ih_l0`, `bias_hh_l1_reverse`), so a state_dict loads key for key.
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_array, check_dtype, check_lengths, check_option, check_size
from .bidirectional import Bidirectional
from .module import Module
from .recurrent import Recurrent
from .registry import build_cell, get
from .state import from_tuple, to_tuple
from ..errors import InvalidValueError, InvalidTypeError


def _layer_key(layer: int):
    """'weight_ih' -> 'weight_ih_l{layer}', 'weight_ih_reverse' -> 'weight_ih_l{layer}_reverse'."""
    def rename(key: str) -> str:
        if key.endswith("_reverse"):
            return f"{key[:-len('_reverse')]}_l{layer}_reverse"
        return f"{key}_l{layer}"
    return rename


def _slice(parts: tuple | None, start: int, stop: int) -> tuple | None:
    return None if parts is None else tuple(None if p is None else p[start:stop] for p in parts)


class RecurrentStack(Module):
    """A stack of any registered cell: `RecurrentStack(64, 128, cell="gru", num_layers=2)`.

    cell: a name from the cell registry (`unroll.nn.registry.names()`); cell_options: that cell's
    own constructor options (alpha for 'leaky'). RNN, LSTM, GRU and LeakyRNN are this class with
    PyTorch's constructors.
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = True, dropout: float = 0.0, bidirectional: bool = False,
                 merge: str = "concat", dtype=np.float32, rng=None, *, cell: str, **cell_options):
        super().__init__()
        self.spec = get(cell)
        self.cell_name, self.cell_options = cell, cell_options
        check_size("input_size", input_size)
        check_size("hidden_size", hidden_size)
        check_size("num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating, np.integer)):
            raise InvalidTypeError(f"dropout: expected a float probability, got {type(dropout).__name__}")
        if not batch_first:
            raise InvalidValueError("batch_first: unroll is batch-first, (B, T, D); expected True, got False "
                                    "(transpose time-major input with x.transpose(1, 0, 2))")
        if not 0.0 <= dropout < 1.0:
            raise InvalidValueError(f"dropout: expected a probability in [0, 1), got {dropout}")
        check_option("merge", merge, {"concat", "sum"})
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.dropout, self.bidirectional, self.merge = bias, dropout, bidirectional, merge
        self.dtype = check_dtype(dtype)
        self.rng = as_rng(rng)
        self.num_directions = 2 if bidirectional else 1
        self.layers = []
        layer_input = input_size
        for layer in range(num_layers):
            make = lambda reverse: Recurrent(build_cell(cell, layer_input, hidden_size, bias=bias, dtype=self.dtype,
                                                        rng=self.rng, **cell_options), reverse)
            runner = Bidirectional(make(False), make(True), merge) if bidirectional else make(False)
            self.layers.append(self.add_module(runner, _layer_key(layer)))
            layer_input = runner.output_size
        self.output_size = layer_input
        self.state_type = self.spec.state

    def forward(self, x: np.ndarray, state=None, lengths=None, output_states: bool = False):
        """x (B, T, D); state (L*dirs, B, H) (LSTMState of those) or None; lengths (B,) ints or None.

        Returns (output (B, T, dirs*H) (H for merge='sum'), state (L*dirs, B, H), cache); with
        output_states also every step's state, (L*dirs, B, T, H) per entry (the LSTM's c_t included).
        """
        check_array("x", x, (None, None, self.input_size), self.dtype)
        B, T, _ = x.shape
        lengths = check_lengths(lengths, B, T)
        parts = self._check_state(state, B)
        caches, finals, inputs = [], [], x
        for k, layer in enumerate(self.layers):
            layer_state = _slice(parts, k * self.num_directions, (k + 1) * self.num_directions)
            if not self.bidirectional:
                layer_state = tuple(p[0] for p in layer_state)
            output, layer_final, cache = layer.run(inputs, layer_state, lengths)
            finals.append(layer_final if self.bidirectional else tuple(p[None] for p in layer_final))
            drop = None
            if k < self.num_layers - 1 and self.training and self.dropout > 0:
                output, drop = F.dropout_forward(output, self.dropout, self.rng)
            caches.append((cache, drop))
            inputs = output
        state_n = tuple(np.concatenate(p) for p in zip(*finals))  # each (L*dirs, B, H)
        result = (inputs, from_tuple(state_n, self.state_type), self.make_cache(inputs, (caches, B)))
        if output_states:
            result += (from_tuple(self._state_sequences(caches), self.state_type),)
        return result

    def backward(self, d_output, d_state, cache):
        """d_output (B, T, dirs*H) or None; d_state like the state or None -> (dx (B, T, D), d_state0)."""
        cache, batch = self.open_cache(cache, d_output)
        d_parts = None if d_state is None else self._check_state(d_state, batch, "d_state", allow_none=True)
        d_states0, d_inputs = [], d_output
        for k in range(self.num_layers - 1, -1, -1):
            layer_cache, drop = cache[k]
            if drop is not None and d_inputs is not None:
                d_inputs = F.dropout_backward(d_inputs, drop)
            d_layer_state = _slice(d_parts, k * self.num_directions, (k + 1) * self.num_directions)
            if d_layer_state is not None and not self.bidirectional:
                d_layer_state = tuple(None if p is None else p[0] for p in d_layer_state)
            d_inputs, d_state0 = self.layers[k].run_backward(d_inputs, d_layer_state, layer_cache)[:2]
            d_states0.append(d_state0 if self.bidirectional else tuple(p[None] for p in d_state0))
        d_state0 = tuple(np.concatenate(p) for p in zip(*d_states0[::-1]))
        return d_inputs, from_tuple(d_state0, self.state_type)

    def step(self, x: np.ndarray, state=None):
        """Inference only, one time step with no cache (streaming, sampling): x (B, D) -> (y (B, H), state).

        state as forward's ((L, B, H) parts) or None. Unidirectional stacks only (a reverse direction
        needs the whole sequence); no dropout (eval semantics).
        """
        if self.bidirectional:
            raise InvalidValueError("step: expected a unidirectional stack, got bidirectional=True (the reverse "
                                    "direction needs the whole sequence; use forward)")
        check_array("x", x, (None, self.input_size), self.dtype)
        parts = self._check_state(state, x.shape[0])
        finals = []
        for k, layer in enumerate(self.layers):
            finals.append(layer.run_step(x, tuple(p[k] for p in parts)))  # fused step on the numba backend
            x = finals[-1][0]  # (B, H): the next layer's input
        return x, from_tuple(tuple(np.stack(p) for p in zip(*finals)), self.state_type)

    def _check_state(self, state, batch: int, name: str = "state", allow_none: bool = False) -> tuple:
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        if state is None:
            return tuple(np.zeros(shape, self.dtype) for _ in range(self.spec.num_states))
        parts = to_tuple(state)
        if len(parts) != self.spec.num_states:
            raise InvalidTypeError(f"{name}: expected {self.spec.describe_state()}, got {type(state).__name__} "
                                   f"of {len(parts)}")
        return tuple(p if p is None and allow_none else check_array(f"{name}[{k}]", p, shape, self.dtype)
                     for k, p in enumerate(parts))

    def state_sequence(self, cache) -> tuple:
        """Every step's state from a forward cache: tuple of (L*dirs, B, T, H)."""
        return self._state_sequences(self.open_cache(cache, None)[0])

    def cells(self) -> list:
        """Every cell of the stack, layer by layer (forward direction first)."""
        return [d.cell for layer in self.layers for d in getattr(layer, "directions", (layer,))]

    def _state_sequences(self, caches) -> tuple:
        per_layer = []
        for layer, (cache, _) in zip(self.layers, caches):
            seq = layer.run_state_sequence(cache)
            per_layer.append(seq if self.bidirectional else tuple(s[None] for s in seq))
        return tuple(np.concatenate(p) for p in zip(*per_layer))  # each (L*dirs, B, T, H)


class RNN(RecurrentStack):
    """Elman RNN layers; nonlinearity 'tanh' or 'relu'."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=True, dropout=0.0, bidirectional=False, merge="concat", dtype=np.float32, rng=None):
        check_option("nonlinearity", nonlinearity, {"tanh", "relu"})
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         merge, dtype, rng, cell="rnn" if nonlinearity == "tanh" else "rnn-relu")


class LSTM(RecurrentStack):
    """LSTM layers (gates i, f, g, o); state LSTMState(h, c)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=True, dropout=0.0,
                 bidirectional=False, merge="concat", dtype=np.float32, rng=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         merge, dtype, rng, cell="lstm")


class GRU(RecurrentStack):
    """GRU layers, PyTorch's variant (r, z, n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=True, dropout=0.0,
                 bidirectional=False, merge="concat", dtype=np.float32, rng=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         merge, dtype, rng, cell="gru")


class LeakyRNN(RecurrentStack):
    """Leaky-integrator RNN layers; alpha a rate in (0, 1], scalar or (H,) per unit."""

    def __init__(self, input_size, hidden_size, num_layers=1, alpha=0.5, nonlinearity="tanh", bias=True,
                 batch_first=True, dropout=0.0, bidirectional=False, merge="concat", dtype=np.float32, rng=None):
        self.alpha, self.nonlinearity = alpha, nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         merge, dtype, rng, cell="leaky", alpha=alpha, nonlinearity=nonlinearity)
