"""Regression metrics for time series: MSE, RMSE, NRMSE, R^2 and memory capacity.

All take y_true and y_pred of the same shape (any rank; the last axis is features, every other
axis is pooled) and return a float, computed in float64. NaN or a shape mismatch raises.

NRMSE normalisation (stated, because papers differ): by default the RMSE divided by the standard
deviation of y_true, sqrt(mean (y - y_hat)^2 / var(y)), as in Jaeger 2001 and ReservoirPy's
`nrmse(norm="var")` square-rooted; `norm="range"` divides by max - min instead, `norm="mean"`
by |mean|. Pass `scale` to normalise by a fixed number (e.g. the attractor's std measured on a
long run, as the Mackey-Glass protocol does) instead of the statistics of the evaluated window.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_option
from .errors import InvalidValueError

__all__ = ["mse", "rmse", "nrmse", "r2", "memory_capacity"]


def _pair(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise InvalidValueError(f"y_pred: expected the shape of y_true {y_true.shape}, got {y_pred.shape}")
    if y_true.size == 0:
        raise InvalidValueError("y_true: expected at least one value, got an empty array")
    if not (np.isfinite(y_true).all() and np.isfinite(y_pred).all()):
        raise InvalidValueError("y_true, y_pred: expected finite values, got NaN or inf")
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean squared error over every element."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_true - y_pred) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error."""
    return float(np.sqrt(mse(y_true, y_pred)))


def nrmse(y_true, y_pred, norm: str = "std", scale: float | None = None) -> float:
    """RMSE / normaliser; norm: "std" (default), "range" or "mean"; `scale` overrides it."""
    check_option("norm", norm, {"std", "range", "mean"})
    y_true, y_pred = _pair(y_true, y_pred)
    if scale is None:
        scale = {"std": np.std, "range": np.ptp, "mean": lambda y: abs(np.mean(y))}[norm](y_true)
    if not scale > 0:
        raise InvalidValueError(f"nrmse: expected a positive normaliser, got {scale!r} (constant y_true?)")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)) / scale)


def r2(y_true, y_pred) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot, pooled over all elements."""
    y_true, y_pred = _pair(y_true, y_pred)
    ss_tot = np.sum((y_true - y_true.mean()) ** 2)
    if not ss_tot > 0:
        raise InvalidValueError("r2: expected a non-constant y_true, got a constant")
    return float(1.0 - np.sum((y_true - y_pred) ** 2) / ss_tot)


def memory_capacity(u, y_pred) -> float:
    """Short-term memory capacity (Jaeger 2002): sum over delays k = 1..K of the squared
    correlation between u(t - k) and the k-th output y_k(t).

    u: (T,) the scalar input series, i.i.d. for the measure to be meaningful.
    y_pred: (T, K), column k-1 trained to recall u(t - k); rows t < K are ignored.
    Returns MC in [0, K]; a linear reservoir of N units reaches at most N.
    """
    u = np.asarray(u, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if u.ndim != 1 or y_pred.ndim != 2 or y_pred.shape[0] != u.shape[0]:
        raise InvalidValueError(f"u, y_pred: expected shapes (T,) and (T, K), got {u.shape} and {y_pred.shape}")
    T, K = y_pred.shape
    if T <= K + 1:
        raise InvalidValueError(f"y_pred: expected more steps than delays + 1 ({K + 1}), got {T}")
    _pair(u, u)
    _pair(y_pred, y_pred)
    total = 0.0
    for k in range(1, K + 1):
        target, out = u[K - k: T - k], y_pred[K:, k - 1]  # u(t - k) against y_k(t), t >= K
        c = np.corrcoef(target, out)[0, 1]
        total += 0.0 if not np.isfinite(c) else c * c
    return float(total)
