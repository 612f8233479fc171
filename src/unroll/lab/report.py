"""`unroll lab TASK`: train each cell with the same budget, print the comparison table, draw figures."""
from __future__ import annotations

import os

import numpy as np

from .tasks import get_task
from .train import LabConfig, train_cell

__all__ = ["run_lab", "format_table", "decay_orders"]


def decay_orders(flow: np.ndarray) -> float:
    """log10 (||dL/dh_0|| / ||dL/dh_T||): orders of magnitude gained (> 0) or lost (< 0) over T steps back."""
    return float(np.log10(flow[0] / flow[-1]))


def format_table(results: list, task, config: LabConfig) -> str:
    """One row per cell: final test loss, its ratio to the baseline, score, steps to solve, flow decay, time."""
    baseline = task.baseline(config.T)
    head = (f"{'cell':<6} {'test loss':>10} {'/baseline':>9} {task.score_name:>11} {'solved at':>9} "
            f"{'flow decay init':>15} {'trained':>8} {'seconds':>8}")
    lines = [f"task {task.name}, T={config.T}: memoryless baseline {baseline:.4g}, solved = test loss < "
             f"{task.solved}; {config.steps} steps of batch {config.batch}, hidden {config.hidden}, "
             f"Adam lr {config.lr}, clip norm {config.clip_norm}; test set {config.test_size}", head]
    for r in results:
        solved = "-" if r.solved_at is None else str(r.solved_at)
        loss, score = (r.test_loss[-1], r.test_score[-1]) if r.test_loss else (float("nan"), float("nan"))
        lines.append(f"{r.cell:<6} {loss:>10.4g} {loss / baseline:>9.3f} {score:>11.3f} {solved:>9} "
                     f"{decay_orders(r.flow_init):>15.1f} {decay_orders(r.flow_final):>8.1f} {r.seconds:>8.1f}"
                     + ("" if r.stop_reason.endswith("steps done") else f"  stopped: {r.stop_reason}"))
    lines.append("flow decay: log10(||dL/dh_0|| / ||dL/dh_T||) before / after training; "
                 "-5 means the gradient lost 5 orders of magnitude over T steps back")
    return "\n".join(lines)


def plot_results(results: list, task, config: LabConfig, directory: str) -> list:
    """Learning curves and gradient flow (init and trained) as PNGs in directory; returns the paths."""
    from ..diagnostics import plots
    stem = os.path.join(directory, f"{task.name}_T{config.T}")
    curves = {r.cell: (np.array(r.steps), np.array(r.test_loss)) for r in results}
    title = f"{task.name}, T = {config.T}"
    return [plots.plot_learning_curves(curves, f"{stem}_learning.png", task.baseline(config.T), title),
            plots.plot_gradient_flow({r.cell: r.flow_final for r in results}, f"{stem}_gradient_flow.png",
                                     f"gradient flow, {title}", {r.cell: r.flow_init for r in results})]


def _train_job(job):
    """train_cell(cell, task, config, seed) of one job, without a bar (a picklable task)."""
    return train_cell(*job, progress=False)


def run_lab(task_name: str, cells: list, config: LabConfig, seed: int, plot_dir: str | None = None,
            quiet: bool = False, map_runs=None) -> list:
    """Train every cell (one progress bar each, labelled with the cell, unless quiet), print the table
    (and figure paths); returns the LabResults. map_runs: (fn, jobs) -> results in order, e.g.
    `unroll.distributed.sweeps.task_mapper` to train the cells as Dask tasks (None: here)."""
    task = get_task(task_name)
    if map_runs is None:
        results = [train_cell(cell, task, config, seed, progress=False if quiet else cell) for cell in cells]
    else:
        results = map_runs(_train_job, [(cell, task, config, seed) for cell in cells])
    print(format_table(results, task, config))
    if plot_dir:
        for path in plot_results(results, task, config, plot_dir):
            print(f"wrote {path}")
    return results
