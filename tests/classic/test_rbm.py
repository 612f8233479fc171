"""RBM: inference equals scikit-learn's BernoulliRBM given the same weights; the exact
pseudo-likelihood equals a loop over bits; PCD and CD-k learn digits about as well as
scikit-learn's implementation of the same algorithm (medians over seeds, wide margins)."""
import numpy as np
import pytest

from unroll.classic import RBM
from unroll.errors import InvalidValueError

sk_rbm = pytest.importorskip("sklearn.neural_network")
datasets = pytest.importorskip("sklearn.datasets")


def _digits():
    return datasets.load_digits().data / 16.0


def _pair(seed=0):
    X = _digits()[:300]
    ours = RBM(16, n_iter=2, rng=seed).fit(X)
    theirs = sk_rbm.BernoulliRBM(n_components=16, n_iter=1, random_state=seed).fit(X)
    theirs.components_ = ours.components_.copy()
    theirs.intercept_hidden_ = ours.intercept_hidden_.copy()
    theirs.intercept_visible_ = ours.intercept_visible_.copy()
    return X, ours, theirs


def test_transform_and_free_energy_equal_scikit_learn():
    X, ours, theirs = _pair()
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-12)
    np.testing.assert_allclose(ours.free_energy(X), theirs._free_energy(X), atol=1e-10)


@pytest.mark.parametrize("n_rows", [300, 303])
def test_fit_on_scikit_learns_stream_equals_bernoulli_rbm(n_rows):
    # same algorithm, same minibatches (contiguous slices, a short last one), same random numbers
    X = _digits()[:n_rows]
    ours = RBM(16, learning_rate=0.06, n_iter=2, rng=np.random.RandomState(0)).fit(X)
    theirs = sk_rbm.BernoulliRBM(n_components=16, learning_rate=0.06, n_iter=2, random_state=0).fit(X)
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_hidden_, theirs.intercept_hidden_, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_visible_, theirs.intercept_visible_, atol=1e-10)
    np.testing.assert_array_equal(ours.h_samples_, theirs.h_samples_)


def test_pseudo_likelihood_is_the_sum_over_bits():
    X, ours, theirs = _pair()
    V = np.round(X[:20])
    F = ours.free_energy(V)
    ref = np.zeros(20)
    for i in range(V.shape[1]):
        flipped = V.copy()
        flipped[:, i] = 1 - flipped[:, i]
        ref += -np.logaddexp(0, -(ours.free_energy(flipped) - F))   # log sigmoid(F(flip) - F)
    np.testing.assert_allclose(ours.pseudo_log_likelihood(V), ref, atol=1e-9)
    # scikit-learn's score_samples is D x one random bit's term: its mean over many draws agrees
    theirs.random_state = np.random.RandomState(0)   # an int would draw the same bit every call
    est = np.mean([theirs.score_samples(V) for _ in range(300)], axis=0)
    assert np.median(np.abs(est - ref) / np.abs(ref)) < 0.15


@pytest.mark.parametrize("persistent,k", [(True, 1), (False, 1), (False, 3)])
def test_learning_matches_scikit_learn(persistent, k):
    X = _digits()
    ours, theirs, start = [], [], []
    for seed in range(2):
        a = RBM(32, learning_rate=0.05, n_iter=3, persistent=persistent, k=k, rng=seed).fit(X)
        b = sk_rbm.BernoulliRBM(n_components=32, learning_rate=0.05, n_iter=3, random_state=seed).fit(X)
        init = RBM(32, n_iter=1, learning_rate=1e-9, rng=seed).fit(X)
        ours.append(a.pseudo_log_likelihood(X).mean())
        b_as_ours = RBM(32, n_iter=1).fit(X[:10])
        b_as_ours.components_, b_as_ours.intercept_hidden_ = b.components_, b.intercept_hidden_
        b_as_ours.intercept_visible_ = b.intercept_visible_
        theirs.append(b_as_ours.pseudo_log_likelihood(X).mean())
        start.append(init.pseudo_log_likelihood(X).mean())
    ours, theirs, start = np.median(ours), np.median(theirs), np.median(start)
    assert ours > start + 10                   # it learns (about -44 nats per image at the start)
    assert abs(ours - theirs) < 0.2 * abs(theirs)


def test_sampling_and_gibbs_shapes_and_bad_input():
    X = _digits()[:100]
    rbm = RBM(8, n_iter=1, rng=0).fit(X)
    assert rbm.sample(3, n_steps=5, rng=1).shape == (3, 64)
    assert set(np.unique(rbm.gibbs(X[:4], rng=2))) <= {0.0, 1.0}
    with pytest.raises(InvalidValueError, match=r"\[0, 1\]"):
        RBM().fit(X * 16)
    with pytest.raises(InvalidValueError, match="64"):
        rbm.transform(X[:, :10])
