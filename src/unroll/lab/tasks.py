"""The lab's tasks: generator, read-out, loss, memoryless baseline, the loss that counts as solved,
and a task-specific score.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .. import functional as F
from .._checks import check_option
from ..data import synthetic as S

__all__ = ["Task", "TASKS", "get_task", "loss_and_grad"]


@dataclass(frozen=True)
class Task:
    """generate(batch, T, rng) -> (x, y); loss 'mse' or 'ce'; baseline(T) the memoryless loss;
    solved: test loss below it counts as solved; score(pred, y) -> float, named score_name."""

    name: str
    generate: Callable
    input_size: int
    output_size: int
    many_to_one: bool
    loss: str
    baseline: Callable
    solved: float
    score: Callable
    score_name: str


def _adding_score(pred, y):
    return float((np.abs(pred - y) < 0.04).mean())  # H&S 1997: a sequence is right at |error| < 0.04


def _copy_score(pred, y):
    return float((pred[:, -10:].argmax(-1) == y[:, -10:]).mean())  # the recalled symbols only


def _accuracy(pred, y):
    return float((pred.argmax(-1) == y).mean())


def _square_score(pred, y):
    return float((np.sign(pred) == y).mean())


TASKS = {
    "adding": Task("adding", S.adding_problem, 2, 1, True, "mse", lambda T: S.adding_baseline(),
                   0.01, _adding_score, "|err|<0.04"),
    "copy": Task("copy", S.copy_memory, S.COPY_VOCAB, S.COPY_VOCAB, False, "ce", S.copy_baseline,
                 0.01, _copy_score, "recall acc"),
    "order": Task("order", S.temporal_order, len(S.TEMPORAL_ORDER_SYMBOLS), 4, True, "ce",
                  lambda T: S.temporal_order_baseline(), 0.05, _accuracy, "accuracy"),
    "sine": Task("sine", S.sine_to_square, 1, 1, False, "mse", lambda T: S.sine_to_square_baseline(),
                 0.05, _square_score, "sign acc"),
}


def get_task(name: str) -> Task:
    check_option("task", name, set(TASKS))
    return TASKS[name]


def loss_and_grad(task: Task, pred: np.ndarray, y: np.ndarray):
    """(loss float, dL/dpred like pred) under the task's loss."""
    if task.loss == "mse":
        loss, cache = F.mse_forward(pred, y)
        return loss, F.mse_backward(1.0, cache)
    loss, cache = F.softmax_cross_entropy_forward(pred, y)
    return loss, F.softmax_cross_entropy_backward(1.0, cache).astype(pred.dtype)
