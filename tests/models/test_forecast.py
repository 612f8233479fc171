"""Forecasting: scaling fitted on the training part only, the seasonal-naive forecast, and on airline
passengers the RNNs and the window MLP against it."""
from pathlib import Path

import numpy as np
import pytest

from unroll.errors import InvalidValueError
from unroll.models.forecast import Scaler, make_windows, run_forecast, seasonal_naive

CSV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "airline-passengers.csv"


def test_scaler_and_windows_and_seasonal_naive():
    y = np.arange(1.0, 41.0)
    scaler = Scaler().fit(y[:30])
    np.testing.assert_allclose(scaler.inverse(scaler.transform(y)), y)
    assert abs(scaler.transform(y[:30]).mean()) < 1e-12  # the training part only
    x, deltas, rows = make_windows(np.arange(10.0), 3, 0, 10)
    assert x.shape == (7, 3, 1) and list(rows) == list(range(3, 10))
    np.testing.assert_array_equal(x[0, :, 0], [0, 1, 2])
    np.testing.assert_array_equal(deltas[0, :, 0], [1, 1, 1])
    np.testing.assert_array_equal(seasonal_naive(y, 4, season=12), y[24:28])
    with pytest.raises(InvalidValueError, match="log scaling"):
        Scaler().fit(np.array([1.0, 0.0]))
    with pytest.raises(InvalidValueError, match="finite"):
        run_forecast(np.r_[y, np.nan], holdout=4, window=3)


@pytest.mark.skipif(not CSV.is_file(), reason="../shared/data absent")
def test_airline_passengers():
    y = np.loadtxt(CSV, delimiter=",", skiprows=1, usecols=1)
    result = run_forecast(y, holdout=24, window=12, hidden_size=16, epochs=120, kinds=("many-to-many", "window"))
    assert result.actual.shape == (24,) and set(result.rmse) == {"seasonal naive", "rnn many-to-many", "window mlp"}
    assert 45 < result.rmse["seasonal naive"] < 55  # 49.99: same month last year
    mean_forecast = float(np.sqrt(np.mean((y[:-24].mean() - result.actual) ** 2)))
    for name in ("rnn many-to-many", "window mlp"):  # far better than the training mean (~ 250), near seasonal naive
        assert result.rmse[name] < min(0.3 * mean_forecast, 1.5 * result.rmse["seasonal naive"]), result.rmse
