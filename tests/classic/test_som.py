"""SOM: trained in MiniSom's order from the same initial weights, unroll's map equals MiniSom 2.3.6's
(rectangular and hexagonal, Gaussian and bubble), and so do its measures; batch training and the
PCA initialisation behave."""
import numpy as np
import pytest

from unroll.classic import SOM

minisom = pytest.importorskip("minisom")
datasets = pytest.importorskip("sklearn.datasets")


def _iris():
    X = datasets.load_iris().data
    return (X - X.mean(0)) / X.std(0)


@pytest.mark.parametrize("topology,neighborhood,sigma", [("rectangular", "gaussian", 1.5),
                                                         ("rectangular", "bubble", 2.0),
                                                         ("hexagonal", "gaussian", 1.5)])
@pytest.mark.parametrize("backend", ["numba", "numpy"])
def test_online_training_equals_minisom(topology, neighborhood, sigma, backend):
    X = _iris()
    ms = minisom.MiniSom(7, 6, 4, sigma=sigma, learning_rate=0.5, topology=topology,
                         neighborhood_function=neighborhood, random_seed=0)
    ms.pca_weights_init(X)
    W0 = ms.get_weights().copy()
    ms.train(X, 300)
    som = SOM(7, 6, topology=topology, neighborhood=neighborhood, sigma=sigma, n_iterations=300, shuffle=False,
              init=W0, backend=backend).fit(X)
    np.testing.assert_allclose(som.weights_, ms.get_weights(), atol=1e-10)
    assert som.quantization_error(X) == pytest.approx(ms.quantization_error(X), abs=1e-10)
    assert som.topographic_error(X) == pytest.approx(ms.topographic_error(X), abs=1e-12)
    np.testing.assert_array_equal(som.hit_map(X), ms.activation_response(X))
    if topology == "rectangular":
        np.testing.assert_allclose(som.u_matrix() / som.u_matrix().max(), ms.distance_map(scaling="mean"), atol=1e-12)


@pytest.mark.parametrize("shape", [(10, 10), (7, 5)])
def test_pca_init_is_minisoms(shape):
    X = _iris()
    ms = minisom.MiniSom(*shape, 4, sigma=1.5, random_seed=0)
    ms.pca_weights_init(X)
    som = SOM(*shape, n_iterations=1, learning_rate=0.0, sigma=1.5).fit(X)
    np.testing.assert_allclose(som.weights_, ms.get_weights(), atol=1e-12)
    # 'pca_std' spans +-1 standard deviation instead: a wider plane around the same mean
    wide = SOM(*shape, n_iterations=1, learning_rate=0.0, init="pca_std").fit(X).weights_
    assert np.ptp(wide[:, 0, 0]) > np.ptp(som.weights_[:, 0, 0])


def test_shuffled_minisom_order_gives_minisoms_map():
    X = _iris()
    ms = minisom.MiniSom(8, 8, 4, sigma=1.5, learning_rate=0.5, random_seed=3)
    ms.pca_weights_init(X)
    W0 = ms.get_weights().copy()
    ms.train(X, 600, random_order=True)
    rs = np.random.RandomState(3)
    rs.rand(8, 8, 4)                                   # MiniSom's random initial weights come first
    order = np.arange(600) % len(X)
    rs.shuffle(order)
    som = SOM(8, 8, sigma=1.5, n_iterations=600, shuffle=False, init=W0).fit(X[order])
    np.testing.assert_allclose(som.weights_, ms.get_weights(), atol=1e-10)


def test_shuffled_training_is_as_good_as_minisom():
    X = _iris()
    ours, theirs = [], []
    for seed in range(3):
        som = SOM(8, 8, sigma=1.5, n_iterations=2000, rng=seed).fit(X)
        ms = minisom.MiniSom(8, 8, 4, sigma=1.5, learning_rate=0.5, random_seed=seed)
        ms.pca_weights_init(X)
        ms.train(X, 2000, random_order=True)
        ours.append(som.quantization_error(X))
        theirs.append(ms.quantization_error(X))
    assert np.median(ours) < 1.15 * np.median(theirs)


def test_batch_training_and_pca_init():
    X = _iris()
    init = SOM(6, 6, n_iterations=1, learning_rate=1e-12, sigma=1e-3, shuffle=False).fit(X)
    # the PCA grid is centred on the mean
    W0 = init.weights_.reshape(-1, 4)
    np.testing.assert_allclose(W0.mean(0), X.mean(0), atol=1e-6)
    batch = SOM(6, 6, algorithm="batch", sigma=2.0, n_iterations=20, decay="linear").fit(X)
    assert batch.quantization_error(X) < 0.9 * init.quantization_error(X)
    hexa = SOM(6, 6, topology="hexagonal", neighborhood="bubble", algorithm="batch", sigma=2.0, n_iterations=10).fit(X)
    assert hexa.quantization_error(X) < init.quantization_error(X)
    assert hexa.hit_map(X).sum() == len(X) and hexa.predict(X).shape == (len(X), 2)
    assert all(len(nb) <= 6 for nb in hexa.neighbours()) and max(len(nb) for nb in hexa.neighbours()) == 6
