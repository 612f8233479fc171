"""Figures of the explicit-memory and tree models (matplotlib, lazily, as `plots.py`): NTM read and
write weightings over time, memory-network attention per hop, accuracy against tree depth. Each
function writes one PNG and returns its path."""
from __future__ import annotations

import numpy as np

from .plots import _pyplot, _save

__all__ = ["plot_ntm_weightings", "plot_memn2n_attention", "plot_accuracy_by_depth"]


def plot_ntm_weightings(x: np.ndarray, target: np.ndarray, output: np.ndarray, read_w: np.ndarray,
                        write_w: np.ndarray, path: str, title: str = "") -> str:
    """One sequence: x (T, D) inputs, target and output (T_out, W) bits (output as probabilities),
    read_w, write_w (T, N) weightings; locations are cut to those ever used."""
    plt = _pyplot()
    used = np.flatnonzero((read_w.max(0) > 0.01) | (write_w.max(0) > 0.01))
    lo, hi = (used.min(), used.max() + 1) if used.size else (0, read_w.shape[1])
    fig, axes = plt.subplots(2, 2, figsize=(9, 6), sharex="col")
    T, (T_out, W) = x.shape[0], target.shape
    emitted = np.zeros((T, 2 * W + 1))  # (T, 2W + 1): output below, target above, on the last T_out steps
    emitted[T - T_out:, :W], emitted[T - T_out:, W + 1:] = output, target
    panels = [(axes[0, 0], x.T, "inputs"), (axes[0, 1], emitted.T, "output (below) and target (above)"),
              (axes[1, 0], write_w[:, lo:hi].T, "write weighting"), (axes[1, 1], read_w[:, lo:hi].T, "read weighting")]
    for ax, image, name in panels:
        ax.imshow(image, aspect="auto", cmap="gray_r", interpolation="nearest", origin="lower")
        ax.set_title(name)
    axes[1, 0].set(xlabel="time step", ylabel=f"location ({lo}-{hi - 1})")
    axes[1, 1].set(xlabel="time step")
    if title:
        fig.suptitle(title)
    return _save(fig, path)


def plot_memn2n_attention(attention: np.ndarray, sentences: list, question: str, answer: str, path: str) -> str:
    """attention (K, S) of one story, sentences: the S' <= S real sentences as strings."""
    plt = _pyplot()
    n = len(sentences)
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * n + 1.6))
    ax.imshow(attention[:, :n].T, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_yticks(range(n), sentences, fontsize="small")
    ax.set_xticks(range(attention.shape[0]), [f"hop {k + 1}" for k in range(attention.shape[0])])
    for k in range(attention.shape[0]):
        for i in range(n):
            ax.text(k, i, f"{attention[k, i]:.2f}", ha="center", va="center", fontsize="x-small")
    ax.set_title(f"{question}  ->  {answer}", fontsize="small")
    return _save(fig, path)


def plot_accuracy_by_depth(tables: dict, path: str, chance: float | None = None, title: str = "") -> str:
    """tables: {label: {depth: accuracy}} (a key 'all' is ignored)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, table in tables.items():
        depths = sorted(k for k in table if k != "all")
        ax.plot(depths, [table[d] for d in depths], marker="o", label=label)
    if chance is not None:
        ax.axhline(chance, color="k", linestyle="--", linewidth=1, label=f"majority {chance:.2f}")
    ax.set(xlabel="tree depth", ylabel="test accuracy", ylim=(0, 1), title=title)
    ax.legend()
    return _save(fig, path)
