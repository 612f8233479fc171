"""Gate activations read from the forward cache against the gates recomputed from the cell equations,
and saturation fractions by construction."""
import numpy as np
import pytest

from unroll.diagnostics import gate_activations, gate_saturation, single_layer
from unroll.functional.gru_cell import gru_gates
from unroll.functional.lstm_cell import lstm_gates
from unroll.nn import GRU, GRUCell, LSTM, LSTMCell, LSTMState, RNN, Recurrent
from unroll.nn.state import to_tuple

B, T, D, H = 2, 6, 3, 4


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _equation_gates(model, x, state=None):
    """Every gate block recomputed from the equations, step by step: {block index: (B, T, H)}.

    LSTM: [i | f | g | o] = act(x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), tanh for g.
    GRU:  [r | z] = sigmoid(x W_ir,z^T + b_ir,z + h_{t-1} W_hr,z^T + b_hr,z),
          n = tanh(x W_in^T + b_in + r (h_{t-1} W_hn^T + b_hn)),  h_t = (1 - z) n + z h_{t-1}.
    """
    w_ih, w_hh, b_ih, b_hh = (model.params[k] for k in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"))
    lstm = model.state_type is LSTMState
    parts = [np.zeros((B, H))] * (2 if lstm else 1) if state is None else [p[0] for p in to_tuple(state)]
    blocks = lambda a: [a[:, k * H:(k + 1) * H] for k in range(a.shape[1] // H)]  # noqa: E731
    found = []
    for t in range(T):
        gx, gh = blocks(x[:, t] @ w_ih.T + b_ih), blocks(parts[0] @ w_hh.T + b_hh)
        if lstm:
            i, f, g, o = [(np.tanh if k == 2 else sigmoid)(gx[k] + gh[k]) for k in range(4)]
            c = f * parts[1] + i * g
            parts = [o * np.tanh(c), c]
            found.append((i, f, g, o))
        else:
            r, z = sigmoid(gx[0] + gh[0]), sigmoid(gx[1] + gh[1])
            n = np.tanh(gx[2] + r * gh[2])
            parts = [(1 - z) * n + z * parts[0]]
            found.append((r, z, n))
    return {k: np.stack([f[k] for f in found], axis=1) for k in range(len(found[0]))}


@pytest.mark.parametrize("cls, names", [(LSTM, {"input": 0, "forget": 1, "output": 3}),
                                        (GRU, {"reset": 0, "update": 1})])
def test_gates_read_from_the_cache_equal_the_equations(cls, names):
    model = cls(D, H, dtype=np.float64, rng=0)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((B, T, D))
    shape = (1, B, H)  # a nonzero initial state, in the stack's layout
    state = LSTMState(rng.standard_normal(shape), rng.standard_normal(shape)) if cls is LSTM else rng.standard_normal(shape)
    got, expected = gate_activations(model, x, state), _equation_gates(model, x, state)
    assert sorted(got) == sorted(names)
    for name, k in names.items():
        np.testing.assert_allclose(got[name], expected[k], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cls, read", [(LSTM, lstm_gates), (GRU, gru_gates)])
def test_kernel_accessors_return_every_gate_block(cls, read):
    """The tanh blocks too (LSTM g, GRU n), from the step caches of one forward run."""
    model = cls(D, H, dtype=np.float64, rng=2)
    x = np.random.default_rng(3).standard_normal((B, T, D))
    _, _, cache = model.forward(x)
    step_caches = single_layer(model, cache)[1].step_caches
    expected = _equation_gates(model, x)
    for t, step_cache in enumerate(step_caches):
        got = read(step_cache)
        assert sorted(got) == sorted(expected)
        for k in expected:
            np.testing.assert_allclose(got[k], expected[k][:, t], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("make_cell", [LSTMCell, GRUCell])
def test_a_recurrent_takes_its_own_state_layout(make_cell):
    layer = Recurrent(make_cell(D, H, dtype=np.float64, rng=4))
    rng = np.random.default_rng(5)
    x = rng.standard_normal((B, T, D))
    h0 = rng.standard_normal((B, H))
    state = LSTMState(h0, rng.standard_normal((B, H))) if make_cell is LSTMCell else h0
    got = gate_activations(layer, x, state)
    _, _, _, steps = layer.forward(x, state, output_states=True)
    h_prev = np.concatenate([h0[:, None], to_tuple(steps)[0][:, :-1]], axis=1)  # (B, T, H): h_0..h_{T-1}
    w_ih, w_hh, b_ih, b_hh = layer.cell.weights()
    for name, k in layer.cell.SPEC.sigmoid_gates.items():
        rows = slice(k * H, (k + 1) * H)
        expected = sigmoid(x @ w_ih[rows].T + b_ih[rows] + h_prev @ w_hh[rows].T + b_hh[rows])
        np.testing.assert_allclose(got[name], expected, rtol=1e-12, atol=1e-15)


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
    with pytest.raises(TypeError, match=r"gated cell \(lstm, .*gru.*\), got a RNNCell"):
        gate_activations(RNN(3, 4, rng=0), np.zeros((1, 2, 3), np.float32))
    with pytest.raises(ValueError, match="threshold"):
        gate_saturation(LSTM(3, 4, rng=0), np.zeros((1, 2, 3), np.float32), threshold=0.7)


def test_a_gated_cell_without_a_gate_reader_is_named(monkeypatch):
    import dataclasses

    from unroll.nn import registry
    lstm = LSTM(3, 4, rng=0)
    monkeypatch.setitem(registry.CELLS, "lstm", dataclasses.replace(registry.get("lstm"), gate_reader=None))
    with pytest.raises(TypeError, match="'lstm' declares sigmoid gates but no gate_reader"):
        gate_activations(lstm, np.zeros((1, 2, 3), np.float32))
