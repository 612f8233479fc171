"""The lab's models: one recurrent layer and a linear read-out, built with the initialisers the
long-term-dependency literature uses on the synthetic tasks.

Each lab cell is a registered cell and one of its named initialisers (`VARIANTS`; see
unroll.nn.registry):
    rnn    tanh Elman RNN, PyTorch's default init U(+-1/sqrt(H)) (spectral radius about 0.6: vanishing)
    ornn   tanh Elman RNN with orthogonal W_hh (Saxe et al. 2014; every singular value 1)
    irnn   ReLU RNN with W_hh = I and zero biases, inputs N(0, 0.001^2) (IRNN, Le et al. 2015)
    lstm   LSTM with forget-gate bias 1 (Gers et al. 2000; Jozefowicz et al. 2015)
    clstm  LSTM with chrono initialisation for time scales up to T (Tallec & Ollivier 2018)
    gru    GRU, PyTorch's default init
"""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._checks import as_rng, check_option
from ..nn import LastStep, Linear, Sequential, registry

__all__ = ["CELLS", "build_recurrent", "LabModel"]

# lab name -> (registered cell, its initialiser)
VARIANTS = {"rnn": ("rnn", "default"), "ornn": ("rnn", "orthogonal"), "irnn": ("rnn-relu", "identity"),
            "lstm": ("lstm", "forget_bias"), "clstm": ("lstm", "chrono"), "gru": ("gru", "default")}
CELLS = tuple(VARIANTS)


def build_recurrent(cell: str, input_size: int, hidden_size: int, T: int, rng=None, dtype=np.float32):
    """One recurrent layer of the named kind (see the module docstring), initialised in place.

    T: the task's sequence length, the chrono initialiser's longest time scale.
    """
    check_option("cell", cell, set(VARIANTS))
    rng = as_rng(rng)
    name, scheme = VARIANTS[cell]
    layer = registry.build_layer(name, input_size, hidden_size, dtype=dtype, rng=rng)
    return registry.initialize(layer, scheme, rng, max_steps=T) if scheme != "default" else layer


class LabModel(Sequential):
    """Sequential(rnn=recurrent layer, pool=LastStep(), head=Linear) for many-to-one tasks, read out
    at each sequence's last valid step; Sequential(rnn=..., head=...) (every step) otherwise.

    forward(x (B, T, D), state=None, lengths=None) -> (prediction (B, O) or (B, T, O), state, cache);
    backward(d_pred, d_state, cache) -> (dx (B, T, D), d_state0), gradients into self.grads.
    Parameters: 'rnn.<the layer's names>' ('rnn.weight_hh_l0', ...), 'head.weight', 'head.bias'.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int, many_to_one: bool,
                 T: int, rng=None, dtype=np.float32):
        rng = as_rng(rng)
        rnn = build_recurrent(cell, input_size, hidden_size, T, rng, dtype)
        head = Linear(hidden_size, output_size, dtype=dtype, rng=rng)
        if many_to_one:
            super().__init__(rnn=rnn, pool=LastStep(), head=head)
        else:
            super().__init__(rnn=rnn, head=head)
        self.cell, self.many_to_one = cell, many_to_one

    def rnn_cache(self, cache):
        """The recurrent layer's forward cache inside this model's cache (for the diagnostics)."""
        return self.open_cache(cache, None)[0]

    def output_gradient(self, d_pred: np.ndarray, cache) -> np.ndarray:
        """dL/d(recurrent output) (B, T, H) for the diagnostics, leaving grads untouched."""
        caches = self.open_cache(cache, d_pred)
        d_features, _, _ = F.linear_backward(d_pred, self.head.open_cache(caches[-1], d_pred))  # no grads touched
        if self.many_to_one:
            d_features, _ = self.pool.backward(d_features, None, caches[1])  # (B, T, H): the pool has no params
        return d_features
