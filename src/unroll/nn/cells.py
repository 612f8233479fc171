"""Recurrent cells: one step, x_t and state_{t-1} -> state_t, with PyTorch's parameter names.

Each cell names its step kernels (see unroll.functional) and is declared once in the cell registry
(`registry.py`: gates, state layout, bias folding, torch counterpart, initialisers) by the
`@register` line above its class; the runner in `recurrent.py` loops any of them over time. As
modules, cells take one step (x (B, D)):

    h, cache = cell.forward(x, h0)           # LSTMCell: LSTMState(h, c)
    dx, dh0 = cell.backward(dh, cache)       # weight gradients are added to cell.grads
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import backend
from .. import functional as F
from .._checks import as_rng, check_array, check_dtype, check_option, check_size
from ..init import pytorch_default
from .module import Module
from .registry import chrono, forget_bias_one, fused_kernels, identity_recurrent, orthogonal_recurrent, register
from .state import LSTMState, from_tuple, to_tuple
from ..errors import InvalidValueError, InvalidTypeError


_UNSET = object()


class Cell(Module):
    """Base for cells with weight_ih (G*H, D), weight_hh (G*H, H), bias_ih and bias_hh (G*H,).

    A subclass is declared with `@register(name, gates=..., ...)` (its `SPEC`) and defines
    `kernels()`, the (step_forward, step_backward) pair.
    """

    SPEC = None  # set by @register

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32, rng=None):
        super().__init__()
        check_size("input_size", input_size)
        check_size("hidden_size", hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bool(bias)
        self.dtype = check_dtype(dtype)
        rng = as_rng(rng)
        GH = self.SPEC.gates * hidden_size
        shapes = {"weight_ih": (GH, input_size), "weight_hh": (GH, hidden_size)}
        if bias:
            shapes.update(bias_ih=(GH,), bias_hh=(GH,))
        for name, shape in shapes.items():
            self.add_param(name, pytorch_default(shape, hidden_size, rng, self.dtype))

    def kernels(self):
        raise NotImplementedError

    def fused(self):
        """The cell's fused kernels when the backend is "numba" and the cell has them, else None.

        Looked up once per instance (the registry scan costs more than a streaming step's product)."""
        if not backend.fused_enabled():
            return None
        found = self.__dict__.get("_fused", _UNSET)
        if found is _UNSET:
            found = self.__dict__["_fused"] = fused_kernels(self)
        return found

    @property
    def num_states(self) -> int:
        return self.SPEC.num_states

    @property
    def state_type(self):
        """None (the state is one array h) or the NamedTuple class of the state, e.g. LSTMState."""
        return self.SPEC.state

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

    def check_state(self, state, batch: int, name: str = "state", allow_none: bool = False) -> tuple:
        """Public state -> validated tuple of (B, H); None -> zeros. allow_none: entries may be None
        (a state gradient with no gradient for some part)."""
        if state is None:
            return self.zero_state(batch)
        parts = to_tuple(state)
        if len(parts) != self.num_states:
            raise InvalidTypeError(f"{name}: expected {self.SPEC.describe_state()}, "
                                   f"got {type(state).__name__} of {len(parts)}")
        shape = (batch, self.hidden_size)
        for k, part in enumerate(parts):  # a plain loop: streaming calls this every step
            if part is not None or not allow_none:
                check_array(f"{name}[{k}]", part, shape, self.dtype)
        return parts

    def forward(self, x: np.ndarray, state=None):
        """One step. x (B, D); state (B, H) or LSTMState or None. Returns (state_t, cache)."""
        check_array("x", x, (None, self.input_size), self.dtype)
        state = self.check_state(state, x.shape[0])
        step_forward, _ = self.kernels()
        _, new_state, cache = F.recurrent_forward(step_forward, x[:, None], state, *self.weights(),
                                                  fold_b_hh=self.SPEC.fold_b_hh)
        return from_tuple(new_state, self.state_type), self.make_cache(new_state[0], cache)

    def step(self, x: np.ndarray, state=None):
        """Inference only: one step with no cache, for streaming. x (B, D) -> state_t like forward's."""
        check_array("x", x, (None, self.input_size), self.dtype)
        parts = self.check_state(state, x.shape[0])
        fused = self.fused()
        if fused is not None:  # the compiled step of the same equations (held equal by the parity tests)
            return from_tuple(fused.step(x, parts, *self.weights()), self.state_type)
        w_ih, w_hh, b_ih, b_hh = self.weights()
        gx = x @ w_ih.T  # (B, G*H)
        if b_ih is not None:
            gx += b_ih
        new_state, _ = self.kernels()[0](gx, parts, w_hh, b_hh)
        return from_tuple(new_state, self.state_type)

    def backward(self, d_state, cache):
        """d_state like the state (entries may be None). Returns (dx (B, D), d_state_prev)."""
        cache = self.open_cache(cache, None)
        d_parts = to_tuple(d_state)
        B = cache.states[0].shape[0]
        if d_parts is not None:
            d_parts = self.check_state(d_state, B, "d_state", allow_none=True)
        _, step_backward = self.kernels()
        dx, d_prev, *weight_grads = F.recurrent_backward(step_backward, None, d_parts, cache)
        self.accumulate(*weight_grads)
        return dx[:, 0], from_tuple(d_prev, self.state_type)


@register("rnn-relu", gates=1, options={"nonlinearity": "relu"}, torch=("RNN", {"nonlinearity": "relu"}),
          initializers={"orthogonal": orthogonal_recurrent, "identity": identity_recurrent},
          description="Elman RNN, ReLU")
@register("rnn", gates=1, options={"nonlinearity": "tanh"}, torch=("RNN", {"nonlinearity": "tanh"}),
          initializers={"orthogonal": orthogonal_recurrent},
          description="Elman RNN, tanh")
class RNNCell(Cell):
    """Elman cell: h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=np.float32, rng=None):
        check_option("nonlinearity", nonlinearity, {"tanh", "relu"})
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, dtype, rng)

    def kernels(self):
        return (partial(F.rnn_step_forward, nonlinearity=self.nonlinearity),
                partial(F.rnn_step_backward, nonlinearity=self.nonlinearity))


@register("lstm", gates=4, state=LSTMState, torch=("LSTM", {}),
          sigmoid_gates={"input": 0, "forget": 1, "output": 3}, gate_reader=F.lstm_gates,
          initializers={"forget_bias": forget_bias_one, "chrono": chrono, "orthogonal": orthogonal_recurrent},
          description="LSTM with forget gate (i, f, g, o)")
class LSTMCell(Cell):
    """LSTM cell, gates i, f, g, o stacked in that order in weight_ih (4H, D) as in PyTorch."""

    def kernels(self):
        return F.lstm_step_forward, F.lstm_step_backward


@register("gru", gates=3, fold_b_hh=False,  # b_hn sits inside the reset gate's product
          torch=("GRU", {}), sigmoid_gates={"reset": 0, "update": 1}, gate_reader=F.gru_gates,
          initializers={"orthogonal": orthogonal_recurrent},
          description="GRU, PyTorch's variant (r, z, n)")
class GRUCell(Cell):
    """GRU cell, PyTorch's variant: gates r, z, n; the reset gate scales W_hn h + b_hn."""

    def kernels(self):
        return F.gru_step_forward, F.gru_step_backward


@register("leaky", gates=1, initializers={"orthogonal": orthogonal_recurrent},
          description="leaky-integrator RNN (alpha: leak rate)")
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


@register("peephole", gates=4, state=LSTMState, torch=None,  # torch.nn has no peephole LSTM
          sigmoid_gates={"input": 0, "forget": 1, "output": 3}, gate_reader=F.peephole_gates,
          initializers={"forget_bias": forget_bias_one, "chrono": chrono, "orthogonal": orthogonal_recurrent},
          description="peephole LSTM (i, f see c_{t-1}, o sees c_t)")
class PeepholeLSTMCell(Cell):
    """LSTM whose gates see the cell state through diagonal weights `weight_peephole` (3H,) =
    [p_i | p_f | p_o] (see functional/peephole_cell.py); the rest as LSTMCell (i, f, g, o).

    The runner returns only the gradients of weight_ih, weight_hh and the biases, so the peephole
    weights travel in the kernels' partials: each `kernels()` call binds them and a fresh (3H,)
    gradient accumulator, the step backward adds dL/dp into it, and `accumulate` (which the runner
    calls right after that BPTT) adds it to grads['weight_peephole']. A backward that does not
    accumulate (`Recurrent.state_gradients`, the Jacobian diagnostics) leaves grads untouched.
    """

    def __init__(self, input_size, hidden_size, bias=True, dtype=np.float32, rng=None):
        rng = as_rng(rng)
        super().__init__(input_size, hidden_size, bias, dtype, rng)
        self.add_param("weight_peephole", pytorch_default((3 * hidden_size,), hidden_size, rng, self.dtype))
        self._d_peephole = None  # the accumulator bound by the last kernels() call

    def kernels(self):
        p = self.params["weight_peephole"]
        self._d_peephole = np.zeros_like(p)  # (3H,)
        return (partial(F.peephole_step_forward, peephole=p),
                partial(F.peephole_step_backward, peephole=p, d_peephole=self._d_peephole))

    def accumulate(self, dw_ih, dw_hh, db_ih, db_hh) -> None:
        super().accumulate(dw_ih, dw_hh, db_ih, db_hh)
        if self._d_peephole is not None:
            self.grads["weight_peephole"] += self._d_peephole
            self._d_peephole = None
