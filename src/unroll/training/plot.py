"""Loss curves as PNG (matplotlib, imported only when a plot is asked for)."""
from __future__ import annotations

from pathlib import Path


def plot_history(history: dict, path, title: str = "", ylabel: str = "loss") -> Path:
    """Training loss per step (raw and smoothed) and validation loss, saved to path.

    history: the `Trainer.history_` dict (step, loss, val_step, val_loss lists); ylabel: what the
    loss is (the Trainer passes 'loss per char' and the like). Raises ImportError with the install
    command when matplotlib is missing.
    """
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from err
    smoothed, value = [], None
    for loss in history["loss"]:
        value = loss if value is None else 0.98 * value + 0.02 * loss
        smoothed.append(value)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(history["step"], history["loss"], color="0.8", linewidth=0.5, label="train (per step)")
    ax.plot(history["step"], smoothed, label="train (smoothed)")
    if history["val_step"]:
        ax.plot(history["val_step"], history["val_loss"], "o-", label="validation")
        best = min(history["val_loss"])
        ax.axhline(best, color="0.5", linestyle=":", label=f"best val {best:.4g}")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
