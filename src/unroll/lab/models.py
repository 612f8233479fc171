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
from ..nn import Linear, Module, registry

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


class LabModel(Module):
    """Recurrent layer -> Linear, read out at the last step (many_to_one) or at every step.

    x (B, T, D) -> prediction (B, O) or (B, T, O). Parameters: the layer's names, and
    'head.weight', 'head.bias'.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, output_size: int, many_to_one: bool,
                 T: int, rng=None, dtype=np.float32):
        super().__init__()
        rng = as_rng(rng)
        self.cell, self.many_to_one = cell, many_to_one
        self.rnn = self.add_module(build_recurrent(cell, input_size, hidden_size, T, rng, dtype), lambda k: k)
        self.head = self.add_module(Linear(hidden_size, output_size, dtype=dtype, rng=rng), "head")

    def forward(self, x: np.ndarray):
        """x (B, T, D) -> (prediction (B, O) or (B, T, O), cache)."""
        output, _, rnn_cache = self.rnn.forward(x)  # (B, T, H)
        features = output[:, -1] if self.many_to_one else output  # (B, H) or (B, T, H)
        pred, head_cache = self.head.forward(features)
        return pred, (rnn_cache, head_cache, output.shape)

    def backward(self, d_pred: np.ndarray, cache) -> None:
        """d_pred like the prediction; gradients accumulate into self.grads."""
        rnn_cache, head_cache, _ = cache
        self.rnn.backward(self._spread(self.head.backward(d_pred, head_cache), cache), None, rnn_cache)

    def output_gradient(self, d_pred: np.ndarray, cache) -> np.ndarray:
        """dL/d(recurrent output) (B, T, H) for the diagnostics, leaving grads untouched."""
        d_features, _, _ = F.linear_backward(d_pred, cache[1])
        return self._spread(d_features, cache)

    def _spread(self, d_features: np.ndarray, cache) -> np.ndarray:
        if not self.many_to_one:
            return d_features  # (B, T, H)
        d_output = np.zeros(cache[2], dtype=d_features.dtype)  # (B, T, H): only the last step is read
        d_output[:, -1] = d_features
        return d_output
