"""Gradient flow through time: dL/d state_k for every step k.

BPTT carries one quantity backwards, the gradient of the loss with respect to the state:

    dL/dh_k = dL/dy_k + dL/dh_{k+1} . dh_{k+1}/dh_k

so the gradient that reaches step k from a loss at step T is a product of T - k step Jacobians.
A vanilla RNN's Jacobian is diag(phi'(a)) W_hh: when its norms stay below 1 that product, and with
it dL/dh_k, shrinks geometrically as k moves away from T (vanishing gradients); above 1 it grows
(exploding). The LSTM's cell state has the additive path dc_{k}/dc_{k-1} = diag(f_k) instead.

Here the backward loop is run with the cell's own step kernels over a forward cache (the same
kernels `recurrent_backward` calls) so that every intermediate dL/d state_k is kept; the runner
itself only returns the gradient at the initial state. Nothing is accumulated into the model's grads.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_array
from ..nn.recurrent import Recurrent
from ..nn.rnn import RecurrentStack
from ..nn.state import to_tuple
from ..errors import InvalidValueError, InvalidTypeError

__all__ = ["single_layer", "backprop_states", "state_gradients", "gradient_flow"]


def single_layer(model, cache=None):
    """The `Recurrent` runner of a one-layer, one-direction model, and its kernel cache.

    model: a `Recurrent` or a `RecurrentStack` (RNN, LSTM, GRU, LeakyRNN) with num_layers=1 and
    bidirectional=False; cache: that model's forward cache, or None. Returns (runner, kernel_cache).
    """
    if isinstance(model, RecurrentStack):
        if model.num_layers != 1 or model.bidirectional:
            raise InvalidValueError(f"model: expected one layer in one direction, got num_layers={model.num_layers}, "
                                    f"bidirectional={model.bidirectional} (pass one of its layers instead)")
        runner = model.layers[0]
        cache = None if cache is None else cache[0][0]  # [(layer_cache, dropout_cache)] -> layer_cache
    elif isinstance(model, Recurrent):
        runner = model
    else:
        raise InvalidTypeError(f"model: expected a Recurrent or an RNN/LSTM/GRU/LeakyRNN, got {type(model).__name__}")
    if runner.reverse:
        raise InvalidValueError("model: expected a forward-in-time layer, got reverse=True")
    if cache is None:
        return runner, None
    kernel_cache, lengths = cache
    if lengths is not None:
        raise InvalidValueError("cache: expected a forward run without lengths (diagnostics use full sequences)")
    return runner, kernel_cache


def backprop_states(model, cache, d_output, d_state=None):
    """BPTT keeping every step; arguments as `state_gradients`.

    Returns (d_states, dgx), time-major: d_states a tuple of (T+1, B, H), dL/d state_k; dgx (T, B, G*H),
    dL/d of each step's input projection.
    """
    runner, kc = single_layer(model, cache)
    _, step_backward = runner.cell.kernels()
    B, T1, H = kc.states[0].shape
    if d_output is not None:
        check_array("d_output", d_output, (B, T1 - 1, H), kc.states[0].dtype)
    d_out = None if d_output is None else d_output.transpose(1, 0, 2)  # (T, B, H)
    d_state = to_tuple(d_state) or (None,) * len(kc.states)
    if isinstance(model, RecurrentStack):  # stack layout (1, B, H) -> (B, H)
        d_state = tuple(None if d is None else d[0] for d in d_state)
    d_state = tuple(np.zeros((B, H), kc.states[0].dtype) if d is None
                    else check_array(f"d_state[{p}]", d, (B, H), kc.states[0].dtype) for p, d in enumerate(d_state))
    d_states = tuple(np.empty((T1, B, H), dtype=s.dtype) for s in kc.states)  # each (T+1, B, H)
    dgx = np.empty((T1 - 1, B, kc.w_hh.shape[0]), dtype=kc.w_hh.dtype)  # (T, B, G*H)
    for t in range(T1 - 2, -1, -1):
        if d_out is not None:  # dL/dh_{t+1}: from the output at that step + from the steps after it
            d_state = (d_state[0] + d_out[t],) + d_state[1:]
        for buf, d in zip(d_states, d_state):
            buf[t + 1] = d
        dgx[t], _, d_state = step_backward(d_state, kc.step_caches[t], kc.w_hh)
    for buf, d in zip(d_states, d_state):
        buf[0] = d
    return d_states, dgx


def state_gradients(model, cache, d_output, d_state=None) -> tuple:
    """dL/d state_k for k = 0..T.

    model: one-layer forward `Recurrent`/RNN/LSTM/GRU/LeakyRNN; cache: its forward cache (no lengths);
    d_output (B, T, H): dL/d output, or None; d_state: dL/d final state, or None, laid out like the
    model's state ((1, B, H) for a stack, (B, H) for a `Recurrent`; LSTMState for the LSTM).
    Returns a tuple, one entry per state part (h; for the LSTM h and c), each (B, T+1, H); index k is
    the gradient at state_k (0 the initial state), treating (h_k, c_k) as the inputs of everything
    after step k, which is what BPTT carries (for c: the path through c_{k+1} only).
    """
    d_states, _ = backprop_states(model, cache, d_output, d_state)
    return tuple(np.ascontiguousarray(d.transpose(1, 0, 2)) for d in d_states)


def gradient_flow(model, cache, d_output, d_state=None, part: int = 0) -> np.ndarray:
    """||dL/dh_k||_2 for k = 0..T, averaged over the batch: (T+1,), float64.

    Arguments as `state_gradients`; part 0 is h, part 1 the LSTM's c.
    """
    grads = state_gradients(model, cache, d_output, d_state)
    if not 0 <= part < len(grads):
        raise InvalidValueError(f"part: expected 0..{len(grads) - 1}, got {part}")
    return np.linalg.norm(grads[part].astype(np.float64), axis=-1).mean(axis=0)  # (T+1,)

