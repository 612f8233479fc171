"""The Numba kernels of unroll.classic equal their NumPy references on the same random numbers."""
import numpy as np
import pytest

from unroll.classic import _kernels as K


def _sym(rng, n):
    A = rng.standard_normal((n, n))
    W = (A + A.T) / 2
    np.fill_diagonal(W, 0.0)
    return W


def test_hopfield_sweep_backends_agree():
    rng = np.random.default_rng(0)
    W = _sym(rng, 30)
    S = rng.choice([-1.0, 1.0], (7, 30))
    order = rng.permuted(np.tile(np.arange(30), (7, 1)), axis=1)
    out = []
    for sweep in (K.hopfield_sweep_numpy, K.hopfield_sweep_numba):
        S2, H2 = S.copy(), S @ W
        flips = sweep(W, S2, H2, order)
        out.append((S2, H2, flips))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_allclose(out[0][1], out[1][1], atol=1e-12)
    np.testing.assert_array_equal(out[0][2], out[1][2])
    np.testing.assert_allclose(out[0][1], out[0][0] @ W, atol=1e-12)  # the fields were kept up to date


def test_gibbs_sweeps_backends_agree():
    rng = np.random.default_rng(1)
    W, b = _sym(rng, 8), rng.standard_normal(8)
    S = (rng.random((5, 8)) < 0.5).astype(float)
    free, temps = np.array([2, 5, 7, 0]), np.array([4.0, 2.0, 1.0])
    U = rng.random((3, 4, 5))
    A, B = S.copy(), S.copy()
    K.gibbs_sweeps_numpy(W, b, A, free, temps, U)
    K.gibbs_sweeps_numba(W, b, B, free, temps, U)
    np.testing.assert_array_equal(A, B)
    np.testing.assert_array_equal(A[:, [1, 3, 4, 6]], S[:, [1, 3, 4, 6]])  # clamped units untouched


@pytest.mark.parametrize("bubble", [0, 1, 2])
def test_som_online_backends_agree(bubble):
    from unroll.classic.som import grid_positions
    rng = np.random.default_rng(2)
    grid, pos = grid_positions(4, 5, "hexagonal" if bubble == 2 else "rectangular")
    X, W = rng.standard_normal((30, 3)), rng.standard_normal((20, 3))
    index = rng.integers(0, 30, 200)
    lr, sigma = np.linspace(0.5, 0.01, 200), np.linspace(2.0, 1.0, 200)
    A, B = W.copy(), W.copy()
    K.som_online_numpy(A, X, index, pos, grid, lr, sigma, bubble)
    K.som_online_numba(B, X, index, pos, grid, lr, sigma, bubble)
    np.testing.assert_allclose(A, B, atol=1e-12)


def test_competitive_backends_agree():
    rng = np.random.default_rng(3)
    X, W = rng.standard_normal((50, 2)), rng.standard_normal((6, 2))
    index = rng.permutation(50)
    A, B, pa, pb = W.copy(), W.copy(), np.full(6, 1 / 6), np.full(6, 1 / 6)
    wa = K.competitive_online_numpy(A, pa, X, index, 0.1, 0.01, 2.0, 0.01)
    wb = K.competitive_online_numba(B, pb, X, index, 0.1, 0.01, 2.0, 0.01)
    np.testing.assert_allclose(A, B, atol=1e-12)
    np.testing.assert_allclose(pa, pb, atol=1e-12)
    np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("dtype,persistent", [(np.float64, True), (np.float64, False), (np.float32, True)])
def test_rbm_backends_agree(dtype, persistent):
    from unroll.classic import RBM
    X = np.random.default_rng(4).random((95, 12))
    a = RBM(7, n_iter=3, k=2, persistent=persistent, dtype=dtype, rng=0).fit(X)
    b = RBM(7, n_iter=3, k=2, persistent=persistent, dtype=dtype, backend="numpy", rng=0).fit(X)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for name in ("components_", "intercept_hidden_", "intercept_visible_", "h_samples_"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=tol, err_msg=name)
        assert getattr(a, name).dtype == dtype
