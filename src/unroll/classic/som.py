"""Kohonen's self-organising map (Kohonen 1982), with MiniSom's conventions where they exist.

    som = SOM(10, 10, sigma=1.5, learning_rate=0.5, n_iterations=5000, rng=0).fit(X)   # X (B, D)
    som.quantization_error(X), som.topographic_error(X), som.u_matrix(), som.hit_map(X)

Units k = (i, j), i < rows, j < cols, weights w_k (`weights_` (rows, cols, D)). Positions on the
plane: rectangular (i, j); hexagonal: every other column (counted from the last) shifted by -1/2
along i and j scaled by sqrt(3)/2, so each unit has six neighbours at distance 1 (MiniSom's).
Online rule, step t of T with sample x (sample t mod B, or a random permutation of those):
    c = argmin_k ||x - w_k||,   w_k += eta(t) h_ck(sigma(t)) (x - w_k)
    Gaussian h_ck = exp(-||r_k - r_c||^2 / (2 sigma^2)); bubble h_ck = [|i_k - i_c| < sigma and
    |j_k - j_c| < sigma] (rectangular, MiniSom's), [||r_k - r_c|| < sigma] (hexagonal);
    decay 'asymptotic': a(t) = a0 / (1 + 2t / T) (MiniSom's default), 'linear': a0 (1 - t / T)
    for eta and sigma0 + (1 - sigma0) t / T for sigma (down to 1).
Batch rule (Kohonen 1998), epoch e of E with sigma(e): all BMUs c(x) at once, then
    w_k = sum_x h_c(x)k x / sum_x h_c(x)k   (a unit no sample reaches keeps its weight).
Initialisation 'pca' (MiniSom 2.3.6's `pca_weights_init` exactly): the plane of the two leading
principal components v1, v2 (unit eigenvectors of np.cov(X), np.linalg.eigh) through the mean,
unit (i, j) at mean + a_i v1 + b_j v2 with a, b evenly in [-1, 1]; 'pca_std': the same plane
spanning +-1 standard deviation (mean + a_i sqrt(l1) v1 + b_j sqrt(l2) v2); 'sample': random
samples; or an array (rows, cols, D).
Measures (as MiniSom defines them): quantization error, the mean ||x - w_c(x)||; topographic error,
the fraction of samples whose two best units are not neighbours (rectangular: the 8 around,
distance <= 1.42 on the grid; hexagonal: distance 1 on the plane); U-matrix, each unit's mean
distance to its grid neighbours (MiniSom's `distance_map(scaling='mean')` is it over its max).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_array, check_option, check_size
from ..errors import InvalidValueError
from ..estimators import ParamsMixin
from ._kernels import som_online_numba, som_online_numpy

__all__ = ["SOM", "grid_positions"]

HEX = np.sqrt(3.0) / 2.0


def grid_positions(rows: int, cols: int, topology: str = "rectangular") -> tuple[np.ndarray, np.ndarray]:
    """(K, 2) integer grid indices (i, j), row-major, and (K, 2) positions on the plane."""
    i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    grid = np.stack([i.ravel(), j.ravel()], axis=1).astype(np.float64)   # (K, 2)
    pos = grid.copy()
    if topology == "hexagonal":
        pos[:, 0] -= 0.5 * ((cols - 1 - grid[:, 1]) % 2 == 0)
        pos[:, 1] *= HEX
    return grid, pos


def _decay(a0: float, t: np.ndarray, T: int, kind: str, floor: float | None = None) -> np.ndarray:
    if kind == "asymptotic":
        return a0 / (1.0 + t / (T / 2.0))
    if floor is None:
        return a0 * (1.0 - t / T)
    return a0 + (floor - a0) * t / T


class SOM(ParamsMixin):
    """Self-organising map of rows x cols units.

    topology: 'rectangular' or 'hexagonal'. neighborhood: 'gaussian' or 'bubble'. sigma,
    learning_rate: initial radius and rate. n_iterations: online steps (samples), or epochs for
    algorithm='batch'. decay: 'asymptotic' or 'linear'. algorithm: 'online' or 'batch'.
    shuffle: online samples in a random order (else cycling through X in order, as MiniSom's
    `train(random_order=False)`). init: 'pca' (MiniSom's: +-1 unit eigenvector), 'pca_std'
    (+-1 standard deviation), 'sample' or an array (rows, cols, D).
    Defaults as MiniSom's: sigma and learning rate both decay as a0 / (1 + t / (T / 2)), the
    Gaussian is exp(-d^2 / (2 sigma(t)^2)) over grid distance d.
    backend: 'numba' or 'numpy' (the reference) for the online loop. rng: Generator or seed.
    Learned: weights_ (rows, cols, D).
    """

    def __init__(self, rows: int = 10, cols: int = 10, topology: str = "rectangular", neighborhood: str = "gaussian",
                 sigma: float = 1.0, learning_rate: float = 0.5, n_iterations: int = 1000, decay: str = "asymptotic",
                 algorithm: str = "online", shuffle: bool = True, init="pca", backend: str = "numba", rng=None):
        self.rows = rows
        self.cols = cols
        self.topology = topology
        self.neighborhood = neighborhood
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.decay = decay
        self.algorithm = algorithm
        self.shuffle = shuffle
        self.init = init
        self.backend = backend
        self.rng = rng

    # -- training ----------------------------------------------------------------------------
    def _initial_weights(self, X, rng) -> np.ndarray:
        R, C = self.rows, self.cols
        if isinstance(self.init, np.ndarray):
            return check_array("init", self.init, (R, C, X.shape[1])).astype(np.float64).reshape(R * C, -1)
        check_option("init", self.init, ("pca", "pca_std", "sample"))
        if self.init == "sample":
            return X[rng.integers(0, X.shape[0], R * C)].copy()
        if X.shape[1] < 2:
            raise InvalidValueError(f"init={self.init!r}: expected at least 2 features, got {X.shape[1]}")
        mean = X.mean(0)
        vals, vecs = np.linalg.eigh(np.cov(X, rowvar=False))
        order = np.argsort(vals)[::-1][:2]
        V = vecs[:, order]                                  # (D, 2) unit eigenvectors (MiniSom's)
        if self.init == "pca_std":
            V = V * np.sqrt(np.maximum(vals[order], 0.0))   # scaled by the std along each
        v1, v2 = V.T                                        # (D,) each
        a, b = np.linspace(-1, 1, R), np.linspace(-1, 1, C)
        return (mean + a[:, None, None] * v1 + b[None, :, None] * v2).reshape(R * C, -1)

    def fit(self, X: np.ndarray, y=None) -> "SOM":
        """Train on X (B, D). Returns self; X is not modified."""
        check_size("rows", self.rows), check_size("cols", self.cols), check_size("n_iterations", self.n_iterations)
        check_option("topology", self.topology, ("rectangular", "hexagonal"))
        check_option("neighborhood", self.neighborhood, ("gaussian", "bubble"))
        check_option("decay", self.decay, ("asymptotic", "linear"))
        check_option("algorithm", self.algorithm, ("online", "batch"))
        check_option("backend", self.backend, ("numba", "numpy"))
        X = np.ascontiguousarray(check_array("X", X, (None, None)), dtype=np.float64)
        rng = as_rng(self.rng)
        self.grid_, self.positions_ = grid_positions(self.rows, self.cols, self.topology)
        W = self._initial_weights(X, rng)                   # (K, D)
        T = int(self.n_iterations)
        t = np.arange(T, dtype=np.float64)
        sig = _decay(float(self.sigma), t, T, self.decay, floor=1.0)
        if self.algorithm == "online":
            lr = _decay(float(self.learning_rate), t, T, self.decay)
            index = np.arange(T) % X.shape[0]
            if self.shuffle:
                index = rng.permutation(index)
            run = som_online_numba if self.backend == "numba" else som_online_numpy
            run(W, X, index, self.positions_, self.grid_, lr, sig, self._bubble_code())
        else:
            for s in sig:
                bmu = self._bmus(X, W)                      # (B,)
                Hk = self._neighbourhood(bmu, s)             # (B, K)
                mass = Hk.sum(0)                             # (K,)
                reached = mass > 0
                W[reached] = (Hk.T @ X)[reached] / mass[reached, None]
        self.weights_ = W.reshape(self.rows, self.cols, -1)
        return self

    def _bubble_code(self) -> int:
        if self.neighborhood == "gaussian":
            return 0
        return 1 if self.topology == "rectangular" else 2

    def _neighbourhood(self, bmu: np.ndarray, sigma: float) -> np.ndarray:
        """h_{c k} for the units c = bmu (B,) -> (B, K)."""
        code = self._bubble_code()
        if code == 1:
            return (np.abs(self.grid_[bmu][:, None, :] - self.grid_[None]).max(-1) < sigma).astype(float)
        d2 = ((self.positions_[bmu][:, None, :] - self.positions_[None]) ** 2).sum(-1)  # (B, K)
        return (d2 < sigma * sigma).astype(float) if code == 2 else np.exp(-d2 / (2.0 * sigma * sigma))

    @staticmethod
    def _distances(X, W) -> np.ndarray:
        """||x - w_k|| for X (B, D), W (K, D) -> (B, K)."""
        d2 = (X * X).sum(1)[:, None] - 2.0 * X @ W.T + (W * W).sum(1)[None]
        return np.sqrt(np.maximum(d2, 0.0))

    def _bmus(self, X, W) -> np.ndarray:
        return np.argmin(self._distances(X, W), axis=1)

    # -- inference and measures --------------------------------------------------------------
    def _flat(self, X):
        if not hasattr(self, "weights_"):
            raise InvalidValueError("SOM: expected a fitted map, call fit first")
        W = self.weights_.reshape(-1, self.weights_.shape[-1])
        return np.asarray(check_array("X", X, (None, W.shape[1])), np.float64), W

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Best-matching unit (i, j) of each row of X (B, D) -> (B, 2) ints."""
        X, W = self._flat(X)
        return self.grid_[self._bmus(X, W)].astype(np.int64)

    def quantization_error(self, X: np.ndarray) -> float:
        X, W = self._flat(X)
        return float(np.linalg.norm(X - W[self._bmus(X, W)], axis=1).mean())

    def topographic_error(self, X: np.ndarray) -> float:
        X, W = self._flat(X)
        best2 = np.argsort(self._distances(X, W), axis=1)[:, :2]   # (B, 2)
        if self.topology == "rectangular":
            d = np.linalg.norm(self.grid_[best2[:, 0]] - self.grid_[best2[:, 1]], axis=1)
            return float((d > 1.42).mean())
        d = np.linalg.norm(self.positions_[best2[:, 0]] - self.positions_[best2[:, 1]], axis=1)
        return float(1.0 - np.isclose(d, 1.0).mean())

    def neighbours(self) -> list[np.ndarray]:
        """The grid neighbours of each unit (flat indices): 8 around on a rectangular map, the 6 at
        distance 1 on a hexagonal one."""
        limit = 1.42 if self.topology == "rectangular" else 1.0 + 1e-9
        ref = self.grid_ if self.topology == "rectangular" else self.positions_
        D = np.linalg.norm(ref[:, None] - ref[None], axis=-1)    # (K, K)
        return [np.flatnonzero((row > 0) & (row <= limit)) for row in D]

    def u_matrix(self) -> np.ndarray:
        """(rows, cols) each unit's mean weight distance to its grid neighbours."""
        _, W = self._flat(np.zeros((0, self.weights_.shape[-1])))
        out = np.array([np.linalg.norm(W[nb] - W[k], axis=1).mean() for k, nb in enumerate(self.neighbours())])
        return out.reshape(self.rows, self.cols)

    def hit_map(self, X: np.ndarray) -> np.ndarray:
        """(rows, cols) how many rows of X each unit wins."""
        X, W = self._flat(X)
        return np.bincount(self._bmus(X, W), minlength=W.shape[0]).reshape(self.rows, self.cols)
