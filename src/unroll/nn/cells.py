"""Recurrent cells: one step, x_t and state_{t-1} -> state_t, with PyTorch's parameter names.

Each cell names its step kernels (see unroll.functional) and the state it carries; the runner in
`recurrent.py` loops any of them over time. As modules, cells take one step (x (B, D)):

    h, cache = cell.forward(x, h0)           # LSTMCell: LSTMState(h, c)
    dx, dh0 = cell.backward(dh, cache)       # weight gradients are added to cell.grads
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_array, check_dtype, check_option
from ..init import pytorch_default
from .module import Module
from .state import from_tuple, to_tuple
from ..errors import InvalidValueError, InvalidTypeError


class Cell(Module):
    """Base for cells with weight_ih (G*H, D), weight_hh (G*H, H), bias_ih and bias_hh (G*H,).

    Subclasses set GATES, IS_LSTM and `kernels()`, the (step_forward, step_backward) pair.
    """

    GATES = 1
    IS_LSTM = False
    FOLD_B_HH = True  # b_hh only ever adds to gx, so the runner folds it into the input projection

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32, rng=None):
        super().__init__()
        if input_size < 1 or hidden_size < 1:
            raise InvalidValueError(f"input_size and hidden_size: expected >= 1, got {input_size}, {hidden_size}")
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.dtype = check_dtype(dtype)
        rng = as_rng(rng)
        GH = self.GATES * hidden_size
        shapes = {"weight_ih": (GH, input_size), "weight_hh": (GH, hidden_size)}
        if bias:
            shapes.update(bias_ih=(GH,), bias_hh=(GH,))
        for name, shape in shapes.items():
            self.add_param(name, pytorch_default(shape, hidden_size, rng, self.dtype))

    def kernels(self):
        raise NotImplementedError

    @property
    def num_states(self) -> int:
        return 2 if self.IS_LSTM else 1

    def weights(self) -> tuple:
        """(weight_ih, weight_hh, bias_ih or None, bias_hh or None), the runner's argument order."""
        p = self.params
        return p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")

    def accumulate(self, dw_ih, dw_hh, db_ih, db_hh) -> None:
        """Add weight gradients into self.grads (in place: the arrays are shared with parents)."""
        g = self.grads
        g["weight_ih"] += dw_ih
        g["weight_hh"] += dw_hh
        if self.bias:
            g["bias_ih"] += db_ih
            g["bias_hh"] += db_hh

    def zero_state(self, batch: int) -> tuple:
        return tuple(np.zeros((batch, self.hidden_size), self.dtype) for _ in range(self.num_states))

    def check_state(self, state, batch: int, name: str = "state") -> tuple:
        """Public state -> validated tuple of (B, H); None -> zeros."""
        if state is None:
            return self.zero_state(batch)
        parts = to_tuple(state)
        if len(parts) != self.num_states:
            raise InvalidTypeError(f"{name}: expected {'LSTMState(h, c)' if self.IS_LSTM else 'an array h'}, "
                            f"got {type(state).__name__} of {len(parts)}")
        shape = (batch, self.hidden_size)
        for k, part in enumerate(parts):  # a plain loop: streaming calls this every step
            check_array(f"{name}[{k}]", part, shape, self.dtype)
        return parts

    def forward(self, x: np.ndarray, state=None):
        """One step. x (B, D); state (B, H) or LSTMState or None. Returns (state_t, cache)."""
        check_array("x", x, (None, self.input_size), self.dtype)
        state = self.check_state(state, x.shape[0])
        step_forward, _ = self.kernels()
        _, new_state, cache = F.recurrent_forward(step_forward, x[:, None], state, *self.weights(),
                                                  fold_b_hh=self.FOLD_B_HH)
        return from_tuple(new_state, self.IS_LSTM), cache

    def step(self, x: np.ndarray, state=None):
        """Inference only: one step with no cache, for streaming. x (B, D) -> state_t like forward's."""
        check_array("x", x, (None, self.input_size), self.dtype)
        parts = self.check_state(state, x.shape[0])
        w_ih, w_hh, b_ih, b_hh = self.weights()
        gx = x @ w_ih.T  # (B, G*H)
        if b_ih is not None:
            gx += b_ih
        new_state, _ = self.kernels()[0](gx, parts, w_hh, b_hh)
        return from_tuple(new_state, self.IS_LSTM)

    def backward(self, d_state, cache):
        """d_state like the state (entries may be None). Returns (dx (B, D), d_state_prev)."""
        _, step_backward = self.kernels()
        dx, d_prev, *weight_grads = F.recurrent_backward(step_backward, None, to_tuple(d_state), cache)
        self.accumulate(*weight_grads)
        return dx[:, 0], from_tuple(d_prev, self.IS_LSTM)


class RNNCell(Cell):
    """Elman cell: h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=np.float32, rng=None):
        check_option("nonlinearity", nonlinearity, {"tanh", "relu"})
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype, rng)

    def kernels(self):
        return (partial(F.rnn_step_forward, nonlinearity=self.nonlinearity),
                partial(F.rnn_step_backward, nonlinearity=self.nonlinearity))


class LSTMCell(Cell):
    """LSTM cell, gates i, f, g, o stacked in that order in weight_ih (4H, D) as in PyTorch."""

    GATES = 4
    IS_LSTM = True

    def kernels(self):
        return F.lstm_step_forward, F.lstm_step_backward


class GRUCell(Cell):
    """GRU cell, PyTorch's variant: gates r, z, n; the reset gate scales W_hn h + b_hn."""

    GATES = 3
    FOLD_B_HH = False  # b_hn sits inside the reset gate's product

    def kernels(self):
        return F.gru_step_forward, F.gru_step_backward


class LeakyRNNCell(Cell):
    """Leaky integrator: h_t = (1 - alpha) h_{t-1} + alpha phi(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).

    alpha: leak rate in (0, 1], a float or an (H,) array of per-unit rates (fixed, not trained).
    """

    def __init__(self, input_size, hidden_size, alpha=0.5, bias=True, nonlinearity="tanh",
                 dtype=np.float32, rng=None):
        check_option("nonlinearity", nonlinearity, {"tanh", "relu"})
        alpha_arr = np.asarray(alpha, dtype=dtype)
        if alpha_arr.shape not in ((), (hidden_size,)) or not ((alpha_arr > 0) & (alpha_arr <= 1)).all():
            raise InvalidValueError(f"alpha: expected a rate in (0, 1], scalar or shape ({hidden_size},), got {alpha!r}")
        self.alpha, self.nonlinearity = alpha_arr, nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype, rng)

    def kernels(self):
        options = dict(alpha=self.alpha, nonlinearity=self.nonlinearity)
        return partial(F.leaky_step_forward, **options), partial(F.leaky_step_backward, **options)
