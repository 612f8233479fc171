"""Hopfield network of N bipolar units s_i in {-1, +1} (Hopfield 1982), zero thresholds.

    net = Hopfield(rule="storkey", rng=0).fit(patterns)      # patterns (P, N) in {-1, +1}
    states = net.recall(noisy)                              # (B, N): iterated to a fixed point
    net.overlap(states)                                     # (B, P): m_mu = xi_mu . s / N

Learning rules, xi (P, N) the patterns (docs/classic.md has the derivations):
- hebbian:        W = (1/N) sum_mu xi_mu xi_mu^T, diagonal zeroed;
- storkey:        patterns one at a time, with h_ij = sum_{k != i, j} w_ik xi_k,
                  w_ij += (1/N) (xi_i xi_j - xi_i h_ji - h_ij xi_j)   (Storkey 1997);
- pseudo-inverse: W = xi^T (xi xi^T)^-1 xi, the projection onto the patterns' span (Personnaz
                  et al. 1985), diagonal zeroed (Kanter & Sompolinsky 1987: larger basins).
Dynamics: h = W s; asynchronous (each probe visits the units in its own random order per sweep,
s_i <- sign(h_i)) or synchronous (all units at once, s <- sign(W s)); a zero field keeps s_i.
Recall stops at a fixed point (a sweep that changes nothing) or after `max_sweeps`.
Energy E(s) = -1/2 s^T W s: with W symmetric and a zero diagonal, an asynchronous flip changes it
by -|h_i| |ds_i| <= 0, so it never increases (synchronous updates may 2-cycle instead).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_rng, check_option
from ..errors import InvalidTypeError, InvalidValueError
from ..estimators import ParamsMixin
from ._kernels import hopfield_sweep_numba, hopfield_sweep_numpy

__all__ = ["Hopfield", "hebbian_weights", "storkey_weights", "pseudo_inverse_weights", "check_bipolar",
           "flip_bits", "capacity_curve", "critical_load"]

RULES = ("hebbian", "storkey", "pseudo-inverse")


def check_bipolar(name: str, X, n_units: int | None = None) -> np.ndarray:
    """X as a float64 (B, N) array of -1/+1 (a single (N,) pattern is a batch of one)."""
    if not isinstance(X, np.ndarray):
        raise InvalidTypeError(f"{name}: expected a numpy array of -1/+1, got {type(X).__name__}")
    X2 = X[None] if X.ndim == 1 else X
    if X2.ndim != 2 or X2.shape[1] == 0:
        raise InvalidValueError(f"{name}: expected shape (B, N) or (N,), got {X.shape}")
    if n_units is not None and X2.shape[1] != n_units:
        raise InvalidValueError(f"{name}: expected {n_units} units, got shape {X.shape}")
    if not np.isin(X2, (-1, 1)).all():
        raise InvalidValueError(f"{name}: expected only -1 and +1, got values {np.unique(X2)[:5]}")
    return X2.astype(np.float64)


def hebbian_weights(xi: np.ndarray) -> np.ndarray:
    """W = (1/N) xi^T xi with a zero diagonal. xi (P, N) -> (N, N)."""
    W = xi.T @ xi / xi.shape[1]                            # (N, N)
    np.fill_diagonal(W, 0.0)
    return W


def storkey_weights(xi: np.ndarray) -> np.ndarray:
    """Storkey's incremental rule, one pattern at a time. xi (P, N) -> (N, N), zero diagonal."""
    P, N = xi.shape
    W = np.zeros((N, N))
    for x in xi:
        h = W @ x                                          # (N,) h_i = sum_k w_ik x_k (w_ii = 0)
        H = h[:, None] - W * x[None, :]                    # (N, N) h_ij = h_i - w_ij x_j
        # w_ij += (x_i x_j - x_i h_ji - h_ij x_j) / N
        W += (np.outer(x, x) - x[:, None] * H.T - H * x[None, :]) / N
        np.fill_diagonal(W, 0.0)
    return W


def pseudo_inverse_weights(xi: np.ndarray) -> np.ndarray:
    """Projection rule W = xi^T (xi xi^T)^+ xi, diagonal zeroed. xi (P, N) -> (N, N)."""
    C = xi @ xi.T                                          # (P, P) pattern overlaps
    W = xi.T @ np.linalg.pinv(C, hermitian=True) @ xi      # (N, N)
    W = 0.5 * (W + W.T)                                    # exact symmetry despite rounding
    np.fill_diagonal(W, 0.0)
    return W


_WEIGHTS = {"hebbian": hebbian_weights, "storkey": storkey_weights, "pseudo-inverse": pseudo_inverse_weights}


class Hopfield(ParamsMixin):
    """Hopfield network. rule: 'hebbian', 'storkey' or 'pseudo-inverse'. update: 'async'
    (random order, one unit at a time) or 'sync'. max_sweeps: the step limit of `recall` (sweeps
    of N unit updates, or synchronous steps). backend: 'numba' or 'numpy' (the reference) for the
    asynchronous sweep. rng: Generator or seed for the update orders.
    Learned: weights_ (N, N), patterns_ (P, N) the stored patterns, n_sweeps_ (B,) the sweeps
    the last `recall` took per probe (max_sweeps where it did not settle).
    """

    def __init__(self, rule: str = "hebbian", update: str = "async", max_sweeps: int = 100,
                 backend: str = "numba", rng=None):
        self.rule = rule
        self.update = update
        self.max_sweeps = max_sweeps
        self.backend = backend
        self.rng = rng

    def fit(self, X: np.ndarray, y=None) -> "Hopfield":
        """Store the patterns X (P, N) of -1/+1 (P >= 1). Returns self."""
        check_option("rule", self.rule, RULES)
        check_option("update", self.update, ("async", "sync"))
        check_option("backend", self.backend, ("numba", "numpy"))
        xi = check_bipolar("X", X)
        self.patterns_ = xi.copy()
        self.weights_ = _WEIGHTS[self.rule](xi)
        self.rng_ = as_rng(self.rng)
        return self

    def _check_fitted(self):
        if not hasattr(self, "weights_"):
            raise InvalidValueError("Hopfield: expected a fitted network, call fit first")

    def energy(self, S: np.ndarray) -> np.ndarray:
        """E(s) = -1/2 s^T W s for S (B, N) -> (B,), or (N,) -> a float."""
        self._check_fitted()
        S2 = check_bipolar("S", S, self.weights_.shape[0])
        E = -0.5 * np.einsum("bi,ij,bj->b", S2, self.weights_, S2)  # (B,)
        return E if S.ndim == 2 else float(E[0])

    def overlap(self, S: np.ndarray) -> np.ndarray:
        """m = S xi^T / N, in [-1, 1]: (B, N) -> (B, P); (N,) -> (P,)."""
        self._check_fitted()
        S2 = check_bipolar("S", S, self.weights_.shape[0])
        m = S2 @ self.patterns_.T / S2.shape[1]             # (B, P)
        return m if S.ndim == 2 else m[0]

    def recall(self, S: np.ndarray, max_sweeps: int | None = None) -> np.ndarray:
        """Run the dynamics from S (B, N) or (N,) until every probe is at a fixed point or the
        step limit; returns the final states, same shape. S is not modified."""
        self._check_fitted()
        limit = self.max_sweeps if max_sweeps is None else max_sweeps
        if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1:
            raise InvalidValueError(f"max_sweeps: expected an integer >= 1, got {limit!r}")
        S2 = check_bipolar("S", S, self.weights_.shape[0]).copy()  # (B, N) float64, owned
        run = self._recall_async if self.update == "async" else self._recall_sync
        out, self.n_sweeps_ = run(S2, int(limit))
        return out if S.ndim == 2 else out[0]

    def _recall_async(self, S, limit):
        W = self.weights_
        B, N = S.shape
        H = S @ W                                          # (B, N) local fields (W symmetric)
        sweep = hopfield_sweep_numba if self.backend == "numba" else hopfield_sweep_numpy
        sweeps = np.full(B, limit, np.int64)
        active = np.arange(B)                              # probes not yet at a fixed point
        for k in range(limit):
            order = self.rng_.permuted(np.broadcast_to(np.arange(N), (active.size, N)), axis=1)  # (b, N)
            S_a, H_a = S[active], H[active]
            flips = sweep(W, S_a, H_a, order)
            S[active], H[active] = S_a, H_a
            settled = flips == 0
            sweeps[active[settled]] = k + 1
            active = active[~settled]
            if active.size == 0:
                break
        return S, sweeps

    def _recall_sync(self, S, limit):
        W = self.weights_
        sweeps = np.full(S.shape[0], limit, np.int64)
        active = np.ones(S.shape[0], bool)
        for k in range(limit):
            H = S[active] @ W                              # (b, N)
            new = np.where(H > 0, 1.0, np.where(H < 0, -1.0, S[active]))
            settled = (new == S[active]).all(axis=1)
            S[active] = new
            idx = np.flatnonzero(active)
            sweeps[idx[settled]] = k + 1
            active[idx[settled]] = False
            if not active.any():
                break
        return S, sweeps


def flip_bits(X: np.ndarray, fraction: float, rng=None) -> np.ndarray:
    """A copy of X (B, N) of -1/+1 with exactly round(fraction * N) bits of each row flipped."""
    X2 = check_bipolar("X", X)
    if not 0.0 <= fraction <= 1.0:
        raise InvalidValueError(f"fraction: expected a value in [0, 1], got {fraction!r}")
    gen = as_rng(rng)
    B, N = X2.shape
    k = int(round(fraction * N))
    cols = np.argsort(gen.random((B, N)), axis=1)[:, :k]   # (B, k) distinct units per row
    out = X2.copy()
    out[np.arange(B)[:, None], cols] *= -1
    return out if X.ndim == 2 else out[0]


def capacity_curve(n_units: int, n_patterns, rule: str = "hebbian", noise: float = 0.1, trials: int = 5,
                   update: str = "async", max_sweeps: int = 50, retrieval_overlap: float = 0.95, rng=None) -> dict:
    """The capacity experiment: for each P in n_patterns, `trials` networks each store P random
    patterns of n_units bits; each stored pattern with round(noise * N) bits flipped is recalled.

    Returns {"load": (L,) P/N, "exact": (L,) fraction of probes recalled without error,
    "retrieved": (L,) fraction ending with overlap >= retrieval_overlap (0.95: at most 2.5% of
    the bits wrong; the retrieval state of Amit et al. has overlap >= 0.967, i.e. <= 1.6% wrong
    bits, up to the critical load 0.138, where it disappears and the overlap jumps to the
    spin-glass states' ~0.3 or below; exact recall is a stricter, N-dependent criterion),
    "overlap": (L,) mean final overlap with the probe's pattern}.
    """
    gen = as_rng(rng)
    n_patterns = np.asarray(n_patterns, dtype=np.int64)
    exact, retrieved, overlap = [], [], []
    for P in n_patterns:
        hits = good = ms = 0.0
        for _ in range(trials):
            xi = gen.choice(np.array([-1.0, 1.0]), size=(int(P), n_units))
            net = Hopfield(rule, update=update, max_sweeps=max_sweeps, rng=gen).fit(xi)
            out = net.recall(flip_bits(xi, noise, gen))
            hits += (out == xi).all(axis=1).sum()
            m = np.einsum("pn,pn->p", out, xi) / n_units   # (P,)
            good += (m >= retrieval_overlap).sum()
            ms += m.sum()
        exact.append(hits / (trials * P))
        retrieved.append(good / (trials * P))
        overlap.append(ms / (trials * P))
    return {"load": n_patterns / n_units, "exact": np.array(exact), "retrieved": np.array(retrieved),
            "overlap": np.array(overlap)}


def critical_load(load: np.ndarray, rate: np.ndarray, level: float = 0.5) -> float:
    """Where `rate` (L,) first falls below `level` along `load` (L,), linearly interpolated;
    nan if it never does, load[0] if it starts below."""
    below = np.flatnonzero(np.asarray(rate) < level)
    if below.size == 0:
        return float("nan")
    i = below[0]
    if i == 0:
        return float(load[0])
    x0, x1, y0, y1 = load[i - 1], load[i], rate[i - 1], rate[i]
    return float(x0 + (y0 - level) * (x1 - x0) / (y0 - y1))
