"""Step Jacobians, their products' singular values and W_hh's spectrum, against finite differences
and hand computation in float64."""
import numpy as np
import pytest

from unroll.diagnostics import jacobian_product_singular_values, recurrent_spectrum, step_jacobians
from unroll.nn import GRU, LSTM, RNN, LeakyRNN
from unroll.nn.state import from_tuple, to_tuple

MODELS = [lambda: RNN(2, 3, dtype=np.float64, rng=0), lambda: RNN(2, 3, nonlinearity="relu", dtype=np.float64, rng=4),
          lambda: LSTM(2, 3, dtype=np.float64, rng=1), lambda: GRU(2, 3, dtype=np.float64, rng=2),
          lambda: LeakyRNN(2, 3, alpha=0.4, dtype=np.float64, rng=3)]
B, T, H, EPS = 2, 5, 3, 1e-6


def _final_state(model, x, flat):
    """state_T (B, S) from a flat start state (B, S) run over x; S = H per state part, (h, c) for the LSTM."""
    parts = np.split(flat, model.spec.num_states, axis=1)  # each (B, H)
    _, final, _ = model.forward(x, from_tuple(tuple(p[None] for p in parts), model.state_type))
    return np.concatenate([p[0] for p in to_tuple(final)], axis=1)


def _numeric_jacobian(model, x, start):
    """d state_T / d start by central differences: (B, S, S), row = output component."""
    S = start.shape[1]
    jac = np.zeros((B, S, S))
    for j in range(S):
        bump = np.zeros_like(start)
        bump[:, j] = EPS
        jac[:, :, j] = (_final_state(model, x, start + bump) - _final_state(model, x, start - bump)) / (2 * EPS)
    return jac


def _states(model, x):
    _, _, cache, steps = model.forward(x, output_states=True)
    seq = np.concatenate([p[0] for p in to_tuple(steps)], axis=-1)  # (B, T, S)
    start = np.zeros((B, 1, seq.shape[-1]))
    return cache, np.concatenate([start, seq], axis=1)  # (B, T+1, S): state_0..state_T


@pytest.mark.parametrize("make", MODELS)
def test_step_jacobians_match_finite_differences(make):
    model = make()
    x = np.random.default_rng(5).standard_normal((B, T, 2))
    cache, states = _states(model, x)
    jac = step_jacobians(model, cache)  # (B, T, S, S)
    for t in (0, 2, T - 1):
        numeric = _numeric_jacobian(model, x[:, t:t + 1], states[:, t])
        np.testing.assert_allclose(jac[:, t], numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("make", MODELS)
def test_product_singular_values_match_finite_differences(make):
    model = make()
    x = np.random.default_rng(6).standard_normal((B, T, 2))
    cache, states = _states(model, x)
    values = jacobian_product_singular_values(model, cache)  # (B, T, S)
    for lag in (1, 3, T):
        numeric = _numeric_jacobian(model, x[:, T - lag:], states[:, T - lag])
        np.testing.assert_allclose(values[:, lag - 1], np.linalg.svd(numeric, compute_uv=False),
                                   rtol=1e-6, atol=1e-9)


def test_linear_regime_singular_values_are_powers_of_w():
    """At h = 0 with no input, tanh' = 1, so dh_T/dh_{T-l} = W^l exactly."""
    model = RNN(1, 2, bias=False, dtype=np.float64, rng=0)
    w = np.array([[0.0, 0.9], [0.5, 0.0]])
    model.params["weight_hh_l0"][:] = w
    _, _, cache = model.forward(np.zeros((1, 4, 1)))
    values = jacobian_product_singular_values(model, cache)[0]  # (T, 2)
    for lag in range(1, 5):
        expected = np.linalg.svd(np.linalg.matrix_power(w, lag), compute_uv=False)
        np.testing.assert_allclose(values[lag - 1], expected, rtol=1e-12)


def test_recurrent_spectrum_by_hand():
    model = LSTM(1, 2, dtype=np.float64, rng=0)
    blocks = [np.array([[0.0, 2.0], [0.5, 0.0]]), 0.3 * np.eye(2), np.diag([-1.5, 0.2]),
              np.array([[1.0, 1.0], [0.0, 1.0]])]
    model.params["weight_hh_l0"][:] = np.concatenate(blocks)
    radius, sigma = recurrent_spectrum(model)
    # eigenvalues +-1; 0.3; -1.5 and 0.2; 1 (double). Singular values: 2; 0.3; 1.5; golden ratio
    np.testing.assert_allclose(radius, [1.0, 0.3, 1.5, 1.0], rtol=1e-6)
    np.testing.assert_allclose(sigma, [2.0, 0.3, 1.5, (1 + np.sqrt(5)) / 2], rtol=1e-12)
