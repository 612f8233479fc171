"""Forecasting a univariate series one step ahead (seed 002's "where will the ball be next?").

    result = run_forecast(series, holdout=24, window=12, cell="lstm", seed=0)
    result.rmse     # {'seasonal naive': ..., 'rnn many-to-one': ..., 'rnn many-to-many': ..., 'window mlp': ...}

The last `holdout` values are the test part. Scaling is fitted on the training part only: z =
(log y - mean) / sd (log first, so a seasonal swing that grows with the level becomes a constant
one; `log=False` for series that can be <= 0). Every model reads the `window` values before a
month (the true ones: one-step-ahead forecasts, as the seasonal-naive forecast reads the true value
of twelve months before) and predicts the change of z from the last of them, so the test part's
higher level is no extrapolation for the network:

- many-to-one: RNN/LSTM/GRU over the window -> last step -> Linear: z_{t} - z_{t-1};
- many-to-many: the same RNN with the Linear at every step, trained to predict every next step of
  the window (the last step's prediction is the forecast);
- window MLP: `baselines.WindowMLP` over the same window (a fixed-window network);
- seasonal naive: y_t = y_{t-season}.

RMSE is in the series' own units, on the holdout.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InvalidValueError
from ..nn import LastStep, Linear, Sequential, registry
from ..optim import Adam
from ..training.loop import Budget, Clipping, Trainer
from ..training.supervised import RegressionObjective
from .baselines import WindowMLP

__all__ = ["Scaler", "make_windows", "seasonal_naive", "build_regressor", "run_forecast", "ForecastResult"]


class Scaler:
    """z = (log y - mean) / sd, mean and sd from the data given to `fit` (the training part)."""

    def __init__(self, log: bool = True):
        self.log = log

    def fit(self, y: np.ndarray) -> "Scaler":
        if self.log and np.any(y <= 0):
            raise InvalidValueError("series: log scaling needs positive values; use log=False")
        v = np.log(y) if self.log else y
        self.mean_, self.sd_ = float(v.mean()), float(v.std() or 1.0)
        return self

    def transform(self, y):
        return ((np.log(y) if self.log else y) - self.mean_) / self.sd_

    def inverse(self, z):
        v = np.asarray(z) * self.sd_ + self.mean_
        return np.exp(v) if self.log else v


def make_windows(z: np.ndarray, window: int, start: int, stop: int):
    """For every target index t in [start, stop): the window z[t-window:t] -> x (N, window, 1) and
    every next-step change inside it and after it -> deltas (N, window, 1), deltas[:, -1] the
    change z[t] - z[t-1] that is forecast."""
    rows = np.arange(max(start, window), stop)
    x = np.stack([z[t - window:t] for t in rows])[:, :, None]  # (N, k, 1)
    deltas = np.stack([z[t - window + 1:t + 1] - z[t - window:t] for t in rows])[:, :, None]  # (N, k, 1)
    return x, deltas, rows


def seasonal_naive(y: np.ndarray, holdout: int, season: int = 12) -> np.ndarray:
    """y_t = y_{t-season} for the last `holdout` values."""
    if len(y) < holdout + season:
        raise InvalidValueError(f"series: {len(y)} values are too few for holdout {holdout} and season {season}")
    return y[len(y) - holdout - season:len(y) - season].astype(np.float64)


def build_regressor(kind: str, window: int, hidden_size: int, cell: str, rng) -> Sequential:
    """'many-to-one', 'many-to-many' or 'window' over inputs (B, window, 1)."""
    if kind == "window":
        return Sequential(window=WindowMLP(1, window, hidden_size, 1, np.float64, rng))
    rnn = registry.build_layer(cell, 1, hidden_size, dtype=np.float64, rng=rng)
    if kind == "many-to-one":
        return Sequential(rnn=rnn, pool=LastStep(), head=Linear(hidden_size, 1, dtype=np.float64, rng=rng))
    if kind == "many-to-many":
        return Sequential(rnn=rnn, head=Linear(hidden_size, 1, dtype=np.float64, rng=rng))
    raise InvalidValueError(f"kind: expected 'many-to-one', 'many-to-many' or 'window', got {kind!r}")


class _Windows:
    """Shuffled batches (x, None, target) of the training windows, by (seed, epoch)."""

    def __init__(self, x, target, batch_size, seed):
        self.x, self.target, self.batch_size, self.seed = x, target, batch_size, seed

    def epoch(self, e):
        order = np.random.default_rng([self.seed, e]).permutation(len(self.x))
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            yield self.x[rows], None, self.target[rows]


@dataclass
class ForecastResult:
    """actual (holdout,) values; predictions {model: (holdout,)}; rmse {model: float}; the rest for plots."""

    series: np.ndarray
    holdout: int
    predictions: dict = field(default_factory=dict)
    rmse: dict = field(default_factory=dict)

    @property
    def actual(self) -> np.ndarray:
        return self.series[-self.holdout:]


def run_forecast(series, holdout: int = 24, window: int = 12, hidden_size: int = 32, cell: str = "lstm",
                 epochs: int = 300, lr: float = 5e-3, season: int = 12, log: bool = True, seed: int = 0,
                 kinds=("many-to-one", "many-to-many", "window")) -> ForecastResult:
    """Train each model on the training part and forecast the holdout one step ahead."""
    y = np.asarray(series, dtype=np.float64)
    if y.ndim != 1 or len(y) < holdout + window + 2:
        raise InvalidValueError(f"series: expected one column with more than holdout + window + 1 = "
                                f"{holdout + window + 1} values, got shape {y.shape}")
    if not np.isfinite(y).all():
        raise InvalidValueError("series: expected finite values, got NaN or inf (a missing value?)")
    n_train = len(y) - holdout
    scaler = Scaler(log).fit(y[:n_train])
    z = scaler.transform(y)
    x_train, d_train, _ = make_windows(z, window, 0, n_train)
    x_test, _, rows = make_windows(z, window, n_train, len(y))
    result = ForecastResult(y, holdout)
    result.predictions["seasonal naive"] = seasonal_naive(y, holdout, season)
    for kind in kinds:
        rng = np.random.default_rng(seed)
        model = build_regressor(kind, window, hidden_size, cell, rng)
        target = d_train if kind == "many-to-many" else d_train[:, -1]  # (N, k, 1) or (N, 1)
        Trainer(model, RegressionObjective(), Adam(model.params, lr=lr), _Windows(x_train, target, 16, seed),
                rng=rng, budget=Budget(epochs=epochs), clipping=Clipping(norm=1.0), progress=False).fit()
        model.eval()
        out = model.forward(x_test)[0]
        delta = out[:, -1, 0] if kind == "many-to-many" else out[:, 0]  # (holdout,)
        result.predictions[f"{'window mlp' if kind == 'window' else 'rnn ' + kind}"] = \
            scaler.inverse(z[rows - 1] + delta)
    result.rmse = {name: float(np.sqrt(np.mean((p - result.actual) ** 2))) for name, p in result.predictions.items()}
    return result
