"""All plotting of unroll's diagnostics, in one place. matplotlib is imported here, lazily, with the
non-interactive Agg backend, so the rest of the library runs without it (calling a plot without it
raises `unroll._extras.MissingExtraError`, naming the 'plot' extra). Each function writes one PNG
and returns its path.
"""
from __future__ import annotations

import os

import numpy as np

from .._extras import require

__all__ = ["plot_learning_curves", "plot_gradient_flow", "plot_singular_values", "plot_saliency",
           "plot_clipping"]


def _pyplot():
    """matplotlib.pyplot on the Agg backend; without matplotlib, `MissingExtraError` (an ImportError)
    naming the 'plot' extra."""
    require("matplotlib", extra="plot", why="plotting")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path: str) -> str:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def plot_learning_curves(curves: dict, path: str, baseline: float | None = None, title: str = "",
                         ylabel: str = "test loss") -> str:
    """curves: {label: (steps (N,), loss (N,))}; baseline: the memoryless loss, drawn dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, (steps, loss) in curves.items():
        ax.plot(steps, loss, label=label)
    if baseline is not None:
        ax.axhline(baseline, color="k", linestyle="--", linewidth=1, label=f"memoryless {baseline:.3g}")
    ax.set(yscale="log", xlabel="training step", ylabel=ylabel, title=title)
    ax.legend()
    return _save(fig, path)


def _paired(ax, curves: dict, initial: dict | None) -> None:
    """curves {label: (x, y)} solid; initial {label: (x, y)} dashed in the same colour, labelled 'at init'."""
    for label, (x, y) in curves.items():
        line, = ax.plot(x, y, label=label if initial is None else f"{label} trained")
        if initial is not None and label in initial:
            ax.plot(*initial[label], color=line.get_color(), linestyle="--", label=f"{label} at init")


def plot_gradient_flow(flows: dict, path: str, title: str = "", initial: dict | None = None) -> str:
    """flows: {label: (T+1,) norms of dL/dh_k, k = 0..T}, log scale against k; initial: the same
    before training, drawn dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    steps = lambda d: {k: (np.arange(len(v)), v) for k, v in d.items()}  # noqa: E731
    _paired(ax, steps(flows), None if initial is None else steps(initial))
    ax.set(yscale="log", xlabel="step k", ylabel=r"$\|\partial L / \partial h_k\|$", title=title)
    ax.legend(fontsize="small")
    return _save(fig, path)


def plot_singular_values(values: dict, path: str, title: str = "", initial: dict | None = None) -> str:
    """values: {label: (T, S) singular values of dstate_T/dstate_{T-l}, row l-1 for lag l}; the largest
    is drawn against the lag; initial: the same before training, dashed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    largest = lambda d: {k: (np.arange(1, len(v) + 1), v[:, 0]) for k, v in d.items()}  # noqa: E731
    _paired(ax, largest(values), None if initial is None else largest(initial))
    ax.set(yscale="log", xlabel="lag t - k",
           ylabel=r"largest singular value of $\partial h_t / \partial h_k$", title=title)
    ax.legend(fontsize="small")
    return _save(fig, path)


def plot_saliency(saliency: dict, path: str, marks=None, title: str = "") -> str:
    """saliency: {label: (T,) ||dL/dx_k|| of one sequence}; marks: steps to highlight (e.g. the markers)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for label, s in saliency.items():
        ax.plot(np.arange(len(s)), s, label=label)
    for m in marks if marks is not None else ():
        ax.axvline(m, color="k", linestyle="--", linewidth=0.8)
    ax.set(yscale="log", xlabel="input step k", ylabel=r"$\|\partial L / \partial x_k\|$", title=title)
    ax.legend()
    return _save(fig, path)


def plot_clipping(runs: dict, path: str, baseline: float | None = None, title: str = "") -> str:
    """runs: {label: (steps (N,), loss (N,), grad_norm (N,))}: loss and gradient norm before clipping."""
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 5.6), sharex=True)
    for label, (steps, loss, norm) in runs.items():
        top.plot(steps, loss, label=label)
        bottom.plot(steps, norm, label=label)
    if baseline is not None:
        top.axhline(baseline, color="k", linestyle="--", linewidth=1, label="memoryless")
    top.set(yscale="log", ylabel="training loss", title=title)
    bottom.set(yscale="log", xlabel="training step", ylabel="gradient norm (before clipping)")
    top.legend(fontsize="small")
    return _save(fig, path)


# -- unroll.classic (Hopfield, Boltzmann machines, competitive learning, SOM) --------------------

def plot_capacity(curves: dict, path: str, title: str = "", ylabel: str = "exact recall rate") -> str:
    """curves: {label: (load (L,), rate (L,))}, e.g. one per rule and N; 0.138 drawn dotted."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for label, (load, rate) in curves.items():
        ax.plot(load, rate, marker=".", label=label)
    ax.axvline(0.138, color="k", linestyle=":", linewidth=1, label="0.138 (Amit et al.)")
    ax.set(xlabel="load P / N", ylabel=ylabel, title=title, ylim=(-0.02, 1.02))
    ax.legend(fontsize="small")
    return _save(fig, path)


def plot_image_rows(rows: dict, shape: tuple, path: str, title: str = "") -> str:
    """rows: {label: (n, H*W) images}, one row of n images per label (e.g. stored / noisy /
    recalled), each reshaped to `shape` (H, W) and drawn in grey."""
    plt = _pyplot()
    n = max(len(v) for v in rows.values())
    fig, axes = plt.subplots(len(rows), n, figsize=(1.2 * n, 1.3 * len(rows)), squeeze=False)
    for r, (label, images) in enumerate(rows.items()):
        for c in range(n):
            ax = axes[r, c]
            ax.set_xticks([]), ax.set_yticks([])
            if c < len(images):
                ax.imshow(np.asarray(images[c]).reshape(shape), cmap="gray_r")
        axes[r, 0].set_ylabel(label, fontsize="small")
    fig.suptitle(title)
    return _save(fig, path)


def plot_maps(maps: dict, path: str, title: str = "") -> str:
    """maps: {label: (rows, cols) array}, side by side (U-matrix, hit map ...)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(maps), figsize=(4.0 * len(maps), 3.6), squeeze=False)
    for ax, (label, m) in zip(axes[0], maps.items()):
        im = ax.imshow(m, cmap="viridis")
        fig.colorbar(im, ax=ax, fraction=0.046)
        ax.set_title(label)
    fig.suptitle(title)
    return _save(fig, path)


def plot_prototypes(X: np.ndarray, runs: dict, path: str, title: str = "") -> str:
    """X (B, 2) data; runs: {label: (K, 2) prototypes}, one panel each."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(runs), figsize=(4.0 * len(runs), 4.0), squeeze=False)
    for ax, (label, W) in zip(axes[0], runs.items()):
        ax.scatter(X[:, 0], X[:, 1], s=3, color="0.7")
        ax.scatter(W[:, 0], W[:, 1], s=30, color="tab:red", marker="x")
        ax.set_title(label)
    fig.suptitle(title)
    return _save(fig, path)


__all__ += ["plot_capacity", "plot_image_rows", "plot_maps", "plot_prototypes"]
