"""Pictures of the text and series models: per-word saliency (terminal bars and a PNG) and forecasts.

    tokens, saliency, probs = classifier.saliency("i don't like this movie")
    print(saliency_bars(tokens, saliency))          # one line per word, a bar as long as its share
    plot_word_saliency(tokens, saliency, "why.png", title="neg 0.91")
    plot_forecast(result, "forecast.png")           # unroll.models.forecast.ForecastResult

Seed 002's "impact of each word along the chain": saliency_t = ||dL/dx_t||, x_t the word's
embedding, L the loss of the predicted label (`SequenceClassifier.saliency`).
"""
from __future__ import annotations

import numpy as np

from .plots import _pyplot, _save

__all__ = ["saliency_bars", "plot_word_saliency", "plot_forecast"]


def saliency_bars(tokens: list[str], saliency, width: int = 40) -> str:
    """Lines 'word  ####  0.123': bars scaled so the most salient word fills `width` characters."""
    s = np.asarray(saliency, dtype=np.float64)
    top = s.max() if s.size and s.max() > 0 else 1.0
    pad = max((len(t) for t in tokens), default=0)
    return "\n".join(f"{t:<{pad}}  {'#' * max(int(round(width * v / top)), 1 if v > 0 else 0):<{width}}  {v:.4f}"
                     for t, v in zip(tokens, s))


def plot_word_saliency(tokens: list[str], saliency, path: str, title: str = "") -> str:
    """A bar per word of ||dL/dx_t||, words along the x axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(4.0, 0.55 * len(tokens) + 1.5), 3.4))
    ax.bar(np.arange(len(tokens)), np.asarray(saliency, dtype=np.float64), color="tab:red")
    ax.set_xticks(np.arange(len(tokens)), tokens, rotation=45, ha="right")
    ax.set(ylabel=r"$\|\partial L / \partial x_t\|$", title=title)
    return _save(fig, path)


def plot_forecast(result, path: str, title: str = "") -> str:
    """The series, and each model's one-step-ahead forecast of the holdout, with its RMSE."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.2, 4.0))
    n = len(result.series)
    ax.plot(np.arange(n), result.series, color="k", linewidth=1.2, label="actual")
    test = np.arange(n - result.holdout, n)
    for name, pred in result.predictions.items():
        ax.plot(test, pred, linewidth=1.2, linestyle="--" if name == "seasonal naive" else "-",
                label=f"{name} (RMSE {result.rmse[name]:.1f})")
    ax.axvline(n - result.holdout - 0.5, color="gray", linewidth=0.8)
    ax.set(xlabel="step", ylabel="value", title=title)
    ax.legend(fontsize="small")
    return _save(fig, path)
