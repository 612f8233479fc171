"""Translation figures: the attention map of one sentence, and BLEU against source length.
matplotlib is imported lazily through `plots._pyplot` (the 'plot' extra); each function writes one
PNG and returns its path."""
from __future__ import annotations

import numpy as np

from ..errors import InvalidValueError
from .plots import _pyplot, _save

__all__ = ["plot_attention", "plot_bleu_by_length"]


def plot_attention(weights: np.ndarray, source: list[str], target: list[str], path: str, title: str = "") -> str:
    """weights (len(target), >= len(source)) attention of each target word over the source words
    (padding columns beyond len(source) are dropped); rows are target words, columns source words."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != len(target) or weights.shape[1] < len(source):
        raise InvalidValueError(f"weights: expected ({len(target)}, >= {len(source)}) for {len(target)} target and "
                                f"{len(source)} source words, got {weights.shape}")
    weights = weights[:, :len(source)]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(0.5 * len(source) + 2.0, 0.45 * len(target) + 1.5))
    image = ax.imshow(weights, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(len(source)), source, rotation=60, ha="right")
    ax.set_yticks(range(len(target)), target)
    ax.set(xlabel="source", ylabel="output", title=title)
    fig.colorbar(image, ax=ax, fraction=0.05)
    return _save(fig, path)


def plot_bleu_by_length(curves: dict, path: str, title: str = "BLEU by source length") -> str:
    """curves: {label: {length group label: BLEU}} (e.g. {'bahdanau': {'1-4': 60.2, ...}, 'none': ...})."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, groups in curves.items():
        ax.plot(list(groups), list(groups.values()), marker="o", label=label)
    ax.set(xlabel="source length (tokens)", ylabel="BLEU", title=title)
    ax.legend()
    return _save(fig, path)
