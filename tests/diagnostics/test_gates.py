"""Gate activations against the step kernels' own gates, and saturation fractions by construction."""
import numpy as np
import pytest

from unroll.diagnostics import gate_activations, gate_saturation
from unroll.functional import gru_step_forward, lstm_step_forward
from unroll.nn import GRU, LSTM, RNN


def _kernel_gates(model, x):
    """Gates as the step kernels compute them, step by step: {name: (B, T, H)}."""
    w_ih, w_hh = model.params["weight_ih_l0"], model.params["weight_hh_l0"]
    b_ih, b_hh = model.params["bias_ih_l0"], model.params["bias_hh_l0"]
    B, T, _ = x.shape
    H = model.hidden_size
    state = (np.zeros((B, H)),) * (2 if model.is_lstm else 1)
    found = []
    for t in range(T):
        gx = x[:, t] @ w_ih.T + b_ih
        if model.is_lstm:
            state, (_, gates, _) = lstm_step_forward(gx, state, w_hh, b_hh)
            found.append({"input": gates[:, :H], "forget": gates[:, H:2 * H], "output": gates[:, 3 * H:]})
        else:
            state, (_, rz, _, _) = gru_step_forward(gx, state, w_hh, b_hh)
            found.append({"reset": rz[:, :H], "update": rz[:, H:]})
    return {k: np.stack([f[k] for f in found], axis=1) for k in found[0]}


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_gate_activations_equal_the_kernels(cls):
    model = cls(3, 4, dtype=np.float64, rng=0)
    x = np.random.default_rng(1).standard_normal((2, 6, 3))
    got, expected = gate_activations(model, x), _kernel_gates(model, x)
    assert sorted(got) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-12)


def test_saturation_fractions_by_construction():
    model = LSTM(3, 4, dtype=np.float64, rng=0)
    bias = model.params["bias_ih_l0"]
    bias[4:8] = 20.0  # forget gate: always ~1
    bias[:2] = -20.0  # half the input gates: always ~0
    bias[2:4] = 0.0
    model.params["weight_ih_l0"][:] = 0.0
    model.params["weight_hh_l0"][:] = 0.0
    model.params["bias_hh_l0"][:] = 0.0
    sat = gate_saturation(model, np.ones((2, 5, 3)), threshold=0.1)
    np.testing.assert_allclose(sat["forget"], [0.0, 1.0])
    np.testing.assert_allclose(sat["input"], [0.5, 0.0])  # the other half sit at sigmoid(0) = 0.5
    np.testing.assert_allclose(sat["output"], [0.0, 0.0])


def test_gates_reject_a_vanilla_rnn_and_a_bad_threshold():
    with pytest.raises(TypeError, match="LSTM or GRU"):
        gate_activations(RNN(3, 4, rng=0), np.zeros((1, 2, 3), np.float32))
    with pytest.raises(ValueError, match="threshold"):
        gate_saturation(LSTM(3, 4, rng=0), np.zeros((1, 2, 3), np.float32), threshold=0.7)
