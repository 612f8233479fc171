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
same N(0, 0.01) initial weights, zero biases, batch_size persistent chains started at h = 0, the
rate divided by the batch's size, V- sampled and H- = p(h | V-) in the statistics, the chains
then resampled from H-; and by default the same minibatches: contiguous slices of X in order,
`gen_even_slices`, the last one shorter). Given `rng=np.random.RandomState(seed)` the numbers are
drawn in scikit-learn's order too, so in float64 the model equals BernoulliRBM(random_state=seed)'s
to rounding (tests/classic/test_rbm.py).
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
    k: Gibbs steps of the negative phase. persistent: PCD (True) or CD-k. shuffle: a new random
    partition into minibatches each epoch (False, scikit-learn's: contiguous slices of X in
    order, the same every epoch). dtype: float32 or float64 of the weights (the data
    are cast to it). backend: 'numba' (one compiled epoch) or 'numpy' (the reference), fed the
    same random numbers. rng: Generator or seed, or a numpy RandomState (drawn in scikit-learn's
    order: N(0, 0.01) weights, then per minibatch the visible then the hidden uniforms).
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
        legacy = isinstance(self.rng, np.random.RandomState)    # scikit-learn's stream, in its order
        rng = self.rng_ = self.rng if legacy else as_rng(self.rng)
        B, D = X.shape
        H, bs = self.n_components, self.batch_size
        self.components_ = rng.normal(0.0, 0.01, (H, D)).astype(dt)  # (H, D)
        self.intercept_hidden_ = np.zeros(H, dt)
        self.intercept_visible_ = np.zeros(D, dt)
        self.h_samples_ = np.zeros((bs, H), dt)
        n_batches = int(np.ceil(B / bs))
        width = int(np.ceil(B / n_batches))

        def partition(rows):                                 # (n_batches, width) -1 padded
            out = np.full((n_batches, width), -1, np.int64)
            for j, p in enumerate(np.array_split(rows, n_batches)):
                out[j, :len(p)] = p
            return out

        # scikit-learn's gen_even_slices(n_batches * bs, n_batches, n_samples=B): slices of bs
        # consecutive rows, the last one cut at B
        fixed = np.full((n_batches, bs), -1, np.int64)
        for j in range(n_batches):
            r = np.arange(j * bs, min((j + 1) * bs, B))
            fixed[j, :len(r)] = r
        epoch = rbm_epoch_numba if self.backend == "numba" else rbm_epoch_numpy
        for _ in range(self.n_iter):
            order = partition(rng.permutation(B)) if self.shuffle else fixed
            n_b, w = order.shape
            m = bs if self.persistent else w                 # chain rows per batch
            # every random number of the epoch, drawn here so both backends see the same ones
            if legacy:
                Uh0 = np.zeros((n_b, 0, H), dt) if self.persistent else np.empty((n_b, w, H), dt)
                Uv, Uh = np.empty((n_b, self.k, m, D), dt), np.empty((n_b, self.k, m, H), dt)
                for j in range(n_b):
                    if not self.persistent:
                        Uh0[j] = rng.uniform(size=(w, H))
                    for s in range(self.k):
                        Uv[j, s] = rng.uniform(size=(m, D))
                        Uh[j, s] = rng.uniform(size=(m, H))
            else:
                Uh0 = rng.random((n_b, w, H), dtype=dt) if not self.persistent else np.zeros((n_b, 0, H), dt)
                Uv = rng.random((n_b, self.k, m, D), dtype=dt)
                Uh = rng.random((n_b, self.k, m, H), dtype=dt)
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
