"""The lab's tasks as objectives of the one training loop (`unroll.training.Trainer`).

- `TaskObjective`: the task's loss (MSE or cross-entropy) on a batch (x, y), one sequence per item;
  its `evaluate` also reports the task's score.
- `TaskBatches`: fresh batches from the task's generator every step; epoch e draws from a generator
  seeded with (seed, e), so a run (and a resumed run) sees the same data every time.
- `FixedBatches`: a fixed test set in chunks, for validation.
- `train_cell`: one cell on one task with the lab's budget (Adam, norm clipping), its test-loss
  history, the step it was solved at and the gradient flow before and after training.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .._checks import as_rng
from ..diagnostics import gradient_flow
from ..training import Budget, Objective, Optimisation, Trainer, TrainingDiverged, Validation
from .models import LabModel
from .tasks import Task, loss_and_grad

__all__ = ["LabConfig", "LabResult", "TaskObjective", "TaskBatches", "FixedBatches", "train_cell", "flow_on"]


class TaskObjective(Objective):
    """Batches are (x (B, T, D), y) from `task.generate`; loss_sum is the task's mean loss times B,
    count B (sequences), no carry. evaluate -> (mean loss, {"score": the task's score})."""

    unit = "seq"

    def __init__(self, task: Task):
        self.task = task

    def loss(self, model, batch, carry):
        x, y = batch
        pred, _, cache = model.forward(x)
        loss, d_pred = loss_and_grad(self.task, pred, y)  # mean loss and its gradient
        return float(loss) * x.shape[0], x.shape[0], None, (cache, d_pred)

    def backward(self, model, count: int, cache) -> None:
        model_cache, d_pred = cache  # d_pred is already d(loss_sum / count)
        model.backward(d_pred, None, model_cache)

    def evaluate(self, model, batches):
        was_training = model.training
        model.eval()
        total, count, preds, targets = 0.0, 0, [], []
        try:
            for x, y in batches:
                pred, _, _ = model.forward(x)
                total += float(loss_and_grad(self.task, pred, y)[0]) * x.shape[0]
                count += x.shape[0]
                preds.append(pred)
                targets.append(y)
        finally:
            model.train(was_training)
        return total / count, {"score": self.task.score(np.concatenate(preds), np.concatenate(targets))}


class TaskBatches:
    """`steps` fresh batches of `batch` sequences of length T per epoch, drawn from a generator seeded
    with (seed, epoch)."""

    def __init__(self, task: Task, batch: int, T: int, steps: int, seed: int):
        self.task, self.batch, self.T, self.steps, self.seed = task, batch, T, steps, seed

    def epoch(self, epoch: int):
        rng = np.random.default_rng([self.seed, epoch])
        for _ in range(self.steps):
            yield self.task.generate(self.batch, self.T, rng)  # x (B, T, D), y


class FixedBatches:
    """A fixed set (x (N, T, D), y) served in chunks of `chunk` sequences (to bound memory)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, chunk: int = 250):
        self.x, self.y, self.chunk = x, y, chunk

    def epoch(self, epoch: int):
        for start in range(0, self.x.shape[0], self.chunk):
            yield self.x[start:start + self.chunk], self.y[start:start + self.chunk]


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
    """What one cell did: test loss (and score) every eval_every steps and at the end, the mean
    training loss since the previous evaluation, gradient flow (T+1,) at init and end, the trained
    model, and why it stopped."""

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
    stop_reason: str = ""


def flow_on(model: LabModel, task: Task, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dh_k|| for k = 0..T of the model's loss on (x (B, T, D), y): (T+1,)."""
    pred, _, cache = model.forward(x)
    _, d_pred = loss_and_grad(task, pred, y)
    return gradient_flow(model.rnn, model.rnn_cache(cache), model.output_gradient(d_pred, cache))


def train_cell(cell: str, task: Task, config: LabConfig, seed: int, progress: bool | str = False) -> LabResult:
    """Train one cell on the task with the config's budget; the same seed gives every cell the same
    data (training batches and test set). progress: as `Trainer` (a str labels the bar)."""
    init_rng = as_rng(seed + 1)
    test_x, test_y = task.generate(config.test_size, config.T, as_rng(seed + 2))
    model = LabModel(cell, task.input_size, config.hidden, task.output_size, task.many_to_one, config.T, init_rng)
    optimisation = Optimisation(optimizer="adam", lr=config.lr, clip_norm=config.clip_norm)
    trainer = Trainer(model, TaskObjective(task), optimisation.build(model.params),
                      TaskBatches(task, config.batch, config.T, config.steps, seed), FixedBatches(test_x, test_y),
                      rng=init_rng, budget=Budget(max_steps=config.steps),
                      validation=Validation(eval_every=config.eval_every), clipping=optimisation.clipping(),
                      progress=progress)
    result = LabResult(cell, model=model, flow_init=flow_on(model, task, test_x[:100], test_y[:100]))
    start = time.perf_counter()
    try:
        trainer.fit()
        result.stop_reason = trainer.stop_reason_
    except TrainingDiverged as err:  # the table shows how far it got
        result.stop_reason = str(err)
    result.seconds = time.perf_counter() - start
    h = trainer.history_
    result.steps, result.test_loss = list(h["val_step"]), list(h["val_loss"])
    result.test_score = list(h.get("val_score", []))
    bounds = [0] + result.steps
    result.train_loss = [float(np.mean(h["loss"][a:b])) for a, b in zip(bounds, bounds[1:]) if b > a]
    result.solved_at = next((s for s, loss in zip(result.steps, result.test_loss) if loss < task.solved), None)
    result.flow_final = flow_on(model, task, test_x[:100], test_y[:100])
    return result
