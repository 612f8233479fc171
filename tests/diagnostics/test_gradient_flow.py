"""Gradient flow and saliency against finite differences in float64, and against the runner's own BPTT."""
import numpy as np
import pytest

from unroll.diagnostics import gradient_flow, input_saliency, state_gradients
from unroll.nn import GRU, LSTM, RNN, LeakyRNN, LSTMState

MODELS = [lambda: RNN(3, 4, dtype=np.float64, rng=0), lambda: LSTM(3, 4, dtype=np.float64, rng=1),
          lambda: GRU(3, 4, dtype=np.float64, rng=2), lambda: LeakyRNN(3, 4, alpha=0.3, dtype=np.float64, rng=3)]
B, T, H, EPS = 2, 6, 4, 1e-6


def _setup(make):
    rng = np.random.default_rng(10)
    model = make()
    x = rng.standard_normal((B, T, 3))
    weights = rng.standard_normal((B, T, H))  # L = sum(weights * output): a generic loss
    return model, x, weights


def _as_state(model, parts):
    return LSTMState(parts[0][None], parts[1][None]) if model.is_lstm else parts[0][None]


def _loss_from(model, x, weights, k, parts):
    """L as a function of state_k = parts: steps k+1..T run from it, plus the output at step k (h_k)."""
    out, _, _ = model.forward(x[:, k:], _as_state(model, parts))
    loss = (weights[:, k:] * out).sum()
    return loss + ((weights[:, k - 1] * parts[0]).sum() if k > 0 else 0.0)


@pytest.mark.parametrize("make", MODELS)
def test_state_gradients_match_finite_differences(make):
    model, x, weights = _setup(make)
    _, _, cache, steps = model.forward(x, output_states=True)
    grads = state_gradients(model, cache, weights)  # each (B, T+1, H)
    seq = tuple(s[0] for s in (steps if model.is_lstm else (steps,)))  # each (B, T, H)
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
    dx, d_state0 = model.backward(weights, None, cache)
    grads = state_gradients(model, cache, weights)
    d0 = (d_state0.h, d_state0.c) if model.is_lstm else (d_state0,)
    for g, d in zip(grads, d0):
        np.testing.assert_allclose(g[:, 0], d[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(input_saliency(model, cache, weights), np.linalg.norm(dx, axis=-1), rtol=1e-12)
    flow = gradient_flow(model, cache, weights)
    np.testing.assert_allclose(flow, np.linalg.norm(grads[0], axis=-1).mean(axis=0), rtol=1e-12)


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


def test_rejects_stacks_reverse_and_lengths():
    with pytest.raises(ValueError, match="one layer"):
        gradient_flow(RNN(3, 4, num_layers=2, rng=0), None, None)
    model = RNN(3, 4, dtype=np.float64, rng=0)
    _, _, cache = model.forward(np.zeros((2, 3, 3)), lengths=np.array([3, 2]))
    with pytest.raises(ValueError, match="without lengths"):
        gradient_flow(model, cache, None)
    with pytest.raises(TypeError, match="Recurrent"):
        gradient_flow(object(), None, None)
