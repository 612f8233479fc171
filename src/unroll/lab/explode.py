"""`unroll lab explode`: exploding gradients and the two clipping rules, on the sine -> square task.

A tanh RNN whose W_hh is orthogonal times `radius` (so its spectral radius and every singular value
equal `radius` > 1) has Jacobian products dh_T/dh_k that grow like radius^(T-k) wherever the units
are not saturated: its gradient norm is orders of magnitude larger than its loss can justify. Plain
SGD then takes one enormous step and the loss leaves for infinity (Pascanu et al. 2013). The same
model and data, with the gradient clipped element-wise (each entry to [-1, 1], the course's rule) or
by global norm (to 1), trains. The sine -> square task is used because a vanilla RNN can learn it
within a demo's budget (it needs little memory), so "trains" is visible as a loss far below the
memoryless MSE 1; the adding problem, which the vanilla RNN cannot learn anyway, shows only the
divergence.
"""
from __future__ import annotations

import os

import numpy as np

from .. import init
from .._checks import as_rng
from ..diagnostics import recurrent_spectrum
from ..optim import SGD, clip_by_global_norm, clip_by_value, global_norm
from .models import LabModel
from .tasks import get_task, loss_and_grad

__all__ = ["CLIPPING", "train_clipped", "run_explode"]

CLIPPING = {  # name -> in-place rule on a grads dict
    "none": None,
    "value 1.0": lambda grads: clip_by_value(grads, 1.0),
    "norm 1.0": lambda grads: clip_by_global_norm(grads, 1.0),
}


def exploding_model(task, T: int, hidden: int, radius: float, seed: int) -> LabModel:
    """A tanh RNN + linear head for the task with W_hh = radius * orthogonal (spectral radius `radius`)."""
    model = LabModel("rnn", task.input_size, hidden, task.output_size, task.many_to_one, T, as_rng(seed))
    w_hh = model.params["weight_hh_l0"]
    w_hh[:] = init.orthogonal(w_hh.shape, gain=radius, rng=as_rng(seed + 1))
    return model


def train_clipped(clip: str, T: int, steps: int, hidden: int, lr: float, seed: int, radius: float = 2.0,
                  task_name: str = "sine"):
    """SGD with batches of 32 on the task under one clipping rule (a key of CLIPPING).

    Returns (losses (N,), grad_norms (N,)) per step, norms before clipping; stops at the first
    non-finite loss (N < steps then).
    """
    task = get_task(task_name)
    model = exploding_model(task, T, hidden, radius, seed)
    optimizer, data_rng = SGD(model.params, lr=lr), as_rng(seed)
    losses, norms = [], []
    with np.errstate(over="ignore", invalid="ignore"):  # the unclipped run is meant to overflow
        for _ in range(steps):
            x, y = task.generate(32, T, data_rng)
            model.zero_grad()
            pred, cache = model.forward(x)
            loss, d_pred = loss_and_grad(task, pred, y)
            if not np.isfinite(loss):
                break
            model.backward(d_pred, cache)
            losses.append(loss)
            norms.append(global_norm(model.grads))
            if CLIPPING[clip] is not None:
                CLIPPING[clip](model.grads)
            optimizer.step(model.grads)
    return np.array(losses), np.array(norms)


def run_explode(T: int, steps: int, hidden: int, lr: float, seed: int, plot_dir: str | None = None,
                quiet: bool = False, radius: float = 2.0) -> dict:
    """Train the three variants, print a table (and the figure path); returns {clip: (losses, norms)}."""
    task = get_task("sine")
    baseline = task.baseline(T)
    radius_found, _ = recurrent_spectrum(exploding_model(task, T, hidden, radius, seed).rnn)
    runs = {}
    for clip in CLIPPING:
        runs[clip] = train_clipped(clip, T, steps, hidden, lr, seed, radius, "sine")
        if not quiet:
            print(f"  clipping {clip}: {len(runs[clip][0])} steps", flush=True)
    print(f"sine -> square, T={T}: tanh RNN, hidden {hidden}, spectral radius of W_hh {radius_found[0]:.3g}; "
          f"SGD lr {lr}, {steps} steps of batch 32; memoryless MSE {baseline:.4g}; final loss = mean of the last 10%")
    print(f"{'clipping':<10} {'steps run':>9} {'final loss':>11} {'max |g|':>10} {'median |g|':>11}  outcome")
    for clip, (losses, norms) in runs.items():
        tail = losses[-max(1, len(losses) // 10):]
        final = float(np.mean(tail)) if len(losses) else float("nan")
        if len(losses) < steps:
            outcome = f"diverged: loss not finite at step {len(losses) + 1}"
        else:
            outcome = "trains" if final < 0.5 * baseline else "does not learn"
        print(f"{clip:<10} {len(losses):>9} {final:>11.4g} {np.max(norms):>10.3g} {np.median(norms):>11.3g}  {outcome}")
    if plot_dir:
        from ..diagnostics import plots
        path = os.path.join(plot_dir, f"explode_T{T}.png")
        curves = {f"clip {k}": (np.arange(1, len(v[0]) + 1), v[0], v[1]) for k, v in runs.items()}
        print("wrote", plots.plot_clipping(curves, path, baseline, f"tanh RNN, spectral radius {radius:g}, T = {T}"))
    return runs
