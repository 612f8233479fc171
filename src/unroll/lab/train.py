"""A small task-specific training loop for the lab: fresh batches every step, Adam, clipping,
a fixed test set, and the gradient flow before and after training.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._checks import as_rng
from ..diagnostics import gradient_flow
from ..optim import Adam, clip_by_global_norm
from .models import LabModel
from .tasks import Task, loss_and_grad

__all__ = ["LabConfig", "LabResult", "train_cell", "evaluate", "flow_on"]


@dataclass(frozen=True)
class LabConfig:
    """Budget and optimiser shared by every cell of one lab run."""

    T: int = 100
    steps: int = 2000
    batch: int = 32
    hidden: int = 64
    lr: float = 3e-3
    clip_norm: float = 1.0
    eval_every: int = 50
    test_size: int = 500


@dataclass
class LabResult:
    """What one cell did: test loss (and score) every eval_every steps, gradient flow (T+1,) at init and
    end, and the trained model."""

    cell: str
    steps: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_score: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    flow_init: np.ndarray | None = None
    flow_final: np.ndarray | None = None
    solved_at: int | None = None
    seconds: float = 0.0
    model: LabModel | None = None


def evaluate(model: LabModel, task: Task, x: np.ndarray, y: np.ndarray, chunk: int = 250):
    """(mean loss, score) on a test set, in chunks to bound memory."""
    losses, preds = [], []
    for start in range(0, x.shape[0], chunk):
        pred, _ = model.forward(x[start:start + chunk])
        losses.append(loss_and_grad(task, pred, y[start:start + chunk])[0] * pred.shape[0])
        preds.append(pred)
    return sum(losses) / x.shape[0], task.score(np.concatenate(preds), y)


def flow_on(model: LabModel, task: Task, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dh_k|| for k = 0..T of the model's loss on (x, y): (T+1,)."""
    pred, cache = model.forward(x)
    _, d_pred = loss_and_grad(task, pred, y)
    return gradient_flow(model.rnn, cache[0], model.output_gradient(d_pred, cache))


def train_cell(cell: str, task: Task, config: LabConfig, seed: int, progress=None) -> LabResult:
    """Train one cell on the task with the config's budget; the same seed gives every cell the same data.

    progress: optional callable(step, test_loss) called at each evaluation.
    """
    data_rng, init_rng = as_rng(seed), as_rng(seed + 1)
    test_x, test_y = task.generate(config.test_size, config.T, as_rng(seed + 2))
    model = LabModel(cell, task.input_size, config.hidden, task.output_size, task.many_to_one, config.T, init_rng)
    optimizer = Adam(model.params, lr=config.lr)
    result = LabResult(cell, model=model)
    result.flow_init = flow_on(model, task, test_x[:100], test_y[:100])
    start, running = time.perf_counter(), []
    for step in range(1, config.steps + 1):
        x, y = task.generate(config.batch, config.T, data_rng)
        model.zero_grad()
        pred, cache = model.forward(x)
        loss, d_pred = loss_and_grad(task, pred, y)
        model.backward(d_pred, cache)
        clip_by_global_norm(model.grads, config.clip_norm)
        optimizer.step(model.grads)
        running.append(loss)
        if step % config.eval_every == 0 or step == config.steps:
            test_loss, score = evaluate(model, task, test_x, test_y)
            result.steps.append(step)
            result.test_loss.append(test_loss)
            result.test_score.append(score)
            result.train_loss.append(float(np.mean(running)))
            running = []
            if result.solved_at is None and test_loss < task.solved:
                result.solved_at = step
            if progress is not None:
                progress(step, test_loss)
            if not np.isfinite(test_loss):
                break
    result.seconds = time.perf_counter() - start
    result.flow_final = flow_on(model, task, test_x[:100], test_y[:100])
    return result
