"""Gradient flow and saliency against finite differences in float64, and against the runner's own BPTT."""
import numpy as np
import pytest

from unroll.diagnostics import gradient_flow, input_saliency, single_layer, state_gradients
from unroll.nn import GRU, LSTM, RNN, LeakyRNN, LSTMCell, LSTMState, Recurrent
from unroll.nn.state import from_tuple, to_tuple

MODELS = [lambda: RNN(3, 4, dtype=np.float64, rng=0), lambda: LSTM(3, 4, dtype=np.float64, rng=1),
          lambda: GRU(3, 4, dtype=np.float64, rng=2), lambda: LeakyRNN(3, 4, alpha=0.3, dtype=np.float64, rng=3)]
B, T, H, EPS = 2, 6, 4, 1e-6


def _setup(make):
    rng = np.random.default_rng(10)
    model = make()
    x = rng.standard_normal((B, T, 3))
    weights = rng.standard_normal((B, T, H))  # L = sum(weights * output): a generic loss
    return model, x, weights


def _stack_state(model, parts):
    """Tuple of (B, H) -> the stack's public state, (1, B, H) per part."""
    return from_tuple(tuple(p[None] for p in parts), model.state_type)


def _loss_from(model, x, weights, k, parts):
    """L as a function of state_k = parts: steps k+1..T run from it, plus the output at step k (h_k)."""
    out, _, _ = model.forward(x[:, k:], _stack_state(model, parts))
    loss = (weights[:, k:] * out).sum()
    return loss + ((weights[:, k - 1] * parts[0]).sum() if k > 0 else 0.0)


@pytest.mark.parametrize("make", MODELS)
def test_state_gradients_match_finite_differences(make):
    model, x, weights = _setup(make)
    _, _, cache, steps = model.forward(x, output_states=True)
    grads = state_gradients(model, cache, weights)  # each (B, T+1, H)
    seq = tuple(s[0] for s in to_tuple(steps))  # each (B, T, H)
    assert len(grads) == len(seq) and all(g.shape == (B, T + 1, H) for g in grads)
    for k in (0, 2, T - 1, T):
        base = [np.zeros((B, H)) if k == 0 else s[:, k - 1].copy() for s in seq]
        for p in range(len(grads)):
            numeric = np.zeros((B, H))
            for b in range(B):
                for i in range(H):
                    plus, minus = [a.copy() for a in base], [a.copy() for a in base]
                    plus[p][b, i] += EPS
                    minus[p][b, i] -= EPS
                    numeric[b, i] = (_loss_from(model, x, weights, k, plus)
                                     - _loss_from(model, x, weights, k, minus)) / (2 * EPS)
            np.testing.assert_allclose(grads[p][:, k], numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("make", MODELS)
def test_initial_state_gradient_and_input_saliency_equal_the_runner_bptt(make):
    model, x, weights = _setup(make)
    _, _, cache = model.forward(x)
    rng = np.random.default_rng(11)
    d_state = _stack_state(model, [rng.standard_normal((B, H)) for _ in range(model.spec.num_states)])
    dx, d_state0 = model.backward(weights, d_state, cache)
    grads = state_gradients(model, cache, weights, d_state)
    for g, d in zip(grads, to_tuple(d_state0)):
        np.testing.assert_allclose(g[:, 0], d[0], rtol=1e-12, atol=1e-14)
    # at k = T: dL/d state_T as given, plus, for h, the output's gradient at the last step
    final = (weights[:, -1],) + (0.0,) * (len(grads) - 1)
    for g, d, y in zip(grads, to_tuple(d_state), final):
        np.testing.assert_allclose(g[:, T], d[0] + y, rtol=1e-12)
    np.testing.assert_allclose(input_saliency(model, cache, weights, d_state), np.linalg.norm(dx, axis=-1),
                               rtol=1e-12)
    flow = gradient_flow(model, cache, weights, d_state)
    np.testing.assert_allclose(flow, np.linalg.norm(grads[0], axis=-1).mean(axis=0), rtol=1e-12)


def test_a_recurrent_takes_its_own_layout_and_equals_its_state_gradients():
    layer = Recurrent(LSTMCell(3, H, dtype=np.float64, rng=5))
    rng = np.random.default_rng(6)
    x, weights = rng.standard_normal((B, T, 3)), rng.standard_normal((B, T, H))
    d_state = LSTMState(rng.standard_normal((B, H)), rng.standard_normal((B, H)))  # (B, H), no layer axis
    _, _, cache = layer.forward(x)
    expected = layer.state_gradients(weights, d_state, cache)
    for got, want in zip(state_gradients(layer, cache, weights, d_state), expected):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(gradient_flow(layer, cache, weights, d_state, part=1),
                               np.linalg.norm(expected[1], axis=-1).mean(axis=0), rtol=1e-12)


def test_diagnostics_leave_the_model_grads_alone():
    model, x, weights = _setup(MODELS[1])
    _, _, cache = model.forward(x)
    input_saliency(model, cache, weights)
    gradient_flow(model, cache, weights)
    assert all(not g.any() for g in model.grads.values())


def test_final_state_gradient_alone_decays_in_a_contracting_rnn():
    model = RNN(1, 3, bias=False, dtype=np.float64, rng=0)
    model.params["weight_hh_l0"][:] = 0.5 * np.eye(3)  # h_t = tanh(0.5 h_{t-1} + w x_t)
    x = np.zeros((1, 5, 1))
    _, _, cache = model.forward(x)
    flow = gradient_flow(model, cache, None, d_state=np.ones((1, 1, 3)))
    # at h = 0, tanh' = 1: each step back multiplies dL/dh by exactly 0.5
    np.testing.assert_allclose(flow, np.sqrt(3) * 0.5 ** np.arange(5, -1, -1), rtol=1e-12)


def test_rejects_stacks_reverse_lengths_and_foreign_caches():
    with pytest.raises(ValueError, match="one layer"):
        gradient_flow(RNN(3, 4, num_layers=2, rng=0), None, None)
    with pytest.raises(ValueError, match="forward-in-time"):
        single_layer(Recurrent(LSTMCell(3, 4, rng=0), reverse=True))
    with pytest.raises(TypeError, match="Recurrent"):
        gradient_flow(object(), None, None)
    model = RNN(3, 4, dtype=np.float64, rng=0)
    with pytest.raises(TypeError, match="forward cache, got None"):
        gradient_flow(model, None, None)
    _, _, cache = model.forward(np.zeros((2, 3, 3)), lengths=np.array([3, 2]))
    with pytest.raises(ValueError, match="without lengths"):
        gradient_flow(model, cache, None)
    _, _, other = RNN(3, 4, dtype=np.float64, rng=1).forward(np.zeros((2, 3, 3)))
    with pytest.raises(TypeError, match="cache of another module"):
        gradient_flow(model, other, None)
    _, _, cache = model.forward(np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="shape"):
        input_saliency(model, cache, np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match=r"d_state\[0\]: expected 3 dimensions \(1, 2, 4\)"):
        gradient_flow(model, cache, None, d_state=np.zeros((2, 4)))  # a stack's state has the layer axis
    with pytest.raises(ValueError, match="part"):
        gradient_flow(model, cache, np.zeros((2, 3, 4)), part=1)
