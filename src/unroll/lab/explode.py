"""`unroll lab explode`: exploding gradients and the two clipping rules, on the sine -> square task.

A tanh RNN whose W_hh is orthogonal times `radius` (so its spectral radius and every singular value
equal `radius` > 1) has Jacobian products dh_T/dh_k that grow like radius^(T-k) wherever the units
are not saturated: its gradient norm is orders of magnitude larger than its loss can justify. Plain
SGD then takes one enormous step and the loss leaves for infinity (Pascanu et al. 2013). The same
model and data, with the gradient clipped element-wise (each entry to [-1, 1], the course's rule) or
by global norm (to 5, the char LM's default), trains. The sine -> square task is used because a vanilla RNN can learn it within
a demo's budget (it needs little memory), so "trains" is visible as a loss far below the memoryless
MSE 1; the adding problem, which the vanilla RNN cannot learn anyway, shows only the divergence.

How far a diverging run gets before it overflows depends on floating-point rounding (the BLAS
kernel, the thread count): the trajectory is chaotic. So the demo runs several seeds and reports
the median of each rule's final loss, and its settings (`ExplodeConfig`) leave wide margins: the
clipped runs end far below the baseline and the unclipped one far above it (or not finite) on any
BLAS.

All runs are `unroll.training.Trainer` runs on the task's objective (`lab.train.TaskObjective`)
with plain SGD and no validation; the guard's `TrainingDiverged` is the divergence.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .. import init
from .._checks import as_rng
from ..diagnostics import recurrent_spectrum
from ..training import Budget, Clipping, Optimisation, Trainer, TrainingDiverged
from .models import LabModel
from .tasks import get_task
from .train import TaskBatches, TaskObjective

__all__ = ["ExplodeConfig", "exploding_model", "train_clipped", "final_loss", "run_explode"]


@dataclass(frozen=True)
class ExplodeConfig:
    """The demo's settings: tanh RNN of `hidden` units with spectral radius `radius`, on `task`
    with sequences of length T, `steps` SGD steps of batches of `batch` at learning rate `lr`,
    for each of `seeds` seeds (seed, seed + 1, ...); the rules clip element-wise to
    [-clip_value, clip_value] or the global norm to clip_norm.

    Measured (docs/long_term_dependencies.md): with these defaults every unclipped run overflows
    within its first steps while both clipped rules end near 0.13 (baseline 1), on seeds 0-4, with
    OpenBLAS's AVX-512 and Sandybridge kernels; at lr 0.03 or below the unclipped run need not
    diverge, and under about 100 steps the clipped runs are still noisy."""

    T: int = 50
    steps: int = 200
    hidden: int = 32
    lr: float = 0.1
    radius: float = 2.0
    batch: int = 32
    seeds: int = 3
    clip_value: float = 1.0
    clip_norm: float = 5.0
    task: str = "sine"

    def rules(self) -> dict:
        """Rule name -> Clipping: no clipping, by value, by norm."""
        return {"none": Clipping(), f"value {self.clip_value:g}": Clipping(value=self.clip_value),
                f"norm {self.clip_norm:g}": Clipping(norm=self.clip_norm)}


def exploding_model(task, config: ExplodeConfig, seed: int) -> LabModel:
    """A tanh RNN + linear head for the task with W_hh = radius * orthogonal (spectral radius `radius`)."""
    model = LabModel("rnn", task.input_size, config.hidden, task.output_size, task.many_to_one, config.T, as_rng(seed))
    w_hh = model.params["rnn.weight_hh_l0"]
    w_hh[:] = init.orthogonal(w_hh.shape, gain=config.radius, rng=as_rng(seed + 1))
    return model


def train_clipped(clipping: Clipping, config: ExplodeConfig, seed: int):
    """SGD on the task under one clipping rule (e.g. a value of config.rules()).

    Returns (losses (N,), grad_norms (N,)) per step, norms before clipping; N < config.steps when
    the run diverged (a non-finite loss or gradient at step N + 1).
    """
    task = get_task(config.task)
    model = exploding_model(task, config, seed)
    optimisation = Optimisation(optimizer="sgd", lr=config.lr, clip_norm=None)
    trainer = Trainer(model, TaskObjective(task), optimisation.build(model.params),
                      TaskBatches(task, config.batch, config.T, config.steps, seed), rng=as_rng(seed),
                      budget=Budget(max_steps=config.steps), clipping=clipping, progress=False)
    with np.errstate(over="ignore", invalid="ignore"):  # the unclipped run is meant to overflow
        try:
            trainer.fit()
        except TrainingDiverged:
            pass
    return np.array(trainer.history_["loss"]), np.array(trainer.history_["grad_norm"])


def final_loss(losses: np.ndarray, steps: int) -> float:
    """Mean loss over the last 10% of the steps; inf for a run that diverged before the end."""
    if len(losses) < steps:
        return float("inf")
    return float(np.mean(losses[-max(1, steps // 10):]))


def _train_job(job):
    """train_clipped(rule, config, seed) of one (rule, config, seed) job (a picklable task)."""
    return train_clipped(*job)


def run_explode(config: ExplodeConfig, seed: int = 0, plot_dir: str | None = None, map_runs=None) -> dict:
    """Train the three rules on config.seeds seeds, print a table of medians (and the figure path).

    map_runs: (fn, jobs) -> [fn(job) ...] in order, e.g. `unroll.distributed.sweeps.task_mapper`
    to run them as Dask tasks (None: here, one after the other).
    Returns {clip: [(losses, norms) per seed]}; the figure shows the first seed.
    """
    task = get_task(config.task)
    baseline = task.baseline(config.T)
    seeds = range(seed, seed + config.seeds)
    radius_found, _ = recurrent_spectrum(exploding_model(task, config, seed).rnn)
    jobs = [(rule, config, s) for rule in config.rules().values() for s in seeds]
    done = iter((map_runs or (lambda fn, items: [fn(item) for item in items]))(_train_job, jobs))
    runs = {name: [next(done) for _ in seeds] for name in config.rules()}
    print(f"{task.name}, T={config.T}: tanh RNN, hidden {config.hidden}, spectral radius of W_hh "
          f"{radius_found[0]:.3g}; SGD lr {config.lr}, {config.steps} steps of batch {config.batch}; memoryless "
          f"loss {baseline:.4g}; final loss = mean of the last 10% of steps (inf: diverged), median of seeds "
          f"{seeds.start}..{seeds.stop - 1}")
    print(f"{'clipping':<10} {'diverged':>8} {'final loss':>11} {'/baseline':>9} {'max |g|':>10} {'median |g|':>11}"
          f"  outcome")
    for clip, seed_runs in runs.items():
        finals = [final_loss(losses, config.steps) for losses, _ in seed_runs]
        final = float(np.median(finals))
        norms = np.concatenate([n for _, n in seed_runs])
        diverged = sum(len(losses) < config.steps for losses, _ in seed_runs)
        if not np.isfinite(final) or final > 10 * baseline:
            outcome = "diverges"
        else:
            outcome = "trains" if final < 0.5 * baseline else "does not learn"
        print(f"{clip:<10} {diverged:>5} / {len(seed_runs)} {final:>11.4g} {final / baseline:>9.3g} "
              f"{np.max(norms):>10.3g} {np.median(norms):>11.3g}  {outcome}")
    if plot_dir:
        from ..diagnostics import plots
        path = os.path.join(plot_dir, f"explode_T{config.T}.png")
        curves = {f"clip {k}": (np.arange(1, len(v[0][0]) + 1), v[0][0], v[0][1]) for k, v in runs.items()}
        print("wrote", plots.plot_clipping(curves, path, baseline,
                                           f"tanh RNN, spectral radius {config.radius:g}, T = {config.T}"))
    return runs
