"""General Boltzmann machine of binary units s in {0, 1}, visible units first, then hidden ones
(Ackley, Hinton & Sejnowski 1985).

    bm = BoltzmannMachine(n_hidden=2, connectivity=encoder_connectivity(4, 2), rng=0).fit(patterns)
    bm.complete(V1_clamped_rows, clamp=range(4))     # most probable completion by enumeration

Energy E(s) = -1/2 s^T W s - b^T s, W symmetric with a zero diagonal and zeros where
`connectivity` is False; at temperature T, P(s) is proportional to exp(-E(s) / T) and one Gibbs
update sets s_i = 1 with probability sigmoid((sum_j w_ij s_j + b_i) / T).

Learning (the Ackley-Hinton-Sejnowski rule), one learning cycle:
    clamped phase: visible units held at each training pattern (noisily, `clamp_noise`), the
                   hidden units annealed along `schedule` then sampled for `sample_sweeps` sweeps
                   at its last temperature: p+_ij = <s_i s_j>+;
    free phase:    all units annealed and sampled the same way: p-_ij = <s_i s_j>-;
    update='sign' (AHS 1985's own, the default): dw_ij = lr sign(p+_ij - p-_ij) (only where
                   connected), db_i = lr sign(<s_i>+ - <s_i>-), a fixed step (their 2);
    update='gradient': dw_ij = lr (p+_ij - p-_ij), db_i = lr (<s_i>+ - <s_i>-);
    then w_ij -= lr weight_decay w_ij (both rules).
Statistics are averaged over `chains` chains per pattern (AHS: 2) and as many free-phase chains;
every chain restarts from random states each cycle, so each estimate follows the annealing.
The default schedule is AHS's for the encoders, in their units (2 sweeps at T = 20, 2 at 15, 2
at 12, 4 at 10, statistics over 10 more at 10), with their step of 2.
"""
from __future__ import annotations

import itertools

import numpy as np

from .._checks import as_rng, check_option
from ..errors import InvalidTypeError, InvalidValueError
from ..estimators import ParamsMixin
from ._kernels import gibbs_sweeps_numba, gibbs_sweeps_numpy

__all__ = ["BoltzmannMachine", "encoder_connectivity", "encoder_patterns"]

# Temperatures and sweeps at each: AHS's encoder schedule (2@20, 2@15, 2@12, 4@10), in their units
# (weight steps of 2). The schedule of the first version of this module, rescaled to end at T = 1
# (for update='gradient' with weights of order 1), is kept as UNIT_SCHEDULE.
DEFAULT_SCHEDULE = ((20.0, 2), (15.0, 2), (12.0, 2), (10.0, 4))
UNIT_SCHEDULE = ((8.0, 2), (4.0, 2), (2.0, 2), (1.0, 4))


def encoder_connectivity(n_visible_group: int, n_hidden: int) -> np.ndarray:
    """The N-H-N encoder's connections (AHS 1985): units [V1 (n), V2 (n), H (h)], all connected
    except V1 <-> V2, so the code must go through the hidden units. Returns (2n+h, 2n+h) bool."""
    n, h = n_visible_group, n_hidden
    C = np.ones((2 * n + h, 2 * n + h), bool)
    C[:n, n:2 * n] = C[n:2 * n, :n] = False
    np.fill_diagonal(C, False)
    return C


def encoder_patterns(n: int) -> np.ndarray:
    """The n training patterns of the n-h-n encoder: V1 = V2 = one-hot k. Returns (n, 2n) float64."""
    eye = np.eye(n)
    return np.hstack([eye, eye])


class BoltzmannMachine(ParamsMixin):
    """Boltzmann machine with n_visible (from the data) + n_hidden binary units.

    connectivity: (N, N) bool symmetric mask of allowed connections, N = n_visible + n_hidden
    (None: all pairs). update: 'sign' (AHS's fixed steps lr sign(p+ - p-)) or 'gradient'
    (lr (p+ - p-)). learning_rate: the step; n_epochs: learning cycles. schedule: ((T, sweeps), ...)
    the annealing schedule before sampling; sample_sweeps: sweeps at the last temperature whose
    states are averaged; chains: parallel chains per pattern (and per free-phase estimate:
    chains * n_patterns). weight_decay: shrinks W by lr * weight_decay * W each epoch.
    clamp_noise: (p_off, p_on) AHS's noisy clamping: a clamped 1 is clamped to 0 with probability
    p_off, a clamped 0 to 1 with p_on (it keeps the weights finite and the estimates noisy).
    init_scale: initial weights uniform in [-init_scale, init_scale] (0: all zero).
    backend: 'numba' or 'numpy' for the Gibbs sweeps. callback: None or callable(model, cycle)
    called after each learning cycle (cycle counted from 1); training stops when it returns True.
    rng: Generator or seed.
    Learned: weights_ (N, N), bias_ (N,), n_visible_, history_ (n_epochs_,) the mean absolute
    difference |p+ - p-| per cycle, n_epochs_ the cycles run, n_sweeps_ the Gibbs sweeps run per
    chain in training.
    """

    def __init__(self, n_hidden: int = 2, connectivity=None, update: str = "sign", learning_rate: float = 2.0,
                 n_epochs: int = 200, schedule=DEFAULT_SCHEDULE, sample_sweeps: int = 10, chains: int = 2,
                 weight_decay: float = 0.0, clamp_noise=(0.15, 0.05), init_scale: float = 0.0, backend: str = "numba",
                 callback=None, rng=None):
        self.n_hidden = n_hidden
        self.connectivity = connectivity
        self.update = update
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.schedule = schedule
        self.sample_sweeps = sample_sweeps
        self.chains = chains
        self.weight_decay = weight_decay
        self.clamp_noise = clamp_noise
        self.init_scale = init_scale
        self.backend = backend
        self.callback = callback
        self.rng = rng

    # -- setup -------------------------------------------------------------------------------
    def _temperatures(self) -> np.ndarray:
        """(K,) one temperature per sweep: the schedule, then sample_sweeps at its last T."""
        try:
            temps = [float(T) for T, n in self.schedule for _ in range(int(n))]
        except (TypeError, ValueError):
            raise InvalidValueError(f"schedule: expected ((T, sweeps), ...), got {self.schedule!r}") from None
        if not temps or min(temps) <= 0:
            raise InvalidValueError(f"schedule: expected positive temperatures and at least one sweep, got {self.schedule!r}")
        return np.array(temps)

    def _mask(self, n_units: int) -> np.ndarray:
        if self.connectivity is None:
            C = ~np.eye(n_units, dtype=bool)
        else:
            C = np.asarray(self.connectivity, dtype=bool)
            if C.shape != (n_units, n_units) or not (C == C.T).all():
                raise InvalidValueError(f"connectivity: expected a symmetric ({n_units}, {n_units}) mask, "
                                        f"got shape {C.shape}")
            C = C & ~np.eye(n_units, dtype=bool)
        return C

    def _sweep(self, S, free, temps, rng):
        """Anneal and sample the `free` units of S (B, N) in place; returns (B, N) mean states and
        (N, N) mean co-occurrences over the last sample_sweeps sweeps (one sweep each)."""
        run = gibbs_sweeps_numba if self.backend == "numba" else gibbs_sweeps_numpy
        B = S.shape[0]
        run(self.weights_, self.bias_, S, free, temps, rng.random((temps.size, free.size, B)))
        T_last = temps[-1:]
        mean = np.zeros(S.shape[1])
        co = np.zeros((S.shape[1], S.shape[1]))
        for _ in range(self.sample_sweeps):
            run(self.weights_, self.bias_, S, free, T_last, rng.random((1, free.size, B)))
            mean += S.sum(0)
            co += S.T @ S                                   # (N, N)
        n = self.sample_sweeps * B
        return mean / n, co / n

    # -- training ----------------------------------------------------------------------------
    def fit(self, X: np.ndarray, y=None) -> "BoltzmannMachine":
        """Learn the distribution of the binary rows X (P, n_visible) by the AHS rule. Returns self."""
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise InvalidTypeError(f"X: expected a (P, n_visible) numpy array of 0/1, got {getattr(X, 'shape', type(X).__name__)}")
        if not np.isin(X, (0, 1)).all():
            raise InvalidValueError("X: expected only 0 and 1")
        check_option("backend", self.backend, ("numba", "numpy"))
        check_option("update", self.update, ("sign", "gradient"))
        for name in ("n_epochs", "sample_sweeps", "chains"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise InvalidValueError(f"{name}: expected an integer >= 1, got {v!r}")
        if isinstance(self.n_hidden, bool) or not isinstance(self.n_hidden, (int, np.integer)) or self.n_hidden < 0:
            raise InvalidValueError(f"n_hidden: expected an integer >= 0, got {self.n_hidden!r}")
        rng = as_rng(self.rng)
        P, V = X.shape
        N = V + self.n_hidden
        mask = self._mask(N)
        temps = self._temperatures()
        self.n_visible_ = V
        R = np.triu(rng.uniform(-self.init_scale, self.init_scale, (N, N)), 1)
        self.weights_ = np.where(mask, R + R.T, 0.0)                     # (N, N) symmetric, masked
        self.bias_ = np.zeros(N)
        data = np.repeat(X.astype(np.float64), self.chains, axis=0)  # (P*chains, V)
        hidden, every = np.arange(V, N), np.arange(N)
        history = []
        step = np.sign if self.update == "sign" else (lambda d: d)
        off, on = (float(p) for p in self.clamp_noise)
        for epoch in range(self.n_epochs):
            V_clamped = np.where(data > 0, rng.random(data.shape) >= off, rng.random(data.shape) < on).astype(float)
            S = np.concatenate([V_clamped, (rng.random((data.shape[0], self.n_hidden)) < 0.5).astype(float)], axis=1)
            m_pos, c_pos = self._sweep(S, hidden, temps, rng)            # clamped phase
            S = (rng.random((data.shape[0], N)) < 0.5).astype(float)
            m_neg, c_neg = self._sweep(S, every, temps, rng)             # free phase
            dW = np.where(mask, c_pos - c_neg, 0.0)                       # (N, N) p+_ij - p-_ij
            # sign: AHS's fixed step lr sign(p+ - p-) (Manhattan); gradient: lr (p+ - p-)
            self.weights_ += self.learning_rate * (np.where(mask, step(dW), 0.0) - self.weight_decay * self.weights_)
            self.bias_ += self.learning_rate * (step(m_pos - m_neg) - self.weight_decay * self.bias_)
            history.append(np.abs(dW).sum() / max(mask.sum(), 1))
            if self.callback is not None and self.callback(self, epoch + 1):
                break
        self.history_ = np.array(history)
        self.n_epochs_ = len(history)
        self.n_sweeps_ = self.n_epochs_ * 2 * (temps.size + self.sample_sweeps)
        return self

    # -- inference ---------------------------------------------------------------------------
    def energy(self, S: np.ndarray) -> np.ndarray:
        """E(s) = -1/2 s^T W s - b^T s for S (B, N) -> (B,)."""
        return -0.5 * np.einsum("bi,ij,bj->b", S, self.weights_, S) - S @ self.bias_

    def complete(self, X: np.ndarray, clamp) -> np.ndarray:
        """The most probable state of the unclamped units given X (B, N)'s values on `clamp`
        (indices), by enumerating all 2^F completions at T = 1 (F <= 20 free units).
        Returns (B, N) with the clamped units copied from X."""
        if not hasattr(self, "weights_"):
            raise InvalidValueError("BoltzmannMachine: expected a fitted model, call fit first")
        N = self.weights_.shape[0]
        clamp = np.asarray(list(clamp), dtype=np.int64)
        free = np.setdiff1d(np.arange(N), clamp)
        if free.size > 20:
            raise InvalidValueError(f"complete: expected at most 20 free units to enumerate, got {free.size}")
        if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[1] != N:
            raise InvalidValueError(f"X: expected shape (B, {N}), got {getattr(X, 'shape', None)}")
        configs = np.array(list(itertools.product((0.0, 1.0), repeat=free.size)))  # (2^F, F)
        out = X.astype(np.float64).copy()
        for r in range(out.shape[0]):
            S = np.repeat(out[r:r + 1], configs.shape[0], axis=0)   # (2^F, N)
            S[:, free] = configs
            out[r] = S[np.argmin(self.energy(S))]
        return out
