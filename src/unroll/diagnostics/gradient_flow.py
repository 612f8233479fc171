"""Gradient flow through time: dL/d state_k for every step k.

BPTT carries one quantity backwards, the gradient of the loss with respect to the state:

    dL/dh_k = dL/dy_k + dL/dh_{k+1} . dh_{k+1}/dh_k

so the gradient that reaches step k from a loss at step T is a product of T - k step Jacobians.
A vanilla RNN's Jacobian is diag(phi'(a)) W_hh: when its norms stay below 1 that product, and with
it dL/dh_k, shrinks geometrically as k moves away from T (vanishing gradients); above 1 it grows
(exploding). The LSTM's cell state has the additive path dc_{k}/dc_{k-1} = diag(f_k) instead.

There is one BPTT in unroll, the generic runner's (`functional.recurrent_backward`); the
diagnostics run it over the model's forward cache with `keep_d_states`, which keeps every
intermediate dL/d state_k, and without accumulating anything into the model's grads.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array
from ..nn.recurrent import Recurrent
from ..nn.rnn import RecurrentStack
from ..nn.state import to_tuple
from ..errors import InvalidValueError, InvalidTypeError

__all__ = ["single_layer", "state_gradients", "gradient_flow"]


def single_layer(model, cache=None):
    """The `Recurrent` runner of a one-layer, one-direction model, and its kernel cache.

    model: a `Recurrent` or a `RecurrentStack` (RNN, LSTM, GRU, LeakyRNN) with num_layers=1 and
    bidirectional=False; cache: that model's forward cache, or None. Returns (runner, kernel_cache),
    kernel_cache the `functional.recurrent.RecurrentCache` of the run (None without a cache).
    """
    runner, run_cache = _open(model, cache, None, optional=True)
    return runner, None if run_cache is None else run_cache[0]


def _open(model, cache, d_output=None, optional=False):
    """(runner, the runner's unwrapped run cache (kernel_cache, lengths)), after checking that `cache`
    is `model`'s forward cache of full sequences and d_output (if given) matches its output.
    optional: a None cache gives (runner, None) instead of an error."""
    if isinstance(model, RecurrentStack):
        if model.num_layers != 1 or model.bidirectional:
            raise InvalidValueError(f"model: expected one layer in one direction, got num_layers={model.num_layers}, "
                                    f"bidirectional={model.bidirectional} (pass one of its layers instead)")
        runner = model.layers[0]
    elif isinstance(model, Recurrent):
        runner = model
    else:
        raise InvalidTypeError(f"model: expected a Recurrent or an RNN/LSTM/GRU/LeakyRNN, got {type(model).__name__}")
    if runner.reverse:
        raise InvalidValueError("model: expected a forward-in-time layer, got reverse=True")
    if cache is None:
        if optional:
            return runner, None
        raise InvalidTypeError("cache: expected the model's forward cache, got None")
    data = model.open_cache(cache, d_output)
    # A stack's data is ([(layer_cache, dropout_cache)], batch); one layer has no dropout after it.
    run_cache = data[0][0][0] if isinstance(model, RecurrentStack) else data
    if run_cache[1] is not None:
        # With lengths, a finished sequence's state_k is carried, not computed, past its end, so
        # per-step norms averaged over the batch would mix the two; diagnostics take full sequences.
        raise InvalidValueError("cache: expected a forward run without lengths (diagnostics use full sequences)")
    return runner, run_cache


def _backprop(model, cache, d_output, d_state):
    """The runner's BPTT keeping every step, grads untouched: (dx (B, T, D), d_states tuple of (B, T+1, H))."""
    runner, run_cache = _open(model, cache, d_output)
    parts = to_tuple(d_state)
    if parts is not None:
        batch = run_cache[0].states[0].shape[0]
        if isinstance(model, RecurrentStack):  # the stack's layout (1, B, H) -> the runner's (B, H)
            parts = tuple(None if p is None else check_array(f"d_state[{k}]", p, (1, batch, runner.hidden_size),
                                                             runner.dtype)[0] for k, p in enumerate(parts))
        parts = runner.cell.check_state(parts, batch, "d_state", allow_none=True)
    dx, _, d_states = runner.run_backward(d_output, parts, run_cache, accumulate=False, keep_d_states=True)
    return dx, d_states


def state_gradients(model, cache, d_output, d_state=None) -> tuple:
    """dL/d state_k for k = 0..T.

    model: one-layer forward `Recurrent`/RNN/LSTM/GRU/LeakyRNN; cache: its forward cache (no lengths);
    d_output (B, T, H): dL/d output, or None; d_state: dL/d final state, or None, laid out like the
    model's state ((1, B, H) for a stack, (B, H) for a `Recurrent`; LSTMState for the LSTM).
    Returns a tuple, one entry per state part (h; for the LSTM h and c), each (B, T+1, H); index k is
    the gradient at state_k (0 the initial state), treating (h_k, c_k) as the inputs of everything
    after step k, which is what BPTT carries (for c: the path through c_{k+1} only).
    """
    return _backprop(model, cache, d_output, d_state)[1]


def gradient_flow(model, cache, d_output, d_state=None, part: int = 0) -> np.ndarray:
    """||dL/dh_k||_2 for k = 0..T, averaged over the batch: (T+1,), float64.

    Arguments as `state_gradients`; part 0 is h, part 1 the LSTM's c.
    """
    grads = state_gradients(model, cache, d_output, d_state)
    if not 0 <= part < len(grads):
        raise InvalidValueError(f"part: expected 0..{len(grads) - 1}, got {part}")
    return np.linalg.norm(grads[part].astype(np.float64), axis=-1).mean(axis=0)  # (T+1,)
