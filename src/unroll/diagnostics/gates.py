"""Gate activations and saturation of LSTM and GRU layers.

A sigmoid gate near 0 or 1 is saturated: its derivative s (1 - s) is nearly 0, so the gradient
through its pre-activation vanishes, but the gate then acts as a clean switch. A forget gate near 1
is what keeps the LSTM's cell-state path dc_t/dc_{t-1} = f_t from shrinking; an update gate z near 1
does the same for the GRU's h_t = (1 - z) n + z h_{t-1}.

The gates are recomputed from the inputs and each step's previous state (from the layer's own
forward run with output_states=True), with the cell's equations:
    LSTM: [i | f | g | o] = act(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), sigmoid for i, f, o
    GRU:  [r | z] = sigmoid(x W_ir,z^T + b_ir,z + h_{t-1} W_hr,z^T + b_hr,z)
"""
from __future__ import annotations

import numpy as np

from ..functional.activations import sigmoid_
from ..nn.cells import GRUCell, LSTMCell
from ..nn.state import to_tuple
from .gradient_flow import single_layer
from ..errors import InvalidValueError, InvalidTypeError

__all__ = ["gate_activations", "gate_saturation"]

_SIGMOID_GATES = {LSTMCell: {"input": 0, "forget": 1, "output": 3}, GRUCell: {"reset": 0, "update": 1}}


def gate_activations(model, x: np.ndarray, state=None) -> dict:
    """Every sigmoid gate's value at every step.

    model: one-layer forward LSTM/GRU or a `Recurrent` of an LSTMCell/GRUCell; x (B, T, D);
    state: initial state or None. Returns {gate name: (B, T, H)}: input, forget, output for the
    LSTM; reset, update for the GRU.
    """
    runner, _ = single_layer(model)
    gates = _SIGMOID_GATES.get(type(runner.cell))
    if gates is None:
        raise InvalidTypeError(f"model: expected an LSTM or GRU layer, got a {type(runner.cell).__name__}")
    _, _, _, steps = runner.forward(x, state, output_states=True)
    h_seq = to_tuple(steps)[0]  # (B, T, H): h_1..h_T
    h0 = runner.cell.check_state(state, x.shape[0])[0]  # (B, H)
    h_prev = np.concatenate([h0[:, None], h_seq[:, :-1]], axis=1)  # (B, T, H): h_0..h_{T-1}
    w_ih, w_hh, b_ih, b_hh = runner.cell.weights()
    H = runner.cell.hidden_size
    result = {}
    for name, k in gates.items():
        rows = slice(k * H, (k + 1) * H)
        pre = x @ w_ih[rows].T + h_prev @ w_hh[rows].T  # (B, T, H)
        if b_ih is not None:
            pre += b_ih[rows] + b_hh[rows]
        result[name] = sigmoid_(pre)  # in place over the fresh pre-activations
    return result


def gate_saturation(model, x: np.ndarray, state=None, threshold: float = 0.1) -> dict:
    """Fraction of gate values near 0 (< threshold) and near 1 (> 1 - threshold).

    Arguments as `gate_activations`; threshold in (0, 0.5). Returns {gate name: array [near 0, near 1]}
    (float64), over all sequences, steps and units.
    """
    if not 0.0 < threshold < 0.5:
        raise InvalidValueError(f"threshold: expected a value in (0, 0.5), got {threshold}")
    return {name: np.array([(g < threshold).mean(), (g > 1.0 - threshold).mean()])
            for name, g in gate_activations(model, x, state).items()}
