"""Reservoir: matrix construction, the runner against a hand-written loop, batches, validation."""
import numpy as np
import pytest

from unroll.reservoir import Reservoir, reservoir_step, spectral_radius


def _reference_run(res, X, x0=None):
    """x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + b), dense float64, one step at a time."""
    W = res.W_.toarray().astype(np.float64)
    x = np.zeros(res.units) if x0 is None else x0.astype(np.float64)
    a = np.asarray(res.leak_rate, dtype=np.float64)
    out = []
    for u in X:
        x = (1 - a) * x + a * np.tanh(W @ x + res.W_in_ @ u + res.bias_)
        out.append(x)
    return np.array(out)


@pytest.mark.parametrize("kw", [{"connectivity": 0.05}, {"degree": 7}])
def test_spectral_radius_is_the_requested_one(kw):
    res = Reservoir(300, spectral_radius=1.3, rng=0, dtype=np.float64, **kw).initialize(2)
    exact = np.abs(np.linalg.eigvals(res.W_.toarray())).max()
    assert exact == pytest.approx(1.3, rel=1e-7)
    assert spectral_radius(res.W_, rng=1) == pytest.approx(exact, rel=1e-7)


def test_connectivity_and_degree_set_the_sparsity():
    res = Reservoir(200, connectivity=0.03, rng=0).initialize(1)
    assert res.W_.nnz == round(0.03 * 200 * 200)
    res = Reservoir(200, degree=5, rng=0).initialize(1)
    assert np.all(np.diff(res.W_.indptr) == 5)


def test_same_rng_same_weights_and_different_seeds_differ():
    a, b, c = (Reservoir(50, bias_scaling=0.5, rng=s).initialize(3) for s in (4, 4, 5))
    assert np.array_equal(a.W_.toarray(), b.W_.toarray()) and np.array_equal(a.W_in_, b.W_in_)
    assert not np.allclose(a.W_in_, c.W_in_)


@pytest.mark.parametrize("leak", [1.0, 0.3, "per-unit"])
def test_run_matches_the_update_equation(leak):
    rng = np.random.default_rng(0)
    leak = rng.uniform(0.1, 1.0, 40) if leak == "per-unit" else leak
    res = Reservoir(40, spectral_radius=0.9, leak_rate=leak, input_scaling=[0.5, 2.0], bias_scaling=0.3,
                    connectivity=0.2, rng=1, dtype=np.float64)
    X = rng.standard_normal((30, 2))
    states = res.run(X)
    np.testing.assert_allclose(states, _reference_run(res, X), rtol=0, atol=1e-12)


def test_pure_step_does_not_modify_inputs_and_equals_one_run_step():
    res = Reservoir(20, leak_rate=0.5, rng=0, dtype=np.float64).initialize(1)
    s, d = np.full(20, 0.1), np.linspace(-1, 1, 20)
    s0, d0 = s.copy(), d.copy()
    new = reservoir_step(s, d, res.W_, res.leak_, np.tanh)
    assert np.array_equal(s, s0) and np.array_equal(d, d0)
    np.testing.assert_allclose(new, 0.5 * s + 0.5 * np.tanh(res.W_ @ s + d), atol=1e-15)


def test_batch_equals_series_one_by_one_and_state_carries_over():
    res = Reservoir(30, leak_rate=0.4, bias_scaling=0.2, rng=2, dtype=np.float64)
    X = np.random.default_rng(1).standard_normal((3, 25, 2))
    S = res.run(X)
    for b in range(3):
        np.testing.assert_allclose(S[b], res.run(X[b]), atol=1e-13)
    first = res.run(X[:, :10])
    rest = res.run(X[:, 10:], state=first[:, -1])
    np.testing.assert_allclose(np.concatenate([first, rest], axis=1), S, atol=1e-13)


def test_echo_state_property_forgets_the_initial_state():
    res = Reservoir(100, spectral_radius=0.8, rng=0, dtype=np.float64)
    X = np.random.default_rng(0).uniform(-1, 1, (300, 1))
    a = res.run(X, state=np.full(100, 0.9))
    b = res.run(X, state=np.full(100, -0.9))
    assert np.abs(a[0] - b[0]).max() > 0.1
    assert np.abs(a[-1] - b[-1]).max() < 1e-8


def test_noise_is_added_only_while_training():
    res = Reservoir(30, noise=1e-2, rng=0, dtype=np.float64)
    X = np.ones((20, 1))
    clean = res.run(X)
    assert np.array_equal(clean, res.run(X))
    noisy = res.run(X, training=True)
    assert 1e-4 < np.abs(noisy - clean).max() < 0.1


def test_float32_default_and_dtype_is_enforced():
    res = Reservoir(10, rng=0)
    states = res.run(np.zeros((5, 1), np.float32))
    assert states.dtype == np.float32 and res.W_.dtype == np.float32
    with pytest.raises(TypeError, match="float32"):
        res.run(np.zeros((5, 1)))


@pytest.mark.parametrize("kw, match", [
    ({"spectral_radius": 0.0}, "spectral_radius"), ({"spectral_radius": -1.0}, "spectral_radius"),
    ({"leak_rate": 0.0}, "leak_rate"), ({"leak_rate": np.ones(3)}, "leak_rate"),
    ({"connectivity": 1.5}, "connectivity"), ({"degree": 0}, "degree"), ({"units": 0}, "units"),
    ({"activation": "relu6"}, "activation"), ({"noise": -1.0}, "noise"),
])
def test_bad_hyperparameters_raise(kw, match):
    args = {"units": 10, **kw}
    with pytest.raises(ValueError, match=match):
        Reservoir(**args, rng=0).initialize(1)


def test_bad_inputs_raise():
    res = Reservoir(10, rng=0, dtype=np.float64).initialize(2)
    with pytest.raises(ValueError, match="empty series"):
        res.run(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="finite"):
        res.run(np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"expected shape \(\*, 2\)"):
        res.run(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="state"):
        res.run(np.zeros((2, 5, 2)), state=np.zeros((3, 10)))


def test_identical_to_reservoirpy_with_the_same_weights():
    rpy = pytest.importorskip("reservoirpy.nodes")
    res = Reservoir(50, leak_rate=0.3, bias_scaling=0.4, rng=0, dtype=np.float64).initialize(1)
    X = np.sin(np.arange(60) / 5.0)[:, None]
    theirs = rpy.Reservoir(W=res.W_, Win=res.W_in_, bias=res.bias_, lr=0.3).run(X)
    np.testing.assert_allclose(res.run(X), theirs, atol=1e-12)
