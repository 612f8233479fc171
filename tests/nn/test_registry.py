"""Every registered cell, read from the registry (so a new cell is tested by registering it):
finite-difference gradients of a two-layer bidirectional stack over a ragged batch, the layer equal
to a loop of its cell, the cache-free streaming step equal to forward, and the registry's own
bookkeeping (initialisers, torch column, error messages)."""
import numpy as np
import pytest

from gradient_checks import assert_grads

from unroll import nn
from unroll.commands.gradcheck import check_layer
from unroll.nn import registry
from unroll.nn.state import from_tuple, to_tuple

B, T, D, H = 3, 4, 2, 3
LENGTHS = np.array([4, 2, 1])
NAMES = registry.names()


def test_the_registry_knows_the_cells_of_the_course():
    assert {"rnn", "rnn-relu", "lstm", "gru", "leaky"} <= set(NAMES)
    assert registry.names(torch_only=True) == [n for n in NAMES if registry.get(n).torch is not None]
    for name in NAMES:
        spec = registry.get(name)
        assert registry.spec_of(registry.build_cell(name, D, H)) is spec
        assert spec.num_states == len(spec.state_names) and spec.state_names[0] == "h"


def test_unknown_cell_names_the_known_ones():
    with pytest.raises(ValueError, match=r"cell: expected one of \[.*'gru'.*'lstm'.*\], got 'transformer'"):
        registry.get("transformer")


@pytest.mark.parametrize("name", NAMES)
def test_stack_gradients_match_finite_differences(name):
    errors = check_layer(name, seed=3)  # the same check `unroll gradcheck` prints
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("name", NAMES)
def test_layer_is_a_loop_of_its_cell_and_step_equals_forward(name):
    rng = np.random.default_rng(0)
    layer = registry.build_layer(name, D, H, num_layers=2, dtype=np.float64, rng=1)
    x = rng.standard_normal((B, T, D))
    y, final, _ = layer.forward(x)
    state = None
    for t in range(T):
        y_t, state = layer.step(x[:, t], state)
        np.testing.assert_allclose(y_t, y[:, t], rtol=0, atol=1e-12)
    for a, b in zip(to_tuple(state), to_tuple(final)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    cell = layer.cells()[0]  # the first layer alone, as its cell's own forward step by step
    h = None
    for t in range(T):
        h, _ = cell.forward(x[:, t], h)
    first_layer = from_tuple(tuple(p[0] for p in to_tuple(final)), cell.state_type)
    for a, b in zip(to_tuple(h), to_tuple(first_layer)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_ragged_stack_keeps_padding_out(name):
    layer = registry.build_layer(name, D, H, bidirectional=True, dtype=np.float64, rng=2)
    x = np.random.default_rng(4).standard_normal((B, T, D))
    y, _, cache = layer.forward(x, lengths=LENGTHS)
    dx, _ = layer.backward(np.ones_like(y), None, cache)
    padded = np.arange(T)[None, :] >= LENGTHS[:, None]
    assert np.all(y[padded] == 0) and np.all(dx[padded] == 0)


def test_step_refuses_a_bidirectional_stack():
    with pytest.raises(ValueError, match="step: expected a unidirectional stack"):
        nn.GRU(D, H, bidirectional=True).step(np.zeros((B, D), np.float32))


@pytest.mark.parametrize("name,scheme", [(n, s) for n in NAMES for s in ["default", *registry.get(n).initializers]])
def test_initializers_run_in_place_and_are_seeded(name, scheme):
    a = registry.build_layer(name, D, H, num_layers=2, rng=0)
    b = registry.build_layer(name, D, H, num_layers=2, rng=0)
    arrays = {k: v for k, v in a.params.items()}
    registry.initialize(a, scheme, rng=5, max_steps=50)
    registry.initialize(b, scheme, rng=5, max_steps=50)
    for k, v in a.params.items():
        assert v is arrays[k]  # in place: optimisers and parents keep the same arrays
        np.testing.assert_array_equal(v, b.params[k])


def test_initializers_do_what_they_say():
    rnn = registry.initialize(registry.build_layer("rnn-relu", D, H, rng=0), "identity")
    np.testing.assert_array_equal(rnn.params["weight_hh_l0"], np.eye(H, dtype=np.float32))
    ornn = registry.initialize(registry.build_layer("rnn", D, 8, rng=0), "orthogonal", rng=1)
    np.testing.assert_allclose(np.linalg.svd(ornn.params["weight_hh_l0"])[1], 1.0, atol=1e-5)
    lstm = registry.initialize(nn.LSTM(D, H, rng=0), "forget_bias")
    np.testing.assert_array_equal(lstm.params["bias_ih_l0"][H:2 * H], 1.0)
    assert np.all(lstm.params["bias_hh_l0"] == 0)
    with pytest.raises(ValueError, match=r"init for cell 'gru': expected one of \['default', 'orthogonal'\]"):
        registry.initialize(nn.GRU(D, H), "chrono")
