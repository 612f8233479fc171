"""Gate activations and saturation of gated cells (LSTM, GRU).

A sigmoid gate near 0 or 1 is saturated: its derivative s (1 - s) is nearly 0, so the gradient
through its pre-activation vanishes, but the gate then acts as a clean switch. A forget gate near 1
is what keeps the LSTM's cell-state path dc_t/dc_{t-1} = f_t from shrinking; an update gate z near 1
does the same for the GRU's h_t = (1 - z) n + z h_{t-1}.

The gates are not recomputed: every step cache of a forward run already holds them, and each gated
kernel has an accessor beside it (`lstm_gates`, `gru_gates`: step cache -> {block index: (B, H)})
that reads them out. Which blocks are sigmoids, their names and the accessor come from the cell's
registry entry (`sigmoid_gates`, `gate_reader`), so a cell declares its gates in one place.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidTypeError, InvalidValueError
from ..nn import registry
from .gradient_flow import single_layer

__all__ = ["gate_activations", "gate_saturation"]


def gate_activations(model, x: np.ndarray, state=None) -> dict:
    """Every sigmoid gate's value at every step, from one forward run.

    model: one-layer forward LSTM/GRU (a `RecurrentStack`) or a `Recurrent` of a gated cell;
    x (B, T, D); state: initial state laid out like the model's ((1, B, H) for a stack, (B, H) for
    a `Recurrent`; LSTMState for the LSTM), or None. Returns {gate name: (B, T, H)} with the
    registry's names: input, forget, output for the LSTM; reset, update for the GRU.
    """
    runner, _ = single_layer(model)
    spec = registry.spec_of(runner.cell)
    names = spec.sigmoid_gates  # {name: gate block index}
    if not names:
        gated = [n for n in registry.names() if registry.get(n).sigmoid_gates]
        raise InvalidTypeError(f"model: expected a layer of a gated cell ({', '.join(gated)}), "
                               f"got a {type(runner.cell).__name__}")
    read = spec.gate_reader
    if read is None:
        raise InvalidTypeError(f"model: cell {spec.name!r} declares sigmoid gates but no gate_reader in its "
                               "registry entry")
    _, _, cache = model.forward(x, state)
    _, kernel_cache = single_layer(model, cache)
    steps = [read(step_cache) for step_cache in kernel_cache.step_caches]  # T dicts of (B, H)
    return {name: np.stack([s[k] for s in steps], axis=1) for name, k in names.items()}  # each (B, T, H)


def gate_saturation(model, x: np.ndarray, state=None, threshold: float = 0.1) -> dict:
    """Fraction of gate values near 0 (< threshold) and near 1 (> 1 - threshold).

    Arguments as `gate_activations`; threshold in (0, 0.5). Returns {gate name: array [near 0, near 1]}
    (float64), over all sequences, steps and units.
    """
    if not 0.0 < threshold < 0.5:
        raise InvalidValueError(f"threshold: expected a value in (0, 0.5), got {threshold}")
    return {name: np.array([(g < threshold).mean(), (g > 1.0 - threshold).mean()])
            for name, g in gate_activations(model, x, state).items()}
