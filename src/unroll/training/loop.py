"""The training loop, for any task: budgets, validation, early stopping, a non-finite guard, atomic
checkpoints, exact resume, a progress bar, Ctrl-C.

    trainer = Trainer(model, objective, Adam(model.params, lr=2e-3), train_batches, val_batches, rng=rng,
                      budget=Budget(epochs=10), validation=Validation(eval_every=200, patience=5),
                      checkpoints=Checkpointing(out="runs/x", every=500), clipping=Clipping(norm=5.0))
    trainer.fit()                     # trainer.history_, trainer.stop_reason_, trainer.best_val_
    Trainer(...same arguments...).restore("runs/x/checkpoint").fit()   # continues exactly

What the loop knows of the task is an *objective* (subclass `Objective`):

    loss_sum, count, new_carry, cache = objective.loss(model, batch, carry)
        forward one batch. loss_sum: the loss summed over the batch's `count` items (characters,
        sequences ...), a float; carry: what the previous batch handed on (a recurrent state for
        truncated BPTT, else None; None at the start of each epoch); new_carry: what to hand on.
    objective.backward(model, count, cache)
        accumulate the gradient of loss_sum / count into model.grads (calling model.backward).
    loss, metrics = objective.evaluate(model, batches)
        mean loss per item over an iterable of batches and a dict name -> float of task scores
        (the default: eval mode, carry threaded through, no metrics).
    objective.unit        what one item is, for the progress bar ('char/s') and the plot ('loss per char').
    objective.state_type  the carry's state type for checkpoints (None: one array or no carry;
                          `unroll.nn.LSTMState`), as in `unroll.nn.state.from_tuple`.

The char LM with truncated BPTT is `unroll.training.tbptt.TBPTTObjective`, the lab's tasks are
`unroll.lab.train.TaskObjective`. Data are batch sources: anything with `epoch(e) -> iterator of
batches`, the same batches every time it is asked for epoch e (`unroll.data.text`, the lab's
`TaskBatches`); a batch is whatever the objective reads. The model is any `unroll.nn.Module`.

How one batch's gradient is computed is a strategy, `gradients` (default `local_gradients`:
objective.loss then objective.backward here); `unroll.distributed.DataParallel(client)` splits
each batch over Dask workers instead. Either way the loop applies one update per batch.

Settings come in small groups: `Budget` (epochs, minutes, max_steps: stop at the first reached),
`Validation` (eval_every, patience, the watched metric and its mode), `Checkpointing` (out, every, meta, plot), `Clipping` (value
or norm), a schedule (step -> lr) and `progress` (False, True or the bar's label).

Exact resume: the batches of epoch e depend only on (seed, e); the checkpoint holds the weights,
the optimiser's slots and scalars, the carry into the next batch, the position (epoch, batch),
the generator's state (dropout draws), the history and the early-stopping counters. A resumed run
therefore takes the same steps with the same losses as one that was never stopped. Layout of
`out`: `checkpoint/` (latest, every `every` steps and at the end), `best/` (the best validation
score so far: the loss, or the metric `Validation` watches), `loss.png` (with plot=True).

History (`trainer.history_`, JSON, checkpointed): per step `step`, `loss` (loss_sum / count) and
`grad_norm` (global norm before clipping); per validation `val_step`, `val_loss`, `val_minutes`
(training time so far) and `val_<metric>` for each metric the objective reports.

Guard: at the first non-finite loss or gradient the loop raises `TrainingDiverged` before the
weights are touched; the last checkpoint on disk is the last good one and is left as it is.
Ctrl-C (SIGINT) finishes the current step, writes a checkpoint and returns normally.
"""
from __future__ import annotations

import itertools
import math
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..checkpoint import load_checkpoint, save_checkpoint
from ..errors import InvalidTypeError, InvalidValueError
from ..nn.state import from_tuple, to_tuple
from ..optim import all_finite, clip_by_global_norm, clip_by_value, global_norm

__all__ = ["Trainer", "TrainingDiverged", "Objective", "Budget", "Validation", "Checkpointing", "Clipping",
           "local_gradients", "CHECKPOINT", "BEST"]

CHECKPOINT, BEST = "checkpoint", "best"
OPTIM_PREFIX, CARRY_PREFIX = "optim.", "carry."
SMOOTHING = 0.98  # of the loss shown on the progress bar


class TrainingDiverged(FloatingPointError):
    """A loss or gradient was NaN or infinite; the weights were left as they were before that step."""


# ---------------------------------------------------------------- settings
def _at_least_one(name: str, value) -> None:
    if value is not None and (isinstance(value, bool) or value < 1):
        raise InvalidValueError(f"{name}: expected >= 1 or None, got {value!r}")


@dataclass(frozen=True)
class Budget:
    """When to stop: after `epochs` epochs, `minutes` of training (evaluation included) or
    `max_steps` updates, whichever comes first; at least one is needed."""

    epochs: int | None = None
    minutes: float | None = None
    max_steps: int | None = None

    def __post_init__(self):
        _at_least_one("epochs", self.epochs)
        _at_least_one("max_steps", self.max_steps)
        if self.minutes is not None and not self.minutes > 0:
            raise InvalidValueError(f"minutes: expected > 0, got {self.minutes}")
        if self.epochs is None and self.minutes is None and self.max_steps is None:
            raise InvalidValueError("budget: expected at least one of epochs, minutes or max_steps, got none")


@dataclass(frozen=True)
class Validation:
    """eval_every: steps between validations (None: at the end of each epoch); patience:
    validations without a better score before stopping early (None: never); metric: what is
    watched for best/ and early stopping, 'loss' or a metric the objective's evaluate reports
    ('accuracy'); mode: 'min' (lower is better) or 'max'."""

    eval_every: int | None = None
    patience: int | None = None
    metric: str = "loss"
    mode: str = "min"

    def __post_init__(self):
        _at_least_one("eval_every", self.eval_every)
        _at_least_one("patience", self.patience)
        if self.mode not in ("min", "max"):
            raise InvalidValueError(f"mode: expected 'min' or 'max', got {self.mode!r}")

    @property
    def worst(self) -> float:
        return math.inf if self.mode == "min" else -math.inf

    def better(self, score: float, best: float) -> bool:
        return score < best if self.mode == "min" else score > best


@dataclass(frozen=True)
class Checkpointing:
    """out: directory for checkpoint/ and best/ (None: write nothing); every: steps between
    checkpoints (None: only at the end); meta: JSON stored in every checkpoint (model config,
    vocabulary ...); plot: also save out/loss.png at the end (matplotlib)."""

    out: str | Path | None = None
    every: int | None = None
    meta: dict = field(default_factory=dict)
    plot: bool = False

    def __post_init__(self):
        _at_least_one("every", self.every)
        if self.plot and self.out is None:
            raise InvalidValueError("plot: expected an out directory to write loss.png into, got out=None")


@dataclass(frozen=True)
class Clipping:
    """Gradient clipping before each update: element-wise to [-value, value], or the global norm
    to `norm` (at most one; neither: no clipping). See unroll.optim.clipping."""

    value: float | None = None
    norm: float | None = None

    def __post_init__(self):
        if self.value is not None and self.norm is not None:
            raise InvalidValueError(f"clipping: expected at most one of value and norm, got {self.value} and {self.norm}")
        for name in ("value", "norm"):
            if getattr(self, name) is not None and not getattr(self, name) > 0:
                raise InvalidValueError(f"clipping {name}: expected > 0, got {getattr(self, name)}")

    def __call__(self, grads: dict) -> float:
        """Clip grads in place; returns their global norm before clipping."""
        if self.norm is not None:
            return clip_by_global_norm(grads, self.norm)
        norm = global_norm(grads)
        if self.value is not None:
            clip_by_value(grads, self.value)
        return norm


# ---------------------------------------------------------------- the task
class Objective:
    """A task for the Trainer: subclass and implement `loss` and `backward` (see the module docstring).

    `evaluate` defaults to the mean of loss_sum / count over the batches, in eval mode, with the
    carry threaded from batch to batch and no metrics.
    """

    unit = "item"
    state_type = None

    def loss(self, model, batch, carry):
        """Forward one batch -> (loss_sum float, count int, new_carry, cache for backward)."""
        raise NotImplementedError

    def backward(self, model, count: int, cache) -> None:
        """Accumulate d(loss_sum / count) into model.grads."""
        raise NotImplementedError

    def evaluate(self, model, batches) -> tuple[float, dict]:
        """(mean loss per item over the batches, {} of metrics), in eval mode."""
        was_training = model.training
        model.eval()
        total, count, carry = 0.0, 0, None
        try:
            for batch in batches:
                loss, n, carry, _ = self.loss(model, batch, carry)
                total, count = total + loss, count + n
        finally:
            model.train(was_training)
        if count == 0:
            raise InvalidValueError(f"evaluate: expected at least one {self.unit} to score, got none")
        return total / count, {}


def local_gradients(model, objective: Objective, batch, carry, step: int):
    """The default gradient strategy: forward and backward `batch` in this process.

    Leaves d(loss_sum / count) in model.grads and returns (loss_sum, count, new_carry). A
    strategy (`Trainer(gradients=...)`) is any callable of this signature; step is the number of
    updates done so far (a strategy may derive per-step randomness from it).
    """
    loss, count, carry, cache = objective.loss(model, batch, carry)
    if math.isfinite(loss):  # a non-finite loss is reported by the loop before any update
        objective.backward(model, count, cache)
    return loss, count, carry


# ---------------------------------------------------------------- the loop
class Trainer:
    """Runs updates of `model` by `optimizer` on `objective` over `train_data` until the budget is spent.

    model: an `unroll.nn.Module` (params/grads dicts, train/eval, load_state_dict). objective: an
    `Objective`. optimizer: an `unroll.optim.Optimizer` over model.params. train_data, val_data:
    batch sources (val_data None: no validation). rng: the Generator the model draws dropout
    masks from (its state is checkpointed). budget, validation, checkpoints, clipping: the setting
    groups above. schedule: step -> lr, or None for the optimiser's fixed rate. progress: show a
    tqdm bar (a str: the bar's label). gradients: how a batch's gradient is computed (None:
    `local_gradients`; `unroll.distributed.DataParallel` for Dask workers).
    """

    def __init__(self, model, objective: Objective, optimizer, train_data, val_data=None, *,
                 rng: np.random.Generator, budget: Budget, validation: Validation = Validation(),
                 checkpoints: Checkpointing = Checkpointing(), clipping: Clipping = Clipping(), schedule=None,
                 progress: bool | str = True, gradients=None):
        if not isinstance(rng, np.random.Generator):
            raise InvalidTypeError(f"rng: expected the model's numpy Generator, got {type(rng).__name__}")
        for name, value, kind in (("objective", objective, Objective), ("budget", budget, Budget),
                                  ("validation", validation, Validation), ("checkpoints", checkpoints, Checkpointing),
                                  ("clipping", clipping, Clipping)):
            if not isinstance(value, kind):
                raise InvalidTypeError(f"{name}: expected {kind.__name__}, got {type(value).__name__}")
        self.model, self.objective, self.optimizer = model, objective, optimizer
        self.train_data, self.val_data, self.rng = train_data, val_data, rng
        self.budget, self.validation, self.checkpoints = budget, validation, checkpoints
        self.clipping, self.schedule, self.progress = clipping, schedule, progress
        if gradients is not None and not callable(gradients):
            raise InvalidTypeError(f"gradients: expected a strategy called as (model, objective, batch, carry, step), "
                                   f"got {type(gradients).__name__}")
        self.gradients = local_gradients if gradients is None else gradients
        self.out = None if checkpoints.out is None else Path(checkpoints.out)
        # progress through the run: everything here is checkpointed
        self.step, self.epoch, self.position, self.elapsed = 0, 0, 0, 0.0
        self.carry = None
        self.best_val_, self.best_step_, self.stale_evals = validation.worst, None, 0
        self.history_ = {"step": [], "loss": [], "grad_norm": [], "val_step": [], "val_loss": [], "val_minutes": []}
        self.stop_reason_ = None
        self.last_checkpoint_step = None
        self._interrupted, self._start = False, time.perf_counter()

    def fit(self) -> "Trainer":
        """Train until a budget is reached, early stopping fires or Ctrl-C; checkpoint; return self."""
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)
        self.model.train()
        self.model.zero_grad()
        self.stop_reason_ = None
        self._start, items = time.perf_counter() - self.elapsed, 0  # as if the earlier sessions ran just before
        session_start, smoothed = time.perf_counter(), None
        bar = tqdm(total=self._planned_steps(), initial=self.step, disable=not self.progress, unit="step",
                   desc=self.progress if isinstance(self.progress, str) else None, dynamic_ncols=True, leave=True)
        every, eval_every = self.checkpoints.every, self.validation.eval_every
        with bar, _catch_sigint(self):
            while self.stop_reason_ is None:
                if self.budget.epochs is not None and self.epoch >= self.budget.epochs:
                    self.stop_reason_ = f"{self.budget.epochs} epochs done"
                    break
                for batch in itertools.islice(self.train_data.epoch(self.epoch), self.position, None):
                    self.elapsed = time.perf_counter() - self._start
                    self.stop_reason_ = self._budget_reason()
                    if self.stop_reason_:
                        break
                    loss, count = self._update(batch)
                    items += count
                    smoothed = loss if smoothed is None else SMOOTHING * smoothed + (1 - SMOOTHING) * loss
                    rate = items / max(time.perf_counter() - session_start, 1e-9)
                    val = "" if self.val_data is None else (
                        f" best val {self.best_val_:.3g}" if math.isfinite(self.best_val_) else " best val -")
                    bar.set_postfix_str(f"epoch {self.epoch} loss {smoothed:.3g}{val} "
                                        f"{rate:,.0f} {self.objective.unit}/s", refresh=False)
                    bar.update(1)
                    if eval_every and self.step % eval_every == 0:
                        self._validate()
                    if every and self.out is not None and self.step % every == 0:
                        self.save(self.out / CHECKPOINT)
                    if self.stop_reason_:
                        break
                else:
                    self.epoch, self.position, self.carry = self.epoch + 1, 0, None
                    if not eval_every:
                        self._validate()
        self.elapsed = time.perf_counter() - self._start
        if self.val_data is not None and (not self.history_["val_step"] or self.history_["val_step"][-1] != self.step):
            self._validate(final=True)
        if self.out is not None:
            self.save(self.out / CHECKPOINT)
            if self.checkpoints.plot:
                from .plot import plot_history
                plot_history(self.history_, self.out / "loss.png", ylabel=f"loss per {self.objective.unit}")
        return self

    def _update(self, batch) -> tuple[float, int]:
        """One step with the guard; returns (loss_sum / count, count)."""
        if self.schedule is not None:
            self.optimizer.lr = self.schedule(self.step)
        loss, count, carry = self.gradients(self.model, self.objective, batch, self.carry, self.step)
        if not math.isfinite(loss):
            self.model.zero_grad()
            self._diverged(f"loss is {loss}")
        if not all_finite(self.model.grads):
            self.model.zero_grad()
            self._diverged("a gradient is NaN or infinite")
        norm = self.clipping(self.model.grads)
        self.optimizer.step(self.model.grads)
        self.model.zero_grad()
        self.carry, self.step, self.position = carry, self.step + 1, self.position + 1
        mean = loss / max(count, 1)
        self.history_["step"].append(self.step)
        self.history_["loss"].append(mean)
        self.history_["grad_norm"].append(norm)
        return mean, count

    def _diverged(self, what: str):
        where = (f"the last good checkpoint is {self.out / CHECKPOINT} (step {self.last_checkpoint_step})"
                 if self.last_checkpoint_step is not None else "no checkpoint was written before it")
        raise TrainingDiverged(f"{what} at step {self.step + 1} (epoch {self.epoch}); stopped before updating "
                               f"the weights; {where}. Try a lower learning rate or gradient clipping.")

    def _validate(self, final: bool = False) -> None:
        if self.val_data is None:
            return
        val, metrics = self.objective.evaluate(self.model, self.val_data.epoch(0))
        self.history_["val_step"].append(self.step)
        self.history_["val_loss"].append(val)
        self.history_["val_minutes"].append((time.perf_counter() - self._start) / 60.0)  # training time so far
        for name, value in metrics.items():
            self.history_.setdefault(f"val_{name}", []).append(value)
        watched = self.validation.metric
        if watched != "loss" and watched not in metrics:
            raise InvalidValueError(f"validation metric: expected one the objective reports ({['loss', *metrics]}), "
                                    f"got {watched!r}")
        score = val if watched == "loss" else metrics[watched]
        if self.validation.better(score, self.best_val_):
            self.best_val_, self.best_step_, self.stale_evals = score, self.step, 0
            if self.out is not None:
                self.save(self.out / BEST)
        elif not final:
            self.stale_evals += 1
            patience = self.validation.patience
            if patience is not None and self.stale_evals >= patience:
                self.stop_reason_ = (f"early stopping: no better validation {watched} in {patience} evaluations "
                                     f"(best {self.best_val_:.4f} at step {self.best_step_})")

    def _budget_reason(self) -> str | None:
        if self._interrupted:
            return "interrupted (Ctrl-C)"
        if self.budget.max_steps is not None and self.step >= self.budget.max_steps:
            return f"{self.budget.max_steps} steps done"
        if self.budget.minutes is not None and self.elapsed >= 60.0 * self.budget.minutes:
            return f"time budget of {self.budget.minutes:g} minutes spent"
        return None

    def _planned_steps(self) -> int | None:
        if self.budget.max_steps is not None:
            return self.budget.max_steps
        if self.budget.epochs is not None:
            return self.budget.epochs * sum(1 for _ in self.train_data.epoch(0))
        return None

    # ---------------------------------------------------------------- checkpoints
    def save(self, directory) -> None:
        """Write everything needed to resume to `directory` (atomically)."""
        tensors = dict(self.model.params)
        optimizer_state = self.optimizer.state_dict()
        tensors.update({OPTIM_PREFIX + k: v for k, v in optimizer_state["tensors"].items()})
        for k, part in enumerate(to_tuple(self.carry) or ()):
            tensors[f"{CARRY_PREFIX}{k}"] = part
        progress = {"step": self.step, "epoch": self.epoch, "position": self.position, "elapsed_s": self.elapsed,
                    "best_val": None if math.isinf(self.best_val_) else self.best_val_,
                    "best_step": self.best_step_, "stale_evals": self.stale_evals, "stop_reason": self.stop_reason_}
        meta = {**self.checkpoints.meta, "progress": progress, "rng": self.rng.bit_generator.state,
                "optimizer": {"name": type(self.optimizer).__name__, "scalars": optimizer_state["scalars"]},
                "history": self.history_}
        save_checkpoint(directory, tensors, meta)
        if Path(directory).name == CHECKPOINT:
            self.last_checkpoint_step = self.step

    def restore(self, directory) -> "Trainer":
        """Continue from a checkpoint written by `save` (same model, objective, optimiser and data)."""
        tensors, meta = load_checkpoint(directory)
        self.model.load_state_dict({k: v for k, v in tensors.items() if k in self.model.params})
        if meta["optimizer"]["name"] != type(self.optimizer).__name__:
            raise InvalidValueError(f"optimizer: the checkpoint was written by {meta['optimizer']['name']}, "
                                    f"got {type(self.optimizer).__name__}")
        self.optimizer.load_state_dict({
            "tensors": {k[len(OPTIM_PREFIX):]: v for k, v in tensors.items() if k.startswith(OPTIM_PREFIX)},
            "scalars": meta["optimizer"]["scalars"]})
        carry = tuple(tensors[f"{CARRY_PREFIX}{k}"] for k in itertools.takewhile(
            lambda k: f"{CARRY_PREFIX}{k}" in tensors, itertools.count()))
        self.carry = from_tuple(carry, self.objective.state_type) if carry else None
        self.rng.bit_generator.state = meta["rng"]
        p = meta["progress"]
        self.step, self.epoch, self.position, self.elapsed = p["step"], p["epoch"], p["position"], p["elapsed_s"]
        self.best_val_ = self.validation.worst if p["best_val"] is None else p["best_val"]
        self.best_step_, self.stale_evals = p["best_step"], p["stale_evals"]
        self.history_ = {**self.history_, **{k: list(v) for k, v in meta["history"].items()}}
        self.last_checkpoint_step = self.step
        return self


class _catch_sigint:
    """While active (main thread only), the first Ctrl-C asks the loop to stop after the current
    step; a second one interrupts at once as usual. A process that ignores Ctrl-C (nohup, a
    background job) keeps ignoring it."""

    def __init__(self, trainer: Trainer):
        self.trainer, self.previous = trainer, None

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN):
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.trainer._interrupted = True
        signal.signal(signal.SIGINT, self.previous)

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        self.trainer._interrupted = False
        return False
