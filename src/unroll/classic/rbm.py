"""Restricted Boltzmann machine with Bernoulli visible and hidden units (Smolensky 1986,
Hinton 2002), trained by CD-k or persistent CD (Tieleman 2008).

    rbm = RBM(n_components=100, learning_rate=0.06, n_iter=10, rng=0).fit(X)   # X (B, D) in [0, 1]
    H = rbm.transform(X)                  # (B, H) hidden probabilities, features for a classifier

Notation: v (D,), h (H,), weights W (H, D) (`components_`, as scikit-learn's BernoulliRBM),
hidden bias c (H,), visible bias b (D,).
    E(v, h) = -h^T W v - b^T v - c^T h
    p(h_j = 1 | v) = sigmoid(W v + c)_j,   p(v_i = 1 | h) = sigmoid(W^T h + b)_i
    free energy F(v) = -b^T v - sum_j softplus((W v + c)_j),  p(v) proportional to exp(-F(v))
One minibatch V+ (n, D), with lr' = learning_rate / n:
    positive phase: H+ = sigmoid(V+ W^T + c);
    negative phase: k Gibbs steps h -> v -> h from the chain's start: V+ for CD-k, the persistent
                    chains' last hidden samples for PCD; V- the last visible sample, H- = p(h | V-);
    W += lr' (H+^T V+ - H-^T V-),  b += lr' sum(V+ - V-),  c += lr' sum(H+ - H-).
With PCD and k = 1 this is scikit-learn's BernoulliRBM algorithm step for step (same defaults,
same N(0, 0.01) initial weights, zero biases, chains of batch_size persistent hidden samples).
Pseudo-log-likelihood: log PL(v) = sum_i log sigmoid(F(v with bit i flipped) - F(v)), exact over
all D bits (scikit-learn's `score_samples` estimates it as D times one random bit's term).
"""
from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit

from .._checks import as_rng, check_array, check_dtype, check_option, check_size
from ..errors import InvalidValueError
from ..estimators import ParamsMixin
from ._kernels import rbm_epoch_numba, rbm_epoch_numpy

__all__ = ["RBM"]


def _softplus(x):
    return np.logaddexp(0.0, x)


class RBM(ParamsMixin):
    """Bernoulli RBM. n_components: hidden units H. learning_rate, batch_size, n_iter (epochs).
    k: Gibbs steps of the negative phase. persistent: PCD (True) or CD-k. shuffle: visit the
    minibatches in a new random order each epoch (scikit-learn keeps one fixed random
    partition: shuffle=False reproduces that). dtype: float32 or float64 of the weights (the data
    are cast to it). backend: 'numba' (one compiled epoch) or 'numpy' (the reference), fed the
    same random numbers. rng: Generator or seed.
    Learned: components_ (H, D), intercept_hidden_ (H,), intercept_visible_ (D,), h_samples_
    (batch_size, H) the persistent chains.
    """

    def __init__(self, n_components: int = 256, learning_rate: float = 0.1, batch_size: int = 10, n_iter: int = 10,
                 k: int = 1, persistent: bool = True, shuffle: bool = False, dtype=np.float64, backend: str = "numba",
                 rng=None):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.shuffle = shuffle
        self.dtype = dtype
        self.backend = backend
        self.rng = rng

    def _check_X(self, X, n_features=None):
        X = check_array("X", X, (None, n_features), dtype=None)
        if X.size and (X.min() < 0 or X.max() > 1):
            raise InvalidValueError(f"X: expected values in [0, 1], got min {X.min():.3g} max {X.max():.3g}")
        return np.ascontiguousarray(X, dtype=check_dtype(self.dtype))

    def fit(self, X: np.ndarray, y=None) -> "RBM":
        """Train on X (B, D) with values in [0, 1] (probabilities or binary). Returns self."""
        for name in ("n_components", "batch_size", "n_iter", "k"):
            check_size(name, getattr(self, name))
        check_option("backend", self.backend, ("numba", "numpy"))
        dt = check_dtype(self.dtype)
        X = self._check_X(X)
        rng = self.rng_ = as_rng(self.rng)
        B, D = X.shape
        H, bs = self.n_components, self.batch_size
        self.components_ = rng.normal(0.0, 0.01, (H, D)).astype(dt)  # (H, D)
        self.intercept_hidden_ = np.zeros(H, dt)
        self.intercept_visible_ = np.zeros(D, dt)
        self.h_samples_ = np.zeros((bs, H), dt)
        n_batches = int(np.ceil(B / bs))
        parts = np.array_split(rng.permutation(B), n_batches)  # scikit-learn's gen_even_slices sizes
        batches = np.full((n_batches, max(len(p) for p in parts)), -1, np.int64)  # (n_batches, bs)
        for j, p in enumerate(parts):
            batches[j, :len(p)] = p
        epoch = rbm_epoch_numba if self.backend == "numba" else rbm_epoch_numpy
        m = bs if self.persistent else batches.shape[1]      # chain rows per batch
        for _ in range(self.n_iter):
            order = batches[rng.permutation(n_batches)] if self.shuffle else batches
            # every random number of the epoch, drawn here so both backends see the same ones
            Uh0 = rng.random((n_batches, batches.shape[1], H), dtype=dt) if not self.persistent \
                else np.zeros((n_batches, 0, H), dt)
            Uv = rng.random((n_batches, self.k, m, D), dtype=dt)
            Uh = rng.random((n_batches, self.k, m, H), dtype=dt)
            epoch(X, order, self.components_, self.intercept_visible_, self.intercept_hidden_, self.h_samples_,
                  Uh0, Uv, Uh, float(self.learning_rate), bool(self.persistent))
        return self

    def _check_fitted(self):
        if not hasattr(self, "components_"):
            raise InvalidValueError("RBM: expected a fitted model, call fit first")

    # -- inference ---------------------------------------------------------------------------
    def transform(self, X: np.ndarray) -> np.ndarray:
        """p(h = 1 | v) for X (B, D) -> (B, H)."""
        self._check_fitted()
        X = self._check_X(X, self.components_.shape[1])
        return expit(X @ self.components_.T + self.intercept_hidden_)

    def free_energy(self, X: np.ndarray) -> np.ndarray:
        """F(v) = -b^T v - sum_j softplus((W v + c)_j) for X (B, D) -> (B,)."""
        self._check_fitted()
        X = self._check_X(X, self.components_.shape[1])
        return -X @ self.intercept_visible_ - _softplus(X @ self.components_.T + self.intercept_hidden_).sum(1)

    def pseudo_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """Exact log PL(v) = sum_i log sigmoid(F(v^(i)) - F(v)), v^(i) = v with bit i flipped
        (X binary; fractional values are rounded). X (B, D) -> (B,)."""
        self._check_fitted()
        V = np.round(self._check_X(X, self.components_.shape[1]))
        W, b, c = self.components_, self.intercept_visible_, self.intercept_hidden_
        A = V @ W.T + c                                      # (B, H) hidden pre-activations
        delta = 1.0 - 2.0 * V                                # (B, D) the change of bit i
        # F(v^(i)) - F(v) = -b_i delta_i - sum_j [softplus(A_j + W_ji delta_i) - softplus(A_j)]
        A_flip = A[:, None, :] + delta[:, :, None] * W.T[None]  # (B, D, H)
        dF = -b * delta - (_softplus(A_flip) - _softplus(A)[:, None, :]).sum(-1)  # (B, D)
        return log_expit(dF).sum(1)

    def gibbs(self, V: np.ndarray, rng=None) -> np.ndarray:
        """One Gibbs step v -> h -> v from V (B, D); returns the visible sample (B, D)."""
        self._check_fitted()
        V = self._check_X(V, self.components_.shape[1])
        gen = as_rng(rng) if rng is not None else getattr(self, "rng_", as_rng(None))
        W = self.components_
        h = (gen.random((V.shape[0], W.shape[0])) < expit(V @ W.T + self.intercept_hidden_)).astype(W.dtype)
        return (gen.random(V.shape) < expit(h @ W + self.intercept_visible_)).astype(W.dtype)

    def sample(self, n_samples: int, n_steps: int = 1000, rng=None) -> np.ndarray:
        """n_samples visible samples (n_samples, D) after n_steps Gibbs steps from random bits."""
        self._check_fitted()
        gen = as_rng(rng) if rng is not None else getattr(self, "rng_", as_rng(None))
        V = (gen.random((check_size("n_samples", n_samples), self.components_.shape[1])) < 0.5).astype(self.components_.dtype)
        for _ in range(n_steps):
            V = self.gibbs(V, gen)
        return V
