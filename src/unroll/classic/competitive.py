"""Competitive learning: K prototype units, winner-take-all (Rumelhart & Zipser 1985), with leaky
learning and DeSieno's (1988) conscience against dead units.

    cl = CompetitiveLearning(20, conscience=10.0, rng=0).fit(X)      # X (B, D)
    cl.predict(X)            # (B,) nearest prototype;  cl.dead_units(X): units that win nothing

Online, one sample x at a time (a new random order each epoch):
    winner    c = argmin_k ||x - w_k||^2 - C (1/K - p_k)        (C = conscience; 0: plain rule)
    standard  w_c += eta (x - w_c)
    leaky     w_k += leak * eta (x - w_k) for every loser k      (leak = 0: plain rule)
    frequency p_k += beta ([k == c] - p_k),  p starts at 1/K
A unit that wins more than its share 1/K gets a negative bias and loses to its neighbours, so
units stranded far from the data are pulled in. The learning rate decays linearly from eta to
eta * final_fraction over the run.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_array, check_option, check_size
from ..errors import InvalidValueError
from ..estimators import ParamsMixin
from ._kernels import competitive_online_numba, competitive_online_numpy

__all__ = ["CompetitiveLearning", "gaussian_mixture"]


class CompetitiveLearning(ParamsMixin):
    """Winner-take-all prototypes. n_units K; learning_rate eta; n_epochs passes over X; leak (the
    losers' fraction of eta); conscience C and beta (DeSieno's bias factor and frequency rate);
    init: 'box' (uniform in the data's bounding box: some units start far from every cluster),
    'sample' (random rows of X) or an array (K, D). backend: 'numba' or 'numpy'. rng.
    Learned: cluster_centers_ (K, D), win_frequency_ (K,) p at the end, wins_ (K,) wins over
    training.
    """

    def __init__(self, n_units: int = 10, learning_rate: float = 0.05, n_epochs: int = 20, leak: float = 0.0,
                 conscience: float = 0.0, beta: float = 1e-3, final_fraction: float = 0.1, init="box",
                 backend: str = "numba", rng=None):
        self.n_units = n_units
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.leak = leak
        self.conscience = conscience
        self.beta = beta
        self.final_fraction = final_fraction
        self.init = init
        self.backend = backend
        self.rng = rng

    def fit(self, X: np.ndarray, y=None) -> "CompetitiveLearning":
        """Learn prototypes of X (B, D). Returns self; X is not modified."""
        K = check_size("n_units", self.n_units)
        check_size("n_epochs", self.n_epochs)
        check_option("backend", self.backend, ("numba", "numpy"))
        if not 0.0 <= self.leak <= 1.0 or self.conscience < 0 or not 0.0 < self.beta <= 1.0:
            raise InvalidValueError(f"expected 0 <= leak <= 1, conscience >= 0, 0 < beta <= 1, "
                                    f"got {self.leak}, {self.conscience}, {self.beta}")
        X = np.ascontiguousarray(check_array("X", X, (None, None)), dtype=np.float64)
        rng = as_rng(self.rng)
        if isinstance(self.init, np.ndarray):
            W = check_array("init", self.init, (K, X.shape[1])).astype(np.float64)
        else:
            check_option("init", self.init, ("box", "sample"))
            W = (rng.uniform(X.min(0), X.max(0), (K, X.shape[1])) if self.init == "box"
                 else X[rng.integers(0, X.shape[0], K)].copy())
        p = np.full(K, 1.0 / K)
        run = competitive_online_numba if self.backend == "numba" else competitive_online_numpy
        wins = np.zeros(K, np.int64)
        for e in range(self.n_epochs):
            frac = e / max(self.n_epochs - 1, 1)
            lr = self.learning_rate * (1.0 - (1.0 - self.final_fraction) * frac)
            wins += run(W, p, X, rng.permutation(X.shape[0]), lr, float(self.leak), float(self.conscience),
                        float(self.beta))
        self.cluster_centers_, self.win_frequency_, self.wins_ = W, p, wins
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Index of the nearest prototype (no conscience bias) of each row of X (B, D) -> (B,)."""
        if not hasattr(self, "cluster_centers_"):
            raise InvalidValueError("CompetitiveLearning: expected a fitted model, call fit first")
        X = check_array("X", X, (None, self.cluster_centers_.shape[1]))
        C = self.cluster_centers_
        d2 = (X * X).sum(1)[:, None] - 2 * X @ C.T + (C * C).sum(1)[None]  # (B, K)
        return np.argmin(d2, axis=1)

    def dead_units(self, X: np.ndarray) -> np.ndarray:
        """Indices of the units that are nearest to no row of X."""
        return np.flatnonzero(np.bincount(self.predict(X), minlength=self.cluster_centers_.shape[0]) == 0)

    def quantization_error(self, X: np.ndarray) -> float:
        """Mean distance of the rows of X to their nearest prototype."""
        return float(np.linalg.norm(X - self.cluster_centers_[self.predict(X)], axis=1).mean())


def gaussian_mixture(n_samples: int = 1000, n_clusters: int = 5, dim: int = 2, spread: float = 0.05,
                     rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Samples of n_clusters isotropic Gaussians (std `spread`) with centres uniform in [0, 1]^dim.
    Returns X (n_samples, dim) and the cluster labels (n_samples,)."""
    gen = as_rng(rng)
    centres = gen.uniform(0.0, 1.0, (n_clusters, dim))
    labels = gen.integers(0, n_clusters, n_samples)
    return centres[labels] + spread * gen.standard_normal((n_samples, dim)), labels
