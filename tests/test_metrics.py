"""Metrics: values against hand computations, the stated normalisations, memory capacity."""
import numpy as np
import pytest

from unroll.metrics import memory_capacity, mse, nrmse, r2, rmse


def test_mse_rmse_values():
    y, p = np.array([[1.0], [2.0], [3.0]]), np.array([[1.0], [1.0], [5.0]])
    assert mse(y, p) == pytest.approx(5 / 3)
    assert rmse(y, p) == pytest.approx(np.sqrt(5 / 3))


def test_nrmse_normalisations():
    rng = np.random.default_rng(0)
    y = rng.normal(2.0, 3.0, (500, 1))
    p = y + 0.3
    assert nrmse(y, p) == pytest.approx(0.3 / y.std())
    assert nrmse(y, p, norm="range") == pytest.approx(0.3 / np.ptp(y))
    assert nrmse(y, p, norm="mean") == pytest.approx(0.3 / abs(y.mean()))
    assert nrmse(y, p, scale=0.6) == pytest.approx(0.5)
    assert nrmse(y, np.full_like(y, y.mean())) == pytest.approx(1.0)  # the mean predictor scores 1


def test_r2_values():
    y = np.arange(10.0)
    assert r2(y, y) == 1.0
    assert r2(y, np.full_like(y, y.mean())) == pytest.approx(0.0)
    assert r2(y, y + 1) == pytest.approx(1 - 10 / np.sum((y - y.mean()) ** 2))


def test_memory_capacity_of_perfect_and_useless_recall():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, 3000)
    K = 5
    perfect = np.stack([np.roll(u, k) for k in range(1, K + 1)], axis=1)  # y_k(t) = u(t - k)
    assert memory_capacity(u, perfect) == pytest.approx(K)
    assert memory_capacity(u, rng.standard_normal((3000, K))) < 0.05
    half = perfect.copy()
    half[:, 2:] = rng.standard_normal((3000, 3))
    assert memory_capacity(u, half) == pytest.approx(2, abs=0.05)


def test_metric_validation():
    with pytest.raises(ValueError, match="shape"):
        mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        rmse(np.array([1.0, np.nan]), np.zeros(2))
    with pytest.raises(ValueError, match="empty"):
        mse(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match="positive normaliser"):
        nrmse(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match="norm"):
        nrmse(np.ones(4), np.zeros(4), norm="max")
    with pytest.raises(ValueError, match="non-constant"):
        r2(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(T,\)"):
        memory_capacity(np.zeros((10, 1)), np.zeros((10, 2)))
