"""Hopfield network: the three rules against independent loop implementations, stored patterns
are fixed points, asynchronous updates never raise the energy, and capacity as in the literature
(Hebbian collapses near 0.14 N, Storkey later, the pseudo-inverse later still), with wide margins."""
import numpy as np
import pytest

from unroll.classic import Hopfield, capacity_curve, critical_load, flip_bits
from unroll.classic._kernels import hopfield_sweep_numpy
from unroll.classic.hopfield import hebbian_weights, pseudo_inverse_weights, storkey_weights
from unroll.errors import InvalidValueError


def _patterns(P, N, seed=0):
    return np.random.default_rng(seed).choice([-1.0, 1.0], (P, N))


def test_storkey_equals_the_formula_written_as_loops():
    xi = _patterns(4, 9)
    N = xi.shape[1]
    W = np.zeros((N, N))
    for x in xi:
        h = lambda i, j: sum(W[i, k] * x[k] for k in range(N) if k not in (i, j))  # noqa: E731
        new = W.copy()
        for i in range(N):
            for j in range(N):
                if i != j:
                    new[i, j] += (x[i] * x[j] - x[i] * h(j, i) - h(i, j) * x[j]) / N
        W = new
    np.testing.assert_allclose(storkey_weights(xi), W, atol=1e-12)


def test_hebbian_and_pseudo_inverse_weights():
    xi = _patterns(5, 40)
    H = hebbian_weights(xi)
    ref = sum(np.outer(x, x) for x in xi) / 40
    np.fill_diagonal(ref, 0)
    np.testing.assert_allclose(H, ref, atol=1e-12)
    W = pseudo_inverse_weights(xi)
    # with the diagonal put back, W is the projection onto the patterns' span: W xi = xi
    proj = W + np.diag(np.diag(xi.T @ np.linalg.inv(xi @ xi.T) @ xi))
    np.testing.assert_allclose(proj @ xi.T, xi.T, atol=1e-9)
    assert np.allclose(W, W.T) and not np.diag(W).any()


@pytest.mark.parametrize("rule", ["hebbian", "storkey", "pseudo-inverse"])
@pytest.mark.parametrize("update", ["async", "sync"])
def test_stored_patterns_are_fixed_points(rule, update):
    xi = _patterns(5, 100)
    net = Hopfield(rule, update=update, rng=0).fit(xi)
    np.testing.assert_array_equal(net.recall(xi), xi)
    assert (net.n_sweeps_ == 1).all()
    np.testing.assert_allclose(np.diag(net.overlap(xi)), 1.0)


def test_asynchronous_updates_never_increase_the_energy():
    rng = np.random.default_rng(1)
    for rule in ("hebbian", "storkey", "pseudo-inverse"):
        net = Hopfield(rule).fit(_patterns(12, 60, seed=2))
        S = rng.choice([-1.0, 1.0], (8, 60))
        H = S @ net.weights_
        energies = [net.energy(S)]
        for _ in range(5 * 60):   # one unit at a time, so every single flip is checked
            hopfield_sweep_numpy(net.weights_, S, H, rng.integers(0, 60, (8, 1)))
            energies.append(net.energy(S))
        steps = np.diff(np.array(energies), axis=0)
        assert steps.max() <= 1e-10, rule
        assert steps.min() < 0  # something did happen


def test_recall_cleans_up_noise_and_leaves_the_input_alone():
    xi = _patterns(6, 200)
    noisy = flip_bits(xi, 0.2, rng=3)
    assert ((noisy != xi).sum(1) == 40).all()
    before = noisy.copy()
    out = Hopfield("storkey", rng=0).fit(xi).recall(noisy)
    np.testing.assert_array_equal(noisy, before)
    np.testing.assert_array_equal(out, xi)
    single = Hopfield(rng=0).fit(xi).recall(noisy[0])
    assert single.shape == (200,)


def test_capacity_order_of_the_rules():
    # N = 100, 10% noise: Hebbian recall collapses around 0.14-0.17 (finite size) while Storkey and
    # the pseudo-inverse still recall every pattern; Hebbian is nearly perfect at 0.05.
    P = [5, 25]
    heb = capacity_curve(100, P, "hebbian", trials=4, rng=0)
    sto = capacity_curve(100, P, "storkey", trials=4, rng=0)
    pin = capacity_curve(100, P, "pseudo-inverse", trials=4, rng=0)
    assert heb["exact"][0] > 0.9 and heb["exact"][1] < 0.3
    assert sto["exact"][1] > 0.8 and pin["exact"][1] > 0.8
    assert critical_load(heb["load"], heb["exact"]) < 0.25


def test_critical_load_interpolates():
    assert critical_load(np.array([0.1, 0.2]), np.array([1.0, 0.0])) == pytest.approx(0.15)
    assert np.isnan(critical_load(np.array([0.1, 0.2]), np.array([1.0, 0.9])))


def test_bad_input_is_named():
    with pytest.raises(InvalidValueError, match="-1 and \\+1"):
        Hopfield().fit(np.array([[0.0, 1.0]]))
    net = Hopfield().fit(_patterns(2, 10))
    with pytest.raises(InvalidValueError, match="10 units"):
        net.recall(np.ones(11))
    with pytest.raises(InvalidValueError, match="rule"):
        Hopfield("oja").fit(_patterns(2, 10))
    with pytest.raises(InvalidValueError, match="max_sweeps"):
        net.recall(np.ones(10), max_sweeps=0)
