"""An ESN as the initialisation of a trainable RNN (seed 001: "ESN can be used for
initialisation of other networks").

The reservoir update x(t) = (1 - a) x(t-1) + a f(W x(t-1) + W_in u(t) + b), f tanh or relu, is
exactly a one-layer leaky-integrator RNN with PyTorch's parameter names (the two share
functional.leaky_cell.leaky_update and the activation table):
    weight_ih_l0 = W_in (N, D), weight_hh_l0 = W (N, N) densified, bias_ih_l0 = b, bias_hh_l0 = 0,
and leak a as LeakyRNN's alpha (a plain unroll.nn.RNN when a = 1). A fitted ridge readout
(features = states only) becomes an nn.Linear (weight = coef_, bias = intercept_). The pair
computes the ESN's outputs before any training; BPTT then fine-tunes every weight, starting from
a network with the echo state property and a readout already at the least-squares optimum.
"""
from __future__ import annotations

import numpy as np

from ..nn import LeakyRNN, Linear, RNN
from .esn import ESN
from .reservoir import Reservoir
from ..errors import InvalidValueError


def rnn_from_reservoir(reservoir: Reservoir, dtype=None):
    """An unroll.nn.RNN (leak 1) or LeakyRNN (leak < 1, scalar or per unit) equal to `reservoir`.

    reservoir: an initialised Reservoir with tanh or relu units and no output feedback.
    dtype: of the network's parameters; the reservoir's dtype when None.
    """
    if not hasattr(reservoir, "W_"):
        raise InvalidValueError("reservoir: expected an initialised Reservoir (call initialize or run first)")
    if reservoir.activation not in ("tanh", "relu") or reservoir.feedback_size:
        raise InvalidValueError(f"reservoir: expected tanh or relu units without feedback, got activation="
                                f"{reservoir.activation!r} and {reservoir.feedback_size} feedback features")
    dtype = reservoir.dtype if dtype is None else dtype
    n, d = reservoir.units, reservoir.input_size
    leak = np.asarray(reservoir.leak_rate, dtype=np.float64)
    if np.all(leak == 1.0):
        rnn = RNN(d, n, nonlinearity=reservoir.activation, dtype=dtype, rng=0)
    else:
        rnn = LeakyRNN(d, n, alpha=reservoir.leak_rate, nonlinearity=reservoir.activation, dtype=dtype, rng=0)
    rnn.load_state_dict({
        "weight_ih_l0": reservoir.W_in_, "weight_hh_l0": reservoir.W_.toarray(),  # (N, D), (N, N)
        "bias_ih_l0": reservoir.bias_, "bias_hh_l0": np.zeros(n),
    })
    return rnn


def networks_from_esn(esn: ESN, dtype=None):
    """(rnn, linear) computing a fitted ESN's outputs: rnn as above (from esn.reservoir_), linear
    (O, N) the readout.

    The ESN must read out the states only (no input_to_readout, feedback or square_states).
    """
    if not hasattr(esn, "readout_"):
        raise InvalidValueError("esn: expected a fitted ESN, call fit first")
    if esn.input_to_readout or esn.feedback or esn.square_states:
        raise InvalidValueError("esn: expected a linear readout of the states only (input_to_readout=False, "
                                "feedback=False, square_states=False)")
    rnn = rnn_from_reservoir(esn.reservoir_, dtype)
    coef = esn.readout_.coef_  # (O, N)
    linear = Linear(coef.shape[1], coef.shape[0], dtype=rnn.dtype, rng=0)
    linear.load_state_dict({"weight": coef, "bias": esn.readout_.intercept_})
    return rnn, linear
